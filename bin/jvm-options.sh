# Sourced by ./ablate and bench/jmh.sh: the JVM options every Ablate process runs with, in the array ablate_jvm_options.
# - the Vector API module the kernels are written in;
# - the parallel collector with a 128 MB young generation: a training step reuses its arrays
#   (org.ablate.tensor.Workspace), so what a step leaves behind is small, where the collector would otherwise grow a
#   young generation of gigabytes (the process's memory);
# - transparent huge pages for the heap where the kernel offers them (madvise or always): the matrix products walk
#   arrays of many megabytes, and with 4 KB pages their TLB misses cost SGEMM n = 1024 about 5 % and widened its
#   spread between runs (docs/performance.md). Child JVMs of a study inherit the setting;
# - objects on 64-byte boundaries, and the matrix product's packed B panels and every weight 12 floats into their
#   arrays (past the 16-byte array header), so each vector a kernel loads lies in one cache line instead of straddling
#   two (org.ablate.tensor.kernels.Gemm.B_ALIGN: W4 4-12 % faster in alternating runs; org.ablate.tensor.Tensor.LEAD:
#   decoding's weight rows read 8-18 % faster on one core).
ablate_jvm_options=(--add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmn128m
  -XX:ObjectAlignmentInBytes=64 -Dablate.gemm.bAlign=12 -Dablate.tensor.lead=12)
# - on AMD processors, decoding's matrix-vector product reads its weight rows one after another instead of sixteen
#   interleaved (org.ablate.tensor.kernels.Gemv.ROWS_IN_FLIGHT; the same bits): on an EPYC (Zen 5) host one stream per
#   core decoded GPT-2-small 10-20 % faster in alternating runs; the sixteen-row default was measured on Intel Xeons.
if grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo 2>/dev/null; then
  ablate_jvm_options+=(-Dablate.gemv.rows=1)
fi
if grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
  ablate_jvm_options+=(-XX:+UseTransparentHugePages)
fi
