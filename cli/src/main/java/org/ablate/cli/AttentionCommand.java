package org.ablate.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.ablate.api.Tokenizer;
import org.ablate.models.assembly.Model;
import org.ablate.models.config.ModelConfig;
import org.ablate.platform.ComponentRegistry;
import org.ablate.study.AttentionMapChart;
import org.ablate.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ablate attention MODEL --prompt TEXT}: a PNG grid of self-attention maps, one panel per layer and head. */
@Command(name = "attention", mixinStandardHelpOptions = true,
        description = {"Draw the self-attention weights of one pass over a prompt as a PNG grid:",
                "a heat map per layer (grid row) and head (grid column), queries down, keys",
                "across, both labelled with the prompt's tokens. Causal masks and positional",
                "score biases (ALiBi) are in the weights. Decoder-only models show the decoder;",
                "encoder-only and encoder-decoder models the encoder."})
final class AttentionCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "A run folder or checkpoint of 'ablate train' or 'ablate import', "
            + "or a Hugging Face folder.")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "The text whose attention is drawn.")
    String prompt;

    @Option(names = "--out", paramLabel = "FILE.png", description = "Where to write the PNG (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("attention.png");

    @Option(names = "--overwrite", description = "Replace --out if it exists.")
    boolean overwrite;

    @Option(names = "--layers", paramLabel = "LIST", description = "Layers to draw, counted from 0: e.g. 0,2 or 1-3 (default: all).")
    String layers;

    @Option(names = "--heads", paramLabel = "LIST", description = "Heads to draw, counted from 0: e.g. 0,2 or 1-3 (default: all).")
    String heads;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules from this folder.")
    Path plugins;

    @Override public Integer call() throws Exception {
        if (prompt == null || prompt.isEmpty()) throw new IllegalArgumentException("give the text to look at with --prompt TEXT");
        if (!out.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            throw new IllegalArgumentException("--out " + out + ": the picture is a PNG; name a file ending in .png");
        }
        OutputFile.checkFree(out, overwrite);
        ComponentRegistry registry = Registries.discover(plugins);
        ModelSource src = ModelSource.open(model, registry, true, System.err);
        Tokenizer tokenizer = src.tokenizer();
        if (tokenizer == null) throw new IllegalArgumentException(model + ": no tokenizer, so the prompt cannot be encoded");
        Model m = src.model();
        ModelConfig c = m.config();
        int layerCount = c.hasEncoder() ? c.encoderLayers() : c.decoderLayers();
        List<Integer> layerList = select("--layers", layers, layerCount, "layers");
        List<Integer> headList = select("--heads", heads, c.heads(), "heads");
        int[] ids = tokenizer.encode(prompt);
        if (ids.length == 0) throw new IllegalArgumentException("--prompt encodes to no tokens; give some text");
        if (ids.length > c.maxPositions()) {
            throw new IllegalArgumentException("--prompt is " + ids.length + " tokens but the model takes at most " + c.maxPositions()
                    + " (max_positions); shorten it");
        }
        List<Tensor> maps = m.attentionProbabilities(ids);
        List<AttentionMapChart.Panel> panels = new ArrayList<>();
        int n = ids.length;
        for (int layer : layerList) {
            float[] p = maps.get(layer).toArray();
            for (int head : headList) {
                float[][] w = new float[n][n];
                for (int i = 0; i < n; i++) System.arraycopy(p, (head * n + i) * n, w[i], 0, n);
                panels.add(new AttentionMapChart.Panel("layer " + layer + " · head " + head, w));
            }
        }
        String stack = c.hasDecoder() && !c.hasEncoder() ? "decoder, causal" : "encoder, bidirectional";
        String title = model.getFileName() + ": self-attention (" + stack + "), " + c.attention().id() + " attention, "
                + c.positional().id() + " positions";
        AttentionMapChart chart = new AttentionMapChart(tokens(tokenizer, ids), panels, headList.size(), title);
        OutputFile.write(out, chart::write);
        System.out.println("wrote " + out + ": " + layerList.size() + " layer(s) x " + headList.size() + " head(s), " + n + " tokens, "
                + chart.width() + "x" + chart.height() + " px");
        return 0;
    }

    /** Each id's text (its token string when it is a partial character), whitespace made visible. */
    static List<String> tokens(Tokenizer tokenizer, int[] ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            String t = tokenizer.decode(new int[] {id});
            if (t.indexOf('\uFFFD') >= 0) t = tokenizer.token(id);
            out.add(AttentionMapChart.label(t));
        }
        return out;
    }

    /** Parses {@code 0,2,4-6}: distinct indices in [0, count), ascending; all of them when {@code spec} is null. */
    static List<Integer> select(String option, String spec, int count, String what) {
        TreeSet<Integer> picked = new TreeSet<>();
        if (spec == null) {
            for (int i = 0; i < count; i++) picked.add(i);
            return List.copyOf(picked);
        }
        for (String part : spec.split(",", -1)) {
            String s = part.strip();
            try {
                int dash = s.indexOf('-', 1);
                int from = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).strip());
                int to = dash < 0 ? from : Integer.parseInt(s.substring(dash + 1).strip());
                if (from < 0 || to >= count || from > to) {
                    throw new IllegalArgumentException(option + " " + spec + ": '" + s + "' is outside the model's " + count + " " + what
                            + " (counted from 0: 0-" + (count - 1) + ")");
                }
                for (int i = from; i <= to; i++) picked.add(i);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " " + spec + ": '" + s + "' is not an index or a range like 1-3");
            }
        }
        return List.copyOf(picked);
    }
}
