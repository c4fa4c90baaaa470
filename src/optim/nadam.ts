import type { JsKernel } from '../backend/types.js'
import type { FloatArray } from '../parameter.js'
import { checkBoolean, checkNonNegative } from '../validate.js'
import { optimizerClass } from './define.js'
import {
  MOMENT_SCALARS,
  momentScalars,
  momentTensors,
  readMoments,
  updateMoments,
  validateMomentOptions,
} from './moments.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/nadam.rs: `Scalars`). */
const SCALARS = [...MOMENT_SCALARS, 'biasCorrection2', 'eps', 'gradStep', 'momentumStep'] as const
const S = scalarIndex(SCALARS)

/** NAdam hyperparameters (torch.optim.NAdam); all can differ per param group. */
export interface NAdamOptions {
  /** Learning rate γ (default 2e-3). */
  lr: number
  /** Decay rates of the first and second moments (default [0.9, 0.999]). */
  betas: readonly [number, number]
  /** Added to √v̂ (outside the root, after bias correction) (default 1e-8). */
  eps: number
  /** Weight decay λ: L2 (g + λθ) unless decoupledWeightDecay (default 0). */
  weightDecay: number
  /** ψ in the momentum schedule μ_t = β₁(1 − ½·0.96^(tψ)) (default 4e-3). */
  momentumDecay: number
  /** Decay θ ← θ(1 − γλ) instead of L2, as AdamW does (default false). */
  decoupledWeightDecay: boolean
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

/** Dozat's momentum schedule at step t. */
function mu(beta1: number, momentumDecay: number, t: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay))
}

/**
 * NAdam (Dozat 2016), Adam with Nesterov momentum, with PyTorch's numerics (torch ≥ 2.0):
 * ```
 * g ← maximize ? −g : g;  g ← g + λθ (L2)  or  θ ← θ(1 − γλ) (decoupled)
 * μ_t = β₁(1 − ½·0.96^(tψ));  P_t = μ₁·…·μ_t  (the `muProduct` scalar state)
 * m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  d = √(v/(1−β₂ᵗ)) + eps
 * θ ← θ − γ(1−μ_t)/(1−P_t) · g/d − γμ_{t+1}/(1−P_t·μ_{t+1}) · m/d
 * ```
 * There is no 1/(1−β₁ᵗ): the μ-products are the first-moment correction (dividing by both,
 * as some tutorials do, inflates early steps up to 10×). The last denominator is P_t·μ_{t+1},
 * not torch ≤ 1.13's P_t·μ_t·μ_{t+1} (pytorch#92699).
 */
export const nadamRule: RuleDefinition<NAdamOptions> = {
  rule: 'nadam',
  elementwise: true,
  scalars: SCALARS,
  defaults: {
    lr: 2e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    momentumDecay: 4e-3,
    decoupledWeightDecay: false,
    maximize: false,
  },
  validate(where, o) {
    validateMomentOptions(where, o)
    checkNonNegative(where, 'momentumDecay', o.momentumDecay)
    checkBoolean(where, 'decoupledWeightDecay', o.decoupledWeightDecay)
  },
  stateTensors: (_o, p) => momentTensors(p),
  initialScalars: () => ({ step: 0, muProduct: 1 }),
  plan(o, state) {
    const t = state.step + 1
    const [beta1, beta2] = o.betas
    const muNow = mu(beta1, o.momentumDecay, t)
    const muNext = mu(beta1, o.momentumDecay, t + 1)
    const muProduct = (state.muProduct as number) * muNow
    const decoupled = o.decoupledWeightDecay
    return {
      scalars: packScalars(
        SCALARS,
        // Object.assign, not a spread: spreading into a literal made Adam's step() twice as slow.
        Object.assign(momentScalars(o, decoupled), {
          biasCorrection2: 1 - beta2 ** t,
          eps: o.eps,
          gradStep: (o.lr * (1 - muNow)) / (1 - muProduct),
          momentumStep: (o.lr * muNext) / (1 - muProduct * muNext),
        }),
      ),
      next: { step: t, muProduct },
    }
  },
  kernel: ((p, g, [m, v], s, _shape, r) => {
    const moments = readMoments(s, r)
    const biasCorrection2 = r(s[S.biasCorrection2] as number)
    const eps = r(s[S.eps] as number)
    const gradStep = r(s[S.gradStep] as number)
    const momentumStep = r(s[S.momentumStep] as number)
    const expAvg = m as FloatArray
    const expAvgSq = v as FloatArray
    for (let i = 0; i < p.length; i++) {
      const gi = updateMoments(moments, p, g, expAvg, expAvgSq, i, r)
      const denom = r(r(Math.sqrt(r((expAvgSq[i] as number) / biasCorrection2))) + eps)
      const pi = r((p[i] as number) - r(gradStep * r(gi / denom)))
      p[i] = r(pi - r(momentumStep * r((expAvg[i] as number) / denom)))
    }
  }) satisfies JsKernel,
}

/** NAdam: Adam with Nesterov momentum and Dozat's momentum schedule. See `nadamRule`. */
export class NAdam extends optimizerClass('nadam', nadamRule) {}
