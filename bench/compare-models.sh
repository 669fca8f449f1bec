#!/usr/bin/env bash
# Interleaved end-to-end comparison with tuned PyTorch (../shared/bench), 2 threads each, ROUNDS times:
# W2 training, W3 decode/prefill, W4 encoder, and (train-demo, not run unless named) W2's step at the demo model's
# shapes against bench/gpt_train_sized.py. One JSON line per run in bench/target/models-compare.jsonl.
# Each round first measures the triad bandwidth (../shared/bench/stream.c, 2 threads) and passes it to both
# decode runs, so their bandwidth bound is the one of that moment (the host's bandwidth moves with its load), and
# before each run the round trip between the two CPUs (bench/core-latency.c) as "core_rtt_ns": a virtual machine's
# host moves its two vCPUs between cores that share a cache and cores that do not, which slows both sides' two-thread
# work; bench/summarize-models.py marks a round whose two runs saw different placements. After PyTorch's decoding,
# bench/gpt2_products.py times its weight products alone, as `ablate bench decode` does Ablate's: how fast each side
# streams the same weights at that moment, which bounds how far one side's decoding can be ahead of the other's.
#   ROUNDS=2 WORKLOADS="train decode encode train-demo" bench/compare-models.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source "$root/bench/tuned-pytorch.sh"
rounds="${ROUNDS:-2}"
workloads="${WORKLOADS:-train decode encode}"
mkdir -p bench/target
gcc -O3 -march=native -fopenmp "$shared/bench/stream.c" -o bench/target/stream \
  || { echo "cannot build $shared/bench/stream.c (apt-get install -y gcc)" >&2; exit 1; }
source "$root/bench/core-rtt.sh"
out=bench/target/models-compare.jsonl
for r in $(seq 1 "$rounds"); do
  triad=$(bench/target/stream --threads 2 --reps 9 | sed "s/^{/{\"round\": $r, /" | tee -a "$out" \
    | sed -n 's/.*"triad_gbs": {"median": \([0-9.]*\).*/\1/p')
  for w in $workloads; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    extra=(); [[ $w == decode ]] && extra=(--triad-gbs "$triad")
    [[ $w == train-demo ]] && extra=(--size demo)
    rtt_a=$(rtt)
    ./ablate bench "${w%-demo}" "${extra[@]}" 2>/dev/null \
      | sed "s/^{/{\"side\": \"ablate\", \"round\": $r, \"load\": $load, \"core_rtt_ns\": $rtt_a, /" | tee -a "$out"
    rtt_t=$(rtt)
    case "$w" in
      train)  tuned_python gpt_train.py --threads 2 --reps 3 --steps 20 --warmup 3 ;;
      decode) tuned_python gpt_decode.py --threads 2 --reps 3 --nocache-new 0 --gemv --triad-gbs "$triad"
              tuned_python "$root/bench/gpt2_products.py" --threads 2 --reps 3 ;;
      encode) tuned_python bert_encode.py --threads 2 --reps 6 ;;
      train-demo) tuned_python "$root/bench/gpt_train_sized.py" --threads 2 --reps 3 --steps 20 --warmup 3 ;;
    esac | sed "s/^{/{\"side\": \"torch\", \"round\": $r, \"core_rtt_ns\": $rtt_t, /" | tee -a "$out"
  done
done
