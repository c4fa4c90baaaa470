import type { JsKernel } from '../backend/types.js'
import type { FloatArray } from '../parameter.js'
import { checkBoolean } from '../validate.js'
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

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/radam.rs: `Scalars`). */
const SCALARS = [...MOMENT_SCALARS, 'eps', 'rectified', 'stepSize'] as const
const S = scalarIndex(SCALARS)

/** RAdam hyperparameters (torch.optim.RAdam); all can differ per param group. */
export interface RAdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr: number
  /** Decay rates of the first and second moments (default [0.9, 0.999]). */
  betas: readonly [number, number]
  /** Added to √v of the uncorrected v (outside the root) (default 1e-8). */
  eps: number
  /** Weight decay λ: L2 (g + λθ) unless decoupledWeightDecay (default 0). */
  weightDecay: number
  /** Decay θ ← θ(1 − γλ) instead of L2, as AdamW does (default false). */
  decoupledWeightDecay: boolean
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

/** Liu et al.'s variance rectification r(ρ_t), defined for ρ_t > 4 (used for ρ_t > 5). */
function rectification(rhoT: number, rhoInf: number): number {
  return Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
}

/**
 * RAdam (Liu et al. 2020), Adam with the variance of its adaptive rate rectified, with
 * PyTorch's numerics:
 * ```
 * g ← maximize ? −g : g;  g ← g + λθ (L2)  or  θ ← θ(1 − γλ) (decoupled)
 * m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ)
 * ρ∞ = 2/(1−β₂) − 1;  ρ_t = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ)
 * ρ_t > 5:  r = √((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t));  θ ← θ − γ·m̂·r·√(1−β₂ᵗ)/(√v + eps)
 * else:     θ ← θ − γ·m̂        (SGD with momentum while the variance is intractable)
 * ```
 * With β₂ = 0.999 the first five steps take the second branch. The branch and r depend only on
 * t and β₂, so they are per-step scalars, identical for both backends.
 */
export const radamRule: RuleDefinition<RAdamOptions> = {
  rule: 'radam',
  elementwise: true,
  scalars: SCALARS,
  defaults: {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    decoupledWeightDecay: false,
    maximize: false,
  },
  validate(where, o) {
    validateMomentOptions(where, o)
    checkBoolean(where, 'decoupledWeightDecay', o.decoupledWeightDecay)
  },
  stateTensors: (_o, p) => momentTensors(p),
  plan(o, state) {
    const t = state.step + 1
    const [beta1, beta2] = o.betas
    const biasCorrection1 = 1 - beta1 ** t
    const biasCorrection2 = 1 - beta2 ** t
    const rhoInf = 2 / (1 - beta2) - 1
    const rhoT = rhoInf - (2 * t * beta2 ** t) / biasCorrection2
    const rectified = rhoT > 5
    // m̂'s step: Adam's, scaled by r, once rectified; plain momentum SGD before.
    const momentumStep = o.lr / biasCorrection1
    const stepSize = rectified
      ? momentumStep * rectification(rhoT, rhoInf) * Math.sqrt(biasCorrection2)
      : momentumStep
    const decoupled = o.decoupledWeightDecay
    return {
      scalars: packScalars(
        SCALARS,
        // Object.assign, not a spread: spreading into a literal made Adam's step() twice as slow.
        Object.assign(momentScalars(o, decoupled), {
          eps: o.eps,
          rectified: +rectified,
          stepSize,
        }),
      ),
      next: { step: t },
    }
  },
  kernel: ((p, g, [m, v], s, _shape, r) => {
    const moments = readMoments(s, r)
    const eps = r(s[S.eps] as number)
    const rectified = s[S.rectified] !== 0
    const stepSize = r(s[S.stepSize] as number)
    const expAvg = m as FloatArray
    const expAvgSq = v as FloatArray
    for (let i = 0; i < p.length; i++) {
      updateMoments(moments, p, g, expAvg, expAvgSq, i, r)
      const mi = expAvg[i] as number
      const direction = rectified ? r(mi / r(r(Math.sqrt(expAvgSq[i] as number)) + eps)) : mi
      p[i] = r((p[i] as number) - r(stepSize * direction))
    }
  }) satisfies JsKernel,
}

/** RAdam: Adam with a rectified adaptive learning rate (no warmup needed). See `radamRule`. */
export class RAdam extends optimizerClass('radam', radamRule) {}
