import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'
import { checkBoolean, checkLearningRate, checkNonNegative, checkUnitInterval } from '../validate.js'
import { optimizerClass } from './define.js'
import { PRELUDE_SCALARS, preprocess, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, type StateTensorSpec, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/rmsprop.rs: `Scalars`). */
const SCALARS = [...PRELUDE_SCALARS, 'alpha', 'oneMinusAlpha', 'eps', 'momentum', 'centered', 'lr'] as const
const S = scalarIndex(SCALARS)

/** RMSprop hyperparameters (torch.optim.RMSprop); all can differ per param group. */
export interface RMSpropOptions {
  /** Learning rate γ (default 1e-2). */
  lr: number
  /** Decay rate α of the running averages, in [0, 1) (default 0.99). */
  alpha: number
  /** Added to the root (outside it) (default 1e-8). */
  eps: number
  /** L2 penalty λ added to the gradient, g + λθ (default 0). */
  weightDecay: number
  /** Momentum μ of the buffer of normalised gradients (default 0: no buffer). */
  momentum: number
  /** Normalise by the centered second moment √(v − ḡ²) (Graves 2013) (default false). */
  centered: boolean
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

/**
 * RMSprop (Hinton, lecture 6e) with PyTorch's numerics:
 * ```
 * g ← (maximize ? −g : g) + λθ
 * v ← αv + (1−α)g²
 * den = centered ? √(v − ḡ²) + eps  with  ḡ ← αḡ + (1−α)g   :   √v + eps
 * momentum > 0:  b ← μb + g/den;  θ ← θ − γb        else:  θ ← θ − γ·g/den
 * ```
 * eps is outside the root. The momentum buffer starts at 0 (not at the first gradient, unlike
 * SGD's) and holds normalised gradients, so γ multiplies the buffer: an lr schedule takes effect
 * at once instead of through the buffer's memory.
 */
export const rmspropRule: RuleDefinition<RMSpropOptions> = {
  rule: 'rmsprop',
  elementwise: true,
  scalars: SCALARS,
  defaults: {
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
    maximize: false,
  },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkUnitInterval(where, 'alpha', o.alpha)
    checkNonNegative(where, 'eps', o.eps)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkNonNegative(where, 'momentum', o.momentum)
    checkBoolean(where, 'centered', o.centered)
    checkBoolean(where, 'maximize', o.maximize)
  },
  stateTensors(o, p: Parameter) {
    const tensors: StateTensorSpec[] = [{ name: 'squareAvg', length: p.size }]
    if (o.momentum > 0) tensors.push({ name: 'momentumBuffer', length: p.size })
    if (o.centered) tensors.push({ name: 'gradAvg', length: p.size })
    return tensors
  },
  plan(o, state) {
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: o.weightDecay,
        alpha: o.alpha,
        oneMinusAlpha: 1 - o.alpha,
        eps: o.eps,
        momentum: o.momentum,
        centered: +o.centered,
        lr: o.lr,
      }),
      next: { step: state.step + 1 },
    }
  },
  /** Mirror of crates/core/src/rules/rmsprop.rs. */
  kernel: ((p, g, [squareAvg, ...optional], s, _shape, r) => {
    const v = squareAvg as typeof p
    const prelude = readPrelude(s, r)
    const alpha = r(s[S.alpha] as number)
    const oneMinusAlpha = r(s[S.oneMinusAlpha] as number)
    const eps = r(s[S.eps] as number)
    const useMomentum = (s[S.momentum] as number) > 0
    const momentum = r(s[S.momentum] as number)
    const centered = s[S.centered] !== 0
    const lr = r(s[S.lr] as number)
    const buffer = useMomentum ? optional[0] : undefined
    const gradAvg = centered ? optional[useMomentum ? 1 : 0] : undefined
    for (let i = 0; i < p.length; i++) {
      const pi = p[i] as number
      const gi = preprocess(prelude, pi, g[i] as number, r)
      const vi = r(r(alpha * (v[i] as number)) + r(oneMinusAlpha * r(gi * gi)))
      v[i] = vi
      let den: number
      if (gradAvg !== undefined) {
        const gbar = r(r(alpha * (gradAvg[i] as number)) + r(oneMinusAlpha * gi))
        gradAvg[i] = gbar
        den = r(r(Math.sqrt(r(vi - r(gbar * gbar)))) + eps)
      } else {
        den = r(r(Math.sqrt(vi)) + eps)
      }
      if (buffer !== undefined) {
        const bi = r(r(momentum * (buffer[i] as number)) + r(gi / den))
        buffer[i] = bi
        p[i] = r(pi - r(lr * bi))
      } else {
        p[i] = r(pi - r(lr * r(gi / den)))
      }
    }
  }) satisfies JsKernel,
}

/** RMSprop, with optional momentum, centering and L2 weight decay. See `rmspropRule`. */
export class RMSprop extends optimizerClass('rmsprop', rmspropRule) {}
