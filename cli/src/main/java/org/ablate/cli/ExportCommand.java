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
import org.ablate.models.hf.HuggingFace;

/** {@code ablate export CHECKPOINT DIR}: writes a trained model as a Hugging Face checkpoint. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a checkpoint of 'ablate train' as a Hugging Face folder (config.json + model.safetensors,",
                "and the tokenizer's files) in the layout of GPT-2, LLaMA, BERT or Marian, whichever matches the model.",
                "Refuses, naming the difference, a model no Hugging Face architecture can hold."})
final class ExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "Checkpoint folder written by 'ablate train' or 'ablate import'.")
    Path checkpoint;

    @Parameters(index = "1", paramLabel = "DIR", description = "Folder to write the Hugging Face checkpoint into.")
    Path out;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    @Override public Integer call() throws Exception {
        ComponentRegistry registry = Registries.discover(plugins);
        ModelSource loaded = ModelSource.openCheckpoint(checkpoint, registry);
        // The decoder start matters only to encoder-decoder models.
        int start = loaded.model().config().hasEncoder() && loaded.model().config().hasDecoder() ? loaded.decoderStart() : -1;
        new HuggingFace(registry).export(loaded.model(), out, loaded.eos(), loaded.pad(), start);
        if (loaded.tokenizer() != null) loaded.tokenizer().save(out);
        PrintWriter w = spec.commandLine().getOut();
        w.printf("wrote %s (%,d parameters) to %s%n", out.resolve("config.json").getFileName(), loaded.model().parameterCount(), out);
        w.flush();
        return 0;
    }
}
