package org.ablate.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that cannot be read as it claims to be; the message names the file and the fault. */
public final class SafetensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(Path file, String fault) { super(file + ": " + fault); }

    public SafetensorsException(Path file, String fault, Throwable cause) { super(file + ": " + fault, cause); }
}
