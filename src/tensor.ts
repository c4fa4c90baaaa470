import { rangeError, typeError } from './errors.js'

/** Element buffers a Tensor may hold: floats for values, Int32Array for class labels. */
export type TensorData = Float32Array | Float64Array | Int32Array

/** A row-major n-dimensional array: `data.length` is the product of `shape`. */
export interface Tensor<D extends TensorData = TensorData> {
  readonly data: D
  readonly shape: readonly number[]
}

/**
 * Makes a Tensor, checking that `shape` matches `data.length` (default shape `[data.length]`).
 *
 * ```ts
 * const x = tensor(new Float32Array(6), [3, 2])
 * ```
 */
export function tensor<D extends TensorData>(data: D, shape?: readonly number[]): Tensor<D> {
  if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array)) {
    throw typeError('tensor', 'data', 'a Float32Array, Float64Array or Int32Array', data)
  }
  const dims = shape ?? [data.length]
  if (!Array.isArray(dims)) throw typeError('tensor', 'shape', 'an array of integers', shape)
  for (const [i, d] of dims.entries()) {
    if (!Number.isSafeInteger(d) || d < 0) throw rangeError('tensor', `shape[${i}]`, 'an integer >= 0', d)
  }
  const size = dims.reduce((a, b) => a * b, 1)
  if (size !== data.length) {
    throw new RangeError(
      `tensor: shape [${dims.join(', ')}] holds ${size} elements but data has ${data.length}`,
    )
  }
  return Object.freeze({ data, shape: Object.freeze([...dims]) })
}

/** Rows `rows` of `t` ([n, …]), in that order, copied into a new tensor of the same element type. */
export function takeRows<D extends TensorData>(t: Tensor<D>, rows: Uint32Array): Tensor<D> {
  const width = t.data.length / (t.shape[0] as number)
  const out = new (t.data.constructor as new (n: number) => D)(rows.length * width)
  rows.forEach((row, i) => out.set(t.data.subarray(row * width, (row + 1) * width), i * width))
  return tensor(out, [rows.length, ...t.shape.slice(1)])
}

/** A TypeError/RangeError unless `value` is a well-formed Tensor; returns it typed. */
export function checkTensor(where: string, what: string, value: unknown): Tensor {
  // Plain arrays, bare typed arrays and objects without `data` are not tensors at all: say what
  // is wanted and how to make it, rather than complain about a missing field.
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    ArrayBuffer.isView(value) ||
    !('data' in value)
  )
    throw typeError(where, what, 'a Tensor (make one with tensor(data, [rows, columns]))', value)
  const { data, shape } = value as Partial<Tensor>
  if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array)) {
    throw typeError(where, `${what}.data`, 'a Float32Array, Float64Array or Int32Array', data)
  }
  if (!Array.isArray(shape)) throw typeError(where, `${what}.shape`, 'an array of integers', shape)
  for (const [i, d] of shape.entries()) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw rangeError(where, `${what}.shape[${i}]`, 'an integer >= 0', d)
  }
  const size = shape.reduce((a: number, b: number) => a * b, 1)
  if (size !== data.length) {
    // A transferred (detached) buffer leaves a typed array of length 0: say so only then.
    const detached =
      data.length === 0 && data.buffer.byteLength === 0 && size > 0 ? ' (its buffer was detached)' : ''
    throw new RangeError(
      `${where}: ${what}.shape [${shape.join(', ')}] holds ${size} elements but data has ${data.length}${detached}`,
    )
  }
  return value as Tensor
}
