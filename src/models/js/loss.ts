import type { FloatArray } from '../../parameter.js'
import type { Output, Targets } from '../network.js'

/**
 * Mirror of crates/core/src/nn/loss.rs: losses mean-reduced as PyTorch's defaults, accumulated
 * in f64 (JS numbers) from the layer's values; gradients rounded to the buffer's type on store.
 */

/** max z and Σ exp(z − max) over z[from, from + width): the stable log-sum-exp is max + ln Σ. */
function maxAndExpSum(z: FloatArray, from: number, width: number): [number, number] {
  let max = Number.NEGATIVE_INFINITY
  for (let j = 0; j < width; j++) {
    const v = z[from + j] as number
    if (v > max) max = v
  }
  let sum = 0
  for (let j = 0; j < width; j++) sum += Math.exp((z[from + j] as number) - max)
  return [max, sum]
}

/** Index (within the row) of the first largest value of z[from, from + width). */
export function argMax(z: FloatArray, from: number, width: number): number {
  let best = 0
  for (let j = 1; j < width; j++) if ((z[from + j] as number) > (z[from + best] as number)) best = j
  return best
}

/**
 * The mean loss over `rows` rows of `logits` (each `width` wide); writes dLoss/dlogits into
 * `grad`. Softmax: cross-entropy against labels; identity: mean over rows and outputs of (ŷ − y)².
 */
export function lossAndGrad(
  output: Output,
  logits: FloatArray,
  rows: number,
  width: number,
  targets: Targets,
  grad: FloatArray,
): number {
  if (output === 'softmax') {
    const labels = (targets as { labels: Int32Array }).labels
    const scale = 1 / rows
    let total = 0
    for (let i = 0; i < rows; i++) {
      const from = i * width
      const label = labels[i] as number
      const [max, sum] = maxAndExpSum(logits, from, width)
      total += max + Math.log(sum) - (logits[from + label] as number)
      for (let j = 0; j < width; j++) {
        const p = Math.exp((logits[from + j] as number) - max) / sum
        grad[from + j] = (p - (j === label ? 1 : 0)) * scale
      }
    }
    return total * scale
  }
  const values = (targets as { values: FloatArray }).values
  const count = rows * width
  const scale = 1 / count
  let total = 0
  for (let i = 0; i < count; i++) {
    const d = (logits[i] as number) - (values[i] as number)
    total += d * d
    grad[i] = 2 * d * scale
  }
  return total * scale
}

/**
 * Summed per-row losses (per-element for identity) of rows [first, first + rows) of the
 * targets, and for softmax how many of them have their largest logit at the label.
 */
export function lossSumAndHits(
  output: Output,
  logits: FloatArray,
  rows: number,
  width: number,
  targets: Targets,
  first: number,
): [number, number] {
  let total = 0
  let hits = 0
  if (output === 'softmax') {
    const labels = (targets as { labels: Int32Array }).labels
    for (let i = 0; i < rows; i++) {
      const from = i * width
      const label = labels[first + i] as number
      const [max, sum] = maxAndExpSum(logits, from, width)
      total += max + Math.log(sum) - (logits[from + label] as number)
      if (argMax(logits, from, width) === label) hits++
    }
    return [total, hits]
  }
  const values = (targets as { values: FloatArray }).values
  for (let i = 0; i < rows * width; i++) {
    const d = (logits[i] as number) - (values[first * width + i] as number)
    total += d * d
  }
  return [total, 0]
}

/** Turns the first `rows` rows of the last layer's values into the network's output, in place. */
export function finishOutput(output: Output, logits: FloatArray, rows: number, width: number): void {
  if (output !== 'softmax') return
  for (let i = 0; i < rows; i++) {
    const from = i * width
    const [max, sum] = maxAndExpSum(logits, from, width)
    for (let j = 0; j < width; j++) logits[from + j] = Math.exp((logits[from + j] as number) - max) / sum
  }
}
