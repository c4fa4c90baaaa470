import type { Round } from '../backend/types.js'
import type { FloatArray, Parameter } from '../parameter.js'
import { checkBetas, checkBoolean, checkLearningRate, checkNonNegative } from '../validate.js'
import { PRELUDE_SCALARS, type Prelude, preprocess, readPrelude } from './prelude.js'
import { scalarIndex } from './rule.js'

/**
 * The gradient pre-processing and moment update the Adam family shares (Adam/AdamW, NAdam,
 * RAdam), written once; the mirror of crates/core/src/rules/moments.rs.
 */

/** Options every Adam-family optimizer has. */
export interface MomentOptions {
  lr: number
  betas: readonly [number, number]
  eps: number
  weightDecay: number
  maximize: boolean
}

export function validateMomentOptions(where: string, o: MomentOptions): void {
  checkLearningRate(where, o.lr)
  checkBetas(where, o.betas)
  checkNonNegative(where, 'eps', o.eps)
  checkNonNegative(where, 'weightDecay', o.weightDecay)
  checkBoolean(where, 'maximize', o.maximize)
}

/** The first and second moment tensors. */
export function momentTensors(p: Parameter) {
  return [
    { name: 'expAvg', length: p.size },
    { name: 'expAvgSq', length: p.size },
  ]
}

/** The leading scalars of every Adam-family layout (crates/core/src/rules/moments.rs: `Scalars`). */
export const MOMENT_SCALARS = [
  ...PRELUDE_SCALARS,
  'decayFactor',
  'beta1',
  'oneMinusBeta1',
  'beta2',
  'oneMinusBeta2',
] as const
const S = scalarIndex(MOMENT_SCALARS)

/** The leading scalars' values, by name. */
export function momentScalars(
  o: MomentOptions,
  decoupled: boolean,
): Record<(typeof MOMENT_SCALARS)[number], number> {
  const [beta1, beta2] = o.betas
  return {
    maximize: +o.maximize,
    coupledWeightDecay: decoupled ? 0 : o.weightDecay,
    decayFactor: decoupled ? 1 - o.lr * o.weightDecay : 1,
    beta1,
    oneMinusBeta1: 1 - beta1,
    beta2,
    oneMinusBeta2: 1 - beta2,
  }
}

/** The seven leading scalars, rounded to the element type once per step. */
export interface Moments {
  readonly prelude: Prelude
  readonly decoupled: boolean
  readonly decayFactor: number
  readonly beta1: number
  readonly oneMinusBeta1: number
  readonly beta2: number
  readonly oneMinusBeta2: number
}

export function readMoments(s: readonly number[], r: Round): Moments {
  return {
    prelude: readPrelude(s, r),
    decoupled: s[S.decayFactor] !== 1,
    decayFactor: r(s[S.decayFactor] as number),
    beta1: r(s[S.beta1] as number),
    oneMinusBeta1: r(s[S.oneMinusBeta1] as number),
    beta2: r(s[S.beta2] as number),
    oneMinusBeta2: r(s[S.oneMinusBeta2] as number),
  }
}

/**
 * Element i: g ← ±g (+ λθ with L2); θ ← θ(1 − γλ) when decoupled; m ← β₁m + (1−β₁)g;
 * v ← β₂v + (1−β₂)g². Writes p[i], m[i], v[i]; returns the pre-processed gradient.
 */
export function updateMoments(
  k: Moments,
  p: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  i: number,
  r: Round,
): number {
  const gi = preprocess(k.prelude, p[i] as number, g[i] as number, r)
  if (k.decoupled) p[i] = r((p[i] as number) * k.decayFactor)
  m[i] = r(r(k.beta1 * (m[i] as number)) + r(k.oneMinusBeta1 * gi))
  v[i] = r(r(k.beta2 * (v[i] as number)) + r(k.oneMinusBeta2 * r(gi * gi)))
  return gi
}
