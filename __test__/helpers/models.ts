import {
  type Activation,
  type FloatArray,
  type Model,
  type Optimizer,
  type Output,
  Rng,
  type Tensor,
  tensor,
} from '../../src/index.js'

export const BACKENDS = ['native', 'js'] as const
export const DTYPES = ['float32', 'float64'] as const

/** A network to test: MLP options without seed, dtype and backend (see `mlpOptions`). */
export interface NetworkCase {
  readonly name: string
  readonly sizes: readonly number[]
  readonly activation: Activation
  readonly output: Output
}

/** Every activation with both outputs, one and two hidden layers, and a net without hidden layer. */
export const NETWORK_CASES: readonly NetworkCase[] = [
  ...(['tanh', 'relu', 'sigmoid', 'identity'] as const).flatMap((activation) =>
    (['softmax', 'identity'] as const).map((output) => ({
      name: `${activation} → ${output}`,
      sizes: [4, 5, 3],
      activation,
      output,
    })),
  ),
  { name: 'two hidden tanh layers → softmax', sizes: [3, 6, 5, 4], activation: 'tanh', output: 'softmax' },
  { name: 'no hidden layer → identity, one output', sizes: [3, 1], activation: 'tanh', output: 'identity' },
]

/** The MLP options of a case. */
export function mlpOptions(c: NetworkCase) {
  return { sizes: c.sizes, activation: c.activation, output: c.output }
}

/** Random inputs in [−1, 1) and matching targets (labels or values in [0, 1)) for `sizes`. */
export function randomData(
  sizes: readonly number[],
  output: Output,
  dtype: 'float32' | 'float64',
  rows: number,
  seed: number,
): { x: Tensor<FloatArray>; y: Tensor } {
  const rng = new Rng(seed)
  const draw = (n: number, f: () => number): FloatArray => {
    const values = Float64Array.from({ length: n }, f)
    return dtype === 'float32' ? Float32Array.from(values) : values
  }
  const inputs = sizes[0] as number
  const outputs = sizes[sizes.length - 1] as number
  const x = tensor(
    draw(rows * inputs, () => 2 * rng.uniform() - 1),
    [rows, inputs],
  )
  const y =
    output === 'softmax'
      ? tensor(Int32Array.from({ length: rows }, () => rng.below(outputs)))
      : tensor(
          draw(rows * outputs, () => rng.uniform()),
          [rows, outputs],
        )
  return { x, y }
}

/** Rows `from..to` of a row-major tensor. */
export function rows<T extends Tensor>(t: T, from: number, to: number): T {
  const width = t.shape.length === 1 ? 1 : (t.shape[1] as number)
  const shape = t.shape.length === 1 ? [to - from] : [to - from, width]
  return tensor(t.data.slice(from * width, to * width), shape) as T
}

/** Rows of `t` in the order `order`. */
export function pick<T extends Tensor>(t: T, order: ArrayLike<number>): T {
  const width = t.shape.length === 1 ? 1 : (t.shape[1] as number)
  const data = new (t.data.constructor as new (n: number) => T['data'])(order.length * width)
  for (let i = 0; i < order.length; i++) {
    const r = order[i] as number
    data.set(t.data.subarray(r * width, (r + 1) * width), i * width)
  }
  const shape = t.shape.length === 1 ? [order.length] : [order.length, width]
  return tensor(data, shape) as T
}

/** All parameter values of a model, concatenated. */
export function flatParameters(model: Model): Float64Array {
  return Float64Array.from(model.parameters().flatMap((p) => [...p.data]))
}

/** max |a − b| / max |a|: differences relative to the largest value. */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0
  let scale = 0
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)))
    scale = Math.max(scale, Math.abs(a[i] as number))
  }
  return diff / scale
}

/** Everything observable about a model and its optimizer, to prove a throw changed nothing. */
// biome-ignore lint/suspicious/noExplicitAny: any optimizer
export function observe(model: Model, optimizer?: Optimizer<any>) {
  return structuredClone({
    data: model.parameters().map((p) => p.data.slice()),
    grad: model.parameters().map((p) => p.grad.slice()),
    state: optimizer?.stateDict(),
    skipped: optimizer?.skippedSteps,
  })
}
