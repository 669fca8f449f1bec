package org.ablate.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.ablate.models.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 300 seeded mutations of a run spec. Each must be refused with a one-line ConfigException naming the spec file,
 * or resolve; a mutation that leaves the same YAML document (whitespace, comments) must resolve to the same hash.
 * Never another exception or a hang. The counts per mutation are in docs/reliability.md.
 */
class SpecFuzzTest {
    @TempDir Path dir;

    @Test
    void everyMutationIsRefusedOnOneLineOrResolves() throws Exception {
        TestSpecs.write(dir);
        SpecLoader loader = new SpecLoader(TestSpecs.REGISTRY);
        String original = TestSpecs.SPEC;
        String hash = loader.load(dir.resolve("spec.yaml"), List.of()).hash();
        SplittableRandom rnd = new SplittableRandom(1201);
        Map<String, int[]> counts = new TreeMap<>();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 300; i++) {
                String[] mutation = mutate(original, rnd);
                Path f = dir.resolve("m" + i + ".yaml");
                Files.writeString(f, mutation[1]);
                int[] c = counts.computeIfAbsent(mutation[0], k -> new int[2]);
                try {
                    RunSpec s = loader.load(f, List.of());
                    c[1]++;
                    if (mutation[0].equals("whitespace or comment")) assertEquals(hash, s.hash(), "same document, same hash:\n" + mutation[1]);
                } catch (ConfigException e) {
                    String m = e.getMessage();
                    assertTrue(m.startsWith(f.toString()) || m.contains(f.getFileName().toString()), "names the file: " + m);
                    assertFalse(m.strip().contains("\n"), "one line: " + m);
                    c[0]++;
                } catch (RuntimeException | Error e) {
                    fail(mutation[0] + ": " + e.getClass().getName() + ": " + e.getMessage() + "\n" + mutation[1], e);
                }
            }
        });
        int total = counts.values().stream().mapToInt(c -> c[0] + c[1]).sum();
        assertEquals(300, total);
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, c) -> sb.append(k).append(' ').append(c[0]).append(" / ").append(c[1]).append("; "));
        System.out.println("SpecFuzzTest (mutation: refused / resolved): " + sb);
    }

    private static final String[] VALUES = {"null", "-1", "0", "1.5", "1e9", "99999999999", "x", "\"\"", "[]", "{}", "true", "[1, 2]", "{id: nope}"};

    /** One random mutation: its kind and the mutated text. */
    private static String[] mutate(String s, SplittableRandom rnd) {
        List<String> lines = s.lines().toList();
        int at = rnd.nextInt(s.length());
        switch (rnd.nextInt(8)) {
            case 0 -> { return new String[] {"character deleted", s.substring(0, at) + s.substring(at + 1)}; }
            case 1 -> {
                String chars = ":{}[],-#'\"\t x1.";
                return new String[] {"character inserted", s.substring(0, at) + chars.charAt(rnd.nextInt(chars.length())) + s.substring(at)};
            }
            case 2 -> { return new String[] {"truncated", s.substring(0, at)}; }
            case 3 -> {
                int l = rnd.nextInt(lines.size());
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < lines.size(); i++) if (i != l) b.append(lines.get(i)).append('\n');
                return new String[] {"line removed", b.toString()};
            }
            case 4 -> {
                int l = rnd.nextInt(lines.size());
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < lines.size(); i++) {
                    b.append(lines.get(i)).append('\n');
                    if (i == l) b.append(lines.get(i)).append('\n');
                }
                return new String[] {"line repeated", b.toString()};
            }
            case 5 -> {
                // A scalar value after "key: " replaced with another type or an extreme number.
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<=: )[^{}\\[\\],\\n]+").matcher(s);
                List<int[]> spans = new java.util.ArrayList<>();
                while (m.find()) spans.add(new int[] {m.start(), m.end()});
                int[] span = spans.get(rnd.nextInt(spans.size()));
                return new String[] {"value replaced", s.substring(0, span[0]) + VALUES[rnd.nextInt(VALUES.length)] + s.substring(span[1])};
            }
            case 6 -> {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("[a-z_]+(?=:)").matcher(s);
                List<int[]> spans = new java.util.ArrayList<>();
                while (m.find()) spans.add(new int[] {m.start(), m.end()});
                int[] span = spans.get(rnd.nextInt(spans.size()));
                String key = s.substring(span[0], span[1]);
                String renamed = key.length() > 1 ? key.substring(1) + key.charAt(0) : key + "x";
                return new String[] {"key renamed", s.substring(0, span[0]) + renamed + s.substring(span[1])};
            }
            default -> {
                int l = rnd.nextInt(lines.size());
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < lines.size(); i++) {
                    b.append(lines.get(i)).append(i == l ? "   # a comment" : "").append('\n');
                    if (i == l) b.append('\n');
                }
                return new String[] {"whitespace or comment", b.toString()};
            }
        }
    }
}
