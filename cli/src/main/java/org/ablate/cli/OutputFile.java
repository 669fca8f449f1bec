package org.ablate.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A command's --out file: never replaced unless asked, never left half-written. */
final class OutputFile {
    private OutputFile() {}

    /** What writes the content to the given (temporary) path. */
    @FunctionalInterface
    interface Writer { void write(Path path) throws IOException; }

    /** Refuses an existing {@code out} unless {@code overwrite}, before any work is done. */
    static void checkFree(Path out, boolean overwrite) {
        if (Files.exists(out) && !overwrite) {
            throw new IllegalArgumentException("--out " + out + ": already exists; pass --overwrite to replace it");
        }
    }

    /** Writes through a temporary file beside {@code out}, then moves it into place in one step. */
    static void write(Path out, Writer writer) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
        try {
            writer.write(tmp);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
