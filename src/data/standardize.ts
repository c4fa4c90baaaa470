import { rangeError, typeError } from '../errors.js'
import { checkTensor, type Tensor, tensor } from '../tensor.js'
import { checkPlainObject, rejectUnknownKeys } from '../validate.js'
import type { FloatTensor } from './options.js'

/** Per-feature mean and (population) standard deviation, to scale new rows as the training rows were. */
export interface FeatureStats {
  readonly mean: readonly number[]
  readonly std: readonly number[]
}

/** The float matrix `[rows, features]` a statistic or a scaling is taken over. */
function checkMatrix(where: string, x: unknown): FloatTensor {
  const t = checkTensor(where, 'x', x)
  if (t.data instanceof Int32Array) throw typeError(where, 'x.data', 'a Float32Array or Float64Array', t.data)
  if (t.shape.length !== 2) throw rangeError(where, 'x.shape', 'two dimensions [rows, features]', t.shape)
  return t as FloatTensor
}

/**
 * Statistics of `rows` of a row-major table with `features` columns: each feature's mean and
 * population std in f64, a std of 0 (a constant feature) taken as 1 so that it scales to 0.
 */
export function statsOfRows(
  value: (index: number) => number,
  features: number,
  rows: ArrayLike<number>,
): FeatureStats {
  const mean: number[] = []
  const std: number[] = []
  for (let j = 0; j < features; j++) {
    let sum = 0
    for (let k = 0; k < rows.length; k++) sum += value((rows[k] as number) * features + j)
    const m = sum / rows.length
    let squares = 0
    for (let k = 0; k < rows.length; k++) squares += (value((rows[k] as number) * features + j) - m) ** 2
    mean.push(m)
    std.push(Math.sqrt(squares / rows.length) || 1)
  }
  return Object.freeze({ mean: Object.freeze(mean), std: Object.freeze(std) })
}

/**
 * Each feature's mean and standard deviation over the rows of `x` ([rows, features]), for
 * `standardize`. A constant feature gets std 1.
 *
 * ```ts
 * const stats = data.featureStats(train.x)
 * const scaled = data.standardize(newRows, stats)
 * ```
 */
export function featureStats(x: Tensor): FeatureStats {
  const t = checkMatrix('data.featureStats', x)
  const [rows, features] = t.shape as [number, number]
  if (rows === 0) throw rangeError('data.featureStats', 'x', 'at least one row', x)
  return statsOfRows(
    (i) => t.data[i] as number,
    features,
    Uint32Array.from({ length: rows }, (_, r) => r),
  )
}

/**
 * `x` with each feature shifted by `stats.mean` and divided by `stats.std`, computed in f64 and
 * stored in x's dtype (a new tensor; `x` is unchanged). Use the stats `data.iris({ standardize:
 * true })` returned, or `featureStats` of your training rows, so new rows scale as training did.
 */
export function standardize(x: Tensor, stats: FeatureStats): FloatTensor {
  const where = 'data.standardize'
  const t = checkMatrix(where, x)
  const features = t.shape[1] as number
  checkPlainObject(where, 'stats', stats)
  rejectUnknownKeys(where, stats, new Set(['mean', 'std']))
  const mean = checkVector(where, 'stats.mean', stats.mean, features, false)
  const std = checkVector(where, 'stats.std', stats.std, features, true)
  const out =
    t.data instanceof Float32Array ? new Float32Array(t.data.length) : new Float64Array(t.data.length)
  for (let i = 0; i < out.length; i++) {
    const j = i % features
    out[i] = ((t.data[i] as number) - (mean[j] as number)) / (std[j] as number)
  }
  return tensor(out, t.shape)
}

function checkVector(
  where: string,
  what: string,
  value: unknown,
  length: number,
  positive: boolean,
): ArrayLike<number> {
  const ok = Array.isArray(value) || value instanceof Float64Array || value instanceof Float32Array
  if (!ok) throw typeError(where, what, `an array of ${length} numbers (one per feature)`, value)
  const list = value as ArrayLike<unknown>
  if (list.length !== length)
    throw rangeError(where, `${what}.length`, `${length}, x's feature count`, list.length)
  for (let j = 0; j < length; j++) {
    const v = list[j]
    if (typeof v !== 'number' || !Number.isFinite(v) || (positive && !(v > 0)))
      throw rangeError(where, `${what}[${j}]`, positive ? 'a finite number > 0' : 'a finite number', v)
  }
  return list as ArrayLike<number>
}
