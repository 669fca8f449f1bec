"""The PyTorch side of `ablate bench train --size demo`: the W2 step of ../shared/bench/gpt_train.py (forward,
backward, AdamW on random byte tokens) at other model sizes, e.g. the demo's (d 128, ff 512, ctx 128).
Uses ../shared/bench's common.py and models.py, so run it from that folder (bench/tuned-pytorch.sh does).
For measuring only: nothing in the build or the tests runs it."""
import os
import sys
import time

sys.path.insert(0, os.getcwd())  # ../shared/bench: common.py, models.py
from common import parse_args, init_torch, stats, peak_rss_mb, versions, emit

args = parse_args(lambda p: (p.add_argument("--steps", type=int, default=20),
                             p.add_argument("--warmup", type=int, default=3),
                             p.add_argument("--vocab", type=int, default=256),
                             p.add_argument("--layers", type=int, default=4),
                             p.add_argument("--heads", type=int, default=4),
                             p.add_argument("--d", type=int, default=128),
                             p.add_argument("--ff", type=int, default=512),
                             p.add_argument("--ctx", type=int, default=128),
                             p.add_argument("--batch", type=int, default=16),
                             p.add_argument("--workload", default="W2-demo-train")))
torch = init_torch(args.threads)
import torch.nn.functional as F
from models import GPT

torch.manual_seed(0)
V, CTX, B = args.vocab, args.ctx, args.batch
model = GPT(V, CTX, args.d, args.heads, args.layers, args.ff)
opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
nparams = sum(p.numel() for p in model.parameters())
data = torch.randint(0, V, (B, CTX + 1))
x, y = data[:, :-1].contiguous(), data[:, 1:].contiguous()


def step():
    logits = model(x)
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(args.warmup):
    step()
tps, step_ms = [], []
for _ in range(args.reps):
    t0 = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    dt = time.perf_counter() - t0
    tps.append(B * CTX * args.steps / dt)
    step_ms.append(1000 * dt / args.steps)
emit({"workload": args.workload, "threads": args.threads, "reps": args.reps, "steps_per_rep": args.steps,
      "params": nparams, "tokens_per_step": B * CTX, "tokens_per_s": stats(tps, 1), "step_ms": stats(step_ms, 1),
      "final_loss": round(loss, 4), "peak_rss_mb": peak_rss_mb(), "versions": versions()})
