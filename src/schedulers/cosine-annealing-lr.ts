import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `CosineAnnealingLR` and `cosineAnnealingLR` (torch CosineAnnealingLR). */
export interface CosineAnnealingLROptions {
  /** Steps from B down to etaMin, half the period (torch `T_max`; an integer >= 1; required). */
  tMax: number
  /** The lr at s = tMax (>= 0; default 0). */
  etaMin?: number
}

function resolve(where: string, options: unknown): Readonly<Required<CosineAnnealingLROptions>> {
  const o = readOptions(where, options, ['tMax', 'etaMin'])
  return Object.freeze({
    tMax: numberOption(where, o, 'tMax', { integer: true, min: 1 }),
    etaMin: numberOption(where, o, 'etaMin', { min: 0 }, 0),
  })
}

function lr(step: number, baseLr: number, o: Required<CosineAnnealingLROptions>): number {
  return o.etaMin + ((baseLr - o.etaMin) * (1 + Math.cos((Math.PI * step) / o.tMax))) / 2
}

/** CosineAnnealingLR as a pure function: `η + (B − η)(1 + cos(πs/tMax))/2`. */
export function cosineAnnealingLR(step: number, baseLr: number, options: CosineAnnealingLROptions): number {
  checkPureArguments('cosineAnnealingLR', step, baseLr)
  return finiteLr('cosineAnnealingLR', step, lr(step, baseLr, resolve('cosineAnnealingLR', options)))
}

/**
 * Half a cosine from B down to `etaMin` over `tMax` steps: `lr(s) = η + (B − η)(1 + cos(πs/tMax))/2`
 * (torch CosineAnnealingLR's closed form). Not clamped, as in torch: past tMax the lr rises
 * again (period 2·tMax); use CosineAnnealingWarmRestarts to restart instead.
 */
export class CosineAnnealingLR extends LRScheduler {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<CosineAnnealingLROptions>>

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    super(optimizer)
    this.options = resolve('CosineAnnealingLR', options)
    this.start()
  }

  override plannedSteps(): number {
    return this.options.tMax
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
