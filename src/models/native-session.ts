import type { BatchRange, RunPlan, RunReport } from '../../native/index.js'
import { type addon, callNative } from '../backend/native.js'
import type { FloatArray } from '../parameter.js'
import type { SessionOutcome, TrainingSession } from './engine.js'
import { runArgs, targetArgs } from './native-args.js'
import type { NetworkSpec } from './network.js'

type Addon = NonNullable<typeof addon>

/** `TrainingJobF32` / `TrainingJobF64` (crates/node/src/training_job.rs), whichever matches the dtype. */
interface Job {
  load(x: FloatArray, labels: Int32Array, values: FloatArray): void
  hold(active: boolean): void
  run(
    params: FloatArray,
    grads: FloatArray,
    plan: RunPlan,
    state: FloatArray[],
    scalars: Float64Array,
    order: Uint32Array,
    batches: BatchRange,
  ): void
  collect(params: FloatArray, grads: FloatArray, state: FloatArray[]): void
  cancel(): void
  close(): void
}

type JobClass = new (network: Uint32Array, onReport: (error: Error | null, report: RunReport) => void) => Job

/** A run in flight: how to settle it, and the buffers its result goes into. */
interface Pending {
  readonly resolve: (outcome: SessionOutcome) => void
  readonly reject: (error: unknown) => void
  readonly params: FloatArray
  readonly grads: FloatArray
  readonly state: FloatArray[]
}

/**
 * fitAsync on the native backend: a `TrainingJob` trains each run on its own thread over copies
 * (see training_job.rs). `load` copies a fit's data in; `run` copies the model's buffers in; when
 * the thread reports, the result is copied back into them on Node's thread, so between runs
 * (epochs) the model and optimizer hold a consistent state, and while a run is in flight
 * JavaScript never sees them change. The job (thread and buffers) serves the model's later fits.
 */
export function nativeSession(a: Addon, network: NetworkSpec, dtype: 'float32' | 'float64'): TrainingSession {
  // One class per element type; the model's dtype makes every buffer passed to it match.
  const Class = (dtype === 'float32' ? a.TrainingJobF32 : a.TrainingJobF64) as unknown as JobClass
  let pending: Pending | undefined
  let usable = true
  // Called on Node's thread by the threadsafe function. It must not throw: napi-rs would turn that
  // into an uncaught exception, so every failure settles the run's promise instead.
  const onReport = (error: Error | null, report: RunReport): void => {
    const run = pending
    pending = undefined
    if (run === undefined) return
    try {
      callNative(() => {
        job.hold(false)
        if (error) {
          usable = false
          throw error
        }
        job.collect(run.params, run.grads, run.state)
      })
      run.resolve({
        losses: Float64Array.from(report.losses),
        steps: report.steps,
        nonFinite: report.nonFinite,
        cancelled: report.cancelled,
      })
    } catch (failure) {
      run.reject(failure)
    }
  }
  const job = callNative(() => new Class(network.layout, onReport))
  return {
    load(x, targets) {
      const [labels, values] = targetArgs(targets, x)
      callNative(() => job.load(x, labels, values))
    },
    get usable() {
      return usable
    },
    run(params, grads, plan, slots, batches) {
      return new Promise((resolve, reject) => {
        const args = runArgs(plan, slots, batches)
        callNative(() =>
          job.run(params, grads, args.plan, args.state, plan.scalars, batches.order, args.batches),
        )
        job.hold(true)
        pending = { resolve, reject, params, grads, state: args.state }
      })
    },
    cancel: () => job.cancel(),
    close: () => {
      usable = false
      job.close()
    },
  }
}
