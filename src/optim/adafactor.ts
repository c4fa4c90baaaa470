import { columnSums, rms, rowSums, sumByIndex } from '../backend/reduce.js'
import type { JsKernel, Round } from '../backend/types.js'
import { rangeError, typeError } from '../errors.js'
import type { DType, FloatArray, Parameter } from '../parameter.js'
import { checkBoolean, checkFinite, checkLearningRate, checkNonNegative } from '../validate.js'
import { optimizerClass } from './define.js'
import { flip, PRELUDE_SCALARS, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, type StateTensorSpec, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/adafactor.rs: `Scalars`). */
const SCALARS = [
  ...PRELUDE_SCALARS,
  'beta2Hat',
  'oneMinusBeta2Hat',
  'rho',
  'eps1',
  'eps2',
  'd',
  'decayFactor',
] as const
const S = scalarIndex(SCALARS)

/** Adafactor hyperparameters (torch.optim.Adafactor); all can differ per param group. */
export interface AdafactorOptions {
  /** Learning rate γ: caps the relative step ρ = min(γ, 1/√t) and scales weight decay (default 1e-2). */
  lr: number
  /** τ in the second-moment decay β̂₂ = 1 − t^τ; must be ≤ 0 (default −0.8). */
  beta2Decay: number
  /**
   * [ε₁, ε₂] (default [null, 1e-3]). ε₁ clamps √V and the mean of the row factors from below
   * (it is not added); null means the machine epsilon of the parameters' dtype (2⁻⁵² for
   * float64, 2⁻²³ for float32). ε₂ is the floor of the parameter scale RMS(θ).
   */
  eps: readonly [number | null, number]
  /** Clipping threshold: the update is scaled down to RMS ≤ d; must be ≥ 1 (default 1). */
  d: number
  /** Decoupled weight decay λ: θ ← θ(1 − γλ), with the raw lr γ (default 0). */
  weightDecay: number
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

/** How a tensor of dim ≥ 2 splits for the factored second moment: `batch` row-major matrices of `rows` × `cols`. */
export interface Factoring {
  readonly batch: number
  readonly rows: number
  readonly cols: number
}

/** Factoring over the last two dims (torch's); undefined for dim ≤ 1, which keeps a full second moment. */
export function factoring(shape: readonly number[]): Factoring | undefined {
  if (shape.length < 2) return undefined
  const batch = shape.slice(0, -2).reduce((a, b) => a * b, 1)
  return { batch, rows: shape[shape.length - 2] as number, cols: shape[shape.length - 1] as number }
}

/** rowVar + colVar for dim ≥ 2, else a param-sized variance (the kernels' state order). */
export function secondMomentTensors(p: Parameter): StateTensorSpec[] {
  const f = factoring(p.shape)
  if (f === undefined) return [{ name: 'variance', length: p.size }]
  return [
    { name: 'rowVar', length: f.batch * f.rows },
    { name: 'colVar', length: f.batch * f.cols },
  ]
}

/** Throws unless `value` is a pair [ε₁, ε₂] of numbers ≥ 0 (ε₁ may be null when `nullFirst`). */
export function checkEpsPair(where: string, value: unknown, nullFirst: boolean): void {
  if (!Array.isArray(value) || value.length !== 2)
    throw typeError(where, 'eps', 'an array [eps1, eps2]', value)
  if (!(nullFirst && value[0] === null)) checkNonNegative(where, 'eps[0]', value[0])
  checkNonNegative(where, 'eps[1]', value[1])
}

/** Throws unless `value` is a finite number ≤ 0 (a decay exponent: t^τ must not grow). */
export function checkDecayExponent(where: string, what: string, value: unknown): void {
  checkFinite(where, what, value)
  if (!(value <= 0)) throw rangeError(where, what, 'a finite number <= 0', value)
}

/** Mirrors `Factoring::locate` in adafactor.rs: the batch, row (of all batch·rows) and column of flat index k. */
export function locate(f: Factoring, k: number): [number, number, number] {
  const row = Math.floor(k / f.cols)
  return [Math.floor(row / f.rows), row, k % f.cols]
}

/**
 * Mirrors `update_factors` in adafactor.rs: rowVar ← β̂₂·rowVar + (1 − β̂₂)·mean of term(g) along
 * each row, colVar likewise down the columns of each batch matrix (f64 sums, one rounding).
 */
export function updateFactors(
  f: Factoring,
  grad: FloatArray,
  rowVar: FloatArray,
  colVar: FloatArray,
  beta2: number,
  oneMinusBeta2: number,
  term: (v: number) => number,
  r: Round,
): void {
  const sums = rowSums(grad, f.cols, term)
  for (let i = 0; i < rowVar.length; i++) {
    rowVar[i] = r(r(beta2 * (rowVar[i] as number)) + r(oneMinusBeta2 * r((sums[i] as number) / f.cols)))
  }
  const size = f.rows * f.cols
  for (let b = 0; b < f.batch; b++) {
    const columns = columnSums(grad.subarray(b * size, (b + 1) * size), f.cols, term)
    for (let j = 0; j < f.cols; j++) {
      const i = b * f.cols + j
      colVar[i] = r(r(beta2 * (colVar[i] as number)) + r(oneMinusBeta2 * r((columns[j] as number) / f.rows)))
    }
  }
}

/** Mirrors `row_var_means` in adafactor.rs: the mean of rowVar over each batch matrix's rows. */
export function rowVarMeans(f: Factoring, rowVar: FloatArray, r: Round): Float64Array {
  return rowSums(rowVar, f.rows, (v) => v).map((sum) => r(sum / f.rows))
}

/** real.rs' `max`: `b` unless `a > b` (Math.max differs on NaN and ±0). */
export function max(a: number, b: number): number {
  // Mirrors real.rs `max`: Math.max differs on NaN and ±0.
  return a > b ? a : b
}

/** Mirrors `clip_divisor` in adafactor.rs: max(1, RMS(U)/threshold) in f64. */
export function clipDivisor(sumOfSquares: number, length: number, threshold: number): number {
  const ratio = Math.sqrt(sumOfSquares / length) / threshold
  return max(1, ratio)
}

/** Mirrors `sum_of_squares_of` in adafactor.rs: ΣU² in reduce's blocked order, U computed on the fly. */
export function sumOfSquaresOf(length: number, update: (k: number) => number): number {
  return sumByIndex(length, (k) => {
    const u = update(k)
    return u * u
  })
}

function machineEpsilon(dtype: DType): number {
  return dtype === 'float32' ? 2 ** -23 : 2 ** -52
}

/** Mirror of crates/core/src/rules/adafactor.rs. */
const adafactorKernel: JsKernel = (p, g, state, s, shape, r) => {
  const prelude = readPrelude(s, r)
  const beta2 = r(s[S.beta2Hat] as number)
  const oneMinusBeta2 = r(s[S.oneMinusBeta2Hat] as number)
  const rho = s[S.rho] as number
  const eps1 = r(s[S.eps1] as number)
  const eps2 = s[S.eps2] as number
  const d = s[S.d] as number
  const decay = s[S.decayFactor] !== 1
  const decayFactor = r(s[S.decayFactor] as number)
  const n = p.length
  if (n === 0) return
  // θ's scale is taken before the weight decay, as torch does.
  const paramRms = rms(p)
  const alpha = max(eps2, paramRms) * rho
  const signed = (k: number) => flip(prelude, g[k] as number)
  const applyUpdate = (update: (k: number) => number) => {
    const step = r(alpha / clipDivisor(sumOfSquaresOf(n, update), n, d))
    for (let k = 0; k < n; k++) {
      const decayed = decay ? r((p[k] as number) * decayFactor) : (p[k] as number)
      p[k] = r(decayed - r(step * update(k)))
    }
  }

  const f = factoring(shape)
  if (f !== undefined) {
    const rowVar = state[0] as FloatArray
    const colVar = state[1] as FloatArray
    updateFactors(f, g, rowVar, colVar, beta2, oneMinusBeta2, (v) => v * v, r)
    // torch clamps the mean by ε₁ so that an all-zero gradient does not divide by 0.
    const means = rowVarMeans(f, rowVar, r).map((mean) => max(mean, eps1))
    applyUpdate((k) => {
      const [b, row, col] = locate(f, k)
      const v = r(r((rowVar[row] as number) * (colVar[b * f.cols + col] as number)) / (means[b] as number))
      const root = r(Math.sqrt(v))
      return r(signed(k) / max(root, eps1))
    })
  } else {
    const variance = state[0] as FloatArray
    for (let k = 0; k < n; k++) {
      const gk = g[k] as number
      variance[k] = r(r(beta2 * (variance[k] as number)) + r(oneMinusBeta2 * r(gk * gk)))
    }
    applyUpdate((k) => {
      const root = r(Math.sqrt(variance[k] as number))
      return r(signed(k) / max(root, eps1))
    })
  }
}

/**
 * Adafactor (Shazeer & Stern 2018) with torch.optim.Adafactor's numerics (torch ≥ 2.5):
 * ```
 * g ← maximize ? −g : g;  β̂₂ = 1 − t^τ;  ρ = min(γ, 1/√t);  α = max(ε₂, RMS(θ))·ρ   (θ before decay)
 * θ ← θ(1 − γλ)
 * dim ≥ 2 (factored over the last two dims, leading dims are batch dims):
 *   R ← β̂₂R + (1−β̂₂)·mean over each row of g²;  C ← β̂₂C + (1−β̂₂)·mean down each column of g²
 *   V = R ⊗ C / max(mean(R), ε₁)
 * dim ≤ 1:  V ← β̂₂V + (1−β̂₂)g²
 * U = g / max(√V, ε₁);   θ ← θ − α/max(1, RMS(U)/d) · U
 * ```
 * Memory is O(n + m) per n × m matrix instead of O(nm). 1−β̂₂ = 1 at t = 1, so the first step
 * replaces the zero state. ε₁ clamps √V rather than V by ε₁² (the same in exact arithmetic) so
 * that a tiny ε₁ cannot underflow to 0 in float32. The means and RMS values are fixed-order f64
 * sums, identical on both backends.
 */
export const adafactorRule: RuleDefinition<AdafactorOptions> = {
  rule: 'adafactor',
  scalars: SCALARS,
  defaults: { lr: 1e-2, beta2Decay: -0.8, eps: [null, 1e-3], d: 1, weightDecay: 0, maximize: false },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkDecayExponent(where, 'beta2Decay', o.beta2Decay)
    checkEpsPair(where, o.eps, true)
    checkFinite(where, 'd', o.d)
    if (!(o.d >= 1)) throw rangeError(where, 'd', 'a finite number >= 1', o.d)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkBoolean(where, 'maximize', o.maximize)
  },
  stateTensors: (_o, p) => secondMomentTensors(p),
  planReadsParam: true,
  plan(o, state, p) {
    const t = state.step + 1
    const [eps1, eps2] = o.eps
    const oneMinusBeta2 = t ** o.beta2Decay
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: 0,
        beta2Hat: 1 - oneMinusBeta2,
        oneMinusBeta2Hat: oneMinusBeta2,
        rho: Math.min(o.lr, 1 / Math.sqrt(t)),
        eps1: eps1 ?? machineEpsilon(p.dtype),
        eps2,
        d: o.d,
        decayFactor: 1 - o.lr * o.weightDecay,
      }),
      next: { step: t },
    }
  },
  kernel: adafactorKernel,
}

/** Adafactor: factored second moments, relative step sizes and update clipping. See `adafactorRule`. */
export class Adafactor extends optimizerClass('adafactor', adafactorRule) {}
