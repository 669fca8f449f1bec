package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceCommandTest {
    static Path root() {
        String prop = System.getProperty("ablate.conformance.dir");
        Path dir = prop != null ? Path.of(prop) : Path.of("../../shared/conformance");
        if (!Files.isDirectory(dir)) fail("conformance data not found at " + dir.toAbsolutePath() + " (set -Dablate.conformance.dir)");
        return dir;
    }

    @Test void everySharedCasePasses() throws Exception {
        MainTest.Result r = MainTest.run("conformance", root().toString());
        long cases;
        try (var s = Files.list(root())) { cases = s.filter(d -> Files.isRegularFile(d.resolve("case.json"))).count(); }
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains(cases + " passed, 0 failed"), r.out());
        assertEquals(cases + 1, r.out().lines().count(), "one line per case, then the totals:\n" + r.out());
    }

    @Test void aFolderWithoutCasesFails(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("not_a_case"));
        Files.writeString(dir.resolve("README.md"), "nothing here");
        MainTest.Result r = MainTest.run("conformance", dir.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals("", r.out(), "no totals for a run that checked nothing");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(dir + ": holds no conformance cases; expected sub-folders each with a case.json"), r.err());
    }

    @Test void unknownKindCountsAsFailure(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("a_case"));
        Files.writeString(dir.resolve("a_case/case.json"), "{\"kind\": \"teleport\", \"tolerance\": {\"atol\": 0, \"rtol\": 0}}");
        MainTest.Result r = MainTest.run("conformance", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().contains("FAIL"), r.out());
        assertTrue(r.out().contains("unknown kind \"teleport\""), r.out());
        assertTrue(r.out().contains("0 passed, 1 failed"), r.out());
    }
}
