import { type DType, dtypeOf, type FloatArray } from '../../parameter.js'
import { allocate, type NetworkSpec, type Targets } from '../network.js'
import { activate, activationBackward } from './activation.js'
import { denseBackward, denseForward } from './dense.js'
import { finishOutput, lossSumAndHits, lossAndGrad as outputLossAndGrad } from './loss.js'

/**
 * Mirror of crates/core/src/nn/mlp.rs: a multilayer perceptron over one flat parameter buffer
 * (weight then bias, layer after layer) and a gradient buffer of the same layout.
 */

/** Rows per chunk when predicting or evaluating (as mlp.rs' CHUNK_ROWS). */
export const CHUNK_ROWS = 1024

/**
 * Buffers for one batch of up to `capacity` rows: every layer's output (the input first) and
 * two gradient buffers, reused from batch to batch.
 */
export class Workspace {
  readonly capacity: number
  readonly activations: FloatArray[]
  delta: FloatArray
  upstream: FloatArray

  constructor(network: NetworkSpec, dtype: DType, capacity: number) {
    const widest = Math.max(...network.sizes)
    this.capacity = capacity
    this.activations = network.sizes.map((s) => allocate(dtype, s * capacity))
    this.delta = allocate(dtype, widest * capacity)
    this.upstream = allocate(dtype, widest * capacity)
  }
}

/** Each parameter tensor of the flat `buffer` as a view, in buffer order. */
function tensorsOf(network: NetworkSpec, buffer: FloatArray): FloatArray[] {
  return network.tensors.map((t) => buffer.subarray(t.offset, t.offset + t.length))
}

/**
 * Runs the first `rows` rows of `work.activations[0]` through the network; the last layer's
 * affine values (logits for softmax) end up in the last activation buffer.
 */
export function forward(network: NetworkSpec, params: FloatArray, work: Workspace, rows: number): void {
  const tensors = tensorsOf(network, params)
  for (let l = 0; l < network.layers; l++) {
    const inputs = network.sizes[l] as number
    const outputs = network.sizes[l + 1] as number
    const y = work.activations[l + 1] as FloatArray
    const w = tensors[2 * l] as FloatArray
    const b = tensors[2 * l + 1] as FloatArray
    denseForward(work.activations[l] as FloatArray, w, b, y, rows, inputs, outputs)
    if (l + 1 < network.layers) activate(network.activation, y, rows * outputs)
  }
}

/**
 * After `forward`, the mean loss of the batch against `targets`; overwrites `grads` with its
 * gradient (mean over the batch, as PyTorch's mean-reduced losses).
 */
export function backward(
  network: NetworkSpec,
  params: FloatArray,
  grads: FloatArray,
  work: Workspace,
  rows: number,
  targets: Targets,
): number {
  const tensors = tensorsOf(network, params)
  const gradTensors = tensorsOf(network, grads)
  const layers = network.layers
  const logits = work.activations[layers] as FloatArray
  const loss = outputLossAndGrad(network.output, logits, rows, network.outputs, targets, work.delta)
  for (let l = layers - 1; l >= 0; l--) {
    const inputs = network.sizes[l] as number
    const outputs = network.sizes[l + 1] as number
    const x = work.activations[l] as FloatArray
    const dx = l > 0 ? work.upstream : undefined
    denseBackward(
      x,
      tensors[2 * l] as FloatArray,
      work.delta,
      gradTensors[2 * l] as FloatArray,
      gradTensors[2 * l + 1] as FloatArray,
      dx,
      rows,
      inputs,
      outputs,
    )
    if (dx !== undefined) {
      activationBackward(network.activation, x, dx, rows * inputs)
      work.upstream = work.delta
      work.delta = dx
    }
  }
  return loss
}

/** The network's outputs (softmax probabilities or identity values) for every row of `x`. */
export function predict(network: NetworkSpec, params: FloatArray, x: FloatArray): FloatArray {
  const { inputs, outputs } = network
  const rows = x.length / inputs
  const out = allocate(dtypeOf(params), rows * outputs)
  const work = new Workspace(network, dtypeOf(params), Math.min(rows, CHUNK_ROWS))
  for (let first = 0; first < rows; first += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - first)
    ;(work.activations[0] as FloatArray).set(x.subarray(first * inputs, (first + n) * inputs))
    forward(network, params, work, n)
    const logits = work.activations[network.layers] as FloatArray
    finishOutput(network.output, logits, n, outputs)
    out.set(logits.subarray(0, n * outputs), first * outputs)
  }
  return out
}

/** The mean loss of all rows of `x` as one batch; overwrites `grads` with its gradient. */
export function lossAndGrad(
  network: NetworkSpec,
  params: FloatArray,
  grads: FloatArray,
  x: FloatArray,
  targets: Targets,
): number {
  const rows = x.length / network.inputs
  const work = new Workspace(network, dtypeOf(params), rows)
  ;(work.activations[0] as FloatArray).set(x)
  forward(network, params, work, rows)
  return backward(network, params, grads, work, rows, targets)
}

/** Mean loss over every row of `x` and, for softmax outputs, how many were classified right. */
export function evaluate(
  network: NetworkSpec,
  params: FloatArray,
  x: FloatArray,
  targets: Targets,
): { loss: number; hits: number } {
  const { inputs, outputs } = network
  const rows = x.length / inputs
  const work = new Workspace(network, dtypeOf(params), Math.min(rows, CHUNK_ROWS))
  let total = 0
  let hits = 0
  for (let first = 0; first < rows; first += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - first)
    ;(work.activations[0] as FloatArray).set(x.subarray(first * inputs, (first + n) * inputs))
    forward(network, params, work, n)
    const logits = work.activations[network.layers] as FloatArray
    const [sum, h] = lossSumAndHits(network.output, logits, n, outputs, targets, first)
    total += sum
    hits += h
  }
  const count = network.output === 'softmax' ? rows : rows * outputs
  return { loss: total / count, hits }
}
