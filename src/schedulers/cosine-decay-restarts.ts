import { findCycle } from './cycles.js'
import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `CosineDecayRestarts` and `cosineDecayRestarts` (Keras CosineDecayRestarts). */
export interface CosineDecayRestartsOptions {
  /** Length of the first cycle (> 0; required). */
  firstDecaySteps: number
  /** Each cycle is this many times longer than the previous (>= 1, need not be an integer; default 2). */
  tMul?: number
  /** Each cycle's peak above the floor is this many times the previous one's (>= 0; default 1). */
  mMul?: number
  /** The floor as a fraction of B, i.e. minLr/B (in [0, 1]; default 0). */
  alpha?: number
}

function resolve(where: string, options: unknown): Readonly<Required<CosineDecayRestartsOptions>> {
  const o = readOptions(where, options, ['firstDecaySteps', 'tMul', 'mMul', 'alpha'])
  return Object.freeze({
    firstDecaySteps: numberOption(where, o, 'firstDecaySteps', { above: 0 }),
    tMul: numberOption(where, o, 'tMul', { min: 1 }, 2),
    mMul: numberOption(where, o, 'mMul', { min: 0 }, 1),
    alpha: numberOption(where, o, 'alpha', { min: 0, max: 1 }, 0),
  })
}

function lr(step: number, baseLr: number, o: Required<CosineDecayRestartsOptions>): number {
  const cycle = findCycle(step, o.firstDecaySteps, o.tMul)
  const fraction = (step - cycle.start) / cycle.length
  // Keras' operation order: the floor alpha is outside the mMul scaling.
  const cosineDecayed = 0.5 * o.mMul ** cycle.index * (1 + Math.cos(Math.PI * fraction))
  return baseLr * ((1 - o.alpha) * cosineDecayed + o.alpha)
}

/** CosineDecayRestarts as a pure function: `B·((1 − alpha)·mMulⁱ·½(1 + cos πx) + alpha)`. */
export function cosineDecayRestarts(
  step: number,
  baseLr: number,
  options: CosineDecayRestartsOptions,
): number {
  checkPureArguments('cosineDecayRestarts', step, baseLr)
  return finiteLr('cosineDecayRestarts', step, lr(step, baseLr, resolve('cosineDecayRestarts', options)))
}

/**
 * The tutorial's cosine decay with restarts, with Keras' CosineDecayRestarts semantics (the
 * tutorial's own code divides by the wrong period and finds the cycle with log2): cycle i is
 * `firstDecaySteps·tMulⁱ` long, x is the fraction of it done, and
 * `lr = B·((1 − alpha)·mMulⁱ·½(1 + cos πx) + alpha)`. The floor alpha·B is not scaled by
 * mMulⁱ; the peak of cycle i is `B·(alpha + (1 − alpha)·mMulⁱ)`, reached exactly at its first step.
 */
export class CosineDecayRestarts extends LRScheduler {
  /** The options, defaults filled in. */
  readonly options: Readonly<Required<CosineDecayRestartsOptions>>

  constructor(optimizer: SchedulableOptimizer, options: CosineDecayRestartsOptions) {
    super(optimizer)
    this.options = resolve('CosineDecayRestarts', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
