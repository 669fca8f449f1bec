package org.ablate.tokenizers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The parts of a Hugging Face {@code tokenizer.json} around the model (normalizer, pre-tokenizer,
 * post-processor, decoder, added-token flags, model options). A reader either implements a part exactly
 * or refuses it here by name: the file, the field's path, the type found and the types supported. A part
 * silently skipped would tokenize differently from Hugging Face without a word.
 */
final class HfParts {
    private HfParts() {}

    /** The {@code type} of the object at {@code root.field}; {@code null} when the field is absent or null. */
    static String type(Map<?, ?> root, String field, Path file) throws IOException {
        Object v = root.get(field);
        if (v == null) return null;
        if (!(v instanceof Map<?, ?> m)) {
            throw new IOException(file + ": field " + Json.quote(field) + " must be a JSON object or null, got " + TextFiles.kind(v));
        }
        Object t = m.get("type");
        if (!(t instanceof String s)) {
            throw new IOException(file + ": field \"" + field + ".type\" must be a string, got " + TextFiles.kind(t));
        }
        return s;
    }

    /** "file: field "x.type" is "Metaspace"; byte-bpe supports ByteLevel only". */
    static IOException unsupported(Path file, String field, String found, String reader, String supported) {
        return new IOException(file + ": field " + Json.quote(field) + " is " + Json.quote(found) + "; " + reader + " supports " + supported);
    }

    /** A field that must be absent, null or {@code allowed} (compared as JSON values). */
    static void only(Map<?, ?> parent, String field, String path, Path file, String reader, String why, Object... allowed)
            throws IOException {
        Object v = parent.get(field);
        if (v == null) return;
        for (Object a : allowed) if (sameJson(a, v)) return;
        throw new IOException(file + ": field " + Json.quote(path) + " is " + show(v) + "; " + reader + " supports only " + why);
    }

    private static boolean sameJson(Object a, Object v) {
        if (a instanceof Number x && v instanceof Number y) return x.doubleValue() == y.doubleValue();
        return a.equals(v);
    }

    /** A JSON value for a message: strings quoted and escaped, containers summarised. */
    static String show(Object v) {
        if (v instanceof String s) return Json.quote(s.length() > 60 ? s.substring(0, 60) + "..." : s);
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        return String.valueOf(v);
    }

    /** Fields that must be true, false, null or absent (Hugging Face refuses anything else). */
    static void bools(Map<?, ?> parent, String path, Path file, String... fields) throws IOException {
        for (String f : fields) TextFiles.bool(parent, f, path + "." + f, file);
    }

    /**
     * The top-level fields besides the parts: {@code version} is "1.0" when given; {@code truncation} and
     * {@code padding} are objects or null. Those two are encode-time options that the readers do not apply
     * (Ablate's batch encoder takes its own); they are checked only so that a damaged file is not read.
     */
    static void topLevel(Map<?, ?> root, Path file) throws IOException {
        only(root, "version", "version", file, "this reader", "\"1.0\"", "1.0");
        for (String f : new String[] {"truncation", "padding"}) {
            Object v = root.get(f);
            if (v != null && !(v instanceof Map)) {
                throw new IOException(file + ": field \"" + f + "\" must be a JSON object or null, got " + TextFiles.kind(v));
            }
        }
    }

    /**
     * The flags of {@code added_tokens[k]} that change how a token is matched and are not implemented:
     * lstrip, rstrip and single_word must be false; normalized must be false when the file has a normalizer
     * (the token is then matched in the text as written, which is what the readers do).
     */
    static void addedToken(Object token, int k, Path file, String reader, boolean hasNormalizer) throws IOException {
        if (!(token instanceof Map<?, ?> m)) {
            throw new IOException(file + ": field \"added_tokens[" + k + "]\" must be a JSON object, got " + TextFiles.kind(token));
        }
        bools(m, "added_tokens[" + k + "]", file, "single_word", "lstrip", "rstrip", "normalized", "special");
        for (String flag : new String[] {"lstrip", "rstrip", "single_word"}) {
            only(m, flag, "added_tokens[" + k + "]." + flag, file, reader, "false (the token matched exactly as written)", false);
        }
        if (hasNormalizer) {
            only(m, "normalized", "added_tokens[" + k + "].normalized", file, reader,
                    "false when there is a normalizer (the token matched in the text as written)", false);
        }
    }

    /**
     * A post-processor's template (TemplateProcessing {@code single} or {@code pair}) written as Hugging Face
     * writes it in Python: {@code "[CLS]:0 $A:0 [SEP]:0"}; anything else in it shows as {@code ?}.
     */
    static String template(Object pieces) {
        if (!(pieces instanceof List<?> list)) return "?";
        StringBuilder sb = new StringBuilder();
        for (Object p : list) {
            if (!sb.isEmpty()) sb.append(' ');
            if (p instanceof Map<?, ?> m && m.size() == 1) {
                var e = m.entrySet().iterator().next();
                if (e.getValue() instanceof Map<?, ?> body && body.get("id") instanceof String id) {
                    Object typeId = body.get("type_id");
                    if (e.getKey().equals("Sequence")) { sb.append('$').append(id).append(':').append(typeId); continue; }
                    if (e.getKey().equals("SpecialToken")) { sb.append(id).append(':').append(typeId); continue; }
                }
            }
            sb.append('?');
        }
        return sb.toString();
    }
}
