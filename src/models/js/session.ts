import { setImmediate as nextTurn } from 'node:timers/promises'
import type { StepPlan } from '../../optim/optimizer.js'
import type { FloatArray } from '../../parameter.js'
import type { SessionOutcome, TrainingSession } from '../engine.js'
import type { NetworkSpec, Targets } from '../network.js'
import { trainEpoch } from './train.js'

/**
 * How long the JS backend trains before letting the event loop run, in ms. One batch is the
 * smallest slice, so a batch that takes longer (a large network) delays the loop by that long.
 */
export const SLICE_MS = 4

/** Steps `offset…` of `plan`, as a plan of its own for `trainEpoch`. */
export function tail(plan: StepPlan, offset: number): StepPlan {
  return {
    ...plan,
    scalars: plan.scalars.subarray(offset * plan.stride),
    entries: (k) => plan.entries(offset + k),
  }
}

/**
 * fitAsync on the JS backend: the same `trainEpoch` as fit, on Node's thread, in slices of about
 * `SLICE_MS` (as many batches as the last slice's pace says fit, at least one), yielding to the
 * event loop with `setImmediate` between slices. It trains the model's buffers in place.
 */
export function jsSession(network: NetworkSpec): TrainingSession {
  let data: FloatArray | undefined
  let copied: Targets | undefined
  let cancelled = false
  return {
    load(x, targets) {
      data = x.slice()
      copied = 'labels' in targets ? { labels: targets.labels.slice() } : { values: targets.values.slice() }
      cancelled = false
    },
    usable: true,
    async run(params, grads, plan, _slots, batches): Promise<SessionOutcome> {
      const losses: number[] = []
      let done = 0
      let msPerBatch = 0
      while (done < batches.count) {
        if (cancelled) return { losses: Float64Array.from(losses), steps: done, nonFinite: -1, cancelled }
        const remaining = batches.count - done
        const count = msPerBatch > 0 ? Math.min(remaining, Math.max(1, Math.floor(SLICE_MS / msPerBatch))) : 1
        const started = performance.now()
        const outcome = trainEpoch(
          network,
          params,
          grads,
          tail(plan, done),
          data as FloatArray,
          copied as Targets,
          {
            ...batches,
            first: batches.first + done,
            count,
          },
        )
        msPerBatch = (performance.now() - started) / count
        losses.push(...outcome.losses)
        done += outcome.steps
        if (outcome.nonFinite >= 0)
          return {
            losses: Float64Array.from(losses),
            steps: done,
            nonFinite: outcome.nonFinite,
            cancelled: false,
          }
        if (done < batches.count) await nextTurn()
      }
      return { losses: Float64Array.from(losses), steps: done, nonFinite: -1, cancelled: false }
    },
    cancel() {
      cancelled = true
    },
    close() {},
  }
}
