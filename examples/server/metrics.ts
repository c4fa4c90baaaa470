import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Learner } from './learner.js'

/** Sampling interval of the event-loop delay monitor, in milliseconds. */
const RESOLUTION_MS = 1

/** The body of `GET /metrics`. */
export interface MetricsSnapshot {
  readonly backend: string
  readonly steps: number
  readonly samples: number
  readonly lastLoss: number | null
  readonly lr: number
  /** Batches waiting behind the one training. */
  readonly queueDepth: number
  readonly queueLimit: number
  readonly training: boolean
  /** Rows trained per second over the last few seconds. */
  readonly samplesPerSecond: number
  /** Bodies refused with a 400. */
  readonly refused: number
  /**
   * 99th percentile of the event-loop delay since the server started listening, in ms, beyond
   * the monitor's 1 ms sampling interval: how long a request may wait before the server looks at it.
   */
  readonly eventLoopDelayP99Ms: number
  readonly eventLoopDelayMaxMs: number
  /** Responses sent, by route and status: `{ "POST /train 200": 12, "POST /train 429": 3, … }`. */
  readonly responses: Readonly<Record<string, number>>
  readonly uptimeSeconds: number
}

/** Response counters and the event-loop delay monitor (perf_hooks.monitorEventLoopDelay). */
export class Metrics {
  readonly #responses: Record<string, number> = {}
  readonly #delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  readonly #started = performance.now()

  constructor() {
    this.#delay.enable()
  }

  /** Counts one response, e.g. `count('POST /train', 429)`. */
  count(route: string, status: number): void {
    const key = `${route} ${status}`
    this.#responses[key] = (this.#responses[key] ?? 0) + 1
  }

  /** Stops the delay monitor (its timer would otherwise keep the process alive). */
  stop(): void {
    this.#delay.disable()
  }

  /** What `GET /metrics` reports. */
  snapshot({ model, trainer, queueLimit }: Learner): MetricsSnapshot {
    const beyondInterval = (ns: number) => round(Math.max(0, ns / 1e6 - RESOLUTION_MS))
    const m = trainer.metrics()
    return {
      backend: model.backend,
      steps: m.steps,
      samples: m.rows,
      lastLoss: m.lastLoss ?? null,
      lr: m.lr,
      queueDepth: Math.max(0, m.queued - 1),
      queueLimit,
      training: m.queued > 0,
      samplesPerSecond: round(m.samplesPerSecond),
      refused: m.refused,
      eventLoopDelayP99Ms: beyondInterval(this.#delay.percentile(99)),
      eventLoopDelayMaxMs: beyondInterval(this.#delay.max),
      responses: { ...this.#responses },
      uptimeSeconds: round((performance.now() - this.#started) / 1000),
    }
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}
