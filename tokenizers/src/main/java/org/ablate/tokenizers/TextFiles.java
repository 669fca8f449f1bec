package org.ablate.tokenizers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reading vocabulary files. The one rule for bad bytes: every malformed or truncated UTF-8 sequence in
 * a file becomes one U+FFFD REPLACEMENT CHARACTER (the JDK decoder's replacement), so a damaged file
 * loads with visible damage rather than failing or being guessed at.
 */
final class TextFiles {
    private TextFiles() {}

    static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file");
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": cannot decode as UTF-8: " + e.getMessage(), e);
        }
    }

    static Object readJson(Path file) throws IOException {
        return Json.parse(read(file), file.toString());
    }

    /** The object at {@code field} of {@code parent}, or an error naming the file and field. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object parent, String field, Path file) throws IOException {
        Object v = parent instanceof Map<?, ?> m ? m.get(field) : null;
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IOException(file + ": field " + Json.quote(field) + " must be a JSON object, got " + kind(v));
    }

    @SuppressWarnings("unchecked")
    static List<Object> array(Object parent, String field, Path file) throws IOException {
        Object v = parent instanceof Map<?, ?> m ? m.get(field) : null;
        if (v instanceof List<?> l) return (List<Object>) l;
        throw new IOException(file + ": field " + Json.quote(field) + " must be a JSON array, got " + kind(v));
    }

    static String string(Object parent, String field, Path file, String dflt) throws IOException {
        Object v = parent instanceof Map<?, ?> m ? m.get(field) : null;
        if (v == null) {
            if (dflt != null) return dflt;
            throw new IOException(file + ": field " + Json.quote(field) + " is missing");
        }
        if (v instanceof String s) return s;
        throw new IOException(file + ": field " + Json.quote(field) + " must be a string, got " + kind(v));
    }

    /** A string field named by its full JSON path in errors, e.g. {@code model.unk_token}. */
    static String string(Object parent, String field, String path, Path file, String dflt) throws IOException {
        Object v = parent instanceof Map<?, ?> m ? m.get(field) : null;
        if (v == null) {
            if (dflt != null) return dflt;
            throw new IOException(file + ": field " + Json.quote(path) + " is missing");
        }
        if (v instanceof String s) return s;
        throw new IOException(file + ": field " + Json.quote(path) + " must be a string, got " + kind(v));
    }

    /** A boolean field named by its full JSON path in errors; {@code null} when absent or null. */
    static Boolean bool(Object parent, String field, String path, Path file) throws IOException {
        Object v = parent instanceof Map<?, ?> m ? m.get(field) : null;
        if (v == null || v instanceof Boolean) return (Boolean) v;
        throw new IOException(file + ": field " + Json.quote(path) + " must be true, false or null, got " + kind(v));
    }

    /** A boolean field; {@code null} when absent or null. */
    static Boolean bool(Object parent, String field, Path file) throws IOException {
        Object v = parent instanceof Map<?, ?> m ? m.get(field) : null;
        if (v == null || v instanceof Boolean) return (Boolean) v;
        throw new IOException(file + ": field " + Json.quote(field) + " must be true, false or null, got " + kind(v));
    }

    static int integer(Object v, String field, Path file) throws IOException {
        if (v instanceof Long n && n >= 0 && n <= Integer.MAX_VALUE) return (int) n.longValue();
        throw new IOException(file + ": field " + Json.quote(field) + " must be a non-negative integer, got " + kind(v));
    }

    static String kind(Object v) {
        if (v == null) return "nothing";
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        if (v instanceof String s) return "the string " + Json.quote(s.length() > 40 ? s.substring(0, 40) + "..." : s);
        return v.toString();
    }

    /** A path from params, resolved against {@code base} when relative; {@code null} when unset or blank. */
    static Path resolve(Path base, String name) {
        if (name == null || name.isBlank()) return null;
        Path p = Path.of(name);
        return p.isAbsolute() || base == null ? p : base.resolve(p);
    }
}
