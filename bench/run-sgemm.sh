#!/usr/bin/env bash
# Builds the bench module and runs the SGEMM benchmarks.
#   bench/run-sgemm.sh            JMH: SgemmBench for n = 128 … 2048 (time per product; GFLOP/s = 2n³/time)
#   bench/run-sgemm.sh quick [n…] one JSON line per size with median GFLOP/s (for interleaving with sgemm.py)
# Extra JVM options go in JAVA_OPTS, e.g. JAVA_OPTS=-Dablate.vector.bits=256 or -XX:ActiveProcessorCount=1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ "${1:-}" == quick ]]; then
  shift
  exec "$here/jmh.sh" --main org.ablate.bench.SgemmMain "$@"
fi
exec "$here/jmh.sh" SgemmBench "$@"
