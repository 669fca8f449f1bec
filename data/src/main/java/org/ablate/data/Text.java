package org.ablate.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads training text strictly: UTF-8 without NUL bytes, or a one-line error with the byte offset. */
final class Text {
    private Text() {}

    static String read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException(file + ": cannot read the training text (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) throw new IOException(file + ": a NUL byte at byte " + i + "; this looks like a binary file, expected UTF-8 text");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = decoder.decode(in, out, true);
        if (r.isError()) {
            throw new IOException(file + ": not valid UTF-8 at byte " + in.position() + " (" + r.length()
                    + " bad byte(s)); convert the file to UTF-8 first, e.g. with iconv");
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
