import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'
import { checkBetas, checkBoolean, checkLearningRate, checkNonNegative } from '../validate.js'
import { optimizerClass } from './define.js'
import { PRELUDE_SCALARS, preprocess, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/adamax.rs: `Scalars`). */
const SCALARS = [...PRELUDE_SCALARS, 'beta1', 'oneMinusBeta1', 'beta2', 'eps', 'stepSize'] as const
const S = scalarIndex(SCALARS)

/** Adamax hyperparameters (torch.optim.Adamax); all can differ per param group. */
export interface AdamaxOptions {
  /** Learning rate γ (default 2e-3). */
  lr: number
  /** Decay rates of the first moment and of the infinity norm (default [0.9, 0.999]). */
  betas: readonly [number, number]
  /** Added to |g| inside the max, so the norm is never 0 (default 1e-8). */
  eps: number
  /** L2 penalty λ added to the gradient, g + λθ (default 0). */
  weightDecay: number
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

/**
 * Adamax (Kingma & Ba 2015, §7.1), Adam with the infinity norm, with PyTorch's numerics:
 * ```
 * g ← (maximize ? −g : g) + λθ
 * m ← β₁m + (1−β₁)g;  u ← max(β₂u, |g| + eps)
 * θ ← θ − γ/(1−β₁ᵗ) · m/u
 * ```
 * eps is inside the max (not added to u afterwards), and u needs no bias correction: it is a
 * max, not an average started at 0.
 */
export const adamaxRule: RuleDefinition<AdamaxOptions> = {
  rule: 'adamax',
  elementwise: true,
  scalars: SCALARS,
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkBetas(where, o.betas)
    checkNonNegative(where, 'eps', o.eps)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkBoolean(where, 'maximize', o.maximize)
  },
  stateTensors(_o, p: Parameter) {
    return [
      { name: 'expAvg', length: p.size },
      { name: 'expInf', length: p.size },
    ]
  },
  plan(o, state) {
    const t = state.step + 1
    const [beta1, beta2] = o.betas
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: o.weightDecay,
        beta1,
        oneMinusBeta1: 1 - beta1,
        beta2,
        eps: o.eps,
        stepSize: o.lr / (1 - beta1 ** t),
      }),
      next: { step: t },
    }
  },
  /** Mirror of crates/core/src/rules/adamax.rs. */
  kernel: ((p, g, [expAvg, expInf], s, _shape, r) => {
    const m = expAvg as typeof p
    const u = expInf as typeof p
    const prelude = readPrelude(s, r)
    const beta1 = r(s[S.beta1] as number)
    const oneMinusBeta1 = r(s[S.oneMinusBeta1] as number)
    const beta2 = r(s[S.beta2] as number)
    const eps = r(s[S.eps] as number)
    const stepSize = r(s[S.stepSize] as number)
    for (let i = 0; i < p.length; i++) {
      const pi = p[i] as number
      const gi = preprocess(prelude, pi, g[i] as number, r)
      const mi = r(r(beta1 * (m[i] as number)) + r(oneMinusBeta1 * gi))
      const decayed = r(beta2 * (u[i] as number))
      const floor = r(Math.abs(gi) + eps)
      // Mirrors real.rs `max`: Math.max differs on NaN and ±0.
      const ui = decayed > floor ? decayed : floor
      m[i] = mi
      u[i] = ui
      p[i] = r(pi - r(stepSize * r(mi / ui)))
    }
  }) satisfies JsKernel,
}

/** Adamax, Adam's infinity-norm variant, with L2 weight decay. See `adamaxRule`. */
export class Adamax extends optimizerClass('adamax', adamaxRule) {}
