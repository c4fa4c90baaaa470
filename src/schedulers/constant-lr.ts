import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `ConstantLR` and `constantLR` (torch ConstantLR). */
export interface ConstantLROptions {
  /** Multiple of B before step totalIters (in [0, 1]; default 1/3). */
  factor?: number
  /** Step from which the lr is B again (an integer >= 0; default 5). */
  totalIters?: number
}

function resolve(where: string, options: unknown): Readonly<Required<ConstantLROptions>> {
  const o = readOptions(where, options, ['factor', 'totalIters'])
  return Object.freeze({
    factor: numberOption(where, o, 'factor', { min: 0, max: 1 }, 1 / 3),
    totalIters: numberOption(where, o, 'totalIters', { integer: true, min: 0 }, 5),
  })
}

function lr(step: number, baseLr: number, o: Required<ConstantLROptions>): number {
  return step < o.totalIters ? baseLr * o.factor : baseLr
}

/** ConstantLR as a pure function: `B·factor` for s < totalIters, else B. */
export function constantLR(step: number, baseLr: number, options: ConstantLROptions = {}): number {
  checkPureArguments('constantLR', step, baseLr)
  return finiteLr('constantLR', step, lr(step, baseLr, resolve('constantLR', options)))
}

/** Holds the lr at `factor·B` for the first `totalIters` steps, then at B (torch ConstantLR). */
export class ConstantLR extends LRScheduler {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<ConstantLROptions>>

  constructor(optimizer: SchedulableOptimizer, options: ConstantLROptions = {}) {
    super(optimizer)
    this.options = resolve('ConstantLR', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
