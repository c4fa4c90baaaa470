#!/usr/bin/env python3
"""float32 GEMM throughput of NumPy's BLAS for the MNIST net's shapes, and a square 1024 GEMM.

    python3 matmul_numpy.py [--batches 256,32] [--sizes 784,256,10] [--square 1024]
                            [--repeats 7] [--min-time 0.05] [--threads N] [--seed 0]

For each batch size B and each Dense layer (in -> out) of --sizes, the products one training
step of simplenn_numpy.py computes, with the same operand layouts (W is [out, in] as in torch):
  fwd   z  = a  @ W.T     m=B,   n=out, k=in
  dW    dW = dz.T @ a     m=out, n=in,  k=B
  dA    da = dz @ W       m=B,   n=in,  k=out     (not for the first layer: no dX is needed)
For 784,256,10 that is fwd 784->256 and 256->10, dW of both, and dA of 256->10.  Plus a square
m=n=k=--square product.  Each call writes into a preallocated output (np.matmul(..., out=)).

A sample runs the product back to back enough times to last >= --min-time seconds; the reported
time per call is the median over --repeats samples, GFLOP/s = 2*m*n*k / seconds / 1e9
("bestGflops": from the fastest sample, less sensitive to other load on the machine).  Per batch
size, "step" adds the products up: total flops / total median time of one training step's GEMMs.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import blas_info, emit, environment, import_numpy, limit_threads, median  # noqa: E402

np = import_numpy()
F32 = np.float32


def operands(rng, kind, m, n, k):
    """(A, B, out) with A @ B = out [m, n], laid out as the training code lays them out."""
    def r(*shape):
        return rng.uniform(-1, 1, size=shape).astype(F32)
    if kind == "fwd":        # a [m, k] @ (W [n, k]).T
        return r(m, k), r(n, k).T, np.empty((m, n), F32)
    if kind == "dW":         # (dz [k, m]).T @ a [k, n]
        return r(k, m).T, r(k, n), np.empty((m, n), F32)
    if kind in ("dA", "square"):   # dz [m, k] @ W [k, n]
        return r(m, k), r(k, n), np.empty((m, n), F32)
    raise ValueError(kind)


def time_gemm(a, b, out, repeats, min_time):
    np.matmul(a, b, out=out)                 # warm up (threads, caches, page faults)
    calls = 1
    while True:                              # calibrate: calls per sample lasting >= min_time
        t0 = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=out)
        dt = time.perf_counter() - t0
        if dt >= min_time or calls >= 1 << 24:
            break
        calls = max(calls * 2, int(calls * min_time / max(dt, 1e-9) * 1.2))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=out)
        samples.append((time.perf_counter() - t0) / calls)
    return samples, calls


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batches", default="256,32")
    ap.add_argument("--sizes", default="784,256,10", help="the net whose GEMMs to time")
    ap.add_argument("--square", type=int, default=1024, help="square GEMM size (0: none)")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-time", type=float, default=0.05, help="seconds per sample")
    ap.add_argument("--threads", type=int, default=None, help="limit BLAS threads (threadpoolctl)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    batches = [int(s) for s in args.batches.split(",") if s]
    rng = np.random.default_rng(args.seed)

    cases = []
    for bsz in batches:
        for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            tag = f"{fan_in}->{fan_out}"
            cases.append((f"B{bsz} fwd {tag}", bsz, "fwd", bsz, fan_out, fan_in))
            cases.append((f"B{bsz} dW {tag}", bsz, "dW", fan_out, fan_in, bsz))
            if layer > 0:
                cases.append((f"B{bsz} dA {tag}", bsz, "dA", bsz, fan_in, fan_out))
    if args.square:
        s = args.square
        cases.append((f"square {s}", None, "square", s, s, s))

    results = []
    with limit_threads(args.threads):
        for name, bsz, kind, m, n, k in cases:
            a, b, out = operands(rng, kind, m, n, k)
            assert a.dtype == b.dtype == out.dtype == F32
            samples, calls = time_gemm(a, b, out, args.repeats, args.min_time)
            sec = median(samples)
            results.append({
                "name": name, "batch": bsz, "kind": kind, "m": m, "n": n, "k": k,
                "layoutA": "T" if not a.flags.c_contiguous else "N",
                "layoutB": "T" if not b.flags.c_contiguous else "N",
                "secondsPerCall": sec, "gflops": 2 * m * n * k / sec / 1e9,
                "bestGflops": 2 * m * n * k / min(samples) / 1e9,
                "callsPerSample": calls, "samples": samples,
            })
        blas = blas_info(np)

    steps = []
    for bsz in batches:
        rs = [r for r in results if r["batch"] == bsz]
        flops = sum(2 * r["m"] * r["n"] * r["k"] for r in rs)
        sec = sum(r["secondsPerCall"] for r in rs)
        best = sum(min(r["samples"]) for r in rs)
        steps.append({"batch": bsz, "gemms": len(rs), "secondsPerStep": sec, "gflops": flops / sec / 1e9,
                      "bestGflops": flops / best / 1e9})

    emit({
        "impl": "numpy",
        "benchmark": "matmul float32",
        "sizes": sizes,
        "batches": batches,
        "repeats": args.repeats,
        "results": results,
        "steps": steps,
        **environment(np),
        "blas": blas,
    })


if __name__ == "__main__":
    main()
