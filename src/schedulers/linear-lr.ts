import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `LinearLR` and `linearLR` (torch LinearLR). */
export interface LinearLROptions {
  /** Multiple of B at step 0 (in (0, 1]; default 1/3). */
  startFactor?: number
  /** Multiple of B from step totalIters on (in [0, 1]; default 1). */
  endFactor?: number
  /** Steps the ramp takes (an integer >= 1; default 5). */
  totalIters?: number
}

function resolve(where: string, options: unknown): Readonly<Required<LinearLROptions>> {
  const o = readOptions(where, options, ['startFactor', 'endFactor', 'totalIters'])
  return Object.freeze({
    startFactor: numberOption(where, o, 'startFactor', { above: 0, max: 1 }, 1 / 3),
    endFactor: numberOption(where, o, 'endFactor', { min: 0, max: 1 }, 1),
    totalIters: numberOption(where, o, 'totalIters', { integer: true, min: 1 }, 5),
  })
}

function lr(step: number, baseLr: number, o: Required<LinearLROptions>): number {
  // From totalIters on, torch's a + (b − a)·N/N can round below b: with b = 0, to a negative lr.
  if (step >= o.totalIters) return baseLr * o.endFactor
  return baseLr * (o.startFactor + ((o.endFactor - o.startFactor) * step) / o.totalIters)
}

/** LinearLR as a pure function: `B·(a + (b − a)·min(s, N)/N)`. */
export function linearLR(step: number, baseLr: number, options: LinearLROptions = {}): number {
  checkPureArguments('linearLR', step, baseLr)
  return finiteLr('linearLR', step, lr(step, baseLr, resolve('linearLR', options)))
}

/**
 * Moves the lr's multiple of B linearly from `startFactor` to `endFactor` over `totalIters`
 * steps, then holds it (torch LinearLR); the usual warmup before a decay in SequentialLR.
 * The factor ranges are torch's.
 */
export class LinearLR extends LRScheduler {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<LinearLROptions>>

  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    super(optimizer)
    this.options = resolve('LinearLR', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
