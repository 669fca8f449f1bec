"""Reference cases for the sliding-window plugin's conformance kind, computed with PyTorch.

Run once with Debian's python3 + python3-torch; the build never runs it. Each case folder holds case.json and
io.safetensors (q, k, v, grad_out; expected out, grad_q, grad_k, grad_v), in the layout of ../shared/conformance.
Formula: scores = q.k^T / sqrt(D); query i (absolute position p = Lk - Lq + i) sees keys max(0, p-W+1)..p; softmax
over those; out = P.v. Gradients by torch.autograd of sum(out * grad_out).
"""
import json, os, struct
import torch

def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

def case(name, b, h, hkv, lq, lk, d, window, seed):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(b, h, lq, d, generator=g, dtype=torch.float64, requires_grad=True)
    k = torch.randn(b, hkv, lk, d, generator=g, dtype=torch.float64, requires_grad=True)
    v = torch.randn(b, hkv, lk, d, generator=g, dtype=torch.float64, requires_grad=True)
    grad_out = torch.randn(b, h, lq, d, generator=g, dtype=torch.float64)
    kk = k.repeat_interleave(h // hkv, dim=1)
    vv = v.repeat_interleave(h // hkv, dim=1)
    scores = q @ kk.transpose(-1, -2) / d ** 0.5
    pos = torch.arange(lq).unsqueeze(1) + (lk - lq)
    key = torch.arange(lk).unsqueeze(0)
    allowed = (key <= pos) & (key > pos - window)
    scores = scores.masked_fill(~allowed, float("-inf"))
    out = torch.softmax(scores, dim=-1) @ vv
    (out * grad_out).sum().backward()
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, "io.safetensors"), {
        "q": q, "k": k, "v": v, "grad_out": grad_out, "out": out, "grad_q": q.grad, "grad_k": k.grad, "grad_v": v.grad})
    with open(os.path.join(folder, "case.json"), "w") as f:
        json.dump({"name": name, "kind": "sliding-window-attention", "tolerance": {"atol": 1e-5, "rtol": 1e-4},
                   "params": {"window": window},
                   "conventions": "query i at position Lk-Lq+i sees keys max(0, p-window+1)..p; scale 1/sqrt(D); "
                                  "computed in float64 with PyTorch " + torch.__version__}, f, indent=2)

case("window3_mha", 2, 2, 2, 7, 7, 4, 3, 1)
case("window2_gqa_cached", 1, 4, 2, 3, 8, 8, 2, 2)
case("window1_self_only", 1, 2, 1, 5, 5, 4, 1, 3)
