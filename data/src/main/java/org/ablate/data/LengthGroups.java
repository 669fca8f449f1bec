package org.ablate.data;

import java.util.Arrays;
import java.util.Comparator;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

/**
 * Training rows drawn so that a batch holds rows of similar length ({@code data.group_by_length}, as Hugging
 * Face's trainer calls it): padding, and the attention and feed-forward work spent on it, shrink when a batch
 * no longer pads a 10-token row to its 120-token neighbour.
 *
 * <p>The rows are sorted by length and cut into consecutive groups of {@value #GROUP_BATCHES} batches' worth. A
 * batch first draws one row uniformly (which picks its group with probability proportional to the group's size),
 * then draws the rest of its rows uniformly from that group. Every row is therefore still drawn with probability
 * 1/n at each position, as without grouping; only which rows share a batch changes.
 */
final class LengthGroups {
    /** Rows per group, in batches: large enough that a group is not always the same few rows. */
    static final int GROUP_BATCHES = 8;

    private final int[] byLength;

    /** @param lengths each training row's token count (the longer side for a pair) */
    LengthGroups(int[] lengths) {
        this.byLength = IntStream.range(0, lengths.length).boxed()
                .sorted(Comparator.<Integer>comparingInt(i -> lengths[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The row indices of one training batch. */
    int[] sample(int batchSize, RandomGenerator random) {
        int n = byLength.length, width = Math.max(1, batchSize * GROUP_BATCHES);
        int first = random.nextInt(n), from = first / width * width, to = Math.min(n, from + width);
        int[] rows = new int[batchSize];
        rows[0] = byLength[first];
        for (int b = 1; b < batchSize; b++) rows[b] = byLength[from + random.nextInt(to - from)];
        return rows;
    }

    /** Padded positions over all positions of batches made of {@code rows}, for the log and tests. */
    static double paddingShare(int[][] batches, int[] lengths) {
        long padded = 0, all = 0;
        for (int[] batch : batches) {
            int longest = Arrays.stream(batch).map(r -> lengths[r]).max().orElse(0);
            for (int r : batch) {
                padded += longest - lengths[r];
                all += longest;
            }
        }
        return all == 0 ? 0 : (double) padded / all;
    }
}
