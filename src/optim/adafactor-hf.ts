import { rms } from '../backend/reduce.js'
import type { JsKernel } from '../backend/types.js'
import type { FloatArray } from '../parameter.js'
import {
  checkBoolean,
  checkLearningRate,
  checkNonNegative,
  checkPositive,
  checkUnitInterval,
} from '../validate.js'
import {
  checkDecayExponent,
  checkEpsPair,
  clipDivisor,
  factoring,
  locate,
  max,
  rowVarMeans,
  secondMomentTensors,
  sumOfSquaresOf,
  updateFactors,
} from './adafactor.js'
import { optimizerClass } from './define.js'
import { PRELUDE_SCALARS } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/adafactor_hf.rs: `Scalars`). */
const SCALARS = [
  ...PRELUDE_SCALARS,
  'beta2Hat',
  'oneMinusBeta2Hat',
  'rho',
  'scaleParameter',
  'eps1',
  'eps2',
  'clipThreshold',
  'weightDecay',
  'useFirstMoment',
  'beta1',
  'oneMinusBeta1',
] as const
const S = scalarIndex(SCALARS)

/** AdafactorHF hyperparameters (HF transformers' `Adafactor`); all can differ per param group. */
export interface AdafactorHFOptions {
  /**
   * Fixed learning rate, used only with `relativeStep: false` (set it then). Default 0, which
   * stands for HF's `lr=None`: with `relativeStep` (the default) the step size is the relative
   * step and any other lr is an error, as in HF. (It is 0 rather than null because every
   * optimizer's lr is a number that schedulers can read.)
   */
  lr: number
  /** [ε₁, ε₂] (default [1e-30, 1e-3]): ε₁ is added to g² (not a clamp); ε₂ floors RMS(θ). */
  eps: readonly [number, number]
  /** The update is scaled down to RMS ≤ clipThreshold (default 1). */
  clipThreshold: number
  /** τ in β̂₂ = 1 − t^τ; must be ≤ 0 (default −0.8). */
  decayRate: number
  /** First-moment decay; null (default) keeps no first moment. */
  beta1: number | null
  /** Weight decay λ: θ ← θ − λ·lr_t·θ, scaled by the step size lr_t rather than the lr (default 0). */
  weightDecay: number
  /** Multiply the step by max(ε₂, RMS(θ)) (default true). */
  scaleParameter: boolean
  /** Step size ρ = min(warmupInit ? 1e-6·t : 1e-2, 1/√t) instead of the fixed lr (default true). */
  relativeStep: boolean
  /** Warm the relative step up linearly (1e-6·t) instead of capping it at 1e-2; needs relativeStep (default false). */
  warmupInit: boolean
}

/** Mirror of crates/core/src/rules/adafactor_hf.rs. */
const adafactorHFKernel: JsKernel = (p, g, state, s, shape, r) => {
  const beta2 = r(s[S.beta2Hat] as number)
  const oneMinusBeta2 = r(s[S.oneMinusBeta2Hat] as number)
  const rho = s[S.rho] as number
  const scaleParameter = s[S.scaleParameter] !== 0
  const eps1 = s[S.eps1] as number
  const eps2 = s[S.eps2] as number
  const clipThreshold = s[S.clipThreshold] as number
  const weightDecay = s[S.weightDecay] as number
  const useFirstMoment = s[S.useFirstMoment] !== 0
  const beta1 = r(s[S.beta1] as number)
  const oneMinusBeta1 = r(s[S.oneMinusBeta1] as number)
  const n = p.length
  if (n === 0) return
  // HF takes RMS(θ) before the decay (which it applies last).
  const lrT = scaleParameter ? max(eps2, rms(p)) * rho : rho
  const decay = weightDecay !== 0
  const decayStep = r(weightDecay * lrT)
  const decayed = (pk: number) => (decay ? r(pk - r(decayStep * pk)) : pk)
  const finish = (update: (k: number) => number, expAvg: FloatArray | undefined) => {
    const step = r(lrT / clipDivisor(sumOfSquaresOf(n, update), n, clipThreshold))
    if (useFirstMoment && expAvg !== undefined) {
      for (let k = 0; k < n; k++) {
        const e = r(r(beta1 * (expAvg[k] as number)) + r(oneMinusBeta1 * r(step * update(k))))
        expAvg[k] = e
        p[k] = r(decayed(p[k] as number) - e)
      }
    } else {
      for (let k = 0; k < n; k++) p[k] = r(decayed(p[k] as number) - r(step * update(k)))
    }
  }

  const f = factoring(shape)
  if (f !== undefined) {
    const rowVar = state[0] as FloatArray
    const colVar = state[1] as FloatArray
    updateFactors(f, g, rowVar, colVar, beta2, oneMinusBeta2, (v) => v * v + eps1, r)
    const means = rowVarMeans(f, rowVar, r)
    const update = (k: number) => {
      const [b, row, col] = locate(f, k)
      const rowFactor = r(1 / r(Math.sqrt(r((rowVar[row] as number) / (means[b] as number)))))
      const colFactor = r(1 / r(Math.sqrt(colVar[b * f.cols + col] as number)))
      return r(r(rowFactor * colFactor) * (g[k] as number))
    }
    finish(update, state[2])
  } else {
    const variance = state[0] as FloatArray
    const eps1T = r(eps1)
    for (let k = 0; k < n; k++) {
      const gk = g[k] as number
      variance[k] = r(r(beta2 * (variance[k] as number)) + r(oneMinusBeta2 * r(r(gk * gk) + eps1T)))
    }
    finish((k) => r(r(1 / r(Math.sqrt(variance[k] as number))) * (g[k] as number)), state[1])
  }
}

/**
 * Adafactor as in the paper (Shazeer & Stern 2018) and HF transformers' `Adafactor`:
 * ```
 * t ← t+1;  β̂₂ = 1 − t^τ
 * ρ = relativeStep ? min(warmupInit ? 1e-6·t : 1e-2, 1/√t) : lr;   lr_t = (scaleParameter ? max(ε₂, RMS(θ)) : 1)·ρ
 * dim ≥ 2 (factored over the last two dims, leading dims are batch dims):
 *   R ← β̂₂R + (1−β̂₂)·mean over each row of (g² + ε₁);  C likewise down each column
 *   U = (R/mean(R))^(−½) ⊗ C^(−½) · g
 * dim ≤ 1:  V ← β̂₂V + (1−β̂₂)(g² + ε₁);  U = V^(−½)·g
 * U ← lr_t · U / max(1, RMS(U)/clipThreshold)
 * beta1 given:  e ← β₁e + (1−β₁)U;  U ← e
 * θ ← θ − λ·lr_t·θ − U
 * ```
 * Differences from `Adafactor` (torch): ε₁ is added to g² instead of clamping; the relative step
 * is capped at 1e-2 instead of the lr, and parameter scaling can be turned off; clipping happens
 * before the lr scaling; optional first moment; weight decay is scaled by lr_t.
 */
export const adafactorHFRule: RuleDefinition<AdafactorHFOptions> = {
  rule: 'adafactorHf',
  scalars: SCALARS,
  defaults: {
    lr: 0,
    eps: [1e-30, 1e-3],
    clipThreshold: 1,
    decayRate: -0.8,
    beta1: null,
    weightDecay: 0,
    scaleParameter: true,
    relativeStep: true,
    warmupInit: false,
  },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkEpsPair(where, o.eps, false)
    checkPositive(where, 'clipThreshold', o.clipThreshold)
    checkDecayExponent(where, 'decayRate', o.decayRate)
    if (o.beta1 !== null) checkUnitInterval(where, 'beta1', o.beta1)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkBoolean(where, 'scaleParameter', o.scaleParameter)
    checkBoolean(where, 'relativeStep', o.relativeStep)
    checkBoolean(where, 'warmupInit', o.warmupInit)
    if (o.relativeStep && o.lr !== 0) {
      throw new RangeError(
        `${where}: lr cannot be combined with relativeStep (pass relativeStep: false for a fixed lr)`,
      )
    }
    if (o.warmupInit && !o.relativeStep) throw new RangeError(`${where}: warmupInit needs relativeStep`)
  },
  stateTensors(o, p) {
    const tensors = secondMomentTensors(p)
    return o.beta1 === null ? tensors : [...tensors, { name: 'expAvg', length: p.size }]
  },
  plan(o, state) {
    const t = state.step + 1
    const [eps1, eps2] = o.eps
    const oneMinusBeta2 = t ** o.decayRate
    const rho = o.relativeStep ? Math.min(o.warmupInit ? 1e-6 * t : 1e-2, 1 / Math.sqrt(t)) : o.lr
    const beta1 = o.beta1 ?? 0
    return {
      scalars: packScalars(SCALARS, {
        // No maximize option here, and the weight decay is its own (decoupled).
        maximize: 0,
        coupledWeightDecay: 0,
        beta2Hat: 1 - oneMinusBeta2,
        oneMinusBeta2Hat: oneMinusBeta2,
        rho,
        scaleParameter: +o.scaleParameter,
        eps1,
        eps2,
        clipThreshold: o.clipThreshold,
        weightDecay: o.weightDecay,
        useFirstMoment: +(o.beta1 !== null),
        beta1,
        oneMinusBeta1: 1 - beta1,
      }),
      next: { step: t },
    }
  },
  kernel: adafactorHFKernel,
}

/** Adafactor with HF transformers' (the paper's) options and numerics. See `adafactorHFRule`. */
export class AdafactorHF extends optimizerClass('adafactorHf', adafactorHFRule) {}
