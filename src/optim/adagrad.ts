import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'
import { checkBoolean, checkLearningRate, checkNonNegative } from '../validate.js'
import { optimizerClass } from './define.js'
import { PRELUDE_SCALARS, preprocess, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/adagrad.rs: `Scalars`). */
const SCALARS = [...PRELUDE_SCALARS, 'eps', 'clr'] as const
const S = scalarIndex(SCALARS)

/** Adagrad hyperparameters (torch.optim.Adagrad); all can differ per param group. */
export interface AdagradOptions {
  /** Learning rate γ (default 1e-2). */
  lr: number
  /** Decay of the lr over steps: γ / (1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number
  /** L2 penalty λ added to the gradient, g + λθ (default 0). */
  weightDecay: number
  /** Starting value of every element of the squared-gradient sum (default 0). */
  initialAccumulatorValue: number
  /** Added to √sum (outside the root) (default 1e-10). */
  eps: number
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

/**
 * Adagrad (Duchi, Hazan & Singer 2011) with PyTorch's numerics:
 * ```
 * g ← (maximize ? −g : g) + λθ
 * sum ← sum + g²                  (sum starts at initialAccumulatorValue)
 * θ ← θ − γ/(1 + (t−1)·lrDecay) · g / (√sum + eps)
 * ```
 * eps is outside the root, so with a zero initial accumulator an element whose gradients have
 * all been 0 takes no step (0 / eps) instead of dividing by zero.
 */
export const adagradRule: RuleDefinition<AdagradOptions> = {
  rule: 'adagrad',
  elementwise: true,
  scalars: SCALARS,
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkNonNegative(where, 'lrDecay', o.lrDecay)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkNonNegative(where, 'initialAccumulatorValue', o.initialAccumulatorValue)
    checkNonNegative(where, 'eps', o.eps)
    checkBoolean(where, 'maximize', o.maximize)
  },
  stateTensors(o, p: Parameter) {
    return [{ name: 'sum', length: p.size, fill: o.initialAccumulatorValue }]
  },
  plan(o, state) {
    const t = state.step + 1
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: o.weightDecay,
        eps: o.eps,
        clr: o.lr / (1 + (t - 1) * o.lrDecay),
      }),
      next: { step: t },
    }
  },
  /** Mirror of crates/core/src/rules/adagrad.rs. */
  kernel: ((p, g, [sum], s, _shape, r) => {
    const acc = sum as typeof p
    const prelude = readPrelude(s, r)
    const eps = r(s[S.eps] as number)
    const clr = r(s[S.clr] as number)
    for (let i = 0; i < p.length; i++) {
      const pi = p[i] as number
      const gi = preprocess(prelude, pi, g[i] as number, r)
      const si = r((acc[i] as number) + r(gi * gi))
      acc[i] = si
      p[i] = r(pi - r(clr * r(gi / r(r(Math.sqrt(si)) + eps))))
    }
  }) satisfies JsKernel,
}

/** Adagrad, with lr decay, L2 weight decay and a non-zero initial accumulator. See `adagradRule`. */
export class Adagrad extends optimizerClass('adagrad', adagradRule) {}
