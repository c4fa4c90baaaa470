import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `ExponentialLR` and `exponentialLR` (torch ExponentialLR). */
export interface ExponentialLROptions {
  /** Factor applied every step (> 0; required). */
  gamma: number
}

function resolve(where: string, options: unknown): Readonly<ExponentialLROptions> {
  const o = readOptions(where, options, ['gamma'])
  return Object.freeze({ gamma: numberOption(where, o, 'gamma', { above: 0 }) })
}

/** ExponentialLR as a pure function: `B·γ^s`. */
export function exponentialLR(step: number, baseLr: number, options: ExponentialLROptions): number {
  checkPureArguments('exponentialLR', step, baseLr)
  return finiteLr('exponentialLR', step, baseLr * resolve('exponentialLR', options).gamma ** step)
}

/** Multiplies the lr by `gamma` every step: `lr(s) = B·γ^s` (torch ExponentialLR). */
export class ExponentialLR extends LRScheduler {
  /** The options. */
  readonly options: Readonly<ExponentialLROptions>

  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    super(optimizer)
    this.options = resolve('ExponentialLR', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return baseLr * this.options.gamma ** step
  }
}
