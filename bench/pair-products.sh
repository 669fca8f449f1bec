#!/usr/bin/env bash
# Ablate's decoding weight products against PyTorch's (tuned), paired request by request (bench/pair-products.py),
# on THREADS threads each (default 2), ROUNDS times (default 1); one JSON line per round in
# bench/target/pair-products.jsonl, with the load average and the round trip between the two CPUs before it.
#   THREADS=1 ROUNDS=2 bench/pair-products.sh
#   PAIRS=120 TOKENS=5 bench/pair-products.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source "$root/bench/tuned-pytorch.sh"
threads="${THREADS:-2}"
# builds the bench module once (the JVM's note on incubator modules left out)
SKIP_BUILD="${SKIP_BUILD:-0}" bench/run-sgemm.sh quick 64 >/dev/null 2> >(grep -v "^WARNING: Using incubator" >&2)
source "$root/bench/core-rtt.sh"
ablate="SKIP_BUILD=1 JAVA_OPTS='-XX:ActiveProcessorCount=$threads ${JAVA_OPTS:-}' \
  $root/bench/jmh.sh --main org.ablate.bench.DecodeProductsMain 2>/dev/null"
torch="cd $shared/bench && env ${tuned_env[*]} $PY $root/bench/gpt2_products.py --threads $threads --serve 2>/dev/null"
for r in $(seq 1 "${ROUNDS:-1}"); do
  pre="{\"round\": $r, \"loadavg\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"core_rtt_ns\": $(rtt), "
  "$PY" bench/pair-products.py --ablate "$ablate" --torch "$torch" --threads "$threads" \
      --pairs "${PAIRS:-60}" --tokens "${TOKENS:-$(( threads == 1 ? 3 : 5 ))}" \
    | sed "s/^{/$pre/" | tee -a bench/target/pair-products.jsonl
done
