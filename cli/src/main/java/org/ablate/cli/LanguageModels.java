package org.ablate.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.ablate.api.HeadOutput;
import org.ablate.models.assembly.Model;
import org.ablate.platform.ComponentRegistry;

/** Opening a model folder as a decoder-only language model, for the commands that sample from one. */
final class LanguageModels {
    private LanguageModels() {}

    /** A checkpoint (or Hugging Face folder) with a tokenizer, a decoder and a head of vocabulary logits. */
    static ModelSource open(Path dir, ComponentRegistry registry) throws IOException {
        ModelSource src = ModelSource.open(dir, registry, true, System.err);
        if (src.tokenizer() == null) throw new IllegalArgumentException(dir + ": no tokenizer; the responses must be text to judge");
        if (src.model().config().hasEncoder()) {
            throw new IllegalArgumentException(dir + ": a " + src.model().config().architecture().id() + " model; sampling responses needs a decoder-only model");
        }
        requireLmHead(dir, src.model());
        return src;
    }

    /**
     * Refuses a model without a head of vocabulary logits, e.g. a reward model (a scalar head), saying what it
     * has instead.
     */
    static void requireLmHead(Path dir, Model model) {
        for (String h : model.heads()) if (model.head(h).output() == HeadOutput.TOKEN_LOGITS) return;
        StringBuilder heads = new StringBuilder();
        for (String h : model.heads()) heads.append(heads.isEmpty() ? "" : ", ").append(h).append(" (").append(model.head(h).output()).append(')');
        boolean scalar = model.heads().stream().anyMatch(h -> model.head(h).output() == HeadOutput.SEQUENCE_SCALAR);
        throw new IllegalArgumentException(dir + ": the model has no language-model head to generate with (its heads: " + heads + ")"
                + (scalar ? "; it scores sequences (a reward model): generate from the policy it was trained for, e.g. the SFT run" : ""));
    }

    /**
     * Says so when {@code dir} is a reward-model run (run.json's stage {@code reward}): it keeps the (tied) LM head
     * of the model it started from, but its weights were trained for the score alone, so its text means little.
     */
    static void noteRewardModel(Path dir, java.io.PrintStream err) {
        Path marker = dir.resolve(org.ablate.models.checkpoint.Checkpoint.RUN_MARKER);
        if (!java.nio.file.Files.isRegularFile(marker)) return;
        try {
            com.fasterxml.jackson.databind.JsonNode run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(marker.toFile());
            if (run.path("stage").asText().equals("reward") || run.path("objective").asText().equals("reward-pairwise")) {
                String parent = run.path("parent").path("folder").asText(run.path("from").asText(""));
                err.println("note: " + dir + " is a reward model: its language-model head was not trained in that stage, so its text says "
                        + "little" + (parent.isEmpty() ? "" : "; the policy it scores started from " + parent));
            }
        } catch (IOException e) {
            // an unreadable run.json: nothing to say
        }
    }

    /** Refuses a reference whose tokenizer encodes {@code probe} differently from the model's. */
    static void checkSameTokenizer(ModelSource model, ModelSource reference, String probe, Path modelDir, Path referenceDir) {
        int[] a = model.tokenizer().encode(probe), b = reference.tokenizer().encode(probe);
        if (!Arrays.equals(a, b) || model.tokenizer().vocabSize() != reference.tokenizer().vocabSize()) {
            throw new IllegalArgumentException("--reference " + referenceDir + ": its tokenizer differs from " + modelDir
                    + "'s (vocabulary " + reference.tokenizer().vocabSize() + " vs " + model.tokenizer().vocabSize()
                    + " tokens); a KL divergence needs the same tokens");
        }
    }
}
