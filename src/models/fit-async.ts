import { typeError } from '../errors.js'
import type { FloatArray } from '../parameter.js'
import type { SessionOutcome, TrainingSession } from './engine.js'
import {
  type FitHistory,
  type FitOptions,
  type FitSettings,
  type RunOutcome,
  type Trainee,
  trainingLoop,
} from './fit.js'
import type { Targets } from './network.js'

/** Options of `model.fitAsync`: those of `fit`, and an AbortSignal. */
export interface FitAsyncOptions extends FitOptions {
  /**
   * Stops training after the current batch when aborted; fitAsync then rejects with
   * `signal.reason` (a DOMException named AbortError unless `abort(reason)` gave one), leaving
   * the model and optimizer as after the batches done.
   */
  signal?: AbortSignal
}

/** Options only fitAsync takes. */
export const FIT_ASYNC_KEYS = ['signal'] as const

/** Checks `signal`: undefined or an AbortSignal. */
export function checkSignal(where: string, signal: unknown): AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw typeError(where, 'signal', 'an AbortSignal', signal)
  return signal
}

/** What the loop is told when the signal was aborted before a run started. */
const NOT_RUN: SessionOutcome = { losses: new Float64Array(0), steps: 0, nonFinite: -1, cancelled: true }

/**
 * `fitAsync`: drives the same training loop as `fit` with the model's training session (kept
 * from fit to fit; `load` gives it this fit's data), awaiting each run
 * (an epoch, unless a non-finite gradient splits it), so the event loop keeps running. The
 * signal cancels the run in flight; the loop then commits the batches done and stops.
 */
export async function runFitAsync(
  trainee: Trainee,
  session: TrainingSession,
  x: FloatArray,
  targets: Targets,
  rows: number,
  settings: FitSettings,
  signal: AbortSignal | undefined,
): Promise<FitHistory> {
  session.load(x, targets)
  const cancel = () => session.cancel()
  signal?.addEventListener('abort', cancel, { once: true })
  try {
    const loop = trainingLoop(trainee.where, rows, settings)
    let next = loop.next()
    while (!next.done) {
      const { plan, batches } = next.value
      let outcome: RunOutcome
      try {
        outcome = signal?.aborted
          ? NOT_RUN
          : await session.run(trainee.params, trainee.grads, plan, settings.slots, batches)
      } catch (error) {
        next = loop.throw(error) // the loop rewinds what it stepped ahead, then rethrows
        continue
      }
      next = loop.next(outcome)
      if (outcome.cancelled) signal?.throwIfAborted()
    }
    return next.value
  } finally {
    signal?.removeEventListener('abort', cancel)
  }
}
