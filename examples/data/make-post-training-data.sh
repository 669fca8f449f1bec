#!/bin/sh
# Makes the post-training example data from the shipped KJV text (Genesis is its first 1533 lines):
#   kjv-instructions.jsonl  {instruction, input, output}: "Continue the verse." and "Which book is this verse from?"
#   kjv-pairs.jsonl         {prompt, chosen, rejected}: a verse's first half, its true second half, another verse's
#   kjv-prompts.jsonl       {prompt}: first halves of other verses, for PPO's rollouts
# Usage: examples/data/make-post-training-data.sh   (writes beside itself; deterministic)
set -eu
here=$(dirname "$0")
awk -v out_sft="$here/kjv-instructions.jsonl" -v out_pairs="$here/kjv-pairs.jsonl" -v out_prompts="$here/kjv-prompts.jsonl" '
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
# Splits verse v at the space nearest its middle: head in H, tail in T.
function halve(v,    mid, i, best) {
    mid = int(length(v) / 2); best = 0
    for (i = 1; i <= length(v); i++) if (substr(v, i, 1) == " " && (best == 0 || (i - mid) ^ 2 < (best - mid) ^ 2)) best = i
    H = substr(v, 1, best - 1); T = substr(v, best + 1)
}
{
    v = $0; book = NR <= 1533 ? "Genesis" : "Exodus"
    if (length(v) < 40 || length(v) > 150) next
    n++
    if (n % 5 == 0) {
        k++
        if (k % 2) { halve(v); printf "{\"instruction\": \"Continue the verse.\", \"input\": \"%s\", \"output\": \"%s\"}\n", esc(H), esc(T) > out_sft }
        else printf "{\"instruction\": \"Which book is this verse from?\", \"input\": \"%s\", \"output\": \"%s\"}\n", esc(v), book > out_sft
    } else if (n % 5 == 2) {
        halve(v)
        if (pending != "" && T != prevT) printf "{\"prompt\": \"%s\", \"chosen\": \"%s\", \"rejected\": \"%s\"}\n", esc(pending), esc(prevT), esc(T) > out_pairs
        pending = H; prevT = T
    } else if (n % 5 == 4) {
        halve(v); printf "{\"prompt\": \"%s\"}\n", esc(H) > out_prompts
    }
}' "$here/kjv-genesis-exodus.txt"
