#!/usr/bin/env python3
"""Ablate's and PyTorch's decoding weight products, paired: two server processes (bench/pair-products.sh starts
them: org.ablate.bench.DecodeProductsMain and bench/gpt2_products.py --serve) are asked in turn for --tokens tokens
of GPT-2-small's decoding products, --pairs times after --warmup pairs, and one JSON line gives both sides' tokens/s
and the ratio within each pair. The host's memory bandwidth, which bounds both, moves from minute to minute; a pair
is timed within a fraction of a second, so its ratio compares the two kernels at one bandwidth.
For measuring only: nothing in the build or the tests runs it."""
import argparse
import json
import statistics
import subprocess
import sys

p = argparse.ArgumentParser()
p.add_argument("--ablate", required=True, help="command line of the Ablate server")
p.add_argument("--torch", required=True, help="command line of the PyTorch server")
p.add_argument("--threads", type=int, default=2, help="threads each side runs (recorded only)")
p.add_argument("--pairs", type=int, default=60)
p.add_argument("--tokens", type=int, default=5, help="tokens of products per request")
p.add_argument("--warmup", type=int, default=6, help="untimed pairs first (10 tokens each)")
args = p.parse_args()


def start(name, command):
    proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    line = proc.stdout.readline().strip()
    if line != "ready":
        sys.exit(f"pair-products: the {name} server did not start (said {line!r}; command: {command})")
    return proc


def ask(name, proc, tokens):
    proc.stdin.write(f"{tokens}\n")
    proc.stdin.flush()
    line = proc.stdout.readline().strip()
    try:
        return float(line)
    except ValueError:
        sys.exit(f"pair-products: the {name} server answered {line!r} to a request for {tokens} tokens")


ablate, torch = start("Ablate", args.ablate), start("PyTorch", args.torch)
for _ in range(args.warmup):
    ask("Ablate", ablate, 10)
    ask("PyTorch", torch, 10)
a_tps, t_tps, ratios = [], [], []
for i in range(args.pairs):
    # alternate which side goes first, so neither always runs right after the other
    if i % 2 == 0:
        a, t = ask("Ablate", ablate, args.tokens), ask("PyTorch", torch, args.tokens)
    else:
        t, a = ask("PyTorch", torch, args.tokens), ask("Ablate", ablate, args.tokens)
    a_tps.append(a)
    t_tps.append(t)
    ratios.append(a / t)
for proc in (ablate, torch):
    proc.stdin.close()
    proc.wait()


def spread(xs):
    deciles = statistics.quantiles(xs, n=10)
    return {"median": round(statistics.median(xs), 3), "p10": round(deciles[0], 3), "p90": round(deciles[-1], 3),
            "n": len(xs)}


print(json.dumps({"workload": "W3-products-paired", "threads": args.threads, "pairs": args.pairs,
                  "tokens_per_request": args.tokens, "ablate_tokens_per_s": spread(a_tps),
                  "torch_tokens_per_s": spread(t_tps), "ratio_per_pair": spread(ratios)}), flush=True)
