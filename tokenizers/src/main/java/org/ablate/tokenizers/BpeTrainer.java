package org.ablate.tokenizers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns byte-level BPE merges from a corpus. The corpus is split with GPT-2's rule and counted once per
 * distinct piece; pair counts are kept incrementally (each merge touches only the pieces that contain the
 * merged pair) and the most frequent pair comes from a priority queue with lazy deletion, so training cost
 * grows with the number of pair occurrences changed, not with merges × corpus.
 * Ties between equally frequent pairs go to the pair whose tokens come first by id (left, then right).
 * The vocabulary is the 256 byte tokens, then one token per merge, then {@code <|endoftext|>}.
 */
final class BpeTrainer {
    private BpeTrainer() {}

    private record Candidate(long count, int left, int right) {}

    static ByteLevelBpe train(CharSequence corpus, int vocabSize, int minFrequency) {
        if (vocabSize < 257) {
            throw new IllegalArgumentException("byte-bpe: vocab_size must be at least 257 (256 bytes + <|endoftext|>), got " + vocabSize);
        }
        // Distinct pieces and their counts.
        String text = corpus.toString();
        Map<String, int[]> pieceCounts = new HashMap<>();
        // <|endoftext|> in a corpus separates documents; it is never learned as ordinary text.
        for (int from = 0; from <= text.length(); ) {
            int stop = text.indexOf(ByteLevelBpe.END_OF_TEXT, from);
            if (stop < 0) stop = text.length();
            for (int i = from; i < stop; ) {
                int j = Gpt2Splitter.next(text, i, stop);
                pieceCounts.computeIfAbsent(text.substring(i, j), k -> new int[1])[0]++;
                i = j;
            }
            from = stop + ByteLevelBpe.END_OF_TEXT.length();
        }
        int words = pieceCounts.size();
        int[][] word = new int[words][];
        long[] freq = new long[words];
        int w = 0;
        for (Map.Entry<String, int[]> e : pieceCounts.entrySet()) {
            String p = e.getKey();
            byte[] bs = Utf8.encode(p, 0, p.length());
            int[] syms = new int[bs.length];
            for (int k = 0; k < bs.length; k++) syms[k] = bs[k] & 0xFF;
            word[w] = syms;
            freq[w++] = e.getValue()[0];
        }
        pieceCounts = null;

        // Token strings: the byte-to-unicode form of each byte, then merged tokens.
        char[] byteChar = ByteLevelBpe.byteToChar();
        List<String> vocab = new ArrayList<>(vocabSize);
        Map<String, Integer> known = new HashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.add(String.valueOf(byteChar[b]));
            known.put(vocab.get(b), b);
        }

        Map<Long, long[]> count = new HashMap<>();           // pair -> {count}
        Map<Long, IntList> where = new HashMap<>();           // pair -> words holding it (may repeat, may be stale)
        for (int i = 0; i < words; i++) {
            int[] s = word[i];
            for (int k = 0; k + 1 < s.length; k++) {
                long key = LongIntMap.pair(s[k], s[k + 1]);
                count.computeIfAbsent(key, x -> new long[1])[0] += freq[i];
                where.computeIfAbsent(key, x -> new IntList(4)).add(i);
            }
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>((x, y) -> {
            if (x.count != y.count) return Long.compare(y.count, x.count);
            if (x.left != y.left) return Integer.compare(x.left, y.left);
            return Integer.compare(x.right, y.right);
        });
        for (Map.Entry<Long, long[]> e : count.entrySet()) {
            long k = e.getKey();
            queue.add(new Candidate(e.getValue()[0], (int) (k >>> 32), (int) k));
        }

        List<int[]> merges = new ArrayList<>();
        int[] seen = new int[words];
        Arrays.fill(seen, -1);
        Map<Long, Long> delta = new HashMap<>();
        int target = vocabSize - 1;  // the last id is <|endoftext|>
        while (vocab.size() < target && !queue.isEmpty()) {
            Candidate c = queue.poll();
            long key = LongIntMap.pair(c.left, c.right);
            long[] cur = count.get(key);
            if (cur == null || cur[0] != c.count) continue;  // stale entry
            if (c.count < Math.max(1, minFrequency)) break;
            int a = c.left, b = c.right;
            // Two merges may spell the same token ("a"+"bc", "ab"+"c"): they share one id.
            String joined = vocab.get(a) + vocab.get(b);
            Integer existing = known.get(joined);
            int merged = existing != null ? existing : vocab.size();
            if (existing == null) {
                vocab.add(joined);
                known.put(joined, merged);
            }
            merges.add(new int[]{a, b});
            delta.clear();
            int step = merges.size();
            IntList holders = where.remove(key);
            for (int h = 0; holders != null && h < holders.size(); h++) {
                int wi = holders.get(h);
                if (seen[wi] == step) continue;
                seen[wi] = step;
                int[] s = word[wi];
                int[] out = new int[s.length];
                int n = 0;
                boolean changed = false;
                for (int k = 0; k < s.length; k++) {
                    if (k + 1 < s.length && s[k] == a && s[k + 1] == b) {
                        out[n++] = merged;
                        k++;
                        changed = true;
                    } else out[n++] = s[k];
                }
                if (!changed) continue;
                long f = freq[wi];
                for (int k = 0; k + 1 < s.length; k++) delta.merge(LongIntMap.pair(s[k], s[k + 1]), -f, Long::sum);
                for (int k = 0; k + 1 < n; k++) {
                    long p = LongIntMap.pair(out[k], out[k + 1]);
                    delta.merge(p, f, Long::sum);
                    if (out[k] == merged || out[k + 1] == merged) where.computeIfAbsent(p, x -> new IntList(4)).add(wi);
                }
                word[wi] = Arrays.copyOf(out, n);
            }
            for (Map.Entry<Long, Long> d : delta.entrySet()) {
                if (d.getValue() == 0) continue;
                long p = d.getKey();
                long[] cnt = count.computeIfAbsent(p, x -> new long[1]);
                cnt[0] += d.getValue();
                if (cnt[0] <= 0) {
                    count.remove(p);
                    where.remove(p);
                } else {
                    queue.add(new Candidate(cnt[0], (int) (p >>> 32), (int) p));
                }
            }
            count.remove(key);
        }
        vocab.add(ByteLevelBpe.END_OF_TEXT);
        try {
            return new ByteLevelBpe(vocab.toArray(String[]::new), merges.toArray(int[][]::new),
                    new int[]{vocab.size() - 1}, "trained byte-bpe");
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // cannot happen: every merge result was added to the vocabulary
        }
    }
}
