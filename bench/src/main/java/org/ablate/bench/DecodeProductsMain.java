package org.ablate.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.ablate.tensor.NoGrad;
import org.ablate.tensor.Tensor;
import org.ablate.tensor.Workspace;

/**
 * GPT-2-small's decoding weight products on request, for bench/pair-products.py: the 48 linears and the tied head
 * (494 MB of fp32 weight matrices, laid out as parameters are, each times one row through {@link Tensor#linear} in a
 * workspace step, as {@code ablate bench decode} times its products alone). Each line read from standard input is a
 * token count; it runs that many tokens of products and prints their tokens/s on a line of its own. The driver asks
 * this process and PyTorch's (bench/gpt2_products.py --serve) in turn, so both are timed moments apart, while the
 * host's memory bandwidth, which bounds both, moves from minute to minute.
 */
public final class DecodeProductsMain {
    private DecodeProductsMain() {
    }

    public static void main(String[] args) throws IOException {
        List<Tensor> weights = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(0);
        for (int layer = 0; layer < 12; layer++) {
            for (int[] shape : new int[][] {{2304, 768}, {768, 768}, {3072, 768}, {768, 3072}}) {
                weights.add(normal(random, shape));
            }
        }
        weights.add(normal(random, 50257, 768));
        List<Tensor> rows = weights.stream().map(w -> Tensor.ones(1, w.size(1))).toList();
        Workspace arrays = new Workspace();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        for (String line; (line = in.readLine()) != null; ) {
            int tokens;
            try {
                tokens = Integer.parseInt(line.strip());
            } catch (NumberFormatException e) {
                System.out.println("error: expected a token count, got '" + line.strip() + "'");
                continue;
            }
            long t0 = System.nanoTime();
            try (NoGrad g = Tensor.noGrad()) {
                for (int t = 0; t < tokens; t++) {
                    try (Workspace.Step step = arrays.open()) {
                        for (int i = 0; i < weights.size(); i++) rows.get(i).linear(weights.get(i), null);
                    }
                }
            }
            System.out.println(String.format(Locale.ROOT, "%.3f", tokens / ((System.nanoTime() - t0) / 1e9)));
        }
    }

    /** A weight as the model's parameters are made (rows on cache lines, see Tensor.zerosOnDemand), N(0, 0.02). */
    private static Tensor normal(SplittableRandom random, int... shape) {
        Tensor w = Tensor.zerosOnDemand(shape);
        float[] d = w.data();
        for (int i = w.offset(), end = w.offset() + w.numel(); i < end; i++) {
            d[i] = (float) (random.nextGaussian() * 0.02);
        }
        return w;
    }
}
