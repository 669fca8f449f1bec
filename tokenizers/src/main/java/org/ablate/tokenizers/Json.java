package org.ablate.tokenizers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and string writer for vocabulary files: objects become {@link LinkedHashMap}s
 * (key order kept; a key given twice is an error), arrays {@link ArrayList}s, numbers {@link Long} or {@link Double}, plus
 * {@link String}, {@link Boolean} and {@code null}. Errors name the file, line and column. Nesting is
 * bounded ({@link #MAX_DEPTH} levels, far beyond any vocabulary file), so a hostile file gets a one-line
 * error rather than exhausting the stack.
 */
final class Json {
    /** Objects and arrays nested deeper than this are refused. */
    static final int MAX_DEPTH = 64;

    private final String text;
    private final String file;
    private int pos;

    private Json(String text, String file) {
        this.text = text;
        this.file = file;
    }

    /** Parses one JSON value filling the whole of {@code text}; {@code file} names the source in errors. */
    static Object parse(String text, String file) throws IOException {
        Json p = new Json(text, file);
        p.skipSpace();
        Object v = p.value(1);
        p.skipSpace();
        if (p.pos != text.length()) throw p.error("unexpected text after the JSON value");
        return v;
    }

    private Object value(int depth) throws IOException {
        if (pos >= text.length()) throw error("unexpected end of file, expected a value");
        char c = text.charAt(pos);
        if ((c == '{' || c == '[') && depth > MAX_DEPTH) {
            throw error("objects and arrays nested deeper than " + MAX_DEPTH + " levels; expected a vocabulary file, which needs a few");
        }
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character " + (c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c))
                        + ", expected a value");
            }
        };
    }

    private Map<String, Object> object(int depth) throws IOException {
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') { pos++; return m; }
        while (true) {
            skipSpace();
            if (peek() != '"') throw error("expected a quoted key");
            int keyAt = pos;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (m.containsKey(key)) {
                pos = keyAt;
                throw error("duplicate key " + quote(key) + " in one object; expected each key once");
            }
            m.put(key, value(depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == '}') return m;
            if (c != ',') { pos--; throw error("expected ',' or '}' in an object"); }
        }
    }

    private List<Object> array(int depth) throws IOException {
        pos++;
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (peek() == ']') { pos++; return list; }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            char c = peek();
            pos++;
            if (c == ']') return list;
            if (c != ',') { pos--; throw error("expected ',' or ']' in an array"); }
        }
    }

    private String string() throws IOException {
        pos++;
        StringBuilder sb = null;
        int start = pos;
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(start, pos) : sb.append(text, start, pos).toString();
                pos++;
                return s;
            }
            if (c == '\\') {
                if (sb == null) sb = new StringBuilder();
                sb.append(text, start, pos);
                pos++;
                if (pos >= text.length()) throw error("unterminated escape");
                char e = text.charAt(pos++);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > text.length()) throw error("short \\u escape");
                        int v = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(text.charAt(pos + i), 16);
                            if (d < 0) throw error("bad hex digit in \\u escape");
                            v = v * 16 + d;
                        }
                        pos += 4;
                        sb.append((char) v);
                    }
                    default -> { pos--; throw error("bad escape '\\" + e + "'"); }
                }
                start = pos;
            } else if (c < 0x20) {
                throw error("control character in a string (must be escaped)");
            } else {
                pos++;
            }
        }
    }

    private Object number() throws IOException {
        int start = pos;
        if (peek() == '-') pos++;
        boolean real = false;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c >= '0' && c <= '9') pos++;
            else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { real = true; pos++; }
            else break;
        }
        String s = text.substring(start, pos);
        try {
            return real ? (Object) Double.parseDouble(s) : (Object) Long.parseLong(s);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("bad number " + quote(s));
        }
    }

    private Object literal(String word, Object v) throws IOException {
        if (!text.startsWith(word, pos)) throw error("unexpected word, expected " + word);
        pos += word.length();
        return v;
    }

    private void expect(char c) throws IOException {
        if (peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    private char peek() throws IOException {
        if (pos >= text.length()) throw error("unexpected end of file");
        return text.charAt(pos);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') pos++;
            else break;
        }
    }

    private IOException error(String what) {
        int line = 1, col = 1;
        for (int i = 0; i < Math.min(pos, text.length()); i++) {
            if (text.charAt(i) == '\n') { line++; col = 1; } else col++;
        }
        return new IOException(file + ": line " + line + ", column " + col + ": " + what);
    }

    /** {@code s} as a JSON string literal, quotes included; non-ASCII characters are written as they are. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // Control characters and lone surrogates are escaped so the file stays valid UTF-8.
                    if (c < 0x20 || Character.isSurrogate(c)
                            && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
