package org.ablate.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON Lines of flat records with string fields, read strictly: every fault is one line naming the file, line and field. */
final class Jsonl {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Jsonl() {}

    /** One record: its line number (from 1) and its fields. */
    record Line(int number, Map<String, String> fields) {
        String get(String field) { return fields.get(field); }
    }

    /**
     * The non-blank lines of {@code file}, each a JSON object whose {@code required} fields are strings and whose
     * {@code optional} fields, when present, are strings or null (read as ""); other fields are ignored.
     */
    static List<Line> read(Path file, List<String> required, List<String> optional) throws IOException {
        String text = Text.read(file);
        List<Line> out = new ArrayList<>();
        String expected = "expected a JSON object with string fields " + String.join(", ", required)
                + (optional.isEmpty() ? "" : " (and optionally " + String.join(", ", optional) + ")");
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JacksonException e) {
                int col = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
                throw new IOException(file + ":" + number + ": not valid JSON" + (col > 0 ? " at column " + col : "") + " ("
                        + e.getOriginalMessage() + "); " + expected);
            }
            if (node == null || !node.isObject()) throw new IOException(file + ":" + number + ": " + expected + ", got " + kind(node));
            Map<String, String> fields = new LinkedHashMap<>();
            for (String f : required) {
                JsonNode v = node.get(f);
                if (v == null) throw new IOException(file + ":" + number + ": field \"" + f + "\" is missing; " + expected);
                if (!v.isTextual()) throw new IOException(file + ":" + number + ": field \"" + f + "\" is " + kind(v) + ", expected a string");
                fields.put(f, v.asText());
            }
            for (String f : optional) {
                JsonNode v = node.get(f);
                if (v != null && !v.isNull() && !v.isTextual()) throw new IOException(file + ":" + number + ": field \"" + f + "\" is " + kind(v) + ", expected a string");
                fields.put(f, v == null || v.isNull() ? "" : v.asText());
            }
            out.add(new Line(number, fields));
        }
        if (out.isEmpty()) throw new IOException(file + ": holds no records; " + expected + " on each line");
        return out;
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) return "nothing";
        if (n.isNull()) return "null";
        if (n.isArray()) return "a list";
        if (n.isObject()) return "an object";
        if (n.isNumber()) return "the number " + n.asText();
        if (n.isBoolean()) return n.asText();
        return "\"" + n.asText() + "\"";
    }
}
