#!/usr/bin/env python3
"""Summarise bench/target/sgemm-compare.jsonl (written by compare-sgemm.sh): per n, the median over rounds of
each side's per-round median GFLOP/s, and the median of the per-round ratios Ablate / tuned OpenBLAS (numpy),
which pairs each Ablate run with the OpenBLAS run next to it in time; then the round-to-round spread (max / min of
the per-round medians) of each side. Prints Markdown tables. PEAK (GFLOP/s, environment) is the FMA peak the
"% of peak" column divides by: ../shared/bench/peak_flops.c on the same host and threads (435 here on 2 threads).
The per-round table also gives the round trip between the two CPUs before each side's run (core_rtt_ns,
bench/core-latency.c) and marks with † a round whose two runs found the vCPUs placed differently. Where Ablate's
line has split_share (sizes whose products choose between Gemm's two schedules by timing), its cell shows the share
of that run's products that ran split, e.g. "372 (split 0.94)"."""
import json, os, statistics, sys
PEAK = float(os.environ.get("PEAK", "435"))
path = sys.argv[1] if len(sys.argv) > 1 else "bench/target/sgemm-compare-t2.jsonl"
loads = []
rtt = {}  # round -> {"ablate": ns, "openblas": ns}
ablate, numpy_, torch_ = {}, {}, {}
split = {}  # n -> {round: share of products that ran the split schedule}
for line in open(path):
    line = line.strip()
    if not line.startswith("{"):
        continue
    d = json.loads(line)
    r = d["round"]
    if "loadavg" in d:
        loads.append((r, d["loadavg"]))
        continue
    if "core_rtt_ns" in d:
        rtt.setdefault(r, {})["ablate" if d.get("impl") == "ablate" else "openblas"] = d["core_rtt_ns"]
    if d.get("impl") == "ablate":
        ablate.setdefault(d["n"], {})[r] = d["gflops_median"]
        if "split_share" in d:
            split.setdefault(d["n"], {})[r] = d["split_share"]
    elif d.get("workload") == "W1-sgemm":
        for n, v in d["results"].items():
            numpy_.setdefault(int(n), {})[r] = v["numpy_gflops"]["median"]
            torch_.setdefault(int(n), {})[r] = v["torch_gflops"]["median"]
print(f"| n | Ablate GFLOP/s | OpenBLAS tuned (numpy) | PyTorch | ratio Ablate/OpenBLAS | Ablate % of {PEAK:.0f} peak | rounds |")
print("|---|---|---|---|---|---|---|")
for n in sorted(ablate):
    rounds = sorted(set(ablate[n]) & set(numpy_.get(n, {})))
    if not rounds:
        continue
    a = statistics.median(ablate[n][r] for r in rounds)
    o = statistics.median(numpy_[n][r] for r in rounds)
    t = statistics.median(torch_[n][r] for r in rounds)
    ratio = statistics.median(ablate[n][r] / max(numpy_[n][r], 1e-9) for r in rounds)
    print(f"| {n} | {a:.1f} | {o:.1f} | {t:.1f} | {ratio:.2f} | {100 * a / PEAK:.0f} % | {len(rounds)} |")
print()
print("Per round: load average (1, 5, 15 min) before the OpenBLAS run; Ablate / OpenBLAS GFLOP/s per n")
print()
print("| round | load | " + " | ".join(f"n={n}" for n in sorted(ablate)) + " | CPU round trip ns (Ablate / OpenBLAS) |")
print("|---|---|" + "---|" * len(ablate) + "---|")
for r, load in loads:
    cells = []
    for n in sorted(ablate):
        if r in ablate[n] and r in numpy_.get(n, {}):
            share = f" (split {split[n][r]:.2f})" if r in split.get(n, {}) else ""
            cells.append(f"{ablate[n][r]:.0f}{share} / {numpy_[n][r]:.0f}")
        else:
            cells.append("-")
    x, y = rtt.get(r, {}).get("ablate"), rtt.get(r, {}).get("openblas")
    placement = f"{x:.0f} / {y:.0f}" + (" †" if max(x, y) > 2 * min(x, y) else "") if x and y else ""
    print(f"| {r} | {load} | " + " | ".join(cells) + f" | {placement} |")
print()
print("Spread of the per-round medians (max / min)")
print()
print("| n | Ablate | OpenBLAS | PyTorch |")
print("|---|---|---|---|")
for n in sorted(ablate):
    cells = []
    for side in (ablate, numpy_, torch_):
        v = list(side.get(n, {}).values())
        cells.append(f"{max(v) / min(v):.2f} ({min(v):.0f}–{max(v):.0f})" if v else "-")
    print(f"| {n} | " + " | ".join(cells) + " |")
