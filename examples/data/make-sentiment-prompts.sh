#!/bin/sh
# Makes kjv-sentiment-prompts.jsonl, the prompts of the post-training pipeline (examples/post-training/run.sh),
# from the shipped KJV text: {prompt} = the first half of a verse that holds at least one word the AFINN-165
# lexicon (afinn-165.json) scores, so that a continuation with sentiment is within reach. Only verses that
# make-post-training-data.sh leaves unused (the 2nd and 4th of every five it counts) are taken, so none of
# these prompts is in the SFT, pairs or PPO data. Usage: examples/data/make-sentiment-prompts.sh (deterministic)
set -eu
here=$(dirname "$0")
awk -v out="$here/kjv-sentiment-prompts.jsonl" '
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
FNR == NR {  # afinn-165.json, one "word": valence entry per line; single words only
    if (match($0, /^ *"[a-z0-9'"'"']+": *-?[0-9]+/)) { split(substr($0, RSTART, RLENGTH), kv, /"/); v = kv[3]; sub(/^: */, "", v); if (v + 0 != 0) lex[kv[2]] = 1 }
    next
}
{
    v = $0
    if (length(v) < 40 || length(v) > 150) next
    n++
    if (n % 5 != 1 && n % 5 != 3) next
    w = tolower(v); gsub(/[^a-z0-9'"'"']+/, " ", w)
    k = split(w, words, " "); hit = 0
    for (i = 1; i <= k; i++) if (words[i] in lex) hit = 1
    if (!hit) next
    mid = int(length(v) / 2); best = 0
    for (i = 1; i <= length(v); i++) if (substr(v, i, 1) == " " && (best == 0 || (i - mid) ^ 2 < (best - mid) ^ 2)) best = i
    printf "{\"prompt\": \"%s\"}\n", esc(substr(v, 1, best - 1)) > out
}' "$here/afinn-165.json" "$here/kjv-genesis-exodus.txt"
