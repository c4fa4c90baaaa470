import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `StepLR` and `stepLR` (torch StepLR). */
export interface StepLROptions {
  /** Steps between two decays (an integer >= 1; required). */
  stepSize: number
  /** Factor applied at each decay (> 0; default 0.1). */
  gamma?: number
}

function resolve(where: string, options: unknown): Readonly<Required<StepLROptions>> {
  const o = readOptions(where, options, ['stepSize', 'gamma'])
  return Object.freeze({
    stepSize: numberOption(where, o, 'stepSize', { integer: true, min: 1 }),
    gamma: numberOption(where, o, 'gamma', { above: 0 }, 0.1),
  })
}

function lr(step: number, baseLr: number, o: Required<StepLROptions>): number {
  return baseLr * o.gamma ** Math.floor(step / o.stepSize)
}

/** StepLR as a pure function: `B·γ^⌊s/stepSize⌋`. */
export function stepLR(step: number, baseLr: number, options: StepLROptions): number {
  checkPureArguments('stepLR', step, baseLr)
  return finiteLr('stepLR', step, lr(step, baseLr, resolve('stepLR', options)))
}

/** Multiplies the lr by `gamma` every `stepSize` steps: `lr(s) = B·γ^⌊s/stepSize⌋` (torch StepLR). */
export class StepLR extends LRScheduler {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<StepLROptions>>

  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    super(optimizer)
    this.options = resolve('StepLR', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
