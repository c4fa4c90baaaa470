import { typeError } from '../errors.js'
import { checkPureArguments, finiteLr, readOptions } from './options.js'
import { composableSchedulers, LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer, ScheduleFunction } from './types.js'

/** Options of `ChainedScheduler` (torch ChainedScheduler). */
export interface ChainedSchedulerOptions {
  /** The schedulers to apply in order, already built on the same optimizer (closed-form schedulers only). */
  schedulers: readonly LRScheduler[]
}

/** Options of the pure `chainedScheduler`: the schedules as functions of (step, base lr). */
export interface ChainedScheduleOptions {
  /** The schedules in order, e.g. `(s, b) => exponentialLR(s, b, { gamma: 0.9 })`. */
  schedules: readonly ScheduleFunction[]
}

/** ChainedScheduler as a pure function: each schedule applied to the previous one's lr. */
export function chainedScheduler(step: number, baseLr: number, options: ChainedScheduleOptions): number {
  const where = 'chainedScheduler'
  checkPureArguments(where, step, baseLr)
  const schedules = readOptions(where, options, ['schedules']).schedules
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((f) => typeof f !== 'function')) {
    throw typeError(
      where,
      "option 'schedules'",
      'a non-empty array of functions (step, baseLr) => lr',
      schedules,
    )
  }
  return finiteLr(
    where,
    step,
    (schedules as ScheduleFunction[]).reduce((lr, schedule) => schedule(step, lr), baseLr),
  )
}

/**
 * Applies several schedulers at once (torch ChainedScheduler), e.g. a ConstantLR warmup factor
 * on top of an ExponentialLR decay: each scheduler's closed form is evaluated with the
 * previous one's lr as its base, `lr(s) = S_n(s, … S_2(s, S_1(s, B)))`. For the multiplicative
 * schedules (StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR, PolynomialLR, LambdaLR,
 * CosineAnnealingLR with etaMin 0, the tutorial's StepDecay, ExpDecay, CosineDecay, LinearWarmup,
 * CosineDecayRestarts) this is `B·∏ factorᵢ(s)`, in any order — what torch's chainable
 * recursion computes. A schedule with a floor (etaMin > 0) keeps its floor fixed while its peak
 * follows the earlier schedulers; OneCycleLR ignores its base, so it overrides what precedes it.
 */
export class ChainedScheduler extends LRScheduler {
  /** The schedulers, in order of application. */
  readonly schedulers: readonly LRScheduler[]

  constructor(optimizer: SchedulableOptimizer, options: ChainedSchedulerOptions) {
    super(optimizer)
    const o = readOptions('ChainedScheduler', options, ['schedulers'])
    this.schedulers = composableSchedulers('ChainedScheduler', o.schedulers, optimizer)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number, group: number): number {
    return this.schedulers.reduce((lr, scheduler) => LRScheduler.lrOf(scheduler, step, lr, group), baseLr)
  }
}
