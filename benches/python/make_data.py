#!/usr/bin/env python3
"""Write a random data set in the .npz layout that simplenn_numpy.py --data reads.

    python3 make_data.py --rows 8000 --features 784 --classes 10 --seed 2 --out bench-results/mnist-like.npz

x: float32 [rows, features], uniform in [0, 1) (MNIST-like pixel range); y: int32 [rows],
uniform in 0..classes-1.  For running the larger net without the Node side (the Node benchmark
writes the real MNIST digits in the same layout).  With --normal, x ~ N(0, 1) instead.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import import_numpy  # noqa: E402

np = import_numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=8000)
    ap.add_argument("--features", type=int, default=784)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--normal", action="store_true", help="x ~ N(0,1) instead of U[0,1)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    shape = (args.rows, args.features)
    x = rng.standard_normal(shape, dtype=np.float32) if args.normal else rng.random(shape, dtype=np.float32)
    y = rng.integers(0, args.classes, args.rows, dtype=np.int32)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez(args.out, x=x, y=y)


if __name__ == "__main__":
    main()
