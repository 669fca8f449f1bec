#!/usr/bin/env bash
# Interleaved end-to-end comparison with tuned PyTorch (../shared/bench), 2 threads each, ROUNDS times:
# W2 training, W3 decode/prefill, W4 encoder. One JSON line per run in bench/target/models-compare.jsonl.
# Each round first measures the triad bandwidth (../shared/bench/stream.c, 2 threads) and passes it to both
# decode runs, so their bandwidth bound is the one of that moment (the host's bandwidth moves with its load).
#   ROUNDS=2 WORKLOADS="train decode encode" bench/compare-models.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="${ABLATE_SHARED:-$root/../shared}"
[[ -d "$shared/bench" ]] || { echo "no $shared/bench (set ABLATE_SHARED)" >&2; exit 1; }
rounds="${ROUNDS:-2}"
workloads="${WORKLOADS:-train decode encode}"
PY="${PY:-/usr/bin/python3}"
MA=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
omp_blas=$(update-alternatives --list "libblas.so.3-$MA" 2>/dev/null | grep openblas-openmp | head -1 | xargs -r dirname || true)
[[ -n "$omp_blas" ]] || { echo "tuned OpenBLAS missing: apt-get install -y libopenblas0-openmp" >&2; exit 1; }
mkdir -p bench/target
gcc -O3 -march=native -fopenmp "$shared/bench/stream.c" -o bench/target/stream \
  || { echo "cannot build $shared/bench/stream.c (apt-get install -y gcc)" >&2; exit 1; }
out=bench/target/models-compare.jsonl
torch() { (cd "$shared/bench" && LD_LIBRARY_PATH="$omp_blas" OPENBLAS_CORETYPE=SkylakeX "$PY" "$@" 2>/dev/null); }
for r in $(seq 1 "$rounds"); do
  triad=$(bench/target/stream --threads 2 --reps 9 | sed "s/^{/{\"round\": $r, /" | tee -a "$out" \
    | sed -n 's/.*"triad_gbs": {"median": \([0-9.]*\).*/\1/p')
  for w in $workloads; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    extra=(); [[ $w == decode ]] && extra=(--triad-gbs "$triad")
    ./ablate bench "$w" "${extra[@]}" 2>/dev/null | sed "s/^{/{\"side\": \"ablate\", \"round\": $r, \"load\": $load, /" | tee -a "$out"
    case "$w" in
      train)  torch gpt_train.py --threads 2 --reps 3 --steps 20 --warmup 3 ;;
      decode) torch gpt_decode.py --threads 2 --reps 3 --nocache-new 0 --gemv --triad-gbs "$triad" ;;
      encode) torch bert_encode.py --threads 2 --reps 6 ;;
    esac | sed "s/^{/{\"side\": \"torch\", \"round\": $r, /" | tee -a "$out"
  done
done
