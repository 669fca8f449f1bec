package org.ablate.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.ablate.api.Batch;
import org.ablate.api.BeamSearch;
import org.ablate.api.ComponentKind;
import org.ablate.api.DataSource;
import org.ablate.api.SpecialTokens;
import org.ablate.api.Tokenizer;
import org.ablate.metrics.Bleu;
import org.ablate.metrics.ExactMatch;
import org.ablate.models.assembly.Model;
import org.ablate.models.generate.Generator;
import org.ablate.models.generate.SamplerChain;
import org.ablate.platform.ComponentRegistry;
import org.ablate.tensor.IntTensor;

/**
 * Translates held-out pairs of a sequence-to-sequence data source with an encoder-decoder model and scores
 * the output with corpus BLEU-4 and exact match, beside the copy-the-source baseline (the source text as the
 * translation). Sources are the batches' {@code input_ids} under {@code attention_mask}; references their
 * {@code labels} without {@link Batch#IGNORE}. Texts are decoded without special tokens and tokenized as
 * sacreBLEU does by default ({@code 13a}: punctuation split from words), so the figures are sacreBLEU's. Decoding starts from the
 * tokenizer's BOS (else PAD), as the data source's teacher forcing does, and stops at EOS or after
 * {@code maxNewTokens}.
 */
public final class TranslationEvaluation {
    private TranslationEvaluation() {}

    /**
     * @param pairs       how many held-out pairs were translated
     * @param greedy      BLEU of greedy decoding
     * @param greedyExact exact match of greedy decoding
     * @param beam        BLEU of beam search, or {@code null} when not run
     * @param beamExact   exact match of beam search (NaN when not run)
     * @param beams       beams of the beam search (0 when not run)
     * @param copy        BLEU of copying the source
     * @param examples    the first few pairs: source, reference, greedy translation
     */
    public record Result(int pairs, Bleu.Result greedy, double greedyExact, Bleu.Result beam, double beamExact, int beams,
                         Bleu.Result copy, List<List<String>> examples) {
        /** The figures as a flat map for metrics files. */
        public Map<String, Object> metrics() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("held_out_pairs", pairs);
            m.put("bleu_greedy", greedy.score());
            m.put("exact_match_greedy", greedyExact);
            if (beam != null) {
                m.put("bleu_beam", beam.score());
                m.put("exact_match_beam", beamExact);
                m.put("beams", beams);
            }
            m.put("bleu_copy_source", copy.score());
            return m;
        }

        /** One line for the log. */
        public String summary() {
            return String.format(Locale.ROOT, "held-out translation, %d pairs: greedy BLEU %.2f (exact match %.1f%%)%s; copy-the-source BLEU %.2f",
                    pairs, greedy.score(), 100 * greedyExact,
                    beam == null ? "" : String.format(Locale.ROOT, ", beam(%d) BLEU %.2f (exact match %.1f%%)", beams, beam.score(), 100 * beamExact),
                    copy.score());
        }
    }

    /**
     * @param batches      held-out batches to translate (of {@code batchSize} pairs each, at most {@code context} tokens a side)
     * @param beam         a beam search to run beside greedy decoding, or {@code null}
     */
    public static Result evaluate(ComponentRegistry registry, Model model, Tokenizer tokenizer, DataSource data, int batches, int batchSize,
                                  int context, int maxNewTokens, BeamSearch beam) {
        if (!model.hasEncoder() || !model.hasDecoder()) {
            throw new IllegalArgumentException("translation evaluation needs an encoder-decoder model, this one is " + model.config().architecture().id());
        }
        SpecialTokens sp = tokenizer.specialTokens();
        int start = sp.has(sp.bos()) ? sp.bos() : sp.has(sp.pad()) ? sp.pad() : 0;
        int eos = sp.eos();
        SamplerChain greedyChain = SamplerChain.of(registry, List.of(new SamplerChain.Step("greedy", Map.of())));
        List<List<String>> hyps = new ArrayList<>(), beamHyps = new ArrayList<>(), copies = new ArrayList<>();
        List<List<List<String>>> refs = new ArrayList<>();
        List<List<String>> examples = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            Batch b = data.heldOutBatch(i, batchSize, context);
            if (b == null) break;
            IntTensor ids = b.get("input_ids"), labels = b.get("labels"), mask = b.optional("attention_mask");
            int rows = ids.size(0), ls = ids.size(1), lt = labels.size(1);
            int[] in = ids.data(), y = labels.data(), m = mask == null ? null : mask.data();
            for (int r = 0; r < rows; r++) {
                int[] source = Arrays.stream(Arrays.copyOfRange(in, r * ls, (r + 1) * ls)).limit(m == null ? ls : count(m, r * ls, ls)).toArray();
                int[] reference = Arrays.stream(Arrays.copyOfRange(y, r * lt, (r + 1) * lt)).filter(t -> t != Batch.IGNORE).toArray();
                int[] out = Generator.generateSeq2seq(model, source, start, greedyChain, maxNewTokens, eos, 0, null);
                String refText = tokenizer.decode(reference, true), hypText = tokenizer.decode(strip(out, eos), true);
                String srcText = tokenizer.decode(source, true);
                refs.add(List.of(Bleu.tokens13a(refText)));
                hyps.add(Bleu.tokens13a(hypText));
                copies.add(Bleu.tokens13a(srcText));
                if (beam != null) {
                    int[] best = Generator.beamSeq2seq(model, beam, source, start, maxNewTokens, eos).tokens();
                    beamHyps.add(Bleu.tokens13a(tokenizer.decode(strip(best, eos), true)));
                }
                if (examples.size() < 3) examples.add(List.of(srcText, refText, hypText));
            }
        }
        if (hyps.isEmpty()) throw new IllegalArgumentException("translation evaluation: the data source has no held-out pairs");
        return new Result(hyps.size(), Bleu.corpus(hyps, refs, 4), ExactMatch.corpus(hyps, refs),
                beam == null ? null : Bleu.corpus(beamHyps, refs, 4), beam == null ? Double.NaN : ExactMatch.corpus(beamHyps, refs),
                beam == null ? 0 : beam.beams(), Bleu.corpus(copies, refs, 4), examples);
    }

    /** The beam search a spec's generation section asks for ({@code strategy: beam}), else {@code null}. */
    public static BeamSearch beamOf(ComponentRegistry registry, RunSpec.Generation g) {
        if (!g.strategy().equals("beam")) return null;
        Map<String, Object> raw = Map.of("beams", g.beams(), "length_penalty", g.lengthPenalty(), "early_stopping", g.earlyStopping());
        return (BeamSearch) registry.sampler("beam-search").create(registry.params(ComponentKind.SAMPLER, "beam-search", raw));
    }

    private static int count(int[] mask, int from, int len) {
        int n = 0;
        for (int i = from; i < from + len; i++) n += mask[i] != 0 ? 1 : 0;
        return n;
    }

    /** The generated tokens: without the start token, cut at the first EOS. */
    private static int[] strip(int[] out, int eos) {
        int end = out.length;
        for (int i = 1; i < out.length; i++) if (out[i] == eos) { end = i; break; }
        return Arrays.copyOfRange(out, 1, Math.max(1, end));
    }
}
