#!/usr/bin/env bash
# Loading and decoding a GPT-2-small-shaped checkpoint, this build against another checkout's, interleaved, one
# JVM per line: `bench load` (time and memory of Checkpoint.load), `bench decode` from weights in memory on both,
# and, on this build, `bench decode --checkpoint` (weights read in place from the file).
#   BASE=/path/to/other/checkout ROUNDS=3 bench/compare-load.sh [CHECKPOINT_DIR]
# Writes JSON lines (each tagged with "build") to bench/target/load-compare.jsonl and prints its path.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
base="${BASE:?set BASE to another checkout of the project (its ./ablate is run as the previous build)}"
ckpt="${1:-$here/bench/target/gpt2-small-checkpoint}"
rounds="${ROUNDS:-3}"
out="$here/bench/target/load-compare.jsonl"
mkdir -p "$here/bench/target"
[ -d "$ckpt" ] || "$here/ablate" bench load --write "$ckpt" >/dev/null
tag() { sed "s/^{/{\"build\": \"$1\", /"; }
for round in $(seq 1 "$rounds"); do
  echo "{\"round\": $round, \"loadavg\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >> "$out"
  (cd "$base" && ./ablate bench load "$ckpt" 2>/dev/null | tail -1 | tag base) >> "$out"
  (cd "$here" && ./ablate bench load "$ckpt" 2>/dev/null | tail -1 | tag this) >> "$out"
  (cd "$base" && ./ablate bench decode --reps 3 2>/dev/null | tail -1 | tag base) >> "$out"
  (cd "$here" && ./ablate bench decode --reps 3 2>/dev/null | tail -1 | tag this) >> "$out"
  (cd "$here" && ./ablate bench decode --reps 3 --checkpoint "$ckpt" 2>/dev/null | tail -1 | tag this) >> "$out"
done
echo "$out"
