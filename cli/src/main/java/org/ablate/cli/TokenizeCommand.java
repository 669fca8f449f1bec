package org.ablate.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.ablate.api.ComponentKind;
import org.ablate.api.Encoding;
import org.ablate.api.Params;
import org.ablate.api.Tokenizer;
import org.ablate.api.TokenizerProvider;
import org.ablate.platform.ComponentRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ablate tokenize}: a text's tokens and ids under a tokenizer loaded from files or trained on a corpus. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Print the tokens and ids of a text.",
                "Example: ablate tokenize --tokenizer byte-bpe --path ../shared/conformance/tokenizer_gpt2 --text 'Hello, world!'"})
final class TokenizeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = {"-t", "--tokenizer"}, required = true, paramLabel = "ID",
            description = "Tokenizer id (see 'ablate components'), e.g. byte-bpe, wordpiece, char.")
    String tokenizer;

    @Option(names = "--path", paramLabel = "P",
            description = "Folder or file to load the tokenizer from (encoder.json+vocab.bpe, vocab.txt, tokenizer.json, ...).")
    Path path;

    @Option(names = "--train", paramLabel = "FILE",
            description = "Instead of --path: train the tokenizer on this UTF-8 text file (set vocab_size with --param).")
    Path train;

    @Option(names = "--save", paramLabel = "DIR", description = "Save the (trained) tokenizer's files to this folder.")
    Path save;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "Text to encode (repeat for several).")
    List<String> texts;

    @Option(names = "--pair", paramLabel = "TEXT", description = "Second text of a sentence pair (with --special).")
    String pair;

    @Option(names = {"-s", "--special"}, description = "Add the scheme's special tokens ([CLS] ... [SEP] for BERT).")
    boolean special;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A tokenizer parameter (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--plugins", paramLabel = "DIR", description = "Also load plugin modules (jars) from this folder.")
    Path plugins;

    @Override public Integer call() throws Exception {
        if ((path == null) == (train == null)) throw new IllegalArgumentException("give exactly one of --path and --train");
        ComponentRegistry registry = Registries.discover(plugins);
        TokenizerProvider provider = registry.tokenizer(tokenizer);
        Params p = registry.params(ComponentKind.TOKENIZER, tokenizer, params);
        Tokenizer tok;
        if (train != null) {
            if (!provider.trainable()) throw new IllegalArgumentException("tokenizer \"" + tokenizer + "\" cannot be trained; use --path");
            tok = provider.train(java.nio.file.Files.readString(train), p);
        } else {
            tok = provider.load(path, p);
        }
        if (save != null) tok.save(save);
        PrintWriter out = spec.commandLine().getOut();
        for (String text : texts) {
            Encoding e = tok.encodeForModel(text, pair, special);
            out.printf("text: %s (%d tokens)%n", quote(text) + (pair == null ? "" : " + " + quote(pair)), e.length());
            int width = Integer.toString(Math.max(1, tok.vocabSize() - 1)).length();
            for (int i = 0; i < e.length(); i++) {
                out.printf("  %" + width + "d  %s%s%n", e.ids()[i], quote(e.tokens()[i]), pair == null ? "" : "  type " + e.typeIds()[i]);
            }
            StringBuilder ids = new StringBuilder("ids:");
            for (int id : e.ids()) ids.append(' ').append(id);
            out.println(ids);
        }
        out.flush();
        return 0;
    }

    /** The string in double quotes, control characters escaped so every token stays on one line. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (Character.isISOControl(cp)) sb.append(String.format("\\u%04x", cp));
                    else sb.appendCodePoint(cp);
                }
            }
        });
        return sb.append('"').toString();
    }
}
