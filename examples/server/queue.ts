/** Thrown by `push` on a full queue: the client should try again after `retryAfterSeconds`. */
export class QueueFullError extends Error {
  constructor(
    readonly waiting: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`the training queue is full (${waiting} batches waiting); retry in ${retryAfterSeconds} s`)
    this.name = 'QueueFullError'
  }
}

/** Thrown by `push` after `close`, and given to the waiting jobs `close` drops. */
export class QueueClosedError extends Error {
  constructor() {
    super('the server is shutting down; the batch was not applied')
    this.name = 'QueueClosedError'
  }
}

interface Waiting<Job, Result> {
  readonly job: Job
  readonly resolve: (result: Result) => void
  readonly reject: (error: unknown) => void
}

/** Weight of the newest run in the mean job time (an exponential moving average). */
const SMOOTHING = 0.2

/** How the queue runs its jobs. */
export interface QueueOptions<Job, Result> {
  /** Jobs that may wait behind the run in flight; `push` refuses more. */
  readonly limit: number
  /** Runs a group of jobs, in order, resolving with one result per job. Never called again before the previous call settled. */
  readonly run: (jobs: readonly Job[]) => Promise<readonly Result[]>
  /** The most jobs one run takes (1: one run per job). */
  readonly maxGroup: number
  /** Whether `next` may join `group` in one run. */
  readonly joins: (group: readonly Job[], next: Job) => boolean
}

/**
 * A bounded FIFO that runs its jobs one run at a time: each training batch starts from the
 * weights the previous one left, and the model refuses a second fit while one runs. Jobs that
 * waited are run together (up to `maxGroup`, as `joins` allows), which spreads the fixed cost of
 * a run over them. At most `limit` jobs wait behind the run in flight; past that `push` refuses
 * at once (the server answers 429) instead of letting memory grow with the backlog.
 */
export class BoundedQueue<Job, Result> {
  readonly limit: number
  readonly #options: QueueOptions<Job, Result>
  readonly #waiting: Waiting<Job, Result>[] = []
  #inFlight: Promise<void> | undefined
  /** Whether a setImmediate will call `#next`. */
  #scheduled = false
  #closed = false
  #meanJobMs: number | undefined

  constructor(options: QueueOptions<Job, Result>) {
    this.limit = options.limit
    this.#options = options
  }

  /** Jobs waiting behind the run in flight. */
  get waiting(): number {
    return this.#waiting.length
  }

  /** Whether a run is in flight. */
  get running(): boolean {
    return this.#inFlight !== undefined
  }

  /** Recent time per job in milliseconds: a run's time shared among its jobs (undefined before the first run ends). */
  get meanJobMs(): number | undefined {
    return this.#meanJobMs
  }

  /**
   * Queues `job` and resolves with its result once it has run; throws `QueueFullError` when
   * `limit` jobs already wait, `QueueClosedError` after `close`.
   */
  push(job: Job): Promise<Result> {
    this.checkRoom()
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ job, resolve, reject })
      this.#schedule()
    })
  }

  /**
   * Throws what `push` would throw now: `QueueClosedError` after `close`, `QueueFullError` when
   * `limit` jobs wait (so a request can be refused before its body is read).
   */
  checkRoom(): void {
    if (this.#closed) throw new QueueClosedError()
    // While no run is in flight, the first waiting job is the next to start, not one behind it.
    const room = this.limit + (this.#inFlight === undefined ? 1 : 0)
    if (this.#waiting.length >= room)
      throw new QueueFullError(this.#waiting.length, this.#retryAfterSeconds())
  }

  /**
   * Refuses new jobs, rejects the waiting ones with `QueueClosedError` and resolves when the run
   * in flight (if any) has finished.
   */
  async close(): Promise<void> {
    this.#closed = true
    for (const dropped of this.#waiting.splice(0)) dropped.reject(new QueueClosedError())
    await this.#inFlight
  }

  /**
   * Starts the next run from a setImmediate callback, never straight from `push` or from the end
   * of a run. A run may do much of its work synchronously (the JS backend trains a batch in its
   * first slice); started from an I/O callback, or from the promise chain of the previous run,
   * runs would follow each other without the event loop reading a single request in between.
   * This way each turn of the loop reads what arrived, then starts at most one run; and batches
   * that arrived in the same turn join the same run.
   */
  #schedule(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#next()
    })
  }

  #next(): void {
    if (this.#inFlight !== undefined || this.#waiting.length === 0) return
    const { maxGroup, joins } = this.#options
    const group = this.#waiting.splice(0, 1)
    while (group.length < maxGroup) {
      const candidate = this.#waiting[0]
      if (
        candidate === undefined ||
        !joins(
          group.map((w) => w.job),
          candidate.job,
        )
      )
        break
      group.push(this.#waiting.shift() as Waiting<Job, Result>)
    }
    const started = performance.now()
    this.#inFlight = this.#run(group).finally(() => {
      const ms = (performance.now() - started) / group.length
      this.#meanJobMs =
        this.#meanJobMs === undefined ? ms : this.#meanJobMs + SMOOTHING * (ms - this.#meanJobMs)
      this.#inFlight = undefined
      this.#schedule()
    })
  }

  /** Runs `group` and settles each job's promise. */
  async #run(group: readonly Waiting<Job, Result>[]): Promise<void> {
    try {
      const results = await this.#options.run(group.map((w) => w.job))
      group.forEach((w, i) => w.resolve(results[i] as Result))
    } catch (error) {
      for (const w of group) w.reject(error)
    }
  }

  /** Time until the jobs ahead of a new one would have run, in whole seconds (at least 1). */
  #retryAfterSeconds(): number {
    const ms = (this.#waiting.length + 1) * (this.#meanJobMs ?? 1000)
    return Math.max(1, Math.ceil(ms / 1000))
  }
}
