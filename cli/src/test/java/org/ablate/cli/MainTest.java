package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MainTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void aKernelSettingRefusedAtClassLoadIsOneLineAndOtherInitialiserFailuresAreNotHidden() {
        var err = new ByteArrayOutputStream();
        var stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        var refused = new ExceptionInInitializerError(new IllegalArgumentException("ablate.gemv.rows must be 1 or 16, got 4"));
        assertEquals(1, Main.refusedSetting(refused, stream));
        assertEquals("ablate: ablate.gemv.rows must be 1 or 16, got 4" + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
        var bug = new ExceptionInInitializerError(new NullPointerException());
        assertEquals(bug, org.junit.jupiter.api.Assertions.assertThrows(ExceptionInInitializerError.class,
                () -> Main.refusedSetting(bug, stream)));
    }

    @Test
    void versionNamesToolkitSpiAndJava() {
        Result r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("SPI 1.0"), r.out());
        assertTrue(r.out().contains("Java 25") || r.out().contains("Java 2"), r.out());
    }

    @Test
    void helpListsTheCommands() {
        Result r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("components"), r.out());
    }

    @Test
    void componentsGroupsEveryKind() {
        Result r = run("components");
        assertEquals(0, r.code(), r.err());
        for (String kind : new String[] {"attention", "positional encoding", "norm", "feed-forward", "sampler", "tokenizer"}) {
            assertTrue(r.out().contains(kind + " ("), "missing section " + kind + " in:\n" + r.out());
        }
    }

    @Test
    void aMissingPluginsFolderIsOneClearLine() {
        Result r = run("components", "--plugins", "/nonexistent/plugins");
        assertNotEquals(0, r.code());
        assertEquals("ablate components: /nonexistent/plugins: plugins folder does not exist", r.err().strip());
    }
}
