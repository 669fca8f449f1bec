package org.ablate.tokenizers;

/**
 * GPT-2's pre-tokenization rule as a single left-to-right scanner, equal to the regular expression
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}
 * (contractions are lower case only, as in GPT-2). Every piece is found in time proportional to its
 * length, so a text of any length splits in linear time. Whitespace is Unicode's White_Space property.
 */
final class Gpt2Splitter {
    private Gpt2Splitter() {}

    /** The end (exclusive) of the piece that starts at {@code i}, for {@code i < end}. */
    static int next(CharSequence s, int i, int end) {
        char c = s.charAt(i);
        if (c == '\'' && i + 1 < end) {
            char d = s.charAt(i + 1);
            if (d == 's' || d == 't' || d == 'm' || d == 'd') return i + 2;
            if (i + 2 < end) {
                char e = s.charAt(i + 2);
                if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) return i + 3;
            }
        }
        int p = c == ' ' ? i + 1 : i;
        if (p < end) {
            int cp = Character.codePointAt(s, p);
            if (isLetter(cp)) return run(s, p, end, Gpt2Splitter::isLetter);
            if (isNumber(cp)) return run(s, p, end, Gpt2Splitter::isNumber);
            if (!isSpace(cp)) return run(s, p, end, Gpt2Splitter::isOther);
        }
        // Whitespace run (or a lone space at the end).
        int j = run(s, i, end, Gpt2Splitter::isSpace);
        if (j == end) return j;
        // \s+(?!\S) leaves the last whitespace character for the next piece, unless it is the only one.
        int last = Character.offsetByCodePoints(s, j, -1);
        return last > i ? last : j;
    }

    private interface CodePointTest { boolean test(int cp); }

    private static int run(CharSequence s, int p, int end, CodePointTest t) {
        while (p < end) {
            int cp = Character.codePointAt(s, p);
            if (!t.test(cp)) break;
            p += Character.charCount(cp);
        }
        return p;
    }

    // ASCII classes looked up in a table: most text is mostly ASCII.
    private static final byte LETTER = 1, NUMBER = 2, SPACE = 3, OTHER = 4;
    private static final byte[] ASCII = new byte[128];
    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = Character.isLetter(c) ? LETTER : (c >= '0' && c <= '9') ? NUMBER
                    : ((c >= 0x09 && c <= 0x0D) || c == ' ') ? SPACE : OTHER;
        }
    }

    static boolean isLetter(int cp) { return cp < 128 ? ASCII[cp] == LETTER : Character.isLetter(cp); }

    static boolean isNumber(int cp) {
        if (cp < 128) return ASCII[cp] == NUMBER;
        int t = Character.getType(cp);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    static boolean isOther(int cp) { return cp < 128 ? ASCII[cp] == OTHER : !isSpace(cp) && !Character.isLetter(cp) && !isNumber(cp); }

    /** Unicode White_Space. */
    static boolean isSpace(int cp) {
        if (cp < 128) return ASCII[cp] == SPACE;
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
