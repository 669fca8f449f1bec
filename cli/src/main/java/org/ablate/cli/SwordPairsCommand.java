package org.ablate.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ablate sword-pairs}: verse-aligned sentence pairs from two SWORD Bible modules of the same
 * versification (e.g. Debian's {@code sword-text-kjv} and {@code sword-text-sparv}, both KJV-versified),
 * written as {@code source<TAB>target} lines for the {@code parallel-text} data source. Reads the zText
 * format (per testament: {@code .bzs} block index, {@code .bzv} verse index, {@code .bzz} zlib blocks),
 * strips OSIS markup (notes and titles with their text, every other tag, the pilcrow), and keeps the
 * verses both modules have, in a seeded random order so that a held-out tail samples the whole text.
 */
@Command(name = "sword-pairs", mixinStandardHelpOptions = true,
        description = "Write verse-aligned source<TAB>target pairs from two SWORD zText Bible modules (same versification), "
                + "e.g. from Debian's sword-text-kjv and sword-text-sparv.")
final class SwordPairsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE_MODULE", description = "Folder of the source module's ot.bzs, ot.bzv, ot.bzz (and nt.*).")
    Path source;

    @Parameters(index = "1", paramLabel = "TARGET_MODULE", description = "Folder of the target module's files.")
    Path target;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The TSV to write (not replaced if it exists).")
    Path out;

    @Option(names = "--max-chars", paramLabel = "N", description = "Keep pairs whose sides both have at most N characters (0 = all; default ${DEFAULT-VALUE}).")
    int maxChars = 0;

    @Option(names = "--seed", description = "Seed of the pairs' order (default ${DEFAULT-VALUE}); -1 keeps the canonical order.")
    long seed = 0;

    @Override public Integer call() throws Exception {
        if (Files.exists(out)) throw new IOException(out + ": exists; nothing was written (choose another --out or remove it)");
        List<String> src = verses(source), tgt = verses(target);
        if (src.size() != tgt.size()) {
            throw new IOException(source + " has " + src.size() + " index entries and " + target + " " + tgt.size()
                    + "; the modules use different versifications and cannot be aligned by index");
        }
        List<String> lines = new ArrayList<>();
        int both = 0;
        for (int i = 0; i < src.size(); i++) {
            String s = clean(src.get(i)), t = clean(tgt.get(i));
            if (s.isEmpty() || t.isEmpty()) continue; // headings, or a verse one module lacks
            both++;
            if (maxChars > 0 && (s.length() > maxChars || t.length() > maxChars)) continue;
            lines.add(s + "\t" + t);
        }
        if (seed >= 0) Collections.shuffle(lines, new Random(seed));
        Files.writeString(out, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        System.out.printf(java.util.Locale.ROOT, "%s: %,d pairs written (%,d verses in both modules%s)%n", out, lines.size(), both,
                maxChars > 0 ? ", sides of at most " + maxChars + " characters kept" : "");
        return 0;
    }

    private static final Pattern NOTE = Pattern.compile("<note\\b.*?</note>", Pattern.DOTALL);
    private static final Pattern TITLE = Pattern.compile("<title\\b.*?</title>", Pattern.DOTALL);
    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    /** The plain text of one OSIS verse entry. */
    static String clean(String osis) {
        String s = NOTE.matcher(osis).replaceAll(" ");
        s = TITLE.matcher(s).replaceAll(" ");
        s = TAG.matcher(s).replaceAll("");
        s = s.replace("¶", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&");
        return String.join(" ", s.strip().split("\\s+")).strip();
    }

    /** Every index entry of a zText module (Old then New Testament), as stored (empty where absent). */
    static List<String> verses(Path module) throws IOException {
        if (!Files.isDirectory(module)) throw new IOException(module + ": not a folder; expected a SWORD zText module folder (ot.bzs, ot.bzv, ot.bzz)");
        List<String> out = new ArrayList<>();
        boolean any = false;
        for (String testament : new String[] {"ot", "nt"}) {
            Path bzs = module.resolve(testament + ".bzs"), bzv = module.resolve(testament + ".bzv"), bzz = module.resolve(testament + ".bzz");
            if (!Files.isRegularFile(bzv)) continue;
            any = true;
            ByteBuffer blocks = le(Files.readAllBytes(bzs)), index = le(Files.readAllBytes(bzv));
            byte[] data = Files.readAllBytes(bzz);
            if (blocks.remaining() % 12 != 0) throw new IOException(bzs + ": size " + blocks.remaining() + " is not a multiple of 12 bytes");
            if (index.remaining() % 10 != 0) throw new IOException(bzv + ": size " + index.remaining() + " is not a multiple of 10 bytes");
            Map<Integer, byte[]> cache = new HashMap<>();
            for (int e = 0; e < index.limit() / 10; e++) {
                long block = Integer.toUnsignedLong(index.getInt(e * 10));
                int offset = index.getInt(e * 10 + 4), size = Short.toUnsignedInt(index.getShort(e * 10 + 8));
                if (size == 0) { out.add(""); continue; }
                if (block >= blocks.limit() / 12) throw new IOException(bzv + ": entry " + e + " names block " + block + " of " + blocks.limit() / 12);
                int b = (int) block;
                byte[] text = cache.get(b);
                if (text == null) {
                    cache.clear(); // entries come in block order; one block at a time is enough
                    text = inflate(data, blocks.getInt(b * 12), blocks.getInt(b * 12 + 4), blocks.getInt(b * 12 + 8), bzz, b);
                    cache.put(b, text);
                }
                if (offset < 0 || offset + size > text.length) throw new IOException(bzv + ": entry " + e + " lies outside block " + b);
                out.add(new String(text, offset, size, StandardCharsets.UTF_8));
            }
        }
        if (!any) throw new IOException(module + ": no ot.bzv or nt.bzv; expected a SWORD zText module folder");
        return out;
    }

    private static ByteBuffer le(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN); }

    private static byte[] inflate(byte[] data, int offset, int size, int unpacked, Path file, int block) throws IOException {
        if (offset < 0 || size < 0 || (long) offset + size > data.length || unpacked < 0) {
            throw new IOException(file + ": block " + block + " (offset " + offset + ", size " + size + ") lies outside the file");
        }
        Inflater inf = new Inflater();
        try {
            inf.setInput(data, offset, size);
            byte[] out = new byte[unpacked];
            int n = 0;
            while (n < unpacked && !inf.finished()) {
                int k = inf.inflate(out, n, unpacked - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                n += k;
            }
            if (n != unpacked) throw new IOException(file + ": block " + block + " inflates to " + n + " bytes, its index says " + unpacked);
            return out;
        } catch (DataFormatException e) {
            throw new IOException(file + ": block " + block + " is not zlib data (" + e.getMessage() + ")", e);
        } finally {
            inf.end();
        }
    }
}
