import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `PolynomialLR` and `polynomialLR` (torch PolynomialLR). */
export interface PolynomialLROptions {
  /** Steps until the lr reaches 0 (an integer >= 1; default 5). */
  totalIters?: number
  /** Exponent of the decay (> 0; default 1: linear). */
  power?: number
}

function resolve(where: string, options: unknown): Readonly<Required<PolynomialLROptions>> {
  const o = readOptions(where, options, ['totalIters', 'power'])
  return Object.freeze({
    totalIters: numberOption(where, o, 'totalIters', { integer: true, min: 1 }, 5),
    power: numberOption(where, o, 'power', { above: 0 }, 1),
  })
}

function lr(step: number, baseLr: number, o: Required<PolynomialLROptions>): number {
  return baseLr * (1 - Math.min(step, o.totalIters) / o.totalIters) ** o.power
}

/** PolynomialLR as a pure function: `B·(1 − min(s, N)/N)^power`. */
export function polynomialLR(step: number, baseLr: number, options: PolynomialLROptions = {}): number {
  checkPureArguments('polynomialLR', step, baseLr)
  return finiteLr('polynomialLR', step, lr(step, baseLr, resolve('polynomialLR', options)))
}

/** Decays the lr polynomially to 0 at step `totalIters` and keeps it there (torch PolynomialLR). */
export class PolynomialLR extends LRScheduler {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<PolynomialLROptions>>

  constructor(optimizer: SchedulableOptimizer, options: PolynomialLROptions = {}) {
    super(optimizer)
    this.options = resolve('PolynomialLR', options)
    this.start()
  }

  override plannedSteps(): number {
    return this.options.totalIters
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
