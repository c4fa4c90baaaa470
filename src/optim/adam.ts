import type { JsKernel } from '../backend/types.js'
import type { FloatArray, Parameter } from '../parameter.js'
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
import { type Plan, packScalars, type RuleDefinition, type ScalarState, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/adam.rs: `Scalars`). */
const SCALARS = [...MOMENT_SCALARS, 'biasCorrection2Sqrt', 'eps', 'stepSize', 'amsgrad'] as const
const S = scalarIndex(SCALARS)

/** Adam hyperparameters (torch.optim.Adam); all can differ per param group. */
export interface AdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr: number
  /** Decay rates of the first and second moments (default [0.9, 0.999]). */
  betas: readonly [number, number]
  /** Added to √v̂ (outside the root, after bias correction) (default 1e-8). */
  eps: number
  /** Weight decay λ: L2 (g + λθ) unless decoupledWeightDecay (default 0). */
  weightDecay: number
  /** AMSGrad: divide by the running max of v (default false). */
  amsgrad: boolean
  /** Ascend instead of descend (default false). */
  maximize: boolean
  /** Decay θ ← θ(1 − γλ) instead of L2, i.e. AdamW (default false). */
  decoupledWeightDecay: boolean
}

export function validateAdam(where: string, o: Omit<AdamOptions, 'decoupledWeightDecay'>): void {
  validateMomentOptions(where, o)
  checkBoolean(where, 'amsgrad', o.amsgrad)
}

export function adamStateTensors(o: { amsgrad: boolean }, p: Parameter) {
  const tensors = momentTensors(p)
  return o.amsgrad ? [...tensors, { name: 'maxExpAvgSq', length: p.size }] : tensors
}

/** Adam's per-step scalars (the layout documented in crates/core/src/rules/adam.rs). */
export function adamPlan(
  o: Omit<AdamOptions, 'decoupledWeightDecay'>,
  decoupled: boolean,
  state: ScalarState,
): Plan {
  const t = state.step + 1
  const [beta1, beta2] = o.betas
  const biasCorrection1 = 1 - beta1 ** t
  const biasCorrection2 = 1 - beta2 ** t
  return {
    scalars: packScalars(
      SCALARS,
      // Object.assign, not a spread: spreading into a literal made Adam's step() twice as slow.
      Object.assign(momentScalars(o, decoupled), {
        biasCorrection2Sqrt: Math.sqrt(biasCorrection2),
        eps: o.eps,
        stepSize: o.lr / biasCorrection1,
        amsgrad: +o.amsgrad,
      }),
    ),
    next: { step: t },
  }
}

/** Mirror of crates/core/src/rules/adam.rs. */
export const adamKernel: JsKernel = (p, g, [m, v, vmax], s, _shape, r) => {
  const moments = readMoments(s, r)
  const biasCorrection2Sqrt = r(s[S.biasCorrection2Sqrt] as number)
  const eps = r(s[S.eps] as number)
  const stepSize = r(s[S.stepSize] as number)
  const amsgrad = s[S.amsgrad] !== 0 && vmax !== undefined
  const expAvg = m as FloatArray
  const expAvgSq = v as FloatArray
  for (let i = 0; i < p.length; i++) {
    updateMoments(moments, p, g, expAvg, expAvgSq, i, r)
    let vi = expAvgSq[i] as number
    if (amsgrad) {
      const old = vmax[i] as number
      vi = old > vi ? old : vi
      vmax[i] = vi
    }
    const denom = r(r(r(Math.sqrt(vi)) / biasCorrection2Sqrt) + eps)
    p[i] = r((p[i] as number) - r(stepSize * r((expAvg[i] as number) / denom)))
  }
}

/**
 * Adam (Kingma & Ba 2015) with PyTorch's numerics:
 * ```
 * g ← maximize ? −g : g;  g ← g + λθ (L2)  or  θ ← θ(1 − γλ) (decoupled)
 * m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  u = amsgrad ? (vmax ← max(vmax, v)) : v
 * θ ← θ − γ/(1−β₁ᵗ) · m / (√u / √(1−β₂ᵗ) + eps)
 * ```
 */
export const adamRule: RuleDefinition<AdamOptions> = {
  rule: 'adam',
  elementwise: true,
  scalars: SCALARS,
  defaults: {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
    maximize: false,
    decoupledWeightDecay: false,
  },
  validate(where, o) {
    validateAdam(where, o)
    checkBoolean(where, 'decoupledWeightDecay', o.decoupledWeightDecay)
  },
  stateTensors: adamStateTensors,
  plan: (o, state) => adamPlan(o, o.decoupledWeightDecay, state),
  kernel: adamKernel,
}

/** Adam, with optional AMSGrad, L2 or decoupled weight decay. See `adamRule`. */
export class Adam extends optimizerClass('adam', adamRule) {}
