import { rangeError, typeError } from '../errors.js'
import { Optimizer } from '../optim/optimizer.js'
import { Rng } from '../random.js'
import { type Tensor, takeRows } from '../tensor.js'
import { checkPlainObject, integerOption, positiveOption, rejectUnknownKeys } from '../validate.js'
import type { Model } from './model.js'

/** Options of `lrFind`. */
export interface LrFindOptions {
  // biome-ignore lint/suspicious/noExplicitAny: any optimizer, whatever its hyperparameters
  optimizer: Optimizer<any>
  /** The first lr (default 1e-7). */
  start?: number
  /** The last lr (default 10). */
  end?: number
  /** Steps of the ramp, one mini-batch each (an integer >= 2; default 100). */
  steps?: number
  /** Rows per step (default 32). */
  batchSize?: number
  /** Seed of the order the rows are visited in (default 0). */
  seed?: number
  /** Stop once the smoothed loss exceeds this multiple of the best one (default 4, fastai's). */
  divergeFactor?: number
}

/** What `lrFind` measured. */
export interface LrFindResult {
  /** The lr of each step taken. */
  readonly lrs: number[]
  /** The batch loss at each step (before its update). */
  readonly losses: number[]
  /** The smoothed loss: an exponential average (β = 0.98) with bias correction, as fastai's. */
  readonly smoothed: number[]
  /**
   * The suggested lr: fastai's 'valley' (its default since 2.7) on the smoothed loss: within the
   * longest stretch over which the loss keeps falling, the point half-way through its second
   * third (the first tenth of the ramp and the last five points left out, as fastai does).
   */
  readonly suggestedLr: number
  /** Where the smoothed loss falls fastest per unit of log(lr) (fastai's 'steep'). */
  readonly steepestLr: number
  /** The lr of the lowest smoothed loss, divided by 10 (the older rule of thumb). */
  readonly minimumLr: number
  /** Whether the run stopped early because the loss diverged. */
  readonly diverged: boolean
}

const KEYS = new Set(['optimizer', 'start', 'end', 'steps', 'batchSize', 'seed', 'divergeFactor'])
const BETA = 0.98

/**
 * The learning-rate range test (Smith 2017; fastai's `lr_find`): trains for up to `steps`
 * mini-batches while the lr grows exponentially from `start` to `end`, records the loss, and
 * stops when the smoothed loss exceeds `divergeFactor` × its best. The model's weights and the
 * optimizer's state and hyperparameters are put back as they were, so training can start with
 * the suggested lr.
 *
 * ```ts
 * const { suggestedLr } = lrFind(model, x, y, { optimizer })
 * optimizer.lr = suggestedLr
 * ```
 */
export function lrFind(model: Model, x: Tensor, y: Tensor, options: LrFindOptions): LrFindResult {
  const where = 'lrFind'
  checkPlainObject(where, 'options', options)
  rejectUnknownKeys(where, options, KEYS)
  const { optimizer } = options
  if (!(optimizer instanceof Optimizer)) throw typeError(where, 'optimizer', 'a descent optimizer', optimizer)
  const start = positiveOption(where, 'start', options.start, 1e-7)
  const end = positiveOption(where, 'end', options.end, 10)
  if (!(end > start))
    throw new RangeError(`${where}: end must be above start, got start ${start} and end ${end}`)
  const steps = integerOption(where, 'steps', options.steps, 100, 2)
  const batchSize = integerOption(where, 'batchSize', options.batchSize, 32, 1)
  const seed = integerOption(where, 'seed', options.seed, 0, 0)
  const divergeFactor = positiveOption(where, 'divergeFactor', options.divergeFactor, 4)
  const rows = x.shape[0] as number
  if (!(rows > 0)) throw rangeError(where, 'x', 'at least one row', x)

  const savedWeights = model.parameters().map((p) => p.data.slice())
  const savedOptimizer = optimizer.stateDict()
  const result = { lrs: [] as number[], losses: [] as number[], smoothed: [] as number[], diverged: false }
  try {
    const rng = new Rng(seed)
    let order = rng.permutation(rows)
    let cursor = 0
    let average = 0
    let best = Number.POSITIVE_INFINITY
    for (let i = 0; i < steps; i++) {
      if (cursor + batchSize > rows && cursor > 0) {
        order = rng.permutation(rows)
        cursor = 0
      }
      const batch = order.subarray(cursor, Math.min(rows, cursor + batchSize))
      cursor += batch.length
      const lr = start * (end / start) ** (i / (steps - 1))
      optimizer.lr = lr
      const loss = model.forwardBackward(takeRows(x, batch), takeRows(y, batch))
      optimizer.step()
      average = BETA * average + (1 - BETA) * loss
      const smooth = average / (1 - BETA ** (i + 1))
      result.lrs.push(lr)
      result.losses.push(loss)
      result.smoothed.push(smooth)
      if (!Number.isFinite(smooth) || smooth > divergeFactor * best) {
        result.diverged = true
        break
      }
      best = Math.min(best, smooth)
    }
  } finally {
    model.parameters().forEach((p, i) => p.data.set(savedWeights[i] as typeof p.data))
    optimizer.loadStateDict(savedOptimizer)
  }
  // As fastai's suggestions: without the first tenth of the ramp (the average still settling)
  // and the last five points (the divergence itself).
  const skip = Math.floor(steps / 10)
  const kept = result.lrs.length - skip - 5 >= 2 ? [skip, result.lrs.length - 5] : [0, result.lrs.length]
  return { ...result, ...suggestions(result.lrs.slice(...kept), result.smoothed.slice(...kept)) }
}

/** fastai's 'valley' and 'steep' suggestions and the lowest loss's lr / 10. */
function suggestions(lrs: readonly number[], smoothed: readonly number[]) {
  const finite = smoothed.map((l, i) => ({ l, lr: lrs[i] as number })).filter((p) => Number.isFinite(p.l))
  const losses = finite.map((p) => p.l)
  let steepest = 0
  let slope = Number.POSITIVE_INFINITY
  for (let i = 1; i < finite.length; i++) {
    const s =
      ((losses[i] as number) - (losses[i - 1] as number)) /
      Math.log((finite[i]?.lr as number) / (finite[i - 1]?.lr as number))
    if (s < slope) [slope, steepest] = [s, i]
  }
  // The longest decreasing subsequence of the losses (fastai's `valley`, O(n²) over ~100 points).
  const run = losses.map(() => 1)
  let start = 0
  let end = 0
  for (let i = 1; i < losses.length; i++) {
    for (let j = 0; j < i; j++) {
      if ((losses[i] as number) < (losses[j] as number) && (run[i] as number) < (run[j] as number) + 1)
        run[i] = (run[j] as number) + 1
      if ((run[end] as number) < (run[i] as number)) {
        end = i
        start = end - (run[end] as number)
      }
    }
  }
  const third = (end - start) / 3
  const valley = start + Math.floor(third) + Math.floor(third / 2)
  const lowest = losses.reduce((m, l, i) => (l < (losses[m] as number) ? i : m), 0)
  return {
    suggestedLr: finite[valley]?.lr ?? Number.NaN,
    steepestLr: finite[steepest]?.lr ?? Number.NaN,
    minimumLr: (finite[lowest]?.lr ?? Number.NaN) / 10,
  }
}
