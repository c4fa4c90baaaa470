import type { FloatArray } from '../parameter.js'

/**
 * Mirrors crates/core/src/reduce.rs: each block of REDUCE_BLOCK elements is summed left to
 * right in f64, then the block sums left to right. The block size is part of the numerics:
 * change it on both sides or not at all.
 */
export const REDUCE_BLOCK = 4096

function blockedSum(x: FloatArray, term: (v: number) => number): number {
  let total = 0
  for (let start = 0; start < x.length; start += REDUCE_BLOCK) {
    const end = Math.min(start + REDUCE_BLOCK, x.length)
    let block = 0
    for (let i = start; i < end; i++) block += term(x[i] as number)
    total += block
  }
  return total
}

/**
 * Σ term(i) for i in 0..n, in the same blocked order as the array sums (reduce.rs'
 * `sum_by_index`), for terms computed on the fly from several buffers (LAMB's ‖u‖²).
 */
export function sumByIndex(n: number, term: (i: number) => number): number {
  let total = 0
  for (let start = 0; start < n; start += REDUCE_BLOCK) {
    const end = Math.min(start + REDUCE_BLOCK, n)
    let block = 0
    for (let i = start; i < end; i++) block += term(i)
    total += block
  }
  return total
}

/** Σx² (squares of f32 values are exact in f64). */
export function sumOfSquares(x: FloatArray): number {
  return blockedSum(x, (v) => v * v)
}

/** Σ|x|. */
export function sumOfAbs(x: FloatArray): number {
  return blockedSum(x, Math.abs)
}

/** max|x|, 0 when empty, NaN if any element is NaN. */
export function maxAbs(x: FloatArray): number {
  let m = 0
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i] as number)
    if (Number.isNaN(a) || Number.isNaN(m)) m = Number.NaN
    else if (a > m) m = a
  }
  return m
}

/** √(Σx²/n), 0 when empty. */
export function rms(x: FloatArray): number {
  return x.length === 0 ? 0 : Math.sqrt(sumOfSquares(x) / x.length)
}

/** Σ term(x) along each row of `cols` consecutive elements, each left to right (reduce.rs' `row_sums`). */
export function rowSums(x: FloatArray, cols: number, term: (v: number) => number): Float64Array {
  const rows = cols === 0 ? 0 : Math.ceil(x.length / cols)
  const sums = new Float64Array(rows)
  for (let r = 0; r < rows; r++) {
    const end = Math.min((r + 1) * cols, x.length)
    let sum = 0
    for (let i = r * cols; i < end; i++) sum += term(x[i] as number)
    sums[r] = sum
  }
  return sums
}

/** Σ term(x) down each column of a row-major matrix, each top to bottom (reduce.rs' `column_sums`). */
export function columnSums(x: FloatArray, cols: number, term: (v: number) => number): Float64Array {
  const sums = new Float64Array(cols)
  for (let start = 0; cols > 0 && start < x.length; start += cols) {
    const end = Math.min(start + cols, x.length)
    for (let i = start; i < end; i++) sums[i - start] = (sums[i - start] as number) + term(x[i] as number)
  }
  return sums
}
