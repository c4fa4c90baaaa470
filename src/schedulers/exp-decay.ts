import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `ExpDecay` and `expDecay` (the tutorial's `exp_decay`). */
export interface ExpDecayOptions {
  /** Decay rate per step (>= 0; default 0.1). */
  k?: number
}

function resolve(where: string, options: unknown): Readonly<Required<ExpDecayOptions>> {
  const o = readOptions(where, options, ['k'])
  return Object.freeze({ k: numberOption(where, o, 'k', { min: 0 }, 0.1) })
}

/** ExpDecay as a pure function: `B·exp(−k·e)`. */
export function expDecay(step: number, baseLr: number, options: ExpDecayOptions = {}): number {
  checkPureArguments('expDecay', step, baseLr)
  return finiteLr('expDecay', step, baseLr * Math.exp(-resolve('expDecay', options).k * step))
}

/** The tutorial's exponential decay, `lr(e) = B·exp(−k·e)`: ExponentialLR with γ = e^(−k). */
export class ExpDecay extends LRScheduler {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<ExpDecayOptions>>

  constructor(optimizer: SchedulableOptimizer, options: ExpDecayOptions = {}) {
    super(optimizer)
    this.options = resolve('ExpDecay', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return baseLr * Math.exp(-this.options.k * step)
  }
}
