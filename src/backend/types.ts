import type { FloatArray } from '../parameter.js'

/** Which implementation runs the kernels. */
export type BackendName = 'native' | 'js'

/** Rounds a JS number to the element type: `Math.fround` for f32, identity for f64. */
export type Round = (x: number) => number

/**
 * A rule's element-wise update in JavaScript, the mirror of its Rust kernel: same operations in
 * the same order, every intermediate passed through `round`, so f32 results match bit for bit.
 */
export type JsKernel = (
  param: FloatArray,
  grad: FloatArray,
  state: readonly FloatArray[],
  scalars: readonly number[],
  shape: readonly number[],
  round: Round,
) => void

/** One parameter's buffers and per-step scalars for a step. */
export interface StepEntry {
  readonly param: FloatArray
  readonly grad: FloatArray
  readonly state: readonly FloatArray[]
  readonly shape: readonly number[]
  readonly scalars: readonly number[]
}

/** Where a backend keeps what it derived from one caller's step layout (opaque to the caller). */
export interface StepCache {
  native?: unknown
}

/** Which reduction clipGradNorm needs per tensor; the numbers are the native codes. */
export const NormPart = { maxAbs: 0, sumAbs: 1, sumSquares: 2 } as const
export type NormPart = (typeof NormPart)[keyof typeof NormPart]

/** What an optimizer needs from a backend. Both backends give identical bits. */
export interface Backend {
  readonly name: BackendName
  /**
   * Applies a rule to all entries (all of one dtype) in one go. `cache` is the caller's (one per
   * optimizer): a backend keeps what it derived from the entries' layout there, for the next step.
   */
  step(rule: string, kernel: JsKernel, entries: readonly StepEntry[], cache?: StepCache): void
  /** Index of the first tensor holding NaN or ±Infinity, or -1. */
  firstNonFinite(tensors: readonly FloatArray[]): number
  /** Per-tensor Σ|g|, Σg² or max|g|, in the fixed block order of `reduce.ts`. */
  normParts(part: NormPart, tensors: readonly FloatArray[]): Float64Array
  /** Multiplies every tensor by `coefficient` (rounded to the element type once). */
  scale(tensors: readonly FloatArray[], coefficient: number): void
  /** Σ a[i]·b[i] over equally long vectors, in the fixed block order of `reduce.ts` (L-BFGS). */
  dot(a: Float64Array, b: Float64Array): number
  /** y ← y + α·x over equally long buffers, each sum rounded to y's element type once (L-BFGS). */
  addScaled(y: FloatArray, alpha: number, x: Float64Array): void
}

export const identity: Round = (x) => x

/** The rounding that makes JS arithmetic behave like the array's element type. */
export function roundingFor(array: FloatArray): Round {
  return array instanceof Float32Array ? Math.fround : identity
}
