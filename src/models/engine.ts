import type { BackendName } from '../backend/types.js'
import type { StepPlan } from '../optim/optimizer.js'
import type { DType, FloatArray } from '../parameter.js'
import type { NetworkSpec, Targets } from './network.js'

/** Which batches of an epoch to run, and how. */
export interface EpochBatches {
  /** Row indices in the order batches take them. */
  readonly order: Uint32Array
  readonly batchSize: number
  /** Index of the first batch to run. */
  readonly first: number
  /** How many batches to run: one planned step each. */
  readonly count: number
  /** Stop before a step whose gradients hold NaN or ±Infinity. */
  readonly checkNonFinite: boolean
}

/** What a run of batches did. */
export interface EpochOutcome {
  /** Mean loss of each batch whose forward pass ran (the last is the stopping batch when `nonFinite >= 0`). */
  readonly losses: Float64Array
  /** Batches whose optimizer step ran. */
  readonly steps: number
  /** The optimizer's index of the parameter whose gradient held NaN/±∞, or -1. */
  readonly nonFinite: number
}

/** What a run of a training session did. */
export interface SessionOutcome extends EpochOutcome {
  /** `cancel()` stopped the run after `steps` batches. */
  readonly cancelled: boolean
}

/**
 * The engine side of `fitAsync`: runs of batches that do not block the event loop. A model keeps
 * its session from one fitAsync to the next; `load` copies each fit's data into it.
 */
export interface TrainingSession {
  /** Copies a fit's inputs and targets into the session (reusing its buffers); no run in flight. */
  load(x: FloatArray, targets: Targets): void
  /** False once a run failed on the session's thread: the model then starts a new session. */
  readonly usable: boolean
  /**
   * Runs batches as `trainEpoch` does and resolves once `params`, `grads` and the plan's state
   * tensors hold the result. One run at a time.
   */
  run(
    params: FloatArray,
    grads: FloatArray,
    plan: StepPlan,
    slots: readonly number[],
    batches: EpochBatches,
  ): Promise<SessionOutcome>
  /** Makes the run in flight stop after its current batch (resolving with `cancelled`). */
  cancel(): void
  /** Releases the session (ends its thread); call once, when no run is in flight. */
  close(): void
}

/**
 * The network computations a model needs, implemented natively (crates/core/src/nn) and in
 * JavaScript (src/models/js). Arguments are checked by the model before they get here.
 */
export interface Engine {
  readonly name: BackendName
  predict(network: NetworkSpec, params: FloatArray, x: FloatArray): FloatArray
  lossAndGrad(
    network: NetworkSpec,
    params: FloatArray,
    grads: FloatArray,
    x: FloatArray,
    targets: Targets,
  ): number
  evaluate(
    network: NetworkSpec,
    params: FloatArray,
    x: FloatArray,
    targets: Targets,
  ): { loss: number; hits: number }
  /**
   * Runs `batches.count` batches, stepping with the plan's step k after batch k. `slots[i]`
   * is the network tensor index of `plan.params[i]`.
   */
  trainEpoch(
    network: NetworkSpec,
    params: FloatArray,
    grads: FloatArray,
    plan: StepPlan,
    slots: readonly number[],
    x: FloatArray,
    targets: Targets,
    batches: EpochBatches,
  ): EpochOutcome
  /** Starts a training session (for `fitAsync`); `load` gives it each fit's data. */
  startSession(network: NetworkSpec, dtype: DType): TrainingSession
}
