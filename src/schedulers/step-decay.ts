import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `StepDecay` and `stepDecay` (the tutorial's `step_decay`). */
export interface StepDecayOptions {
  /** Factor applied at each drop (> 0; default 0.5). */
  drop?: number
  /** Epochs between drops (> 0; default 10). */
  epochsDrop?: number
}

function resolve(where: string, options: unknown): Readonly<Required<StepDecayOptions>> {
  const o = readOptions(where, options, ['drop', 'epochsDrop'])
  return Object.freeze({
    drop: numberOption(where, o, 'drop', { above: 0 }, 0.5),
    epochsDrop: numberOption(where, o, 'epochsDrop', { above: 0 }, 10),
  })
}

function lr(step: number, baseLr: number, o: Required<StepDecayOptions>): number {
  return baseLr * o.drop ** Math.floor((1 + step) / o.epochsDrop)
}

/** StepDecay as a pure function: `B·drop^⌊(1 + e)/epochsDrop⌋`. */
export function stepDecay(step: number, baseLr: number, options: StepDecayOptions = {}): number {
  checkPureArguments('stepDecay', step, baseLr)
  return finiteLr('stepDecay', step, lr(step, baseLr, resolve('stepDecay', options)))
}

/**
 * The tutorial's step decay, `lr(e) = B·drop^⌊(1 + e)/epochsDrop⌋`. Its `1 + e` makes the first
 * drop happen at e = epochsDrop − 1, one step earlier than StepLR with stepSize = epochsDrop.
 */
export class StepDecay extends LRScheduler {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<StepDecayOptions>>

  constructor(optimizer: SchedulableOptimizer, options: StepDecayOptions = {}) {
    super(optimizer)
    this.options = resolve('StepDecay', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
