"""The PyTorch side of the weight products that `ablate bench decode` times alone: GPT-2-small's (../shared/bench's
models.GPT, the model gpt_decode.py decodes) matrix-vector products of one decoding step, each weight matrix times
one row through the calls its matrix-vector path makes (addmv for every linear, mv for the tied head), --tokens
times per repetition and nothing else. Both sides read the same 494 MB of fp32 weight matrices per token, so the
two figures say how fast each side's kernels stream weights from memory at that moment, and how far decoding can
be ahead of the other side's at all. With --serve it answers bench/pair-products.py, which times both sides moments
apart. Uses ../shared/bench's common.py and models.py, so run it from that folder
(bench/tuned-pytorch.sh does). For measuring only: nothing in the build or the tests runs it."""
import os
import sys
import time

sys.path.insert(0, os.getcwd())  # ../shared/bench: common.py, models.py
from common import parse_args, init_torch, stats, peak_rss_mb, versions, emit

args = parse_args(lambda p: (p.add_argument("--tokens", type=int, default=127),
                             p.add_argument("--warmup", type=int, default=16),
                             p.add_argument("--serve", action="store_true",
                                            help="print 'ready', then for each token count read from standard "
                                                 "input run that many tokens of products and print their tokens/s "
                                                 "(bench/pair-products.py drives it)")))
torch = init_torch(args.threads)
from models import GPT, Lin

torch.manual_seed(0)
model = GPT(50257, 1024, 768, 12, 12, 3072).eval()
linears = [m for m in model.modules() if isinstance(m, Lin)]  # qkv, proj, fc, fc-out of each layer, in order
rows = [torch.ones(m.in_features) for m in linears]
head, head_row = model.wte.weight, torch.ones(model.d)
wbytes = 4 * (sum(m.weight.numel() + m.bias.numel() for m in linears) + head.numel())


def products(tokens):
    with torch.no_grad():
        t0 = time.perf_counter()
        for _ in range(tokens):
            for m, x in zip(linears, rows):
                torch.addmv(m.bias, m.weight, x)
            torch.mv(head, head_row)
        return tokens / (time.perf_counter() - t0)


if args.serve:
    print("ready", flush=True)
    for line in sys.stdin:
        try:
            print(f"{products(int(line)):.3f}", flush=True)
        except ValueError:
            print(f"error: expected a token count, got {line.strip()!r}", flush=True)
    sys.exit(0)

products(args.warmup)
tps = stats([products(args.tokens) for _ in range(args.reps)], 2)
emit({"workload": "W3-gpt2-products", "engine": "pytorch", "threads": args.threads, "reps": args.reps,
      "tokens": args.tokens, "weight_bytes_per_token": wbytes, "weight_products_tokens_per_s": tps,
      "weight_gbs": round(wbytes * tps["median"] / 1e9, 1), "peak_rss_mb": peak_rss_mb(), **versions()})
