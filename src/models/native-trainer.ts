import type { TrainerEvent as NativeEvent } from '../../native/index.js'
import { type addon, callNative } from '../backend/native.js'
import type { FloatArray } from '../parameter.js'
import { evalPointParts } from './eval-point.js'
import { targetArgs } from './native-args.js'
import type { NetworkSpec } from './network.js'
import type { CoreSettings } from './trainer.js'
import type { PlannedRun, TrainerCore, TrainerEvent } from './trainer-core.js'
import { trainerLayout } from './trainer-layout.js'

type Addon = NonNullable<typeof addon>

/** `NativeTrainerF32` / `NativeTrainerF64` (crates/node/src/trainer.rs), typed over either buffer kind. */
interface NativeTrainer {
  submitTensors(id: number, x: FloatArray, labels: Int32Array, values: FloatArray): void
  submitBinary(id: number, bytes: Uint8Array): void
  submitJson(id: number, bytes: Uint8Array): void
  enqueue(id: number, scalars: Float64Array): void
  enqueueMarker(id: number): void
  resume(heldFirst: number, heldScalars: Float64Array, ids: number[], scalars: Float64Array[]): void
  discardWaiting(keep: number): number[]
  takeCapture(params: FloatArray, grads: FloatArray, state: FloatArray[]): void
  captureNow(params: FloatArray, grads: FloatArray, state: FloatArray[]): number
  predictInto(x: FloatArray, out: FloatArray): number
  evaluate(x: FloatArray, labels: Int32Array, values: FloatArray): { loss: number; hits: number }
  hold(active: boolean): void
  close(): void
  debugPanicNextBatch(): void
}

const noScalars = new Float64Array(0)

function fromNative(e: NativeEvent): TrainerEvent {
  switch (e.kind) {
    case 'accepted':
      return { kind: 'accepted', id: e.id, rows: e.rows }
    case 'refused':
      return {
        kind: 'refused',
        id: e.id,
        errorKind: e.errorKind === 'type' ? 'type' : 'range',
        message: e.message ?? '',
      }
    case 'trained':
      return { kind: 'trained', id: e.id, losses: e.losses ?? [], steps: e.steps, nonFinite: e.nonFinite }
    case 'reached':
      return { kind: 'reached', id: e.id }
    default:
      return { kind: 'failed', id: e.id, message: e.message ?? 'the training thread failed' }
  }
}

/**
 * The native trainer engine: the model's buffers and the optimizer's state are copied into a
 * Rust trainer once, at the start; captures copy them back. `slots[i]` is the network tensor of
 * the optimizer's i-th parameter.
 */
export function nativeTrainerCore(
  a: Addon,
  network: NetworkSpec,
  params: FloatArray,
  grads: FloatArray,
  slots: readonly number[],
  settings: CoreSettings,
  onEvent: (event: TrainerEvent) => void,
): TrainerCore {
  const layout = trainerLayout(settings.optimizer)
  const state = layout.state
  const Class = (params instanceof Float32Array ? a.NativeTrainerF32 : a.NativeTrainerF64) as unknown as new (
    ...args: unknown[]
  ) => NativeTrainer
  const native = callNative(
    () =>
      new Class(
        network.layout,
        params,
        grads,
        state,
        {
          rule: layout.rule,
          slots: [...slots],
          stateCounts: layout.stateCounts,
          scalarCounts: layout.scalarCounts,
          batchSize: settings.batchSize,
          checkNonFinite: settings.checkNonFinite,
          threads: settings.threads,
          background: settings.background,
          evalPoint: evalPointParts(settings.optimizer, params, state),
        },
        (event: NativeEvent) => onEvent(fromNative(event)),
      ),
  )
  const scalarsOf = (run: PlannedRun) => {
    layout.check(run.plan)
    return run.plan.scalars
  }
  return {
    inPlace: false,
    submitTensors(id, x, targets) {
      const [labels, values] = targetArgs(targets, x)
      callNative(() => native.submitTensors(id, x, labels, values))
    },
    submitBinary: (id, bytes) => callNative(() => native.submitBinary(id, bytes)),
    submitJson: (id, bytes) => callNative(() => native.submitJson(id, bytes)),
    enqueue: (run) => callNative(() => native.enqueue(run.id, scalarsOf(run))),
    enqueueMarker: (id) => callNative(() => native.enqueueMarker(id)),
    forget: () => {}, // an accepted body not enqueued is freed with the trainer
    resume(held, replanned) {
      callNative(() =>
        native.resume(
          held ? held.first : -1,
          held ? scalarsOf(held) : noScalars,
          replanned.map((r) => r.id),
          replanned.map(scalarsOf),
        ),
      )
    },
    discardWaiting: (keep) => native.discardWaiting(keep),
    takeCapture: () => callNative(() => native.takeCapture(params, grads, state)),
    captureNow: () => ({ lastDone: callNative(() => native.captureNow(params, grads, state)), headSteps: 0 }),
    predict: (x, out) => void callNative(() => native.predictInto(x, out)),
    evaluate(x, targets) {
      const [labels, values] = targetArgs(targets, x)
      return callNative(() => native.evaluate(x, labels, values))
    },
    hold: (active) => callNative(() => native.hold(active)),
    close: () => native.close(),
    debugFailNextBatch: () => native.debugPanicNextBatch(),
  }
}
