#!/usr/bin/env python3
"""Replays descent's own golden cases (__test__/fixtures/golden/{rprop,asgd,muon,*_schedule_free}.json,
written by reference.py from NumPy) through PyTorch and facebookresearch/schedule_free in float64, and prints the largest difference per
case: a check of reference.py against the code it was written from. Not part of `npm test`
(PyTorch is a 2 GB install); run it when a reference changes:

    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy schedulefree
    /tmp/torch/bin/python scripts/golden/check-torch.py

torch.optim.Muon runs Newton–Schulz in bfloat16; descent runs it in the matrix's dtype, so the
check swaps in torch's own function with the dtype kept (everything else is torch's code).
"""
import json
import os
import sys

import schedulefree
import torch
import torch.optim._muon as muon_module

HERE = os.path.dirname(__file__)
FIXTURES = os.path.join(HERE, '..', '..', '__test__', 'fixtures', 'golden')
torch_zeropower = muon_module._zeropower_via_newtonschulz


def zeropower_in_own_dtype(grad, ns_coefficients, ns_steps, eps):
    """torch's _zeropower_via_newtonschulz with its bfloat16 cast replaced by the input's dtype."""
    original_to = torch.Tensor.to

    def keep_dtype(self, *args, **kwargs):
        if kwargs.get('dtype') is torch.bfloat16:
            kwargs['dtype'] = self.dtype
        return original_to(self, *args, **kwargs)

    torch.Tensor.to = keep_dtype
    try:
        return torch_zeropower(grad, ns_coefficients, ns_steps, eps)
    finally:
        torch.Tensor.to = original_to


muon_module._zeropower_via_newtonschulz = zeropower_in_own_dtype


def snake(options):
    names = {'stepSizes': 'step_sizes', 'weightDecay': 'weight_decay', 'adjustLrFn': 'adjust_lr_fn',
             'nsCoefficients': 'ns_coefficients', 'nsSteps': 'ns_steps', 'warmupSteps': 'warmup_steps',
             'weightLrPower': 'weight_lr_power'}
    return {names.get(k, k): tuple(v) if isinstance(v, list) else v for k, v in options.items()}


MAKERS = {'rprop': torch.optim.Rprop, 'asgd': torch.optim.ASGD, 'muon': torch.optim.Muon,
          'adamwScheduleFree': schedulefree.AdamWScheduleFree, 'sgdScheduleFree': schedulefree.SGDScheduleFree}
FILES = {'adamwScheduleFree': 'adamw_schedule_free', 'sgdScheduleFree': 'sgd_schedule_free'}


def replay(case):
    params = [torch.tensor(p['data'], dtype=torch.float64).reshape(p['shape']).requires_grad_() for p in case['params']]
    optimizer = MAKERS[case['optimizer']](params, **snake(case['options']))
    if hasattr(optimizer, 'train'):
        optimizer.train()  # schedule_free's optimizers start in eval mode; descent's in train mode
    worst = 0.0
    for grads, expected in zip(case['grads'], case['expected']):
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g, dtype=torch.float64).reshape(p.shape)
        optimizer.step()
        for p, e in zip(params, expected):
            e = torch.tensor(e, dtype=torch.float64)
            got = p.detach().reshape(-1)
            worst = max(worst, float(((got - e).abs() / (1e-12 + e.abs())).max()))
    return worst


def rosenbrock_lbfgs():
    w = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([w], line_search_fn='strong_wolfe', max_iter=200, max_eval=500,
                                  tolerance_grad=1e-12, tolerance_change=1e-14)

    def closure():
        optimizer.zero_grad()
        loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
        loss.backward()
        return loss

    optimizer.step(closure)
    state = optimizer.state[w]
    return state['func_evals'], state['n_iter']


def main():
    torch.set_default_dtype(torch.float64)
    failed = False
    for rule in MAKERS:
        with open(os.path.join(FIXTURES, f'{FILES.get(rule, rule)}.json')) as f:
            cases = json.load(f)['cases']
        for case in cases:
            worst = replay(case)
            ok = worst <= 1e-9
            failed |= not ok
            print(f"{'ok ' if ok else 'BAD'} {case['name']:40s} largest relative difference {worst:.2e}")
    evals, iters = rosenbrock_lbfgs()
    # __test__/optimizers-lbfgs.test.ts holds descent to torch's count, ± 3.
    print(f'LBFGS, Rosenbrock from (-1.5, 2), strong Wolfe: {evals} closure evaluations, {iters} iterations')
    print(f'torch {torch.__version__}')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
