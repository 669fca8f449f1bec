package org.ablate.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ablate.models.assembly.Model;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 300 seeded mutations of a saved checkpoint folder (its config.json, model.safetensors, tokenizer files, and
 * whole files removed or added). Each must be refused with a one-line IOException or IllegalArgumentException
 * naming a file of the folder, or load into a model whose weights and logits are finite; never another
 * exception, a hang or garbage. The counts per mutation are in docs/reliability.md.
 */
class CheckpointFuzzTest {
    @TempDir Path dir;

    private enum Outcome { REFUSED, LOADED }

    @Test
    void everyMutationIsRefusedCleanlyOrLoadsAWorkingModel() throws Exception {
        Path pristine = dir.resolve("pristine");
        Checkpoint.save(pristine, CheckpointTest.model(CheckpointTest.tokenizer().vocabSize(), 1), CheckpointTest.tokenizer(), Map.of("steps", 3));
        List<Path> files;
        try (Stream<Path> s = Files.walk(pristine)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        SplittableRandom rnd = new SplittableRandom(20261201);
        Map<String, int[]> counts = new TreeMap<>();
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < 300; i++) {
                Path copy = dir.resolve("case-" + i);
                copyTree(pristine, copy);
                Path target = copy.resolve(pristine.relativize(files.get(rnd.nextInt(files.size()))));
                String kind = mutate(target, copy, rnd);
                Outcome o = load(copy, kind + " of " + copy.relativize(target));
                int[] c = counts.computeIfAbsent(kind, k -> new int[2]);
                c[o.ordinal()]++;
                deleteTree(copy);
            }
        });
        int refused = counts.values().stream().mapToInt(c -> c[0]).sum();
        int loaded = counts.values().stream().mapToInt(c -> c[1]).sum();
        assertEquals(300, refused + loaded);
        assertTrue(refused > 150, "most mutations break the folder: " + describe(counts));
        System.out.println("CheckpointFuzzTest (mutation: refused / loaded): " + describe(counts));
    }

    private static String describe(Map<String, int[]> counts) {
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, c) -> sb.append(k).append(' ').append(c[0]).append(" / ").append(c[1]).append("; "));
        return sb.toString();
    }

    private static Outcome load(Path folder, String what) {
        Checkpoint.Loaded loaded;
        try {
            loaded = Checkpoint.load(folder, CheckpointTest.REGISTRY);
        } catch (IOException | IllegalArgumentException e) {
            String m = e.getMessage();
            assertTrue(m != null && !m.isBlank(), what + ": an error without a message: " + e);
            assertFalse(m.contains("\n"), what + ": a message of more than one line: " + m);
            assertTrue(m.contains(folder.toString()) || m.contains(".json") || m.contains(".safetensors") || m.contains("tokenizer"),
                    what + ": the message names no file: " + m);
            return Outcome.REFUSED;
        } catch (UncheckedIOException e) {
            fail(what + ": an unchecked IOException: " + e.getMessage());
            return null;
        } catch (RuntimeException | Error e) {
            fail(what + ": " + e.getClass().getName() + ": " + e.getMessage(), e);
            return null;
        }
        Model m = loaded.model();
        for (var e : m.parameters().entrySet()) {
            for (float v : e.getValue().toArray()) assertTrue(Float.isFinite(v), what + ": loaded a non-finite weight in " + e.getKey());
        }
        try (NoGrad g = Tensor.noGrad()) {
            int v = m.config().vocabSize();
            Tensor logits = m.forward(IntTensor.of(new int[] {1 % v, 2 % v, 3 % v}, 1, 3), null, null);
            for (float x : logits.toArray()) assertTrue(Float.isFinite(x), what + ": a loaded model gives non-finite logits");
        }
        return Outcome.LOADED;
    }

    /** Applies one random mutation to {@code file} (or the folder) and names it. */
    private static String mutate(Path file, Path folder, SplittableRandom rnd) throws IOException {
        byte[] b = Files.readAllBytes(file);
        boolean text = !file.toString().endsWith(".safetensors");
        switch (rnd.nextInt(text ? 7 : 6)) {
            case 0 -> { Files.delete(file); return "file removed"; }
            case 1 -> {
                Files.write(file, java.util.Arrays.copyOf(b, b.length == 0 ? 0 : rnd.nextInt(b.length)));
                return "truncated";
            }
            case 2 -> {
                if (b.length > 0) b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                Files.write(file, b);
                return "bit flip";
            }
            case 3 -> {
                // Safetensors: a byte of the header (its first 8 + length bytes); text: any byte set to a random value.
                int limit = text ? b.length : Math.min(b.length, 8 + (int) Math.min(Integer.MAX_VALUE - 8, headerLength(b)));
                if (limit > 0) b[rnd.nextInt(limit)] = (byte) rnd.nextInt(256);
                Files.write(file, b);
                return text ? "byte set" : "header byte set";
            }
            case 4 -> {
                Files.write(folder.resolve("notes-" + rnd.nextInt(100) + ".txt"), "unrelated".getBytes(StandardCharsets.UTF_8));
                return "unrelated file added";
            }
            case 5 -> {
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + rnd.nextInt(16));
                Files.write(file, longer);
                return "bytes appended";
            }
            default -> {
                // Text: a JSON value replaced with another type or an out-of-range number.
                String s = new String(b, StandardCharsets.UTF_8);
                String[] values = {"null", "-1", "0", "1e9", "\"x\"", "[]", "{}", "true", "99999999999"};
                java.util.regex.Matcher m = java.util.regex.Pattern.compile(":\\s*(-?[0-9.eE+]+|\"[^\"]*\"|true|false|null)").matcher(s);
                List<int[]> spans = new ArrayList<>();
                while (m.find()) spans.add(new int[] {m.start(1), m.end(1)});
                if (spans.isEmpty()) { Files.write(file, b); return "value replaced"; }
                int[] span = spans.get(rnd.nextInt(spans.size()));
                Files.writeString(file, s.substring(0, span[0]) + values[rnd.nextInt(values.length)] + s.substring(span[1]));
                return "value replaced";
            }
        }
    }

    private static long headerLength(byte[] b) {
        if (b.length < 8) return b.length;
        long n = 0;
        for (int i = 7; i >= 0; i--) n = (n << 8) | (b[i] & 0xFF);
        return n < 0 ? b.length : n;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
