import type { DType } from '../parameter.js'
import { Rng } from '../random.js'
import { tensor } from '../tensor.js'
import type { LabelledData } from './options.js'

/**
 * The seeded train/test split shared by the real data sets: `Rng(seed).permutation(total)`,
 * whose first `trainRows` entries are the training rows and the next `testRows` the test rows,
 * each in permutation order (so the rows come shuffled).
 */
export function splitRows(
  total: number,
  trainRows: number,
  testRows: number,
  seed: number,
): { train: Uint32Array; test: Uint32Array } {
  const order = new Rng(seed).permutation(total)
  return { train: order.subarray(0, trainRows), test: order.subarray(trainRows, trainRows + testRows) }
}

/**
 * Rows `rows` of a row-major table (`value(i)` gives element i, `width` per row) and their
 * labels, as tensors `x: [rows, width]` in `dtype` and `y: [rows]`.
 */
export function gatherRows(
  value: (index: number) => number,
  width: number,
  labels: Int32Array,
  rows: Uint32Array,
  dtype: DType,
): LabelledData {
  const x =
    dtype === 'float32' ? new Float32Array(rows.length * width) : new Float64Array(rows.length * width)
  const y = new Int32Array(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as number
    for (let j = 0; j < width; j++) x[r * width + j] = value(row * width + j)
    y[r] = labels[row] as number
  }
  return { x: tensor(x, [rows.length, width]), y: tensor(y, [rows.length]) }
}
