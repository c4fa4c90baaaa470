import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `CosineDecay` and `cosineDecay` (the tutorial's `cosine_decay`). */
export interface CosineDecayOptions {
  /** Steps from B down to 0 (> 0; required). */
  totalEpochs: number
}

function resolve(where: string, options: unknown): Readonly<CosineDecayOptions> {
  const o = readOptions(where, options, ['totalEpochs'])
  return Object.freeze({ totalEpochs: numberOption(where, o, 'totalEpochs', { above: 0 }) })
}

function lr(step: number, baseLr: number, o: CosineDecayOptions): number {
  return baseLr * 0.5 * (1 + Math.cos((Math.PI * step) / o.totalEpochs))
}

/** CosineDecay as a pure function: `B·½(1 + cos(π·e/totalEpochs))`. */
export function cosineDecay(step: number, baseLr: number, options: CosineDecayOptions): number {
  checkPureArguments('cosineDecay', step, baseLr)
  return finiteLr('cosineDecay', step, lr(step, baseLr, resolve('cosineDecay', options)))
}

/**
 * The tutorial's cosine decay, `lr(e) = B·½(1 + cos(π·e/totalEpochs))`: CosineAnnealingLR with
 * etaMin 0. Not clamped: past totalEpochs it rises again, as the tutorial's formula does.
 */
export class CosineDecay extends LRScheduler {
  /** The options. */
  readonly options: Readonly<CosineDecayOptions>

  constructor(optimizer: SchedulableOptimizer, options: CosineDecayOptions) {
    super(optimizer)
    this.options = resolve('CosineDecay', options)
    this.start()
  }

  override plannedSteps(): number {
    return this.options.totalEpochs
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
