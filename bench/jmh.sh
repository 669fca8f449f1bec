#!/usr/bin/env bash
# Builds the bench module and runs JMH with the given arguments on the JDK 25+ the build uses, e.g.
#   bench/jmh.sh AttentionBench -wi 2 -i 4 -w 2 -r 2 -f 1
#   bench/jmh.sh NormBench
#   bench/jmh.sh --main org.ablate.bench.SmallMMain 1 4 16    # a plain main class of the bench module instead
# Extra JVM options go in JAVA_OPTS (JMH's forks inherit the JVM options). SKIP_BUILD=1 skips the build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source "$root/bin/find-jdk.sh"
ablate_find_jdk
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  ./mvnw -B -q -o package -pl bench -am -DskipTests
fi
cp="bench/target/classes:$(ls bench/target/lib/*.jar | tr '\n' ':')"
source "$root/bin/jvm-options.sh"
opts=("${ablate_jvm_options[@]}" ${JAVA_OPTS:-})
main=org.openjdk.jmh.Main
if [[ "${1:-}" == --main ]]; then
  main="$2"
  shift 2
fi
exec "${JAVA_HOME}/bin/java" "${opts[@]}" -cp "$cp" "$main" "$@"
