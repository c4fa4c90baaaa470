import { jsBackend } from '../../backend/js.js'
import type { StepPlan } from '../../optim/optimizer.js'
import { dtypeOf, type FloatArray } from '../../parameter.js'
import type { EpochBatches, EpochOutcome } from '../engine.js'
import type { NetworkSpec, Targets } from '../network.js'
import { backward, forward, Workspace } from './network.js'

/** Copies rows `order[from, to)` of the row-major `source` (rows of `width`) into `target`. */
function gather(
  source: FloatArray,
  width: number,
  order: Uint32Array,
  from: number,
  to: number,
  target: FloatArray,
) {
  for (let r = from; r < to; r++) {
    const start = (order[r] as number) * width
    target.set(source.subarray(start, start + width), (r - from) * width)
  }
}

/**
 * Mirror of crates/core/src/nn/train.rs: runs `batches.count` batches from `batches.first` on;
 * per batch, forward, backward into the flat `grads`, optionally a NaN/±∞ check, then the
 * optimizer rule's JS kernel with step k's planned scalars (the same kernels `optimizer.step()`
 * runs on the JS backend, so a hand-written loop gives the same bits).
 */
export function trainEpoch(
  network: NetworkSpec,
  params: FloatArray,
  grads: FloatArray,
  plan: StepPlan,
  x: FloatArray,
  targets: Targets,
  batches: EpochBatches,
): EpochOutcome {
  const rows = x.length / network.inputs
  const { order, batchSize, first, count } = batches
  const width = network.outputs
  const dtype = dtypeOf(params)
  const work = new Workspace(network, dtype, Math.min(batchSize, rows))
  const labels = new Int32Array(work.capacity)
  const values =
    dtype === 'float32' ? new Float32Array(work.capacity * width) : new Float64Array(work.capacity * width)
  const planGrads = plan.params.map((p) => p.grad)
  const losses: number[] = []
  for (let k = 0; k < count; k++) {
    const from = (first + k) * batchSize
    const to = Math.min(from + batchSize, rows)
    const n = to - from
    gather(x, network.inputs, order, from, to, work.activations[0] as FloatArray)
    let batchTargets: Targets
    if ('labels' in targets) {
      for (let r = from; r < to; r++) labels[r - from] = targets.labels[order[r] as number] as number
      batchTargets = { labels }
    } else {
      gather(targets.values, width, order, from, to, values)
      batchTargets = { values }
    }
    forward(network, params, work, n)
    losses.push(backward(network, params, grads, work, n, batchTargets))
    if (batches.checkNonFinite) {
      const bad = jsBackend.firstNonFinite(planGrads)
      if (bad >= 0) return { losses: Float64Array.from(losses), steps: k, nonFinite: bad }
    }
    jsBackend.step(plan.rule, plan.kernel, plan.entries(k))
  }
  return { losses: Float64Array.from(losses), steps: count, nonFinite: -1 }
}
