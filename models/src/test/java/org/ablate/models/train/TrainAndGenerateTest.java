package org.ablate.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ablate.api.ComponentKind;
import org.ablate.api.Tokenizer;
import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;
import org.ablate.models.generate.Generator;
import org.ablate.models.generate.SamplerChain;
import org.ablate.tensor.IntTensor;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TrainAndGenerateTest {
    static final ComponentRegistry REGISTRY = ComponentRegistry.discover();
    static final String TEXT = "the cat sat on the mat. the dog sat on the log. ".repeat(60);

    static Tokenizer charTokenizer() {
        return REGISTRY.tokenizer("char").train(TEXT, REGISTRY.params(ComponentKind.TOKENIZER, "char", Map.of()));
    }

    static Model model(int vocab, String positional) {
        String yaml = """
                architecture: decoder-only
                layers: 2
                d_model: 32
                heads: 4
                d_ff: 64
                max_positions: 64
                norm: {id: layer-norm, placement: pre}
                attention: {id: multi-head}
                feed_forward: {id: mlp, activation: gelu}
                tokenizer: {id: char}
                """ + "vocab_size: " + vocab + "\npositional: {id: " + positional + "}\n";
        ModelConfig c = new ConfigLoader(REGISTRY).parse("tiny.yaml", yaml, true);
        return new ModelBuilder(REGISTRY).build(c, 3, null);
    }

    static TrainOptions options(int steps) {
        return new TrainOptions(steps, 8, 32, 3e-3, 3e-4, 5, 0.0, 1.0, 0, 4, 11);
    }

    @Test
    void trainingLowersHeldOutLossOnARepetitiveText() throws Exception {
        Tokenizer tok = charTokenizer();
        TokenData data = TokenData.split("text", TEXT, tok, 0.1, 40);
        Model m = model(tok.vocabSize(), "learned");
        List<Double> seen = new ArrayList<>();
        TrainResult r = new Trainer(m, options(80)).train(data, new TrainListener() {
            @Override public void step(int step, int total, double loss, double lr, double tps) { seen.add(loss); }
        });
        assertEquals(80, seen.size());
        assertEquals(80, r.trainLosses().size());
        // Starts near uniform (ln V) and must fall well below it on this easy text.
        assertTrue(r.initialHeldOutLoss() > Math.log(tok.vocabSize()) - 1.0, "initial " + r.initialHeldOutLoss());
        assertTrue(r.finalHeldOutLoss() < 0.6 * r.initialHeldOutLoss(),
                "held-out loss " + r.initialHeldOutLoss() + " -> " + r.finalHeldOutLoss());
        assertTrue(r.finalPerplexity() < r.initialPerplexity());
    }

    @Test
    void sameSeedSameRun() throws Exception {
        Tokenizer tok = charTokenizer();
        TokenData data = TokenData.split("text", TEXT, tok, 0.1, 40);
        TrainResult a = new Trainer(model(tok.vocabSize(), "rope"), options(5)).train(data, TrainListener.NONE);
        TrainResult b = new Trainer(model(tok.vocabSize(), "rope"), options(5)).train(data, TrainListener.NONE);
        assertEquals(a.trainLosses(), b.trainLosses());
    }

    @Test
    void cachedGreedyGenerationEqualsFullRecomputation() {
        for (String positional : List.of("learned", "sinusoidal", "rope", "alibi")) {
            Model m = model(29, positional);
            int[] prompt = {3, 1, 4, 1, 5};
            int[] cached = Generator.generate(m, prompt, SamplerChain.of(REGISTRY, SamplerChain.parse("greedy")), 12, -1, 0, null);
            // Without a cache: rerun the whole sequence for every token and take the argmax.
            int[] seq = prompt.clone();
            try (NoGrad g = Tensor.noGrad()) {
                for (int i = 0; i < 12; i++) {
                    Tensor logits = m.forward(IntTensor.of(seq.clone(), 1, seq.length), null, null);
                    int v = logits.size(-1);
                    float[] last = logits.slice(1, seq.length - 1, seq.length).reshape(v).toArray();
                    int best = 0;
                    for (int t = 1; t < v; t++) if (last[t] > last[best]) best = t;
                    seq = java.util.Arrays.copyOf(seq, seq.length + 1);
                    seq[seq.length - 1] = best;
                }
            }
            assertArrayEquals(seq, cached, positional);
        }
    }

    @Test
    void seededSamplingIsReproducibleAndStopsAtEos() {
        Model m = model(29, "rope");
        SamplerChain chain = SamplerChain.of(REGISTRY, SamplerChain.parse("temperature:value=0.9, top-p:p=0.95"));
        int[] a = Generator.generate(m, new int[] {1, 2}, chain, 20, -1, 42, null);
        int[] b = Generator.generate(m, new int[] {1, 2}, chain, 20, -1, 42, null);
        assertArrayEquals(a, b);
        assertEquals(22, a.length);
        int eos = a[2];
        int[] stopped = Generator.generate(m, new int[] {1, 2}, chain, 20, eos, 42, null);
        assertEquals(3, stopped.length);
    }

    @Test
    void generationStopsAtMaxPositions() {
        Model m = model(29, "learned");
        int[] out = Generator.generate(m, new int[60], SamplerChain.of(REGISTRY, SamplerChain.parse("greedy")), 100, -1, 0, null);
        assertEquals(65, out.length); // positions 0..63 fed, the 65th token needs no position
    }

    @Test
    void badSamplerChainsAreRefusedByName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> SamplerChain.of(REGISTRY, SamplerChain.parse("temperature:value=0")));
        assertTrue(e.getMessage().contains("\"value\"") && e.getMessage().contains("got 0"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> SamplerChain.of(REGISTRY, SamplerChain.parse("greedy, top-k:k=5")));
        assertTrue(e2.getMessage().contains("must be the last step"), e2.getMessage());
    }

    @Test
    void optionsAreValidatedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TrainOptions(10, 0, 32, 1e-3, 0, 0, 0, 1, 0, 1, 0));
        assertEquals("training option batch_size must be > 0, got 0", e.getMessage());
    }
}
