import type { FloatArray } from '../../parameter.js'
import { atEvalPoint, evalPointParts } from '../eval-point.js'
import type { NetworkSpec, Targets } from '../network.js'
import type { CoreSettings } from '../trainer.js'
import type { PlannedRun, TrainerCore, TrainerEvent } from '../trainer-core.js'
import { trainerLayout } from '../trainer-layout.js'
import { checkTensorBody, type ParsedBody, parseBinaryBody, parseJsonBody } from './body.js'
import { evaluate, predict } from './network.js'
import { SLICE_MS, tail } from './session.js'
import { trainEpoch } from './train.js'

interface Accepted {
  readonly rows: number
  readonly x: FloatArray
  readonly targets: Targets
}

/** A batch in the queue: its current run, and the losses and steps of that run so far. */
interface BatchItem {
  readonly kind: 'batch'
  run: PlannedRun
  readonly body: Accepted
  readonly losses: number[]
  steps: number
}

type Item = BatchItem | { readonly kind: 'marker'; readonly id: number }

/**
 * The JS backend's trainer engine: the same protocol as the native one, on Node's thread. Bodies
 * are checked in a later turn of the event loop; batches train in place on the model's buffers
 * and the optimizer's tensors, in slices of about SLICE_MS (whole steps, so predictions between
 * slices always see complete steps), yielding with setImmediate between slices.
 */
export function jsTrainerCore(
  network: NetworkSpec,
  params: FloatArray,
  grads: FloatArray,
  settings: CoreSettings,
  onEvent: (event: TrainerEvent) => void,
): TrainerCore {
  const layout = trainerLayout(settings.optimizer)
  // Predictions read Schedule-Free's average x, computed from the live y and z when asked.
  const evalPoint = evalPointParts(settings.optimizer, params, layout.state)
  const weightsToRead = () => (evalPoint.length === 0 ? params : atEvalPoint(params, layout.state, evalPoint))
  const dtype = params instanceof Float32Array ? 'float32' : 'float64'
  const accepted = new Map<number, Accepted>()
  const ready: Item[] = []
  let held: Item | undefined
  let paused = false
  let closed = false
  let failNext = false
  let scheduled = false
  let failed = false
  let msPerStep = 0
  /** Row order 0, 1, 2, …, grown to the largest body so far. */
  let order = new Uint32Array(0)

  const identity = (rows: number) => {
    if (order.length < rows) order = Uint32Array.from({ length: rows }, (_, i) => i)
    return order.subarray(0, rows)
  }

  const intake = (id: number, parse: () => ParsedBody) =>
    setImmediate(() => {
      if (closed) return
      const parsed = parse()
      if (!parsed.ok) {
        onEvent({ kind: 'refused', id, errorKind: parsed.kind, message: parsed.message })
        return
      }
      accepted.set(id, parsed)
      onEvent({ kind: 'accepted', id, rows: parsed.rows })
    })

  const schedule = () => {
    if (scheduled || paused || failed) return
    scheduled = true
    setImmediate(work)
  }

  // One slice: steps of the head batch for about SLICE_MS, or a marker.
  function work(): void {
    scheduled = false
    if (paused || failed) return
    const item = ready[0]
    if (item === undefined) return
    if (item.kind === 'marker') {
      ready.shift()
      onEvent({ kind: 'reached', id: item.id })
      schedule()
      return
    }
    const { run, body } = item
    const remaining = run.plan.scalars.length / run.plan.stride
    const count = msPerStep > 0 ? Math.min(remaining, Math.max(1, Math.floor(SLICE_MS / msPerStep))) : 1
    const started = performance.now()
    let outcome: ReturnType<typeof trainEpoch>
    try {
      if (failNext) {
        failNext = false
        throw new Error('debugFailNextBatch')
      }
      outcome = trainEpoch(network, params, grads, run.plan, body.x, body.targets, {
        order: identity(body.rows),
        batchSize: settings.batchSize,
        first: run.first,
        count,
        checkNonFinite: settings.checkNonFinite,
      })
    } catch (error) {
      failed = true
      onEvent({
        kind: 'failed',
        id: run.id,
        message: `the training step failed: ${(error as Error).message}`,
      })
      return
    }
    msPerStep = (performance.now() - started) / count
    const done = outcome.steps
    item.losses.push(...outcome.losses)
    if (outcome.nonFinite >= 0) {
      ready.shift()
      held = item
      paused = true
      onEvent({
        kind: 'trained',
        id: run.id,
        losses: item.losses.splice(0),
        steps: item.steps + done,
        nonFinite: outcome.nonFinite,
      })
      item.steps = 0
      return
    }
    item.steps += done
    if (done === remaining) {
      ready.shift()
      onEvent({
        kind: 'trained',
        id: run.id,
        losses: item.losses.splice(0),
        steps: item.steps,
        nonFinite: -1,
      })
    } else {
      item.run = { ...run, first: run.first + done, plan: tail(run.plan, done) }
    }
    schedule()
  }

  return {
    inPlace: true,
    submitTensors: (id, x, targets) => {
      const copy = x.slice()
      const copied: Targets =
        'labels' in targets ? { labels: targets.labels.slice() } : { values: targets.values.slice() }
      intake(id, () => checkTensorBody(network, copy, copied))
    },
    submitBinary: (id, bytes) => {
      const copy = bytes.slice()
      intake(id, () => parseBinaryBody(network, dtype, copy))
    },
    submitJson: (id, bytes) => {
      const copy = bytes.slice()
      intake(id, () => parseJsonBody(network, dtype, copy))
    },
    enqueue(run) {
      layout.check(run.plan)
      const body = accepted.get(run.id)
      if (body === undefined) throw new RangeError(`Trainer: no accepted submission ${run.id}`)
      accepted.delete(run.id)
      ready.push(batchItem(run, body))
      schedule()
    },
    enqueueMarker(id) {
      ready.push({ kind: 'marker', id })
      schedule()
    },
    forget: (id) => void accepted.delete(id),
    resume(heldRun, replanned) {
      const byId = new Map(replanned.map((r) => [r.id, r]))
      for (const item of ready)
        if (item.kind === 'batch' && byId.has(item.run.id)) item.run = byId.get(item.run.id) as PlannedRun
      if (heldRun && held?.kind === 'batch') ready.unshift(batchItem(heldRun, held.body))
      held = undefined
      paused = false
      schedule()
    },
    discardWaiting(keep) {
      // The head batch may be part-way through its steps: it is in flight and stays, as does `keep`.
      const head = ready[0]
      const started = head?.kind === 'batch' && head.steps > 0 ? head : undefined
      const ids: number[] = []
      for (const item of ready.splice(0)) {
        if (item === started || (item.kind === 'batch' && item.run.id === keep)) ready.push(item)
        else ids.push(item.kind === 'batch' ? item.run.id : item.id)
      }
      for (const id of [...accepted.keys()].sort((a, b) => a - b)) {
        if (id === keep) continue
        accepted.delete(id)
        ids.push(id)
      }
      return ids
    },
    takeCapture: () => {}, // trains in place: the buffers already hold the state
    captureNow: () => {
      const head = ready[0]
      return { lastDone: -1, headSteps: head?.kind === 'batch' ? head.steps : 0 }
    },
    predict: (x, out) => out.set(predict(network, weightsToRead(), x)),
    evaluate: (x, targets) => evaluate(network, weightsToRead(), x, targets),
    hold: () => {},
    close() {
      closed = true
    },
    debugFailNextBatch() {
      failNext = true
    },
  }
}

function batchItem(run: PlannedRun, body: Accepted): BatchItem {
  return { kind: 'batch', run, body, losses: [], steps: 0 }
}
