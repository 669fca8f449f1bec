package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.Deflater;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwordPairsCommandTest {
    /** A zText testament: the entries in one zlib block, indexed as SWORD does (little-endian). */
    static void write(Path dir, List<String> entries) throws Exception {
        Files.createDirectories(dir);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        ByteBuffer bzv = ByteBuffer.allocate(entries.size() * 10).order(ByteOrder.LITTLE_ENDIAN);
        for (String e : entries) {
            byte[] b = e.getBytes(StandardCharsets.UTF_8);
            bzv.putInt(0).putInt(text.size()).putShort((short) b.length);
            text.write(b);
        }
        byte[] raw = text.toByteArray();
        Deflater d = new Deflater();
        d.setInput(raw);
        d.finish();
        byte[] buf = new byte[raw.length + 64];
        int n = d.deflate(buf);
        d.end();
        Files.write(dir.resolve("ot.bzz"), java.util.Arrays.copyOf(buf, n));
        Files.write(dir.resolve("ot.bzs"), ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(n).putInt(raw.length).array());
        Files.write(dir.resolve("ot.bzv"), bzv.array());
    }

    @Test void alignsVersesByIndexAndStripsMarkup(@TempDir Path dir) throws Exception {
        write(dir.resolve("en"), List.of("", "<chapter n=\"1\"/>", "In the <w lemma=\"strong:H7225\">beginning</w> God created.<note>a note</note>",
                "¶ And <transChange type=\"added\">it was</transChange> so &amp; good.", "<title>A psalm</title>Only here."));
        write(dir.resolve("es"), List.of("", "<chapter n=\"1\"/>", "<w lemma=\"strong:H7225\">EN el principio</w> Dios.", "Y  fué así.", ""));
        Path out = dir.resolve("pairs.tsv");
        var r = MainTest.run("sword-pairs", dir.resolve("en").toString(), dir.resolve("es").toString(), "--out", out.toString(), "--seed", "-1");
        assertEquals(0, r.code(), r.err());
        assertEquals("In the beginning God created.\tEN el principio Dios.\nAnd it was so & good.\tY fué así.\n", Files.readString(out));
        var again = MainTest.run("sword-pairs", dir.resolve("en").toString(), dir.resolve("es").toString(), "--out", out.toString());
        assertNotEquals(0, again.code());
        assertTrue(again.err().contains("exists; nothing was written"), again.err());
        var shortOnly = MainTest.run("sword-pairs", dir.resolve("en").toString(), dir.resolve("es").toString(), "--out",
                dir.resolve("short.tsv").toString(), "--max-chars", "21");
        assertEquals(0, shortOnly.code(), shortOnly.err());
        assertEquals("And it was so & good.\tY fué así.\n", Files.readString(dir.resolve("short.tsv")));
    }

    @Test void differentVersificationsAreRefused(@TempDir Path dir) throws Exception {
        write(dir.resolve("a"), List.of("x", "y"));
        write(dir.resolve("b"), List.of("x"));
        var r = MainTest.run("sword-pairs", dir.resolve("a").toString(), dir.resolve("b").toString(), "--out", dir.resolve("o.tsv").toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("different versifications"), r.err());
    }
}
