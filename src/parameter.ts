import { describe, rangeError, typeError } from './errors.js'

/** The parameter element types: every optimizer runs on both. */
export type FloatArray = Float32Array<ArrayBufferLike> | Float64Array<ArrayBufferLike>

/** Element type names, as in the `dtype` options of models and data sets. */
export type DType = 'float32' | 'float64'

/** The dtype of a float typed array. */
export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float32Array ? 'float32' : 'float64'
}

/** Whether `a` and `b` share any byte of memory. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength
}

/**
 * A trainable tensor: `data` (row-major, updated in place by optimizers), `grad` (same type
 * and length, zero-filled at construction; write gradients into it) and `shape`.
 *
 * ```ts
 * const w = new Parameter(new Float32Array(12), [4, 3])
 * w.grad.set(gradW)
 * ```
 */
export class Parameter<A extends FloatArray = FloatArray> {
  /** The values, updated in place. */
  readonly data: A
  /** Dimensions; their product is `data.length`. */
  readonly shape: readonly number[]
  /** Optional name, used in error messages and checkpoints. */
  readonly name: string | undefined
  #grad: A
  readonly #elements: number

  /**
   * @param data a Float32Array or Float64Array, used in place (not copied)
   * @param shape dimensions (default `[data.length]`)
   * @param name optional name for messages
   * @param grad optional gradient buffer to use (same type and length, not sharing memory with
   *   `data`); models pass views of one contiguous buffer so native code sees all gradients at once
   */
  constructor(data: A, shape?: readonly number[], name?: string, grad?: A) {
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw typeError('Parameter', 'data', 'a Float32Array or Float64Array', data)
    }
    const dims = shape ?? [data.length]
    if (!Array.isArray(dims)) throw typeError('Parameter', 'shape', 'an array of integers', shape)
    for (const [i, d] of dims.entries()) {
      if (!Number.isSafeInteger(d) || d < 0)
        throw rangeError('Parameter', `shape[${i}]`, 'an integer >= 0', d)
    }
    const size = dims.reduce((a, b) => a * b, 1)
    if (size !== data.length) {
      throw new RangeError(
        `Parameter: shape [${dims.join(', ')}] holds ${size} elements but data has ${data.length}`,
      )
    }
    if (name !== undefined && typeof name !== 'string') throw typeError('Parameter', 'name', 'a string', name)
    this.data = data
    this.shape = Object.freeze([...dims])
    this.#elements = size
    this.name = name
    this.#grad = new (data.constructor as { new (n: number): A })(0)
    if (grad === undefined) this.#grad = new (data.constructor as { new (n: number): A })(data.length)
    else this.grad = grad
  }

  /** The gradient buffer; assigning checks type, length and that it does not alias `data`. */
  get grad(): A {
    return this.#grad
  }

  set grad(value: A) {
    if (value?.constructor !== this.data.constructor) {
      throw typeError(this.label, 'grad', `a ${this.data.constructor.name}`, value)
    }
    if (value.length !== this.data.length) {
      throw rangeError(this.label, 'grad.length', `${this.data.length} (as data)`, value.length)
    }
    if (overlaps(value, this.data))
      throw new RangeError(`${this.label}: grad must not share memory with data`)
    this.#grad = value
  }

  /** Number of elements the shape holds (what `data` and `grad` must have; a detached buffer has 0). */
  get elements(): number {
    return this.#elements
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length
  }

  /** `'float32'` or `'float64'`. */
  get dtype(): DType {
    return dtypeOf(this.data)
  }

  /** How messages refer to this parameter. */
  get label(): string {
    return this.name === undefined ? 'Parameter' : `Parameter '${this.name}'`
  }

  /** Zero the gradient. */
  zeroGrad(): void {
    this.#grad.fill(0)
  }

  /** A readable summary for logs. */
  toString(): string {
    return `${this.label}(${this.dtype}, [${this.shape.join(', ')}])`
  }
}

/** A TypeError if `value` is not a Parameter. */
export function checkParameter(where: string, value: unknown): asserts value is Parameter {
  if (!(value instanceof Parameter))
    throw new TypeError(`${where}: expected a Parameter, got ${describe(value)}`)
}
