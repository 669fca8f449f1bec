#!/usr/bin/env bash
# Interleaved SGEMM comparison on THREADS threads (default 2): Ablate (SgemmMain) then numpy/PyTorch with the `tuned` OpenBLAS
# (OpenMP build + OPENBLAS_CORETYPE=SkylakeX, as ../shared/bench/run_all.sh selects it), ROUNDS times, appending
# JSON lines to bench/target/sgemm-compare.jsonl, each with the round trip between the two CPUs just before it
# ("core_rtt_ns", bench/core-latency.c: where the host has put the two vCPUs). Summarise with bench/summarize-sgemm.py.
#   ROUNDS=5 SIZES="256 1024" THREADS=2 bench/compare-sgemm.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source "$root/bench/tuned-pytorch.sh"
rounds="${ROUNDS:-5}"
sizes="${SIZES:-128 256 512 1024 2048}"
threads="${THREADS:-2}"
out="bench/target/sgemm-compare-t${threads}.jsonl"
SKIP_BUILD="${SKIP_BUILD:-0}" bench/run-sgemm.sh quick 64 >/dev/null   # builds once
source "$root/bench/core-rtt.sh"
last=$( (grep -o '"round": [0-9]*' "$out" 2>/dev/null || true) | grep -o '[0-9]*$' | sort -n | tail -1 || true)
first=$(( ${last:-0} + 1 ))   # rounds continue the numbering of an existing file
for r in $(seq "$first" $((first + rounds - 1))); do
  rtt_a=$(rtt)
  SKIP_BUILD=1 JAVA_OPTS="-XX:ActiveProcessorCount=$threads ${JAVA_OPTS:-}" bench/run-sgemm.sh quick $sizes 2>/dev/null \
    | sed "s/^{/{\"round\": $r, \"core_rtt_ns\": $rtt_a, /" | tee -a "$out"
  echo "{\"round\": $r, \"loadavg\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" | tee -a "$out"
  rtt_t=$(rtt)
  tuned_python sgemm.py --threads "$threads" --reps 5 --sizes "$(echo $sizes | tr ' ' ',')" \
     | sed "s/^{/{\"round\": $r, \"core_rtt_ns\": $rtt_t, /" | tee -a "$out"
done
