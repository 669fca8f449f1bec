package org.ablate.objectives;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ablate.api.BatchOptions;
import org.ablate.api.Encoding;
import org.ablate.api.Head;
import org.ablate.api.HeadOutput;
import org.ablate.api.Network;
import org.ablate.api.SpecialTokens;
import org.ablate.api.Tokenizer;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.Tensor;

/** Small stand-ins for a tokenizer and a network, so the objectives are tested without a model. */
final class Fixtures {
    private Fixtures() {}

    /** A vocabulary of {@code size} ids whose special ids are {@code sp}; only the parts objectives read. */
    static Tokenizer tokenizer(int size, SpecialTokens sp) {
        return new Tokenizer() {
            @Override public int[] encode(String text) { throw new UnsupportedOperationException(); }
            @Override public String decode(int[] ids) { throw new UnsupportedOperationException(); }
            @Override public int vocabSize() { return size; }
            @Override public String token(int id) { return "t" + id; }
            @Override public int id(String token) { return -1; }
            @Override public SpecialTokens specialTokens() { return sp; }
            @Override public Encoding encodeForModel(String text, String pair, boolean add) { throw new UnsupportedOperationException(); }
            @Override public List<Encoding> encodeBatch(List<String> t, List<String> p, BatchOptions o) { throw new UnsupportedOperationException(); }
            @Override public void save(Path directory) { throw new UnsupportedOperationException(); }
        };
    }

    /**
     * An encoder without mixing between positions: {@code hidden[b, l] = table[ids[b, l]] + position[b, l]},
     * and heads that are linear maps of each position (token logits) or of the first position (sequence logits).
     * A position's hidden state thus depends on that position alone, and a gradient at one position can only
     * come from that position's term of the loss.
     */
    record PositionwiseNet(Tensor table, Tensor position, Tensor weight, Tensor bias, boolean encoder, boolean decoder,
                           HeadOutput output) implements Network {
        @Override public boolean hasEncoder() { return encoder; }
        @Override public boolean hasDecoder() { return decoder; }
        @Override public int vocabSize() { return table.size(0); }
        @Override public Tensor encode(IntTensor ids, IntTensor typeIds, IntTensor padding) {
            return Tensor.embedding(table, ids).add(position);
        }
        @Override public Tensor decode(IntTensor ids, IntTensor padding, Tensor memory, IntTensor memoryPadding) { return encode(ids, null, padding); }
        @Override public Head head(String name) {
            return new Head() {
                @Override public Tensor forward(Tensor hidden, IntTensor padding) {
                    if (output == HeadOutput.SEQUENCE_LOGITS) return hidden.slice(1, 0, 1).squeeze(1).linear(weight, bias);
                    return hidden.linear(weight, bias);
                }
                @Override public HeadOutput output() { return output; }
            };
        }
        @Override public Set<String> heads() { return Set.of("mlm_head"); }
    }

}
