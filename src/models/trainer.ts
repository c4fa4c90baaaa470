import { availableParallelism } from 'node:os'
import { DescentError, rangeError, typeError } from '../errors.js'
import { lendToTraining, Optimizer } from '../optim/optimizer.js'
import type { FloatArray, Parameter } from '../parameter.js'
import { ReduceLROnPlateau } from '../schedulers/reduce-lr-on-plateau.js'
import { LRScheduler } from '../schedulers/scheduler.js'
import { type Tensor, tensor } from '../tensor.js'
import { checkBoolean, checkOneOf, checkPlainObject, rejectUnknownKeys } from '../validate.js'
import { type AnyOptimizer, beginTraining } from './fit.js'
import type { Targets } from './network.js'
import type { PlannedRun, TrainerCore, TrainerEvent } from './trainer-core.js'
import { type Cursor, TrainerPlanner } from './trainer-planner.js'

/** Options of `model.trainer(options)`. */
export interface TrainerOptions {
  /** The optimizer that steps the model; it must hold exactly the model's `parameters()`. Required. */
  optimizer: AnyOptimizer
  /** Rows per optimizer step (default 32); a body's last step takes the rows left, as in `fit`. */
  batchSize?: number
  /** Batches that may wait behind the one training (default 32); `train` refuses more at once. */
  queueLimit?: number
  /**
   * A scheduler of the same optimizer. An `LRScheduler` is stepped by the trainer (see
   * `schedulerStep`); a `ReduceLROnPlateau` is stepped by you, with `trainer.schedulerStep(metric)`.
   */
  scheduler?: LRScheduler | ReduceLROnPlateau
  /**
   * When the trainer steps an `LRScheduler`: `'batch'` (default: after every optimizer step) or
   * `'epoch'` (after each `train` call, which is one pass over its rows, as `fit` with `epochs: 1`).
   */
  schedulerStep?: 'batch' | 'epoch'
  /** Threads the native training side uses for its matrix products (default: the machine's cores). */
  threads?: number
  /**
   * Native: run the training threads at a lower OS priority than the event loop (default true;
   * on Linux, niceness +10), so predictions and requests get a core first and training takes
   * the rest. False: they compete as equals.
   */
  background?: boolean
}

/** What `train` resolves with once the batch's steps are applied. */
export interface TrainResult {
  /** Optimizer steps this trainer has applied, up to and including this batch's. */
  readonly step: number
  /**
   * Mean training loss over the batch's rows, measured before each step (as `fit` reports an
   * epoch); NaN when every step was skipped for a non-finite gradient.
   */
  readonly loss: number
  /** Rows in the batch. */
  readonly rows: number
}

/** What `trainer.metrics()` reports. */
export interface TrainerMetrics {
  /** Optimizer steps applied. */
  readonly steps: number
  /** Rows trained on. */
  readonly rows: number
  /** Batches queued or training (`trainer.pending`). */
  readonly queued: number
  /** Loss of the last batch trained (undefined before the first). */
  readonly lastLoss: number | undefined
  /** The learning rate that the next batch queued will start with (the first group's). */
  readonly lr: number
  /** Rows trained per second over the last few seconds (0 before any). */
  readonly samplesPerSecond: number
  /** Steps skipped for a non-finite gradient (`onNonFinite: 'skip'`). */
  readonly skippedSteps: number
  /** Bodies refused (bad JSON, bad binary layout, non-finite values, …). */
  readonly refused: number
  /** Whether the trainer is still open (false once `close` began or the training side failed). */
  readonly open: boolean
}

/** What a model hands its trainer. */
export interface TrainerHost {
  readonly where: string
  readonly inputs: number
  readonly outputs: number
  readonly softmax: boolean
  readonly dtype: 'float32' | 'float64'
  /** Checks x and y as `fit` does (but for finiteness, which the engine checks); returns the data. */
  checkBatch(x: Tensor, y: Tensor): { x: FloatArray; targets: Targets }
  /** Checks inputs to predict/evaluate. */
  checkInputs(x: Tensor): { x: FloatArray; rows: number }
  checkEvaluate(x: Tensor, y: Tensor): { x: FloatArray; targets: Targets; rows: number }
  /** Builds the engine over the optimizer's plan layout. */
  startCore(settings: CoreSettings, onEvent: (event: TrainerEvent) => void): TrainerCore
  /** Called once the trainer has closed (or failed): the model is free again. */
  release(): void
}

/** What the engine is started with. */
export interface CoreSettings {
  readonly optimizer: AnyOptimizer
  readonly batchSize: number
  readonly checkNonFinite: boolean
  readonly threads: number
  readonly background: boolean
}

const KEYS = new Set([
  'optimizer',
  'batchSize',
  'queueLimit',
  'scheduler',
  'schedulerStep',
  'threads',
  'background',
])

/** A batch on its way: checked by the engine, then planned, then trained. */
interface Batch {
  readonly kind: 'batch'
  readonly id: number
  readonly resolve: (result: TrainResult) => void
  readonly reject: (error: unknown) => void
  rows: number
  /** 'checking' until the engine accepted it, then 'accepted', then 'planned' once enqueued. */
  stage: 'checking' | 'accepted' | 'planned'
  /** The step the current run started at, and the cursor before it. */
  first: number
  before: Cursor | undefined
  weighted: number
  counted: number
}

/** A point in the queue where the engine copies its state out (sync, close). */
interface Marker {
  readonly kind: 'marker'
  readonly id: number
  readonly waiters: { resolve: () => void; reject: (error: unknown) => void }[]
  enqueued: boolean
  /** The planning position when it was enqueued: the state at the marker. */
  at: Cursor | undefined
}

type Entry = Batch | Marker

function integer(where: string, what: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw typeError(where, what, `an integer >= ${min}`, value)
  if (!Number.isSafeInteger(value) || value < min)
    throw rangeError(where, what, `an integer >= ${min}`, value)
  return value
}

/** The open trainer of each model, optimizer and scheduler it drives (for `saveCheckpoint`). */
const openTrainers = new WeakMap<object, Trainer>()

/** The open trainer driving `part` (a model, optimizer or scheduler), if any. */
export function trainerOf(part: unknown): Trainer | undefined {
  return typeof part === 'object' && part !== null ? openTrainers.get(part) : undefined
}

/** How far back `samplesPerSecond` looks, in ms. */
const RATE_WINDOW_MS = 5000

/**
 * A persistent training session over a model and its optimizer (`model.trainer(options)`):
 * batches go in with `train` (typed arrays), `trainBuffer` (the binary layout) or `trainJson`
 * (JSON body bytes), are checked and trained in order off the event loop, and `predict` answers
 * from the latest published weights meanwhile. See docs/trainer.md.
 *
 * Training batches B1…Bn through a trainer gives exactly what `fit` gives over each of them in
 * turn (shuffle off, `epochs: 1`, the same batch size): parameters, optimizer state and
 * scheduler, bit for bit. While it is open, the model's buffers and the optimizer's tensors
 * hold the state of the last `sync()`; `fit`, `forwardBackward`, `optimizer.step()` and
 * `loadStateDict` throw `DESCENT_BUSY`.
 *
 * A Schedule-Free optimizer (AdamWScheduleFree, SGDScheduleFree) is in train mode while the
 * trainer is open: it trains the point y, while `predict` and `evaluate` read the average x
 * (lerp(y, z, 1 − 1/β), the bits its `eval()` gives), published after every batch. `close()`
 * moves it to eval mode, leaving x in the model, as one `fit` over all the batches would.
 */
export class Trainer {
  readonly #host: TrainerHost
  readonly #planner: TrainerPlanner
  readonly #core: TrainerCore
  readonly #queueLimit: number
  readonly #scheduler: LRScheduler | ReduceLROnPlateau | undefined
  readonly #entries: Entry[] = []
  /** Entries before this index are enqueued in the engine. */
  #planned = 0
  #nextId = 1
  #steps = 0
  #rows = 0
  #refused = 0
  #lastLoss: number | undefined
  readonly #recent: { at: number; rows: number }[] = []
  #state: 'open' | 'closing' | 'closed' | 'failed' = 'open'
  #failure: Error | undefined
  #closing: Promise<void> | undefined
  #held = false
  /** The position of the state the model's buffers hold (the last sync, or the start). */
  #synced: Cursor
  /** Moves a Schedule-Free optimizer back to eval mode at the end (nothing for the others). */
  readonly #endTraining: () => void
  /** The optimizer's parameters that had no state before the trainer (see `forgetUnstepped`). */
  readonly #fresh: readonly Parameter[]

  readonly #parts: object[]

  /** @internal Use `model.trainer(options)`. */
  constructor(host: TrainerHost, options: TrainerOptions, parameters: readonly unknown[], model: object) {
    const where = host.where
    checkPlainObject(where, 'options', options)
    rejectUnknownKeys(where, options, KEYS)
    const optimizer = options.optimizer
    if (!(optimizer instanceof Optimizer))
      throw typeError(where, 'optimizer', 'an Optimizer (Adam, SGD, …)', optimizer)
    const held = optimizer.paramGroups.flatMap((g) => g.params)
    if (held.length !== parameters.length || held.some((p) => !parameters.includes(p)))
      throw new RangeError(
        `${where}: the optimizer must hold exactly this model's parameters (pass model.parameters())`,
      )
    const batchSize = integer(where, 'batchSize', options.batchSize, 32, 1)
    this.#queueLimit = integer(where, 'queueLimit', options.queueLimit, 32, 0)
    const threads = integer(where, 'threads', options.threads, availableParallelism(), 1)
    const scheduler = options.scheduler
    if (scheduler !== undefined) {
      if (!(scheduler instanceof LRScheduler || scheduler instanceof ReduceLROnPlateau))
        throw typeError(where, 'scheduler', 'a learning-rate scheduler (StepLR, OneCycleLR, …)', scheduler)
      if (scheduler.optimizer !== optimizer)
        throw new RangeError(`${where}: scheduler must drive the same optimizer as the optimizer option`)
    }
    const background = options.background ?? true
    checkBoolean(where, 'background', background)
    const schedulerStep = options.schedulerStep ?? 'batch'
    checkOneOf(where, 'schedulerStep', schedulerStep, ['batch', 'epoch'])
    this.#scheduler = scheduler
    const lr = scheduler instanceof LRScheduler ? scheduler : undefined
    this.#planner = new TrainerPlanner(
      optimizer,
      batchSize,
      scheduler,
      schedulerStep === 'batch' ? lr : undefined,
      schedulerStep === 'epoch' ? lr : undefined,
    )
    // The optimizer's own checks, changing nothing; a Schedule-Free optimizer moves to train mode
    // (its parameters hold y) until close() moves it back, as fit does around a run.
    const endTraining = beginTraining(optimizer)
    this.#endTraining = endTraining
    this.#host = host
    this.#fresh = held.filter((p) => optimizer.stateOf(p) === undefined)
    const settings = {
      optimizer,
      batchSize,
      checkNonFinite: optimizer.onNonFinite !== 'ignore',
      threads,
      background,
    }
    try {
      this.#core = host.startCore(settings, (event) => this.#onEvent(event))
    } catch (error) {
      endTraining()
      throw error
    }
    this.#synced = this.#planner.cursor()
    lendToTraining(optimizer, `${host.where.split('.')[0]}.trainer`)
    this.#parts = [model, optimizer, ...(scheduler ? [scheduler] : [])]
    for (const part of this.#parts) openTrainers.set(part, this)
  }

  /** Batches queued or training. */
  get pending(): number {
    let n = 0
    for (const e of this.#entries) if (e.kind === 'batch') n++
    return n
  }

  /**
   * Whether `queueLimit` batches already wait behind the one training, so that `train` would
   * refuse now (a server can answer 429 before reading a body).
   */
  get full(): boolean {
    return this.pending > this.#queueLimit
  }

  /** The optimizer this trainer steps. */
  get optimizer(): AnyOptimizer {
    return this.#planner.optimizer
  }

  /**
   * Queues rows `x` ([n, inputs], the model's dtype) with targets `y` (class labels [n] for
   * softmax models, values [n, outputs] otherwise) and resolves once their steps are applied.
   * The data are copied at once; a non-finite value rejects with a RangeError naming it.
   */
  train(x: Tensor, y: Tensor): Promise<TrainResult> {
    return this.#submit('train', (id) => {
      const batch = this.#host.checkBatch(x, y)
      return () => this.#core.submitTensors(id, batch.x, batch.targets)
    })
  }

  /**
   * Queues a binary body (docs/trainer.md: rows u32, cols u32, x as f32, then i32 labels or f32
   * values, little-endian), copied at once and parsed off the event loop.
   */
  trainBuffer(body: Uint8Array): Promise<TrainResult> {
    return this.#submit('trainBuffer', (id) => {
      if (!(body instanceof Uint8Array))
        throw typeError(this.#name('trainBuffer'), 'body', 'a Buffer or Uint8Array', body)
      return () => this.#core.submitBinary(id, body)
    })
  }

  /**
   * Queues a JSON body `{"x": [[...], ...], "y": [...]}` as bytes (a Buffer, as read from a
   * request) or a string, parsed and checked off the event loop.
   */
  trainJson(body: Uint8Array | string): Promise<TrainResult> {
    return this.#submit('trainJson', (id) => {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
      if (!(bytes instanceof Uint8Array))
        throw typeError(this.#name('trainJson'), 'body', 'a Buffer, Uint8Array or string of JSON', body)
      return () => this.#core.submitJson(id, bytes)
    })
  }

  /**
   * The model's outputs for `x` from the latest published weights: those after the last batch
   * the training side finished (at most one batch behind it). Never waits for a step.
   */
  predict(x: Tensor): Tensor<FloatArray> {
    this.#checkUsable()
    const { x: data, rows } = this.#host.checkInputs(x)
    const out =
      data instanceof Float32Array
        ? new Float32Array(rows * this.#host.outputs)
        : new Float64Array(rows * this.#host.outputs)
    this.#core.predict(data, out)
    return tensor(out, [rows, this.#host.outputs])
  }

  /** Loss (and accuracy, for softmax models) over `x`, `y` from the latest published weights. */
  evaluate(x: Tensor, y: Tensor): { loss: number; accuracy?: number } {
    this.#checkUsable()
    const { x: data, targets, rows } = this.#host.checkEvaluate(x, y)
    const { loss, hits } = this.#core.evaluate(data, targets)
    return this.#host.softmax ? { loss, accuracy: hits / rows } : { loss }
  }

  /** Counters and rates for dashboards (`/metrics`). */
  metrics(): TrainerMetrics {
    const now = performance.now()
    while (this.#recent.length > 1 && now - (this.#recent[0] as { at: number }).at > RATE_WINDOW_MS)
      this.#recent.shift()
    const first = this.#recent[0]
    const rowsInWindow = this.#recent.reduce((n, r) => n + r.rows, 0) - (first?.rows ?? 0)
    const seconds = first ? (now - first.at) / 1000 : 0
    return {
      steps: this.#steps,
      rows: this.#rows,
      queued: this.pending,
      lastLoss: this.#lastLoss,
      lr: this.optimizer.lr,
      samplesPerSecond: seconds > 0 ? rowsInWindow / seconds : 0,
      skippedSteps: this.optimizer.skippedSteps,
      refused: this.#refused,
      open: this.#state === 'open',
    }
  }

  /**
   * Steps the trainer's `ReduceLROnPlateau` with `metric` (e.g. a validation loss). The new lr
   * applies to the batches queued after this call; those already queued keep their planned lrs.
   */
  schedulerStep(metric: number): void {
    const where = this.#name('schedulerStep')
    this.#checkUsable()
    if (this.#state !== 'open') throw new DescentError('DESCENT_CLOSED', `${where}: the trainer is closed`)
    if (!(this.#scheduler instanceof ReduceLROnPlateau))
      throw new TypeError(
        `${where}: the trainer's scheduler must be a ReduceLROnPlateau (an LRScheduler is stepped by the trainer itself)`,
      )
    this.#scheduler.step(metric)
  }

  /**
   * Resolves once every batch queued before this call has trained and the state after them
   * (parameters, gradients, optimizer state, scheduler) is written back into the model's
   * buffers and the optimizer, exactly. Batches queued meanwhile start after it.
   */
  sync(): Promise<void> {
    if (this.#state === 'failed') return Promise.reject(this.#failure)
    if (this.#state === 'closed') return Promise.resolve()
    if (this.#closing) return this.#closing
    return new Promise((resolve, reject) => {
      const last = this.#entries.at(-1)
      if (last?.kind === 'marker') last.waiters.push({ resolve, reject })
      else
        this.#entries.push({
          kind: 'marker',
          id: this.#nextId++,
          waiters: [{ resolve, reject }],
          enqueued: false,
          at: undefined,
        })
      this.#hold()
      this.#plan()
    })
  }

  /**
   * Finishes the batch in flight (the oldest one, even while it is still being checked), rejects
   * the batches still waiting with `DESCENT_CLOSED`, syncs, and ends the training side. The model
   * and optimizer are free again after it.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing
    if (this.#state === 'failed' || this.#state === 'closed') {
      this.#finish()
      return Promise.resolve()
    }
    this.#state = 'closing'
    this.#closing = new Promise<void>((resolve, reject) => {
      // The oldest batch is the one in flight, whether it trains yet or is still being checked.
      const inFlight = this.#entries.find((e) => e.kind === 'batch')
      const waiting = new Set(this.#core.discardWaiting(inFlight?.id ?? -1))
      const closed = () =>
        new DescentError(
          'DESCENT_CLOSED',
          `${this.#name('train')}: the trainer was closed before this batch trained`,
        )
      let rewindTo: Cursor | undefined
      const syncs: Marker['waiters'] = []
      for (let i = this.#entries.length - 1; i >= 0; i--) {
        const e = this.#entries[i] as Entry
        const started = e === inFlight || (i < this.#planned && !waiting.has(e.id))
        if (started) continue
        if (e.kind === 'batch') {
          if (e.stage === 'planned') rewindTo = e.before
          e.reject(closed())
        } else syncs.push(...e.waiters)
        this.#entries.splice(i, 1)
        if (i < this.#planned) this.#planned--
      }
      if (rewindTo) this.#planner.rewind(rewindTo)
      this.#entries.push({
        kind: 'marker',
        id: this.#nextId++,
        waiters: [...syncs, { resolve, reject }],
        enqueued: false,
        at: undefined,
      })
      this.#hold()
      this.#plan()
    }).finally(() => this.#finish())
    return this.#closing
  }

  /** For tests: the next batch fails on the training side (a panic, natively). */
  debugFailNextBatch(): void {
    this.#core.debugFailNextBatch()
  }

  /**
   * @internal Runs `f` with the model's buffers, the optimizer and the scheduler holding one
   * consistent state between two batches (for `saveCheckpoint` of an open trainer), then puts
   * the planning position back.
   */
  withConsistentState<R>(f: () => R): R {
    if (this.#state === 'failed') throw this.#failure
    if (this.#state === 'closed') return f()
    const { lastDone, headSteps } = this.#core.captureNow()
    const now = this.#planner.cursor()
    this.#rewindToState(lastDone, headSteps)
    try {
      return f()
    } finally {
      this.#planner.rewind(now)
    }
  }

  /**
   * Rewinds the planner to the position of the engine's state when `lastDone` was the last
   * batch or marker done and `headSteps` steps of the next batch were applied: the cursor
   * before the first planned batch not done, moved on by those steps.
   */
  #rewindToState(lastDone: number, headSteps: number): void {
    let index = 0
    if (lastDone >= 0) {
      const at = this.#entries.findIndex((e) => e.id === lastDone)
      index = at >= 0 ? at + 1 : 0
    }
    const next = this.#entries.slice(index, this.#planned).find((e): e is Batch => e.kind === 'batch')
    if (next?.before === undefined) return
    if (headSteps > 0)
      this.#planner.commitPartial(next.before, this.#planner.stepsOf(next.rows) - next.first, headSteps)
    else this.#planner.rewind(next.before)
  }

  #name(method: string): string {
    return `Trainer.${method}`
  }

  /** Throws the failure of a failed trainer (predictions still work after a close). */
  #checkUsable(): void {
    if (this.#state === 'failed') throw this.#failure as Error
  }

  #submit(method: string, prepare: (id: number) => () => void): Promise<TrainResult> {
    const where = this.#name(method)
    if (this.#state === 'failed') return Promise.reject(this.#failure)
    if (this.#state !== 'open')
      return Promise.reject(new DescentError('DESCENT_CLOSED', `${where}: the trainer is closed`))
    if (this.full)
      return Promise.reject(
        new DescentError(
          'DESCENT_QUEUE_FULL',
          `${where}: the queue is full (${this.pending} batches pending, queueLimit ${this.#queueLimit}); retry when one has trained`,
        ),
      )
    const id = this.#nextId++
    let send: () => void
    try {
      send = prepare(id)
    } catch (error) {
      return Promise.reject(error)
    }
    return new Promise<TrainResult>((resolve, reject) => {
      const batch: Batch = {
        kind: 'batch',
        id,
        resolve,
        reject,
        rows: 0,
        stage: 'checking',
        first: 0,
        before: undefined,
        weighted: 0,
        counted: 0,
      }
      send()
      this.#entries.push(batch)
      this.#hold()
    })
  }

  #find(id: number): Entry | undefined {
    return this.#entries.find((e) => e.id === id)
  }

  #remove(entry: Entry): void {
    const i = this.#entries.indexOf(entry)
    if (i < 0) return
    this.#entries.splice(i, 1)
    if (i < this.#planned) this.#planned--
  }

  /** Events arrive on Node's thread; nothing here may throw (it would be an uncaught exception). */
  #onEvent(event: TrainerEvent): void {
    try {
      this.#handle(event)
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)))
    }
  }

  #handle(event: TrainerEvent): void {
    if (event.kind === 'failed') {
      this.#fail(new DescentError('DESCENT_PANIC', `${this.#name('train')}: ${event.message}`))
      return
    }
    const entry = this.#find(event.id)
    if (entry === undefined) return // rejected meanwhile (close)
    switch (event.kind) {
      case 'accepted':
        if (entry.kind === 'batch') {
          entry.rows = event.rows
          entry.stage = 'accepted'
        }
        break
      case 'refused': {
        this.#remove(entry)
        this.#refused++
        const message = `${this.#name('train')}: ${event.message}`
        if (entry.kind === 'batch')
          entry.reject(event.errorKind === 'type' ? new TypeError(message) : new RangeError(message))
        break
      }
      case 'trained':
        if (entry.kind === 'batch') this.#trained(entry, event)
        break
      case 'reached':
        if (entry.kind === 'marker') {
          this.#core.takeCapture()
          this.#synced = entry.at as Cursor
          this.#remove(entry)
          for (const w of entry.waiters) w.resolve()
          // What waited behind the marker is planned in the next turn of the event loop, so code
          // after `await trainer.sync()` reads the state at the marker, scalars included.
          setImmediate(() => {
            this.#plan()
            this.#hold()
          })
          return
        }
        break
    }
    this.#plan()
    this.#hold()
  }

  #trained(batch: Batch, event: TrainerEvent & { kind: 'trained' }): void {
    const planner = this.#planner
    for (let j = 0; j < event.steps; j++) {
      const rows = planner.rowsOfStep(batch.rows, batch.first + j)
      batch.weighted += (event.losses[j] as number) * rows
      batch.counted += rows
    }
    this.#steps += event.steps
    if (event.nonFinite < 0) {
      this.#complete(batch)
      return
    }
    // The engine paused before the bad step: settle it as fit would, then plan again what follows.
    const count = planner.stepsOf(batch.rows) - batch.first
    planner.settleNonFinite(batch.before as Cursor, count, event.steps)
    const next = batch.first + event.steps + 1
    let held: PlannedRun | undefined
    if (planner.optimizer.onNonFinite === 'throw') {
      this.#remove(batch)
      batch.reject(planner.optimizer.nonFiniteError(event.nonFinite))
    } else if (next < planner.stepsOf(batch.rows)) {
      const { plan, before } = planner.plan(batch.rows, next)
      batch.first = next
      batch.before = before
      held = { id: batch.id, first: next, plan }
    } else {
      planner.finishBody()
      this.#complete(batch)
    }
    const replanned: PlannedRun[] = []
    for (const e of this.#entries.slice(0, this.#planned)) {
      if (e.kind !== 'batch' || e === batch) continue
      const { plan, before } = planner.plan(e.rows, 0)
      e.before = before
      replanned.push({ id: e.id, first: 0, plan })
    }
    this.#core.resume(held, replanned)
  }

  #complete(batch: Batch): void {
    this.#remove(batch)
    this.#rows += batch.rows
    const loss = batch.weighted / batch.counted
    this.#lastLoss = loss
    this.#recent.push({ at: performance.now(), rows: batch.rows })
    if (this.#recent.length > 256) this.#recent.shift()
    batch.resolve({ step: this.#steps, loss, rows: batch.rows })
  }

  /** Enqueues, in order, what can be: accepted batches (planned now) and markers, stopping at a marker not yet reached. */
  #plan(): void {
    while (this.#planned < this.#entries.length) {
      const e = this.#entries[this.#planned] as Entry
      if (e.kind === 'marker') {
        if (!e.enqueued) {
          this.#core.enqueueMarker(e.id)
          e.enqueued = true
          e.at = this.#planner.cursor()
        }
        return // what follows waits until the state at the marker is copied out
      }
      if (e.stage === 'checking') return
      let before: Cursor | undefined
      try {
        const planned = this.#planner.plan(e.rows, 0)
        before = planned.before
        this.#core.enqueue({ id: e.id, first: 0, plan: planned.plan })
      } catch (error) {
        if (before) this.#planner.rewind(before)
        this.#core.forget(e.id)
        this.#remove(e)
        e.reject(error)
        continue
      }
      e.before = before
      e.stage = 'planned'
      this.#planned++
    }
  }

  #fail(error: Error): void {
    if (this.#state === 'failed' || this.#state === 'closed') return
    // Leave the optimizer and scheduler at the state the model's buffers hold: the last sync
    // (native: the thread's copies are lost), or where the in-place engine stopped (JS).
    if (this.#core.inPlace) {
      const { lastDone, headSteps } = this.#core.captureNow()
      this.#rewindToState(lastDone, headSteps)
    } else this.#planner.rewind(this.#synced)
    this.#state = 'failed'
    this.#failure = error
    for (const e of this.#entries.splice(0)) {
      if (e.kind === 'batch') e.reject(error)
      else for (const w of e.waiters) w.reject(error)
    }
    this.#planned = 0
    this.#finish()
  }

  /** Keeps Node alive while anything is pending, and only then. */
  #hold(): void {
    const active = this.#entries.length > 0 && this.#state !== 'failed' && this.#state !== 'closed'
    if (active === this.#held) return
    this.#held = active
    this.#core.hold(active)
  }

  #finish(): void {
    if (this.#state !== 'failed') this.#state = 'closed'
    if (this.#held) {
      this.#held = false
      this.#core.hold(false)
    }
    this.#core.close()
    Optimizer.forgetUnstepped(this.optimizer, this.#fresh)
    lendToTraining(this.optimizer, undefined)
    this.#endTraining()
    for (const part of this.#parts) if (openTrainers.get(part) === this) openTrainers.delete(part)
    this.#host.release()
  }
}
