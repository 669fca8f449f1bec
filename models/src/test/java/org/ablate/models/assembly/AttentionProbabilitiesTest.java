package org.ablate.models.assembly;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.ablate.tensor.Tensor;

/**
 * {@link Model#attentionProbabilities}: the first layer's maps against softmax(QK^T/sqrt(d) + bias + mask) computed
 * here in doubles from the model's own weights; every layer's rows are distributions, causal ones zero above the diagonal.
 */
class AttentionProbabilitiesTest {
    private static final int[] IDS = {3, 17, 5, 5, 22, 0, 9};

    @ParameterizedTest @ValueSource(strings = {"learned", "alibi"})
    void firstLayerEqualsAHandComputedSoftmax(String positional) {
        Model m = ModelTest.build(ModelTest.config("decoder-only", positional, ""));
        List<Tensor> maps = m.attentionProbabilities(IDS);
        assertEquals(2, maps.size());
        assertArrayEquals(new int[] {4, IDS.length, IDS.length}, maps.get(0).shape());
        double[][][] expected = handLayer0(m.parameters(), "decoder", positional, IDS, 4, 2, 16);
        float[] got = maps.get(0).toArray();
        int l = IDS.length;
        for (int h = 0; h < 4; h++) {
            for (int i = 0; i < l; i++) {
                for (int j = 0; j < l; j++) {
                    float g = got[(h * l + i) * l + j];
                    assertEquals(expected[h][i][j], g, 1e-5, positional + " head " + h + " query " + i + " key " + j);
                }
            }
        }
    }

    @ParameterizedTest @ValueSource(strings = {"rope", "sinusoidal", "learned", "alibi"})
    void causalRowsAreDistributionsWithNothingAboveTheDiagonal(String positional) {
        Model m = ModelTest.build(ModelTest.config("decoder-only", positional, ""));
        for (Tensor p : m.attentionProbabilities(IDS)) {
            float[] a = p.toArray();
            int l = IDS.length;
            for (int h = 0; h < p.size(0); h++) {
                for (int i = 0; i < l; i++) {
                    double sum = 0;
                    for (int j = 0; j < l; j++) {
                        float v = a[(h * l + i) * l + j];
                        if (j > i) assertEquals(0f, v, positional + ": query " + i + " sees later key " + j);
                        else assertTrue(v > 0, positional + ": allowed key has zero weight");
                        sum += v;
                    }
                    assertEquals(1.0, sum, 1e-5, positional + ": row " + i + " of head " + h);
                }
            }
        }
    }

    @Test void encoderOnlyMapsAreBidirectionalAndEqualTheHandComputedSoftmax() {
        // no causal mask: the query heads sharing a key/value head take the stacked (grouped) kernel path
        Model m = ModelTest.build(ModelTest.config("encoder-only", "learned", ""));
        float[] got = m.attentionProbabilities(IDS).get(0).toArray();
        double[][][] expected = handLayer0(m.parameters(), "encoder", "learned", IDS, 4, 2, 16);
        int l = IDS.length;
        assertTrue(got[l - 1] > 0, "the first query sees the last key");
        for (int h = 0; h < 4; h++) {
            for (int i = 0; i < l; i++) {
                for (int j = 0; j < l; j++) assertEquals(expected[h][i][j], got[(h * l + i) * l + j], 1e-5, "head " + h + " query " + i + " key " + j);
            }
        }
    }

    @Test void aPromptPastMaxPositionsIsRefused() {
        Model m = ModelTest.build(ModelTest.config("decoder-only", "rope", ""));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.attentionProbabilities(new int[33]));
        assertTrue(e.getMessage().contains("max_positions 32"), e.getMessage());
    }

    /** Layer 0 of a pre-norm layer-norm stack with grouped-query attention, all in doubles; the decoder is causal. */
    private static double[][][] handLayer0(Map<String, Tensor> w, String stack, String positional, int[] ids, int heads, int kvHeads, int e) {
        boolean causal = stack.equals("decoder");
        int l = ids.length, dh = e / heads;
        float[] emb = w.get("embed_tokens.weight").toArray();
        double[][] x = new double[l][e];
        for (int i = 0; i < l; i++) {
            for (int c = 0; c < e; c++) x[i][c] = emb[ids[i] * e + c];
        }
        if (positional.equals("learned")) {
            float[] pos = w.get(stack + ".embed_positions.weight").toArray();
            for (int i = 0; i < l; i++) for (int c = 0; c < e; c++) x[i][c] += pos[i * e + c];
        }
        String p = stack + ".layers.0.";
        float[] g = w.get(p + "self_attn_norm.weight").toArray(), b = w.get(p + "self_attn_norm.bias").toArray();
        double[][] hn = new double[l][e];
        for (int i = 0; i < l; i++) {
            double mean = 0, var = 0;
            for (int c = 0; c < e; c++) mean += x[i][c] / e;
            for (int c = 0; c < e; c++) var += (x[i][c] - mean) * (x[i][c] - mean) / e;
            for (int c = 0; c < e; c++) hn[i][c] = (x[i][c] - mean) / Math.sqrt(var + 1e-5) * g[c] + b[c];
        }
        double[][] q = project(hn, w, p + "self_attn.q_proj"), k = project(hn, w, p + "self_attn.k_proj");
        double[][][] out = new double[heads][l][l];
        for (int h = 0; h < heads; h++) {
            int kh = h / (heads / kvHeads);
            double slope = Math.pow(2, -8.0 * (h + 1) / heads);
            for (int i = 0; i < l; i++) {
                double max = Double.NEGATIVE_INFINITY;
                int last = causal ? i : l - 1;
                double[] s = new double[last + 1];
                for (int j = 0; j <= last; j++) {
                    double dot = 0;
                    for (int c = 0; c < dh; c++) dot += q[i][h * dh + c] * k[j][kh * dh + c];
                    s[j] = dot / Math.sqrt(dh) - (positional.equals("alibi") ? slope * (i - j) : 0);
                    max = Math.max(max, s[j]);
                }
                double z = 0;
                for (int j = 0; j <= last; j++) z += Math.exp(s[j] - max);
                for (int j = 0; j <= last; j++) out[h][i][j] = Math.exp(s[j] - max) / z;
            }
        }
        return out;
    }

    private static double[][] project(double[][] x, Map<String, Tensor> w, String name) {
        Tensor wt = w.get(name + ".weight");
        float[] a = wt.toArray();
        Tensor bt = w.get(name + ".bias");
        float[] bias = bt == null ? null : bt.toArray();
        int out = wt.size(0), in = wt.size(1);
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int c = 0; c < in; c++) s += a[o * in + c] * x[i][c];
                y[i][o] = s;
            }
        }
        return y;
    }
}
