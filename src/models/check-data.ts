import { describe, rangeError, typeError } from '../errors.js'
import { type DType, dtypeOf, type FloatArray, overlaps } from '../parameter.js'
import { checkTensor } from '../tensor.js'
import type { NetworkSpec, Targets } from './network.js'

/** Rows of `width` values: shape [rows, width], or [rows] when width is 1. */
function rowsOf(where: string, what: string, shape: readonly number[], width: number): number {
  if (shape.length === 2 && shape[1] === width) return shape[0] as number
  if (shape.length === 1 && width === 1) return shape[0] as number
  const expected = width === 1 ? `[n, 1] or [n]` : `[n, ${width}]`
  throw new RangeError(`${where}: ${what}.shape must be ${expected}, got [${shape.join(', ')}]`)
}

/** A RangeError naming the first NaN/±Infinity of a row-major [rows, width] array, if any. */
function checkFinite(where: string, what: string, data: FloatArray, width: number): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number
    if (!Number.isFinite(v)) {
      const at = width === 1 ? `[${i}]` : `[${Math.floor(i / width)}][${i % width}]`
      throw new RangeError(`${where}: ${what}${at} is ${describe(v)}; training data must be finite`)
    }
  }
}

/** A TypeError unless `data` is a float array of `dtype`. */
function checkDtype(where: string, what: string, data: unknown, dtype: DType): asserts data is FloatArray {
  const isFloat = data instanceof Float32Array || data instanceof Float64Array
  if (!isFloat || dtypeOf(data) !== dtype) {
    const expected = dtype === 'float32' ? 'a Float32Array' : 'a Float64Array'
    throw typeError(where, `${what}.data`, `${expected} (the model's dtype is ${dtype})`, data)
  }
}

/** The model's own buffers, which data must not share memory with. */
export interface ModelBuffers {
  readonly params: FloatArray
  readonly grads: FloatArray
}

function checkNoAlias(where: string, what: string, data: ArrayBufferView, buffers: ModelBuffers): void {
  if (overlaps(data, buffers.params) || overlaps(data, buffers.grads))
    throw new RangeError(`${where}: ${what}.data shares memory with the model's parameters or gradients`)
}

/**
 * Checks the inputs `x`: a tensor of the model's dtype, shaped [n, inputs] ([n] for one input),
 * finite when `finite`, with at least `minRows` rows. Returns the data and the row count.
 */
export function checkInputs(
  where: string,
  x: unknown,
  network: NetworkSpec,
  dtype: DType,
  buffers: ModelBuffers,
  { finite, minRows }: { finite: boolean; minRows: number },
): { data: FloatArray; rows: number } {
  const tensor = checkTensor(where, 'x', x)
  checkDtype(where, 'x', tensor.data, dtype)
  const rows = rowsOf(where, 'x', tensor.shape, network.inputs)
  if (rows < minRows) throw rangeError(where, 'x', `at least ${minRows} row`, `${rows} rows`)
  checkNoAlias(where, 'x', tensor.data, buffers)
  if (finite) checkFinite(where, 'x', tensor.data, network.inputs)
  return { data: tensor.data, rows }
}

/**
 * Checks the targets `y` of `rows` inputs: integer class labels in [0, outputs) for softmax
 * outputs (an Int32Array, or floats holding integers, shaped [n]); finite values of the
 * model's dtype shaped [n, outputs] ([n] for one output) for identity outputs.
 */
export function checkTargets(
  where: string,
  y: unknown,
  network: NetworkSpec,
  dtype: DType,
  buffers: ModelBuffers,
  rows: number,
): Targets {
  const tensor = checkTensor(where, 'y', y)
  const classes = network.outputs
  if (network.output === 'softmax') {
    if (tensor.shape.length !== 1)
      throw new RangeError(
        `${where}: y.shape must be [n] (one class label per row), got [${tensor.shape.join(', ')}]`,
      )
    checkRowCount(where, tensor.shape[0] as number, rows)
    for (let i = 0; i < tensor.data.length; i++) {
      const label = tensor.data[i] as number
      if (!Number.isInteger(label) || label < 0 || label >= classes)
        throw rangeError(where, `y[${i}]`, `an integer label in [0, ${classes})`, label)
    }
    return { labels: tensor.data instanceof Int32Array ? tensor.data : Int32Array.from(tensor.data) }
  }
  checkDtype(where, 'y', tensor.data, dtype)
  checkRowCount(where, rowsOf(where, 'y', tensor.shape, classes), rows)
  checkNoAlias(where, 'y', tensor.data, buffers)
  checkFinite(where, 'y', tensor.data, classes)
  return { values: tensor.data }
}

function checkRowCount(where: string, got: number, rows: number): void {
  if (got !== rows) throw new RangeError(`${where}: y has ${got} rows but x has ${rows}; they must match`)
}
