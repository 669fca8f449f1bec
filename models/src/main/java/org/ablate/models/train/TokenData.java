package org.ablate.models.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.random.RandomGenerator;
import org.ablate.api.Tokenizer;
import org.ablate.tensor.IntTensor;

/**
 * A tokenized corpus split into a training part and a held-out tail.
 *
 * @param train   ids the model learns from
 * @param heldOut ids only evaluated on (the last part of the text, so no window straddles both)
 */
public record TokenData(int[] train, int[] heldOut) {

    /** Next-token batch: {@code inputs [B, T]} and {@code targets [B*T]} (the inputs shifted by one). */
    public record Batch(IntTensor inputs, IntTensor targets) {}

    /**
     * Reads {@code file} as UTF-8 (malformed bytes become U+FFFD) and tokenizes it.
     *
     * @param heldOutFraction the share of the text, from its end, kept for evaluation
     * @throws IOException naming the file if it cannot be read or is too short for {@code minTokens} per part
     */
    public static TokenData read(Path file, Tokenizer tokenizer, double heldOutFraction, int minTokens) throws IOException {
        return split(file.toString(), readText(file), tokenizer, heldOutFraction, minTokens);
    }

    /** Reads a text file as UTF-8, replacing malformed bytes with U+FFFD. */
    public static String readText(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException(file + ": cannot read the training text: " + e.getMessage(), e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": cannot decode as UTF-8: " + e.getMessage(), e);
        }
    }

    /** Splits {@code text} at a character boundary so that the last {@code heldOutFraction} is held out. */
    public static TokenData split(String name, String text, Tokenizer tokenizer, double heldOutFraction, int minTokens) throws IOException {
        if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + heldOutFraction);
        }
        int cut = (int) Math.round(text.length() * (1 - heldOutFraction));
        if (cut > 0 && Character.isLowSurrogate(text.charAt(cut))) cut--; // never split a surrogate pair
        int[] train = tokenizer.encode(text.substring(0, cut));
        int[] heldOut = tokenizer.encode(text.substring(cut));
        if (train.length < minTokens || heldOut.length < minTokens) {
            throw new IOException(name + ": too short to train on: " + train.length + " training and " + heldOut.length
                    + " held-out tokens, need at least " + minTokens + " each");
        }
        return new TokenData(train, heldOut);
    }

    /** {@code batch} random windows of {@code length + 1} tokens from {@code source}. */
    public static Batch sample(int[] source, int batch, int length, RandomGenerator random) {
        int[] in = new int[batch * length], out = new int[batch * length];
        int starts = source.length - length;
        for (int b = 0; b < batch; b++) {
            int s = random.nextInt(starts);
            System.arraycopy(source, s, in, b * length, length);
            System.arraycopy(source, s + 1, out, b * length, length);
        }
        return new Batch(IntTensor.of(in, batch, length), IntTensor.of(out, batch * length));
    }

    /** Batch {@code index} of the non-overlapping windows of {@code source}, in order; {@code null} past the end. */
    public static Batch window(int[] source, int batch, int length, int index) {
        int windows = (source.length - 1) / length;
        int first = index * batch;
        if (first >= windows) return null;
        int rows = Math.min(batch, windows - first);
        int[] in = new int[rows * length], out = new int[rows * length];
        for (int b = 0; b < rows; b++) {
            int s = (first + b) * length;
            System.arraycopy(source, s, in, b * length, length);
            System.arraycopy(source, s + 1, out, b * length, length);
        }
        return new Batch(IntTensor.of(in, rows, length), IntTensor.of(out, rows * length));
    }
}
