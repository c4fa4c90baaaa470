import type { FitHistory, FitSettings } from '../models/fit.js'
import { Rng } from '../random.js'
import { ReduceLROnPlateau } from '../schedulers/reduce-lr-on-plateau.js'
import { type Tensor, takeRows } from '../tensor.js'
import type { Distributed } from './world.js'

/** What the distributed loop needs of the model. */
export interface DistributedTrainee {
  readonly where: string
  /** The model's flat gradient buffer (every parameter's `grad` is a view of it). */
  readonly grads: Float32Array | Float64Array
  forwardBackward(x: Tensor, y: Tensor): number
}

/**
 * `fit` across the ranks of an MPI job: the same epochs, shuffling (`Rng(seed)` on every rank,
 * so every rank draws the same order) and global batches as a one-process fit; each rank runs
 * forward and backward on its shard of every global batch (`dist.shard`), the gradients are
 * combined into the global batch's mean gradient (each rank's mean weighted by its share of the
 * rows, then summed by MPI_Allreduce), and every rank takes the same optimizer step. Weights stay
 * identical on all ranks; they equal a one-process run to rounding (the batch mean is summed in a
 * different order). A non-finite gradient on any rank is non-finite on all after the sum, so
 * `onNonFinite` skips or throws on every rank alike.
 */
export function distributedFit(
  model: DistributedTrainee,
  x: Tensor,
  y: Tensor,
  settings: FitSettings,
  dist: Distributed,
): FitHistory {
  const { optimizer, batchSize, batchScheduler, epochScheduler } = settings
  const rows = x.shape[0] as number
  const { grads } = model
  const rng = new Rng(settings.seed)
  const identity = Uint32Array.from({ length: rows }, (_, i) => i)
  const batchCount = Math.ceil(rows / batchSize)
  const sums = new Float64Array(1)
  const history: FitHistory = { loss: [] }
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const order = settings.shuffle ? rng.permutation(rows) : identity
    let weighted = 0
    let counted = 0
    for (let batch = 0; batch < batchCount; batch++) {
      const global = order.subarray(batch * batchSize, Math.min(rows, (batch + 1) * batchSize))
      const { start, end } = dist.shard(global.length)
      const mine = global.subarray(start, end)
      const share = mine.length / global.length
      let loss = 0
      if (mine.length > 0) loss = model.forwardBackward(takeRows(x, mine), takeRows(y, mine))
      else grads.fill(0)
      dist.allReduceSum(grads, share)
      sums[0] = loss * share
      dist.allReduceSum(sums)
      const skippedBefore = optimizer.skippedSteps
      optimizer.step()
      batchScheduler?.step()
      if (optimizer.skippedSteps === skippedBefore) {
        weighted += (sums[0] as number) * global.length
        counted += global.length
      }
    }
    const loss = weighted / counted
    history.loss.push(loss)
    if (epochScheduler instanceof ReduceLROnPlateau) epochScheduler.step(loss)
    else epochScheduler?.step()
    if (settings.verbose && dist.rank === 0)
      console.log(`${model.where}: epoch ${epoch + 1}/${settings.epochs}, loss ${loss}`)
    settings.onEpoch?.(epoch, loss)
  }
  return history
}
