import type { StepPlan } from '../optim/optimizer.js'
import type { FloatArray } from '../parameter.js'
import type { Targets } from './network.js'

/** What a trainer's engine reports, in order (see crates/core/src/online/trainer.rs). */
export type TrainerEvent =
  | { readonly kind: 'accepted'; readonly id: number; readonly rows: number }
  | {
      readonly kind: 'refused'
      readonly id: number
      readonly errorKind: 'type' | 'range'
      readonly message: string
    }
  | {
      readonly kind: 'trained'
      readonly id: number
      /** Mean loss of each step's rows whose forward pass ran. */
      readonly losses: readonly number[]
      /** Steps applied in this run of the batch. */
      readonly steps: number
      /** The optimizer parameter whose gradient held NaN/±∞ (the engine then pauses), or -1. */
      readonly nonFinite: number
    }
  | { readonly kind: 'reached'; readonly id: number }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string }

/** A planned run of a batch's steps, from step `first` on. */
export interface PlannedRun {
  readonly id: number
  readonly first: number
  readonly plan: StepPlan
}

/**
 * The engine side of a `Trainer`: native (a training thread over Rust-owned copies, see
 * native-trainer.ts) or JavaScript (in place, in slices on the event loop, js/trainer-core.ts).
 * Bodies are submitted, checked off the caller's path (`accepted` / `refused`), enqueued with
 * their plans, trained in order (`trained`); markers (`reached`) capture a consistent state.
 */
export interface TrainerCore {
  /** Whether the engine trains the model's own buffers in place (JS) rather than copies (native). */
  readonly inPlace: boolean
  submitTensors(id: number, x: FloatArray, targets: Targets): void
  submitBinary(id: number, bytes: Uint8Array): void
  submitJson(id: number, bytes: Uint8Array): void
  /** Queues accepted submission `run.id` (run.first is 0). */
  enqueue(run: PlannedRun): void
  enqueueMarker(id: number): void
  /** Forgets an accepted submission that will not be enqueued. */
  forget(id: number): void
  /** Ends a pause: the held batch goes on as `held` (or is dropped), and `replanned` replace waiting batches' plans. */
  resume(held: PlannedRun | undefined, replanned: readonly PlannedRun[]): void
  /** Removes every waiting batch and marker (and accepted submissions) but batch `keep`; returns their ids. */
  discardWaiting(keep: number): number[]
  /** Writes the state captured at the last marker into the model's and optimizer's buffers. */
  takeCapture(): void
  /**
   * Writes the state between two steps into those buffers now. `lastDone`: the last batch or
   * marker finished (-1: none, or the engine trains in place); `headSteps`: steps of the next
   * batch already in that state (the JS engine stops between steps, the native one between batches).
   */
  captureNow(): { lastDone: number; headSteps: number }
  /** Outputs for `x` from the latest published weights. */
  predict(x: FloatArray, out: FloatArray): void
  evaluate(x: FloatArray, targets: Targets): { loss: number; hits: number }
  /** Keeps the process alive while work is pending. */
  hold(active: boolean): void
  close(): void
  /** For tests: the next batch panics (native) or throws (JS) on the training side. */
  debugFailNextBatch(): void
}
