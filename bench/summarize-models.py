#!/usr/bin/env python3
"""Per-round Markdown tables from bench/compare-models.sh's JSON lines (default bench/target/models-compare.jsonl):
for each workload and round, Ablate against tuned PyTorch with the ratio, the load average before the Ablate run,
both peak RSS figures, and the round trip between the two CPUs measured before each side's run (core_rtt_ns). A
ratio marked † compares runs that found the host's two vCPUs placed differently (the script's probe before each
side's run, or Ablate's own probe before and after its timed runs, one over twice the other): sharing a cache or not moves both sides' two-thread speed by up to a third, so that round's ratio says more
about the host than about the code. For measuring only: nothing in the build or the tests runs it."""
import json
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "bench/target/models-compare.jsonl"
rows = [json.loads(line) for line in open(path) if line.strip()]

# workload -> (title, speed field, unit, higher is better)
KINDS = {
    "W2-gpt-train": ("W2 GPT training (3.3M parameters)", "tokens_per_s", "tokens/s"),
    "W2-demo-train": ("W2 step at the demo model's shapes (0.84M parameters)", "tokens_per_s", "tokens/s"),
    "W3-gpt2-decode": ("W3 GPT-2-small decode with KV cache (PyTorch: the faster of its two paths)", "decode_tokens_per_s", "tokens/s"),
    "W4-bert-encode": ("W4 BERT-base encode 8 x 128", "sequences_per_s", "sequences/s"),
}


def differs(values):
    seen = [x for x in values if x and x > 0]
    return bool(seen) and max(seen) > 2 * min(seen)


def placement_differs(a, t):
    """The script's probe (C, pinned threads) before each side's run, or Ablate's own probe (Java) before and after its
    timed runs, differing more than 2 x. The two probes are compared each with itself: their levels differ."""
    own = a.get("env", {}).get("core_round_trip_ns", {})
    return differs([a.get("core_rtt_ns"), t.get("core_rtt_ns")]) or differs([own.get("before"), own.get("after")])


def fmt(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:.2f}"


# PyTorch's weight products alone by round (bench/gpt2_products.py), shown beside W3's decoding
products = {r["round"]: r for r in rows if r.get("workload") == "W3-gpt2-products" and "side" in r}

for workload, (title, field, unit) in KINDS.items():
    runs = {}
    for r in rows:
        if r.get("workload") == workload and "side" in r:
            runs.setdefault(r["round"], {})[r["side"]] = r
    if not runs:
        continue
    prefill = workload.startswith("W3")
    print(f"\n{title}, {unit} (median of each run's repetitions)\n")
    head = "| round | load | Ablate | PyTorch | ratio |"
    sep = "|---|---|---|---|---|"
    if prefill:
        # Ablate's decoding over its own weight products timed alone right after it: the part of a step that is
        # not weight reading, whatever the host's bandwidth at that moment
        # PyTorch's products alone (bench/gpt2_products.py, right after its decoding): the same weights through its
        # kernels, so products / products is how the two stream weights, which caps decoding's ratio
        head += " Ablate weight products alone | decode / products | PyTorch weight products alone | products ratio |"
        sep += "---|---|---|---|"
        head += " Ablate prefill ms | PyTorch prefill ms | prefill speed ratio |"
        sep += "---|---|---|"
    head += " Ablate peak RSS | PyTorch peak RSS | RSS ratio | CPU round trip ns (Ablate / PyTorch) |"
    sep += "---|---|---|---|"
    print(head)
    print(sep)
    for rnd in sorted(runs):
        a, t = runs[rnd].get("ablate"), runs[rnd].get("torch")
        if not a or not t:
            continue
        av, tv = a[field]["median"], t[field]["median"]
        if "gemv_decode_tokens_per_s" in t:  # PyTorch's faster decoding path (matrix-vector products), when measured
            tv = max(tv, t["gemv_decode_tokens_per_s"]["median"])
        mark = " †" if placement_differs(a, t) else ""
        line = f"| {rnd} | {a.get('load', '?')} | {fmt(av)} | {fmt(tv)} | {av / tv:.2f}{mark} |"
        if prefill:
            wp = a.get("weight_products_tokens_per_s")
            line += f" {fmt(wp['median'])} | {a['fraction_of_weight_products']:.2f} |" if wp else " | |"
            tw = products.get(rnd, {}).get("weight_products_tokens_per_s")
            line += f" {fmt(tw['median'])} | {wp['median'] / tw['median']:.2f} |" if wp and tw else " | |"
            ap, tp = a["prefill_ms"]["median"], t["prefill_ms"]["median"]
            line += f" {ap:.1f} | {tp:.1f} | {tp / ap:.2f} |"
        ar, tr = a.get("peak_rss_mb"), t.get("peak_rss_mb")
        line += f" {ar:,.0f} MB | {tr:,.0f} MB | {ar / tr:.2f} |" if ar and tr else " | | |"
        own = a.get("env", {}).get("core_round_trip_ns")
        during = f" (run: {own['before']:.0f} → {own['after']:.0f})" if own else ""
        line += f" {a['core_rtt_ns']:.0f}{during} / {t['core_rtt_ns']:.0f} |" if "core_rtt_ns" in a and "core_rtt_ns" in t else " |"
        print(line)
