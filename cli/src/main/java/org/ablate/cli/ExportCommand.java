package org.ablate.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import org.ablate.platform.ComponentRegistry;
import org.ablate.models.hf.HfTokenizerFiles;
import org.ablate.models.hf.HuggingFace;

/** {@code ablate export CHECKPOINT DIR}: writes a trained model as a Hugging Face checkpoint. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a checkpoint of 'ablate train' as a Hugging Face folder (config.json + model.safetensors,",
                "and the tokenizer's files) in the layout of GPT-2, LLaMA, GPT-NeoX, BERT or Marian, whichever holds the",
                "model exactly. Refuses, naming the config fields and what each family would need, a model none holds."})
final class ExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "Checkpoint folder written by 'ablate train' or 'ablate import'.")
    Path checkpoint;

    @Parameters(index = "1", paramLabel = "DIR", description = "Folder to write the Hugging Face checkpoint into.")
    Path out;

    @Option(names = "--without-tokenizer", description = "Leave the tokenizer out (e.g. one with no Hugging Face form).")
    boolean withoutTokenizer;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = Registries.discover(plugins);
        ModelSource loaded = ModelSource.openCheckpoint(checkpoint, registry);
        // The decoder start matters only to encoder-decoder models.
        int start = loaded.model().config().hasEncoder() && loaded.model().config().hasDecoder() ? loaded.decoderStart() : -1;
        HuggingFace hf = new HuggingFace(registry);
        // Everything is checked before anything is written: the model's family, then the tokenizer's form.
        HuggingFace.ExportPlan plan = hf.plan(loaded.model());
        boolean tokenizer = loaded.tokenizer() != null && !withoutTokenizer;
        if (tokenizer) HfTokenizerFiles.check(loaded.tokenizerId(), loaded.tokenizer());
        hf.write(plan, loaded.model(), out, loaded.eos(), loaded.pad(), start);
        if (tokenizer) HfTokenizerFiles.write(loaded.tokenizerId(), loaded.tokenizer(), out);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("wrote %s (%s, %,d parameters%s) to %s%n", plan.family().modelType(), plan.config().get("architectures"),
                loaded.model().parameterCount(), tokenizer ? ", tokenizer " + loaded.tokenizerId() : ", no tokenizer", out);
        w.flush();
        return 0;
    }
}
