#!/usr/bin/env python3
"""A correct, per-parameter NumPy version of the tutorial's SimpleNN training, timed.

    python3 simplenn_numpy.py --sizes 20,64,3 --samples 1000 --batch 32 --epochs 50 \
        --lr 1e-3 --repeats 3 --seed 42 [--data FILE.npz] [--threads N]

Model: Dense layers laid out like torch.nn.Linear (weight [out, in], bias [out]), initialised
U(-1/sqrt(in), 1/sqrt(in)) (weight, then bias, layer by layer) from a numpy Generator; tanh on
every hidden layer, softmax output, mean softmax cross-entropy over the minibatch.
Optimizer: Adam with PyTorch's numerics (torch.optim.Adam, /work/shared/ALGORITHMS.md §4):
one (step, exp_avg, exp_avg_sq) per parameter, eps added outside the square root after the
bias correction, step size lr / (1 - beta1^t).
Loop: the tutorial's — no shuffling, consecutive minibatches x[i:i+batch], the last one short
(1000 = 31 x 32 + 8), one Adam step per minibatch, the gradient averaged over that minibatch.

What differs from the tutorial (ALGORITHMS.md §13.1 and the issue):
* the tutorial reuses ONE Adam object (one m, v and t) for W1, b1, W2, b2, so their moments
  overwrite each other and t advances 4x per minibatch; here every parameter has its own state;
* float32 throughout (the tutorial is float64); the dtypes are asserted (see check_dtypes);
* PyTorch Linear layout and init instead of randn*0.01 with [in, out] weights;
* the loss is computed with log-softmax (logsumexp) instead of log(p + 1e-8).

Data: --data FILE.npz with keys x (float32 [n, in]) and y (integer labels [n], int32
preferred); optional keys w0, b0, w1, b1, ... (float32, torch layout) replace the seeded
initial weights, so another implementation can start from identical parameters.  Without
--data: the tutorial's random classification data, x ~ N(0, 1) [samples, in] and y uniform in
0..classes-1 (it cannot be learned beyond chance).  Seeds: numpy.random.SeedSequence(seed)
spawns two streams, the first for the data and the second for the initial weights.

Timing: only the training loop (epochs x minibatches of forward, backward and Adam), not the
data generation, the initialisation or the final evaluation; every repeat starts again from the
same initial weights, and the median is reported.
Output: one JSON line (see README.md).
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


# ---------------------------------------------------------------------------------------------
# Model


def init_params(sizes, rng):
    """[(W, b), ...] like torch.nn.Linear: W [out, in], b [out], both U(-1/sqrt(in), 1/sqrt(in))."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, size=(fan_out, fan_in)).astype(F32)
        b = rng.uniform(-bound, bound, size=(fan_out,)).astype(F32)
        params.append((w, b))
    return params


ACTIVATION = "tanh"  # set by --activation: "tanh" or "relu" on every hidden layer


def forward(params, x):
    """Returns the activations [x, a1, ..., a_{L-1}] and the output logits z_L."""
    acts = [x]
    a = x
    last = len(params) - 1
    for i, (w, b) in enumerate(params):
        z = a @ w.T
        z += b
        if i == last:
            return acts, z
        a = np.tanh(z, out=z) if ACTIVATION == "tanh" else np.maximum(z, 0, out=z)
        acts.append(a)
    raise AssertionError("no layers")


def loss_and_output_grad(z, y):
    """Mean softmax cross-entropy of logits z [m, C] against labels y [m], and dLoss/dz."""
    m = z.shape[0]
    rows = np.arange(m)
    z = z - z.max(axis=1, keepdims=True)          # logits shifted: softmax and loss unchanged
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    loss = np.mean(np.log(s[:, 0]) - z[rows, y])  # -log softmax(z)[y], via log-sum-exp
    e /= s                                         # softmax probabilities
    e[rows, y] -= 1                                # p - onehot(y)
    e /= m                                         # the mean over the minibatch
    return loss, e


def backward(params, acts, dz):
    """Gradients [(dW, db), ...] for one minibatch, given dLoss/dz_L."""
    grads = [None] * len(params)
    for i in range(len(params) - 1, -1, -1):
        w, _ = params[i]
        a_prev = acts[i]
        dw = dz.T @ a_prev                          # [out, in]
        db = dz.sum(axis=0)                         # [out]
        grads[i] = (dw, db)
        if i > 0:
            da = dz @ w                             # [m, in]
            if ACTIVATION == "tanh":
                da *= 1 - a_prev * a_prev           # tanh'(z) = 1 - tanh(z)^2
            else:
                da *= a_prev > 0                    # relu'(z) = [z > 0] = [relu(z) > 0]
            dz = da
    return grads


def evaluate(params, x, y):
    _, z = forward(params, x)
    loss, _ = loss_and_output_grad(z, y)
    return float(loss)


def accuracy(params, x, y):
    """Loss and accuracy of the rows of x, as descent's model.evaluate reports them."""
    _, z = forward(params, x)
    loss, _ = loss_and_output_grad(z, y)
    return float(loss), float(np.mean(z.argmax(axis=1) == y))


# ---------------------------------------------------------------------------------------------
# Adam, one state per parameter (torch.optim.Adam, weight_decay 0, amsgrad False)


class Adam:
    def __init__(self, tensors, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.tensors = tensors
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        # Per parameter: step count t, exp_avg m, exp_avg_sq v, and a scratch buffer.
        self.state = [{"step": 0, "m": np.zeros_like(p), "v": np.zeros_like(p), "tmp": np.empty_like(p)}
                      for p in tensors]

    def step(self, grads):
        b1, b2, lr, eps = self.beta1, self.beta2, self.lr, self.eps
        for p, g, st in zip(self.tensors, grads, self.state):
            if g is None:          # no gradient: no state change, no t++ (ALGORITHMS.md §0)
                continue
            st["step"] += 1
            t = st["step"]
            m, v, tmp = st["m"], st["v"], st["tmp"]
            m *= b1                                   # m <- b1 m + (1 - b1) g
            np.multiply(g, 1 - b1, out=tmp)
            m += tmp
            v *= b2                                   # v <- b2 v + (1 - b2) g^2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            bc1 = 1 - b1 ** t                         # Python floats (double), as in torch
            bc2_sqrt = (1 - b2 ** t) ** 0.5
            np.sqrt(v, out=tmp)                       # den = sqrt(v) / sqrt(bc2) + eps
            tmp /= bc2_sqrt
            tmp += eps
            np.divide(m, tmp, out=tmp)                # p <- p - (lr / bc1) m / den
            tmp *= lr / bc1
            p -= tmp


# ---------------------------------------------------------------------------------------------
# Training


def flat(params):
    return [t for wb in params for t in wb]


def pairs(tensors):
    return [(tensors[i], tensors[i + 1]) for i in range(0, len(tensors), 2)]


def train(params, opt, x, y, epochs, batch, check=False):
    """The tutorial's loop; returns the per-epoch loss (mean over samples of the minibatch losses
    computed before each update).  With check=True every intermediate's dtype is asserted."""
    n = x.shape[0]
    history = []
    for _ in range(epochs):
        total = 0.0
        for i in range(0, n, batch):
            xb = x[i:i + batch]
            yb = y[i:i + batch]
            acts, z = forward(params, xb)
            loss, dz = loss_and_output_grad(z, yb)
            grads = backward(params, acts, dz)
            if check:
                check_dtypes(acts + [z, loss, dz] + flat(grads) + flat(params), "training step")
            opt.step(flat(grads))
            total += float(loss) * xb.shape[0]
        history.append(total / n)
    if check:
        check_dtypes(flat(params) + [a for st in opt.state for a in (st["m"], st["v"])], "after training")
    return history


def check_dtypes(arrays, where):
    for k, a in enumerate(arrays):
        assert np.asarray(a).dtype == F32, f"{where}: array #{k} is {np.asarray(a).dtype}, not float32"


# ---------------------------------------------------------------------------------------------
# Data


def load_data(path, sizes, samples):
    with np.load(path) as f:
        if "x" not in f or "y" not in f:
            sys.exit(f"{path}: needs arrays 'x' (float32 [n, {sizes[0]}]) and 'y' (int [n]); has {list(f.keys())}")
        x, y = f["x"], f["y"]
        init = [f[k] for k in sorted((k for k in f.keys() if k[0] in "wb" and k[1:].isdigit()),
                                     key=lambda k: (int(k[1:]), k[0] == "b"))]
    if x.dtype != F32:
        sys.exit(f"{path}: x is {x.dtype}; write it as float32 ('<f4')")
    if x.ndim != 2 or x.shape[1] != sizes[0]:
        sys.exit(f"{path}: x has shape {x.shape}; expected [n, {sizes[0]}] for --sizes {sizes}")
    if y.ndim != 1 or y.shape[0] != x.shape[0] or y.dtype.kind not in "iu":
        sys.exit(f"{path}: y must be integer labels [{x.shape[0]}]; got {y.dtype} {y.shape}")
    if y.size and (y.min() < 0 or y.max() >= sizes[-1]):
        sys.exit(f"{path}: labels must lie in 0..{sizes[-1] - 1}; got {y.min()}..{y.max()}")
    if not np.isfinite(x).all():
        sys.exit(f"{path}: x contains NaN or infinity")
    if samples is not None:
        if samples > x.shape[0]:
            sys.exit(f"{path}: --samples {samples} but the file has only {x.shape[0]} rows")
        x, y = x[:samples], y[:samples]
    return np.ascontiguousarray(x), y.astype(np.intp), init


def init_from_file(init, sizes, path):
    if len(init) != 2 * (len(sizes) - 1):
        sys.exit(f"{path}: initial weights w0, b0, ... must cover all {len(sizes) - 1} layers")
    params = []
    for i, (w, b) in enumerate(pairs(init)):
        want = ((sizes[i + 1], sizes[i]), (sizes[i + 1],))
        if w.shape != want[0] or b.shape != want[1] or w.dtype != F32 or b.dtype != F32:
            sys.exit(f"{path}: w{i}, b{i} must be float32 {want}; got {w.dtype} {w.shape}, {b.dtype} {b.shape}")
        params.append((np.ascontiguousarray(w), np.ascontiguousarray(b)))
    return params


# ---------------------------------------------------------------------------------------------
# Self-test: gradients against central differences, in float64


def selftest():
    rng = np.random.default_rng(0)
    sizes = [5, 7, 6, 4]
    params = [(w.astype(np.float64), b.astype(np.float64)) for w, b in init_params(sizes, rng)]
    x = rng.standard_normal((9, sizes[0]))
    y = rng.integers(0, sizes[-1], 9)
    acts, z = forward(params, x)
    _, dz = loss_and_output_grad(z, y)
    grads = backward(params, acts, dz)
    worst = 0.0
    h = 1e-6
    for p, g in zip(flat(params), flat(grads)):
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            lp = evaluate(params, x, y)
            p[idx] = old - h
            lm = evaluate(params, x, y)
            p[idx] = old
            num = (lp - lm) / (2 * h)
            worst = max(worst, abs(num - g[idx]) / max(1e-6, abs(num) + abs(g[idx])))
    assert worst < 1e-6, f"gradient check failed: worst relative error {worst:.3g}"
    # Adam: the first step moves every element by lr * g / (|g| + eps) (bias corrections cancel);
    # two separate parameters advance their own step counts.
    p1, p2 = np.array([1.0, -2.0]), np.array([[0.5]])
    opt = Adam([p1, p2], lr=0.1)
    g1, g2 = np.array([0.3, -4.0]), np.array([[2.0]])
    opt.step([g1, g2])
    assert np.allclose(p1, [1.0 - 0.1 * 0.3 / (0.3 + 1e-8), -2.0 + 0.1 * 4.0 / (4.0 + 1e-8)], rtol=0, atol=1e-15)
    opt.step([g1, None])
    assert opt.state[0]["step"] == 2 and opt.state[1]["step"] == 1
    return {"gradcheckWorstRelError": worst}


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20,64,3", help="layer sizes, input first (default 20,64,3)")
    ap.add_argument("--samples", type=int, default=None, help="rows (default 1000, or all rows of --data)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--data", default=None, help=".npz with x (float32 [n, in]) and y (int [n])")
    ap.add_argument("--threads", type=int, default=None, help="limit BLAS threads (threadpoolctl)")
    ap.add_argument("--selftest", action="store_true", help="gradient check and Adam check, then exit")
    ap.add_argument("--activation", choices=["tanh", "relu"], default="tanh", help="hidden activation")
    ap.add_argument("--test", default=None, help=".npz with x, y: time evaluating them (evalSeconds)")
    ap.add_argument("--target-accuracy", type=float, default=None,
                    help="with --test: train epoch by epoch, evaluating the test rows after each, "
                         "until this accuracy (secondsToTarget, epochsToTarget; at most --epochs)")
    args = ap.parse_args(argv)

    global ACTIVATION
    ACTIVATION = args.activation
    if args.selftest:
        emit({"impl": "numpy", "selftest": "passed", **selftest(), **environment(np)})
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    if len(sizes) < 2 or min(sizes) < 1:
        ap.error("--sizes needs at least two positive sizes")
    if args.batch < 1 or args.epochs < 0 or args.repeats < 1:
        ap.error("--batch and --repeats must be >= 1, --epochs >= 0")

    data_ss, init_ss = np.random.SeedSequence(args.seed).spawn(2)
    if args.data:
        x, y, init = load_data(args.data, sizes, args.samples)
        source = os.path.basename(args.data)
    else:
        n = 1000 if args.samples is None else args.samples
        rng = np.random.default_rng(data_ss)
        x = rng.standard_normal((n, sizes[0]), dtype=F32)
        y = rng.integers(0, sizes[-1], n).astype(np.intp)
        init, source = [], "generated: x ~ N(0,1), y uniform (the tutorial's random classification)"
    n = x.shape[0]
    if n < 1:
        ap.error("no samples")
    if init:
        initial = init_from_file(init, sizes, args.data)
        init_source = "file"
    else:
        initial = init_params(sizes, np.random.default_rng(init_ss))
        init_source = f"U(-1/sqrt(in), 1/sqrt(in)), seed {args.seed}"

    def fresh():
        params = [(w.copy(), b.copy()) for w, b in initial]
        return params, Adam(flat(params), lr=args.lr)

    with limit_threads(args.threads):
        # Untimed: one epoch with every dtype asserted (also warms caches and BLAS threads).
        params, opt = fresh()
        train(params, opt, x, y, min(1, args.epochs), args.batch, check=True)

        runs, history, finals = [], None, []
        for _ in range(args.repeats):
            params, opt = fresh()
            t0 = time.perf_counter()
            history = train(params, opt, x, y, args.epochs, args.batch)
            runs.append(time.perf_counter() - t0)
            check_dtypes(flat(params) + [a for st in opt.state for a in (st["m"], st["v"])], "after a timed run")
            finals.append(evaluate(params, x, y))
        initial_loss = evaluate(initial, x, y)
        blas = blas_info(np)
        extra = {}
        if args.test:
            with np.load(args.test) as f:
                tx, ty = f["x"].astype(F32, copy=False), f["y"].astype(np.intp)
            # Evaluation of the test rows with the trained weights: warm, then the median of 20.
            accuracy(params, tx, ty)
            samples = []
            for _ in range(20):
                t0 = time.perf_counter()
                accuracy(params, tx, ty)
                samples.append(time.perf_counter() - t0)
            extra["evalSeconds"] = median(samples)
            extra["evalMinSeconds"] = min(samples)
            if args.target_accuracy is not None:
                # Time to target: epochs of training, each followed by an evaluation of the test
                # rows (both timed), until the accuracy reaches the target.
                params, opt = fresh()
                t0 = time.perf_counter()
                reached, epochs_done, acc = None, 0, 0.0
                for epoch in range(1, args.epochs + 1):
                    train(params, opt, x, y, 1, args.batch)
                    _, acc = accuracy(params, tx, ty)
                    epochs_done = epoch
                    if acc >= args.target_accuracy:
                        reached = time.perf_counter() - t0
                        break
                extra.update({"secondsToTarget": reached, "epochsToTarget": epochs_done, "finalAccuracy": acc})

    steps = args.epochs * -(-n // args.batch)
    emit({
        "impl": "numpy",
        "sizes": sizes,
        "samples": n,
        "batch": args.batch,
        "epochs": args.epochs,
        "lr": args.lr,
        "seed": args.seed,
        "optimizer": "adam (torch numerics, per-parameter state)",
        "dtype": "float32",
        "medianSeconds": median(runs),
        "minSeconds": min(runs),
        "runs": runs,
        "steps": steps,
        "usPerStep": median(runs) / steps * 1e6 if steps else None,
        "initialLoss": initial_loss,
        "finalLoss": finals[-1],
        "repeatsAgree": len(set(finals)) == 1,
        "epochLoss": history,
        "data": source,
        "init": init_source,
        "activation": args.activation,
        **extra,
        **environment(np),
        "blas": blas,
    })


if __name__ == "__main__":
    main()
