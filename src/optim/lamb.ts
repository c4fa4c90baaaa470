import { sumByIndex, sumOfSquares } from '../backend/reduce.js'
import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'
import { checkBetas, checkBoolean, checkLearningRate, checkNonNegative } from '../validate.js'
import { optimizerClass } from './define.js'
import { flip, PRELUDE_SCALARS, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/lamb.rs: `Scalars`). */
const SCALARS = [
  ...PRELUDE_SCALARS,
  'beta1',
  'oneMinusBeta1',
  'beta2',
  'oneMinusBeta2',
  'biasCorrection1',
  'biasCorrection2',
  'epsRoot',
  'eps',
  'weightDecay',
  'lr',
] as const
const S = scalarIndex(SCALARS)

/** LAMB hyperparameters (optax.lamb); all can differ per param group. */
export interface LAMBOptions {
  /** Learning rate γ (default 1e-3; optax has no default). */
  lr: number
  /** Decay rates of the first and second moments (default [0.9, 0.999]). */
  betas: readonly [number, number]
  /** Added to √(v̂ + epsRoot), outside the root (default 1e-6, optax's). */
  eps: number
  /** Added to v̂ inside the root; > 0 keeps gradients of the root finite at v̂ = 0 (default 0). */
  epsRoot: number
  /** Decoupled weight decay λ, added to the Adam direction before the trust ratio (default 0). */
  weightDecay: number
  /** Ascend instead of descend (default false; optax has no such option). */
  maximize: boolean
}

/**
 * LAMB, layer-wise adaptive moments (You et al. 2020), with optax.lamb's numerics:
 * ```
 * g ← maximize ? −g : g
 * m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²
 * u = (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ) + epsRoot) + eps) + λθ
 * r = ‖θ‖₂/‖u‖₂ per tensor, or 1 when either norm is 0
 * θ ← θ − γ·r·u
 * ```
 * The ratio is not clipped (some LAMB variants clip it to [0, 10]; optax does not). The norms
 * are fixed-order f64 sums (`src/backend/reduce.ts`), so both backends agree bit for bit.
 */
export const lambRule: RuleDefinition<LAMBOptions> = {
  rule: 'lamb',
  scalars: SCALARS,
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, epsRoot: 0, weightDecay: 0, maximize: false },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkBetas(where, o.betas)
    checkNonNegative(where, 'eps', o.eps)
    checkNonNegative(where, 'epsRoot', o.epsRoot)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkBoolean(where, 'maximize', o.maximize)
  },
  stateTensors(_o, p: Parameter) {
    return [
      { name: 'expAvg', length: p.size },
      { name: 'expAvgSq', length: p.size },
    ]
  },
  plan(o, state) {
    const t = state.step + 1
    const [beta1, beta2] = o.betas
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: 0,
        beta1,
        oneMinusBeta1: 1 - beta1,
        beta2,
        oneMinusBeta2: 1 - beta2,
        biasCorrection1: 1 - beta1 ** t,
        biasCorrection2: 1 - beta2 ** t,
        epsRoot: o.epsRoot,
        eps: o.eps,
        weightDecay: o.weightDecay,
        lr: o.lr,
      }),
      next: { step: t },
    }
  },
  kernel: ((p, g, [m, v], s, _shape, r) => {
    const prelude = readPrelude(s, r)
    const beta1 = r(s[S.beta1] as number)
    const oneMinusBeta1 = r(s[S.oneMinusBeta1] as number)
    const beta2 = r(s[S.beta2] as number)
    const oneMinusBeta2 = r(s[S.oneMinusBeta2] as number)
    const biasCorrection1 = r(s[S.biasCorrection1] as number)
    const biasCorrection2 = r(s[S.biasCorrection2] as number)
    const epsRoot = r(s[S.epsRoot] as number)
    const eps = r(s[S.eps] as number)
    const weightDecay = r(s[S.weightDecay] as number)
    const lr = s[S.lr] as number
    const expAvg = m as typeof p
    const expAvgSq = v as typeof p
    const n = p.length

    const paramNorm = Math.sqrt(sumOfSquares(p))
    for (let i = 0; i < n; i++) {
      const gi = flip(prelude, g[i] as number)
      expAvg[i] = r(r(beta1 * (expAvg[i] as number)) + r(oneMinusBeta1 * gi))
      expAvgSq[i] = r(r(beta2 * (expAvgSq[i] as number)) + r(oneMinusBeta2 * r(gi * gi)))
    }
    // Recomputed in the last pass rather than stored: same inputs, same bits, no scratch buffer.
    const update = (i: number) => {
      const mHat = r((expAvg[i] as number) / biasCorrection1)
      const denom = r(r(Math.sqrt(r(r((expAvgSq[i] as number) / biasCorrection2) + epsRoot))) + eps)
      return r(r(mHat / denom) + r(weightDecay * (p[i] as number)))
    }
    const updateNorm = Math.sqrt(
      sumByIndex(n, (i) => {
        const u = update(i)
        return u * u
      }),
    )
    const ratio = paramNorm === 0 || updateNorm === 0 ? 1 : paramNorm / updateNorm
    const step = r(lr * ratio)
    for (let i = 0; i < n; i++) p[i] = r((p[i] as number) - r(step * update(i)))
  }) satisfies JsKernel,
}

/** LAMB: Adam directions rescaled per tensor by a trust ratio, for large batches. See `lambRule`. */
export class LAMB extends optimizerClass('lamb', lambRule) {}

// The same class under the spelling some codebases use (a rename keeps it a class, usable as a type).
export { LAMB as Lamb }
