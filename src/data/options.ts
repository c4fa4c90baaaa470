/**
 * Option checks and result types shared by the data sets. Every generator validates all its
 * options here before drawing anything, with messages that name the option.
 */
import { resolveBackend } from '../backend/select.js'
import type { BackendName } from '../backend/types.js'
import { rangeError } from '../errors.js'
import type { DType } from '../parameter.js'
import { checkSeed } from '../random.js'
import { type Tensor, tensor } from '../tensor.js'
import { checkNumber, checkOneOf, checkPlainObject, rejectUnknownKeys } from '../validate.js'

/** A float tensor, in the dtype the caller asked for. */
export type FloatTensor = Tensor<Float32Array | Float64Array>

/** Features and class labels: `x` is `[samples, features]`, `y` is `[samples]` (Int32Array). */
export interface LabelledData {
  readonly x: FloatTensor
  readonly y: Tensor<Int32Array>
}

/** Features and real targets: `x` is `[samples, features]`, `y` is `[samples, 1]`. */
export interface RegressionData {
  readonly x: FloatTensor
  readonly y: FloatTensor
}

/** A real data set split by a seeded shuffle. */
export interface SplitData {
  readonly train: LabelledData
  readonly test: LabelledData
}

/** Options every data set takes. */
export interface CommonDataOptions {
  /** Seed of descent's PRNG, an integer in [0, 2³²); default 0. */
  seed?: number
  /** Element type of `x` (and of `y` for regression); default `'float32'`. */
  dtype?: DType
  /**
   * Which implementation generates the values (`'native'` Rust or `'js'`); both give the same
   * bits. Default as for optimizers: `DESCENT_BACKEND`, else native when the addon loaded.
   */
  backend?: BackendName
}

/** Largest `samples × features`, so a typo cannot ask for gigabytes (the Rust cap too). */
export const MAX_ELEMENTS = 2 ** 28

/** Largest class count: labels are Int32Array values. */
export const MAX_CLASSES = 2 ** 31 - 1

/** `options` (undefined → `{}`), rejecting anything but a plain object with known keys. */
export function readOptions<T extends object>(
  where: string,
  options: T | undefined,
  allowed: readonly string[],
): Partial<T> {
  if (options === undefined) return {}
  checkPlainObject(where, 'options', options)
  rejectUnknownKeys(where, options, new Set(allowed))
  return options
}

/** An integer option in [min, max], or `fallback` when undefined. */
export function readInteger(
  where: string,
  what: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback
  checkNumber(where, what, value)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(where, what, `an integer in [${min}, ${max}]`, value)
  }
  return value
}

/** A finite number option in [0, max], or `fallback` when undefined. */
export function readNonNegative(
  where: string,
  what: string,
  value: unknown,
  fallback: number,
  max = Infinity,
) {
  if (value === undefined) return fallback
  checkNumber(where, what, value)
  if (!(Number.isFinite(value) && value >= 0 && value <= max)) {
    const expected = max === Infinity ? 'a finite number >= 0' : `a number in [0, ${max}]`
    throw rangeError(where, what, expected, value)
  }
  return value
}

/** `samples × features ≤ MAX_ELEMENTS`, or a RangeError naming both. */
export function checkSize(where: string, samples: number, features: number): void {
  if (samples * features > MAX_ELEMENTS) {
    throw new RangeError(
      `${where}: samples × features must be at most ${MAX_ELEMENTS}, got ${samples} × ${features}`,
    )
  }
}

/** The options every data set shares, checked, with their defaults. */
export function readCommon(
  where: string,
  options: CommonDataOptions,
): { seed: number; dtype: DType; backend: BackendName } {
  const seed = options.seed ?? 0
  checkSeed(where, seed)
  const dtype = options.dtype ?? 'float32'
  checkOneOf(where, 'dtype', dtype, ['float32', 'float64'] as const)
  const backend = resolveBackend(where, options.backend).name
  return { seed, dtype, backend }
}

/** `values` in `dtype`: rounded to nearest f32 (as Rust's `as f32`), or as is for f64. */
export function floatTensor(values: Float64Array, dtype: DType, shape: readonly number[]): FloatTensor {
  return tensor(dtype === 'float32' ? Float32Array.from(values) : values, shape)
}
