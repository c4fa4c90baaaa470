import type { FloatArray } from '../../parameter.js'

/**
 * The plain-loop mirror of crates/core/src/nn/dense.rs, PyTorch's layout (weight [out, in],
 * bias [out]). Each product runs with its innermost loop over contiguous memory: row·row dot
 * products for x·Wᵀ, i-k-j accumulation for dyᵀ·x and dy·W. Native GEMM sums in a different
 * order (blocked, possibly fused multiply-adds), so results agree to rounding, not bit for bit.
 */

/** y = x·Wᵀ + b for `rows` rows: x [rows, inputs], w [outputs, inputs], y [rows, outputs]. */
export function denseForward(
  x: FloatArray,
  w: FloatArray,
  b: FloatArray,
  y: FloatArray,
  rows: number,
  inputs: number,
  outputs: number,
): void {
  for (let i = 0; i < rows; i++) {
    const xi = i * inputs
    const yi = i * outputs
    for (let j = 0; j < outputs; j++) {
      const wj = j * inputs
      let sum = 0
      for (let k = 0; k < inputs; k++) sum += (x[xi + k] as number) * (w[wj + k] as number)
      y[yi + j] = (b[j] as number) + sum
    }
  }
}

/**
 * The layer's gradients from dy [rows, outputs]: `dw` [outputs, inputs] ← dyᵀ·x, `db` ← the
 * column sums of dy (top to bottom), and `dx` [rows, inputs] ← dy·W when given.
 */
export function denseBackward(
  x: FloatArray,
  w: FloatArray,
  dy: FloatArray,
  dw: FloatArray,
  db: FloatArray,
  dx: FloatArray | undefined,
  rows: number,
  inputs: number,
  outputs: number,
): void {
  dw.fill(0)
  db.fill(0)
  for (let i = 0; i < rows; i++) {
    const xi = i * inputs
    const di = i * outputs
    for (let j = 0; j < outputs; j++) {
      const g = dy[di + j] as number
      db[j] = (db[j] as number) + g
      const wj = j * inputs
      for (let k = 0; k < inputs; k++) dw[wj + k] = (dw[wj + k] as number) + g * (x[xi + k] as number)
    }
  }
  if (dx === undefined) return
  dx.fill(0, 0, rows * inputs)
  for (let i = 0; i < rows; i++) {
    const xi = i * inputs
    const di = i * outputs
    for (let j = 0; j < outputs; j++) {
      const g = dy[di + j] as number
      const wj = j * inputs
      for (let k = 0; k < inputs; k++) dx[xi + k] = (dx[xi + k] as number) + g * (w[wj + k] as number)
    }
  }
}
