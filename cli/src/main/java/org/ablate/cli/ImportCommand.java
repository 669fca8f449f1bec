package org.ablate.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import org.ablate.platform.ComponentRegistry;
import org.ablate.models.assembly.Model;
import org.ablate.models.assembly.ModelBuilder;
import org.ablate.models.checkpoint.Checkpoint;
import org.ablate.models.config.ConfigLoader;
import org.ablate.models.config.ModelConfig;

/** {@code ablate import HF_DIR OUT}: a Hugging Face folder as a checkpoint of the kind {@code ablate train} writes. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Write a Hugging Face folder of GPT-2, LLaMA, GPT-NeoX, BERT or Marian (config.json,",
                "model.safetensors or a sharded index, and tokenizer.json, vocab.json +",
                "merges.txt or vocab.txt when present; a WordLevel tokenizer.json as char) as an Ablate checkpoint: the inverse",
                "of 'ablate export'. The checkpoint appears whole or not at all; its",
                "metrics.json records the source and its end-of-sequence, padding and",
                "decoder start ids."})
final class ImportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HF_DIR", description = "Hugging Face model folder.")
    Path source;

    @Parameters(index = "1", paramLabel = "OUT", description = "Checkpoint folder to write (replaced if it exists).")
    Path out;

    @Option(names = "--without-tokenizer", description = "Leave the tokenizer out even when the folder has one "
            + "(e.g. a SentencePiece model this toolkit cannot read); generate from such a checkpoint with --prompt-ids.")
    boolean withoutTokenizer;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = Registries.discover(plugins);
        if (!ModelSource.isHuggingFace(source)) {
            throw new IllegalArgumentException(source.resolve("config.json") + ": field model_type is missing; this is not a Hugging Face"
                    + " folder (a checkpoint of 'ablate train' needs no import)");
        }
        ModelSource src = ModelSource.openHuggingFace(source, registry, !withoutTokenizer, System.err);
        if (withoutTokenizer) src = new ModelSource(src.model(), null, null, src.eos(), src.pad(), src.decoderStart(), src.kind());
        Model model = src.model();
        if (src.tokenizer() != null) model = withTokenizer(registry, model, src.tokenizerId());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("imported_from", source.toAbsolutePath().normalize().toString());
        metrics.put("model_type", src.kind());
        if (src.eos() >= 0) metrics.put(ModelSource.EOS, src.eos());
        if (src.pad() >= 0) metrics.put(ModelSource.PAD, src.pad());
        if (src.decoderStart() >= 0) metrics.put(ModelSource.DECODER_START, src.decoderStart());
        Checkpoint.save(out, model, src.tokenizer(), metrics);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("imported %s (%,d parameters%s) from %s to %s%n", src.kind(), model.parameterCount(),
                src.tokenizer() == null ? ", no tokenizer" : ", tokenizer " + src.tokenizerId(), source, out);
        w.flush();
        return 0;
    }

    /** The same model under a config that also names its tokenizer, weights copied over. */
    static Model withTokenizer(ComponentRegistry registry, Model model, String tokenizerId) {
        Map<String, Object> map = new LinkedHashMap<>(model.config().toMap());
        map.put("tokenizer", Map.of("id", tokenizerId));
        ModelConfig config = new ConfigLoader(registry).fromMap(model.config().source(), map);
        Model copy = new ModelBuilder(registry).build(config, 0, null);
        Map<String, org.ablate.tensor.Tensor> from = model.parameters();
        for (var p : copy.parameters().entrySet()) Checkpoint.copyInto(p.getValue(), from.get(p.getKey()));
        return copy;
    }
}
