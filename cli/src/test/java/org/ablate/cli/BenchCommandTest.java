package org.ablate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The benchmark commands build the same shapes as the PyTorch side of each workload (parameter counts are those
 * the PyTorch scripts print) and print one well-formed JSON line; here with the fewest steps, so timings are not
 * looked at.
 */
class BenchCommandTest {
    private static JsonNode run(String... args) throws Exception {
        MainTest.Result r = MainTest.run(args);
        assertEquals(0, r.code(), r.err());
        String line = r.out().strip();
        assertTrue(line.startsWith("{") && !line.contains("\n"), "one JSON line expected, got: " + line);
        return new ObjectMapper().readTree(line);
    }

    @Test
    void trainBuildsTheW2ModelAndLearns() throws Exception {
        JsonNode j = run("bench", "train", "--reps", "1", "--steps", "2", "--warmup", "1");
        assertEquals("W2-gpt-train", j.get("workload").asText());
        assertEquals(3_290_624, j.get("params").asLong()); // gpt_train.py's count
        assertEquals(16 * 256, j.get("tokens_per_step").asInt());
        double loss = j.get("final_loss").asDouble();
        // three AdamW steps from a uniform start (ln 256 = 5.55) on a learnable stream: finite and below the start
        assertTrue(loss > 0 && loss < Math.log(256), "final loss " + loss);
        assertTrue(j.get("tokens_per_s").get("median").asDouble() > 0);
        // memory beside the speed: the peak resident set, the heap, and the process's collections so far
        assertTrue(j.get("peak_rss_mb").asDouble() > 0, j.toString());
        JsonNode heap = j.get("heap");
        assertTrue(heap.get("peak_used_mb").asDouble() > 0 && heap.get("committed_mb").asDouble() > 0, heap.toString());
        assertTrue(heap.get("collections").asLong() >= 0 && heap.get("collection_ms").asLong() >= 0, heap.toString());
        // where the host had the two vCPUs when the run began and ended: a round trip in ns, or -1 on one processor
        JsonNode roundTrip = j.get("env").get("core_round_trip_ns");
        for (String when : new String[] {"before", "after"}) {
            double ns = roundTrip.get(when).asDouble();
            assertTrue(Runtime.getRuntime().availableProcessors() < 2 ? ns == -1 : ns > 0 && ns < 1e6, when + ": " + roundTrip);
        }
    }

    @Test
    void trainAtTheDemoSizeBuildsTheDemoShapes() throws Exception {
        JsonNode j = run("bench", "train", "--size", "demo", "--reps", "1", "--steps", "1", "--warmup", "1");
        assertEquals("W2-demo-train", j.get("workload").asText());
        assertEquals(842_496, j.get("params").asLong()); // GPT(256, 128, 128, 4, 4, 512) of shared/bench/models.py
        assertEquals(16 * 128, j.get("tokens_per_step").asInt());
        MainTest.Result bad = MainTest.run("bench", "train", "--size", "huge");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--size") && bad.err().contains("w2, demo"), bad.err());
    }

    @Test
    void loadRefusesToWriteOverAFolderAndNamesAMissingCheckpoint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        MainTest.Result write = MainTest.run("bench", "load", "--write", dir.toString());
        assertEquals(2, write.code());
        assertTrue(write.err().contains(dir + ": already exists"), write.err());
        MainTest.Result read = MainTest.run("bench", "load", dir.resolve("none").toString());
        assertTrue(read.code() != 0 && read.err().contains("none"), read.err());
    }

    @Test
    void decodeBuildsGpt2SmallAndIsDeterministic() throws Exception {
        // a bandwidth no 2-core host reaches, so the fraction of its bound is below 1 whatever this host's memory does
        JsonNode a = run("bench", "decode", "--reps", "1", "--warmup", "1", "--prompt", "4", "--new", "3", "--triad-gbs", "1000");
        assertEquals("W3-gpt2-decode", a.get("workload").asText());
        assertEquals(124_439_808, a.get("params").asLong()); // GPT-2 small
        assertEquals(1, a.get("warmup").asInt());
        JsonNode tokens = a.get("first_tokens");
        assertEquals(3, tokens.size(), tokens.toString());
        for (JsonNode t : tokens) assertTrue(t.asInt() >= 0 && t.asInt() < 50257, tokens.toString());
        assertTrue(a.get("prefill_ms").get("median").asDouble() > 0);
        double fraction = a.get("fraction_of_bound").asDouble();
        assertTrue(fraction > 0 && fraction < 1, "fraction of the bandwidth bound " + fraction);
        double bound = 1000e9 / a.get("weight_bytes_per_token").asDouble();
        assertEquals(bound, a.get("bandwidth_bound_tokens_per_s").asDouble(), 0.06, a.toString());
        // the weight products alone, timed after the generation: their speed and decoding's share of it
        double products = a.get("weight_products_tokens_per_s").get("median").asDouble();
        double decode = a.get("decode_tokens_per_s").get("median").asDouble();
        assertTrue(products > 0, a.toString());
        assertEquals(decode / products, a.get("fraction_of_weight_products").asDouble(), 0.002, a.toString());
        JsonNode b = run("bench", "decode", "--reps", "1", "--warmup", "1", "--prompt", "4", "--new", "3");
        assertEquals(tokens, b.get("first_tokens"), "same seed, same greedy tokens");
        // without a bandwidth measured now there is no bound to print (a fixed figure would be another host's)
        assertTrue(!b.has("fraction_of_bound") && !b.has("bandwidth_bound_tokens_per_s"), b.toString());
        MainTest.Result bad = MainTest.run("bench", "decode", "--triad-gbs", "0");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--triad-gbs must be a bandwidth above 0 GB/s, got 0.0"), bad.err());
    }

    @Test
    void encodeRunsTheBertBaseEncoder() throws Exception {
        JsonNode j = run("bench", "encode", "--reps", "1", "--batch", "1", "--seq", "16", "--warmup", "2");
        assertEquals("W4-bert-encode", j.get("workload").asText());
        assertEquals(2, j.get("warmup_s").size(), "one time per warm-up pass");
        MainTest.Result bad = MainTest.run("bench", "encode", "--warmup", "-1");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--warmup must be 0 or more passes, got -1"), bad.err());
        assertEquals(1, j.get("batch").asInt());
        assertEquals(16, j.get("seq").asInt());
        // BERT-base encoder (108.9M, as bert_encode.py counts it) plus the pooler and masked-LM transform
        assertEquals(108_891_648 + 590_592 + 622_650, j.get("params").asLong());
        assertTrue(j.get("sequences_per_s").get("median").asDouble() > 0);
    }
}
