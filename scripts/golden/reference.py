#!/usr/bin/env python3
"""Float64 references for the rules descent added after the shared golden set (issue 18), in
its format (ALGORITHMS.md §14, "optim-golden/1"): written from PyTorch's single-tensor code
paths (torch/optim/rprop.py `_single_tensor_rprop`, torch/optim/asgd.py `_single_tensor_asgd`)
and facebookresearch/schedule_free's `AdamWScheduleFree.step` and `SGDScheduleFree.step`,
independently of descent's TypeScript and Rust. Run from the repository root:

    python3 scripts/golden/reference.py     # writes __test__/fixtures/golden/<rule>.json

Deterministic (NumPy's PCG64 from a fixed seed), so re-running rewrites the same files.
"""
import json
import os

import numpy as np

SEED = 20261204
SHAPES = [[5], [4, 3], [3, 2, 2]]
OUT = os.path.join(os.path.dirname(__file__), '..', '..', '__test__', 'fixtures', 'golden')


def rprop(params, grads, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0), maximize=False):
    """torch.optim.Rprop, one tensor at a time, float64."""
    etaminus, etaplus = etas
    low, high = step_sizes
    prev = [np.zeros_like(p) for p in params]
    size = [np.full_like(p, lr) for p in params]
    out = []
    for step in grads:
        for i, (p, g) in enumerate(zip(params, step)):
            g = -g if maximize else g.copy()
            sign = np.sign(g * prev[i])
            factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0))
            size[i] = np.clip(size[i] * factor, low, high)
            g = np.where(factor == etaminus, 0.0, g)
            p -= np.sign(g) * size[i]
            prev[i] = g
        out.append([p.tolist() for p in params])
    return out


def asgd(params, grads, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False, averages=None):
    """torch.optim.ASGD, one tensor at a time, float64 (eta and mu as Python floats)."""
    eta = [lr for _ in params]
    mu = [1.0 for _ in params]
    ax = [np.zeros_like(p) for p in params]
    out = []
    for t, step in enumerate(grads, start=1):
        for i, (p, g) in enumerate(zip(params, step)):
            g = -g if maximize else g.copy()
            if weight_decay != 0:
                g = g + weight_decay * p
            p *= 1 - lambd * eta[i]
            p += -eta[i] * g
            if mu[i] != 1:
                ax[i] += (p - ax[i]) * mu[i]
            else:
                ax[i] = p.copy()
            eta[i] = lr / ((1 + lambd * lr * t) ** alpha)
            mu[i] = 1 / max(1, t - t0)
        out.append([p.tolist() for p in params])
        if averages is not None:
            averages.append([a.tolist() for a in ax])
    return out


def schedule_free_weights(state, lr, warmup_steps, r, weight_lr_power):
    """The reference's per-group scalars: scheduled lr, ckp1, and the updated k, lr_max, weight_sum."""
    k = state['k']
    sched = (k + 1) / warmup_steps if k < warmup_steps else 1.0
    lr = lr * sched
    state['lr_max'] = max(lr, state['lr_max'])
    weight = ((k + 1) ** r) * (state['lr_max'] ** weight_lr_power)
    state['weight_sum'] += weight
    ckp1 = weight / state['weight_sum'] if state['weight_sum'] != 0 else 0.0
    return k, lr, ckp1


def lerp(start, end, weight):
    return start + weight * (end - start)


def adamw_schedule_free(params, grads, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                        warmup_steps=0, r=0.0, weight_lr_power=2.0):
    """schedule_free's AdamWScheduleFree.step, float64, in train mode (the parameters hold y)."""
    beta1, beta2 = betas
    state = {'k': 0, 'lr_max': -1.0, 'weight_sum': 0.0}
    z = [p.copy() for p in params]
    v = [np.zeros_like(p) for p in params]
    out = []
    for step in grads:
        k, lr_t, ckp1 = schedule_free_weights(state, lr, warmup_steps, r, weight_lr_power)
        bias_correction2 = 1 - beta2 ** (k + 1)
        adaptive_y_lr = lr_t * (beta1 * (1 - ckp1) - 1)
        for i, (y, g) in enumerate(zip(params, step)):
            v[i] = v[i] * beta2 + (1 - beta2) * g * g
            normalised = g / (np.sqrt(v[i] / bias_correction2) + eps)
            if weight_decay != 0:
                normalised = normalised + weight_decay * y
            y[...] = lerp(y, z[i], ckp1) + adaptive_y_lr * normalised
            z[i] = z[i] - lr_t * normalised
        state['k'] = k + 1
        out.append([p.tolist() for p in params])
    return out


def sgd_schedule_free(params, grads, lr=1.0, momentum=0.9, weight_decay=0.0, warmup_steps=0, r=0.0,
                      weight_lr_power=2.0):
    """schedule_free's SGDScheduleFree.step, float64, in train mode."""
    state = {'k': 0, 'lr_max': -1.0, 'weight_sum': 0.0}
    z = [p.copy() for p in params]
    out = []
    for step in grads:
        k, lr_t, ckp1 = schedule_free_weights(state, lr, warmup_steps, r, weight_lr_power)
        adaptive_y_lr = lr_t * (momentum * (1 - ckp1) - 1)
        for i, (y, g) in enumerate(zip(params, step)):
            if weight_decay != 0:
                g = g + weight_decay * y
            y[...] = lerp(y, z[i], ckp1) + adaptive_y_lr * g
            z[i] = z[i] - lr_t * g
        state['k'] = k + 1
        out.append([p.tolist() for p in params])
    return out


def newton_schulz(g, coefficients, steps, eps):
    a, b, c = coefficients
    tall = g.shape[0] > g.shape[1]
    x = g.T.copy() if tall else g.copy()
    x = x / max(np.sqrt(np.sum(x * x)), eps)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


def muon(params, grads, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
         ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn='original'):
    """torch.optim.Muon's single-tensor step, float64 (torch runs Newton-Schulz in bfloat16)."""
    buf = [np.zeros_like(p) for p in params]
    out = []
    for step in grads:
        for i, (p, g) in enumerate(zip(params, step)):
            buf[i] = buf[i] + (1 - momentum) * (g - buf[i])
            update = g + momentum * (buf[i] - g) if nesterov else buf[i]
            ortho = newton_schulz(update, ns_coefficients, ns_steps, eps)
            rows, cols = p.shape
            ratio = {
                'original': np.sqrt(max(1, rows / cols)),
                'match_rms_adamw': 0.2 * np.sqrt(max(rows, cols)),
                'spectral_unclamped': np.sqrt(rows / cols),
            }[adjust_lr_fn]
            p *= 1 - lr * weight_decay
            p -= lr * ratio * ortho
        out.append([p.tolist() for p in params])
    return out


def cases_for(name, make_grads, variants, rule, shapes=SHAPES):
    rng = np.random.default_rng(SEED + sum(map(ord, name)))
    params = [rng.standard_normal(int(np.prod(s))).reshape(s) for s in shapes]
    cases = []
    for label, options, steps in variants:
        grads = make_grads(rng, params, steps)
        start = [p.copy() for p in params]
        expected = rule([p.copy() for p in start], grads, **options)
        cases.append({
            'name': f'{name}_{label}',
            'optimizer': name,
            'options': camel(options),
            'dtype': 'float64',
            'params': [{'shape': list(p.shape), 'data': p.ravel().tolist()} for p in start],
            'grads': [[g.ravel().tolist() for g in step] for step in grads],
            'expected': [[np.asarray(p).ravel().tolist() for p in step] for step in expected],
        })
    return cases


def camel(options):
    out = {}
    for key, value in options.items():
        head, *rest = key.split('_')
        camel_key = head + ''.join(w.capitalize() for w in rest)
        if key == 'adjust_lr_fn':
            camel_key = 'adjustLrFn'
        out[camel_key] = list(value) if isinstance(value, tuple) else value
    return out


def random_grads(rng, params, steps):
    return [[rng.standard_normal(p.shape) for p in params] for _ in range(steps)]


def oscillating_grads(rng, params, steps):
    """Signs that flip every other step on half the elements: Rprop's eta− branch and its frozen steps."""
    base = [np.abs(rng.standard_normal(p.shape)) + 0.1 for p in params]
    flips = [rng.random(p.shape) < 0.5 for p in params]
    return [[np.where(f & (k % 2 == 1), -b, b) * rng.uniform(0.5, 1.5) for b, f in zip(base, flips)] for k in range(steps)]


def write(name, cases):
    document = {
        'format': 'optim-golden/1',
        'set': 'descent',
        'seed': SEED,
        'generator': 'independent float64 reference (NumPy), written from torch.optim\'s single-tensor code (scripts/golden/reference.py)',
        'tolerance': {'rtol': 1e-09, 'atol': 1e-12, 'note': 'float64; compare |a-e| <= atol + rtol*|e| element-wise'},
        'cases': cases,
    }
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(document, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    write('rprop', cases_for('rprop', random_grads, [
        ('defaults', {}, 30),
        ('wide_steps', {'lr': 0.05, 'etas': (0.3, 1.5), 'step_sizes': (1e-3, 0.2)}, 30),
        ('maximize', {'lr': 0.01, 'maximize': True}, 20),
    ], rprop) + cases_for('rprop', oscillating_grads, [
        ('oscillating', {'lr': 0.02}, 30),
    ], rprop))
    write('asgd', cases_for('asgd', random_grads, [
        ('defaults', {}, 30),
        # Strong decay and an early t0, so eta, mu and the average all move within the run.
        ('averaging', {'lr': 0.05, 'lambd': 0.5, 'alpha': 0.75, 't0': 10, 'weight_decay': 0.01}, 30),
        ('maximize', {'lr': 0.02, 'maximize': True, 't0': 5}, 20),
    ], asgd))
    write('adamw_schedule_free', cases_for('adamwScheduleFree', random_grads, [
        ('defaults', {}, 30),
        ('warmup_decay', {'lr': 0.01, 'betas': (0.95, 0.99), 'weight_decay': 0.01, 'warmup_steps': 10, 'r': 0.5, 'weight_lr_power': 1.0}, 30),
    ], adamw_schedule_free))
    write('sgd_schedule_free', cases_for('sgdScheduleFree', random_grads, [
        ('defaults', {'lr': 0.1}, 30),
        ('warmup_decay', {'lr': 0.05, 'momentum': 0.8, 'weight_decay': 0.01, 'warmup_steps': 8, 'r': 1.0}, 30),
    ], sgd_schedule_free))
    matrices = [[4, 3], [3, 6], [5, 5]]
    write('muon', cases_for('muon', random_grads, [
        ('defaults', {'lr': 0.02}, 20),
        ('plain_momentum_match_rms', {'lr': 0.01, 'nesterov': False, 'momentum': 0.9, 'weight_decay': 0.0, 'adjust_lr_fn': 'match_rms_adamw'}, 20),
        ('spectral_unclamped', {'lr': 0.02, 'weight_decay': 0.05, 'adjust_lr_fn': 'spectral_unclamped', 'ns_steps': 4}, 15),
    ], muon, matrices))
