import { findCycle } from './cycles.js'
import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `CosineAnnealingWarmRestarts` and `cosineAnnealingWarmRestarts` (torch, SGDR). */
export interface CosineAnnealingWarmRestartsOptions {
  /** Length of the first cycle (torch `T_0`; an integer >= 1; required). */
  t0: number
  /** Each cycle is this many times longer than the previous (torch `T_mult`; an integer >= 1; default 1). */
  tMult?: number
  /** The lr the cosine approaches at the end of each cycle (>= 0; default 0). */
  etaMin?: number
}

function resolve(where: string, options: unknown): Readonly<Required<CosineAnnealingWarmRestartsOptions>> {
  const o = readOptions(where, options, ['t0', 'tMult', 'etaMin'])
  return Object.freeze({
    t0: numberOption(where, o, 't0', { integer: true, min: 1 }),
    tMult: numberOption(where, o, 'tMult', { integer: true, min: 1 }, 1),
    etaMin: numberOption(where, o, 'etaMin', { min: 0 }, 0),
  })
}

function lr(step: number, baseLr: number, o: Required<CosineAnnealingWarmRestartsOptions>): number {
  const cycle = findCycle(step, o.t0, o.tMult)
  const tCur = step - cycle.start
  return o.etaMin + ((baseLr - o.etaMin) * (1 + Math.cos((Math.PI * tCur) / cycle.length))) / 2
}

/** CosineAnnealingWarmRestarts as a pure function: `η + (B − η)(1 + cos(π·Tcur/Ti))/2`. */
export function cosineAnnealingWarmRestarts(
  step: number,
  baseLr: number,
  options: CosineAnnealingWarmRestartsOptions,
): number {
  checkPureArguments('cosineAnnealingWarmRestarts', step, baseLr)
  return finiteLr(
    'cosineAnnealingWarmRestarts',
    step,
    lr(step, baseLr, resolve('cosineAnnealingWarmRestarts', options)),
  )
}

/**
 * SGDR (Loshchilov & Hutter 2017), torch CosineAnnealingWarmRestarts: cycles of length
 * `t0, t0·tMult, t0·tMult², …`; within a cycle of length Ti, Tcur steps in,
 * `lr = η + (B − η)(1 + cos(π·Tcur/Ti))/2`, so each restart step is back at B.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<CosineAnnealingWarmRestartsOptions>>

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingWarmRestartsOptions) {
    super(optimizer)
    this.options = resolve('CosineAnnealingWarmRestarts', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
