#!/usr/bin/env bash
# Builds the bench module and runs the SGEMM benchmarks.
#   bench/run-sgemm.sh            JMH: SgemmBench for n = 128 … 2048 (time per product; GFLOP/s = 2n³/time)
#   bench/run-sgemm.sh quick [n…] one JSON line per size with median GFLOP/s (for interleaving with sgemm.py)
# Extra JVM options go in JAVA_OPTS, e.g. JAVA_OPTS=-Dablate.vector.bits=256 or -XX:ActiveProcessorCount=1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source "$root/bin/find-jdk.sh"
ablate_find_jdk
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  ./mvnw -B -q -o package -pl bench -am -DskipTests
fi
java="${JAVA_HOME}/bin/java"
cp="bench/target/classes:$(ls bench/target/lib/*.jar | tr '\n' ':')"
opts=(--add-modules jdk.incubator.vector ${JAVA_OPTS:-})
if [[ "${1:-}" == quick ]]; then
  shift
  exec "$java" "${opts[@]}" -cp "$cp" org.ablate.bench.SgemmMain "$@"
fi
SKIP_BUILD=1 exec "$root/bench/jmh.sh" SgemmBench "$@"
