# Sourced by ./ablate and bench/jmh.sh: the JVM options every Ablate process runs with, in the array ablate_jvm_options.
# - the Vector API module the kernels are written in;
# - the parallel collector with a 128 MB young generation: a training step reuses its arrays
#   (org.ablate.tensor.Workspace), so what a step leaves behind is small, where the collector would otherwise grow a
#   young generation of gigabytes (the process's memory);
# - transparent huge pages for the heap where the kernel offers them (madvise or always): the matrix products walk
#   arrays of many megabytes, and with 4 KB pages their TLB misses cost SGEMM n = 1024 about 5 % and widened its
#   spread between runs (docs/performance.md). Child JVMs of a study inherit the setting.
ablate_jvm_options=(--add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmn128m)
if grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
  ablate_jvm_options+=(-XX:+UseTransparentHugePages)
fi
