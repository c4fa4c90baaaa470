import { typeError } from '../errors.js'
import { checkPureArguments, finiteLr, readOptions, stepListOption } from './options.js'
import { composableSchedulers, LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer, ScheduleFunction } from './types.js'

/** Options of `SequentialLR` (torch SequentialLR). */
export interface SequentialLROptions {
  /** The schedules in order, already built on the same optimizer (closed-form schedulers only). */
  schedulers: readonly LRScheduler[]
  /** Steps at which the next scheduler takes over: schedulers.length − 1 strictly increasing integers >= 1. */
  milestones: readonly number[]
}

/** Options of the pure `sequentialLR`: the schedules as functions of (step, base lr). */
export interface SequentialScheduleOptions {
  /** The schedules in order, e.g. `(s, b) => linearLR(s, b, { totalIters: 5 })`. */
  schedules: readonly ScheduleFunction[]
  /** As SequentialLROptions.milestones. */
  milestones: readonly number[]
}

function milestonesFor(where: string, options: Readonly<Record<string, unknown>>, count: number): number[] {
  const milestones = stepListOption(where, options, 'milestones', {
    min: 1,
    increasing: true,
    nonEmpty: false,
  })
  if (milestones.length !== count - 1) {
    throw new RangeError(
      `${where}: option 'milestones' must have one entry fewer than the schedules (${count - 1}), got ${milestones.length}`,
    )
  }
  return milestones
}

/** The index of the schedule in charge at `step` and the step it took over. */
function segment(step: number, milestones: readonly number[]): { index: number; start: number } {
  let index = 0
  while (index < milestones.length && (milestones[index] as number) <= step) index++
  return { index, start: index === 0 ? 0 : (milestones[index - 1] as number) }
}

/** SequentialLR as a pure function: schedule k evaluated at `s − m_k` with the same base lr. */
export function sequentialLR(step: number, baseLr: number, options: SequentialScheduleOptions): number {
  const where = 'sequentialLR'
  checkPureArguments(where, step, baseLr)
  const o = readOptions(where, options, ['schedules', 'milestones'])
  const schedules = o.schedules
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((f) => typeof f !== 'function')) {
    throw typeError(
      where,
      "option 'schedules'",
      'a non-empty array of functions (step, baseLr) => lr',
      schedules,
    )
  }
  const { index, start } = segment(step, milestonesFor(where, o, schedules.length))
  return finiteLr(where, step, (schedules[index] as ScheduleFunction)(step - start, baseLr))
}

/**
 * Runs schedulers one after another (torch SequentialLR), e.g. a LinearLR warmup then a
 * CosineAnnealingLR: with milestones m₁ < m₂ < … and k = #{mᵢ <= s}, `lr(s) = S_k(s − m_k)`
 * (m₀ = 0), so each scheduler restarts from its own step 0 at its milestone. All schedulers
 * share this one's base lrs. The children are used as closed forms: step this scheduler, not
 * them (their own counters are not advanced).
 */
export class SequentialLR extends LRScheduler {
  /** The schedulers, in order. */
  readonly schedulers: readonly LRScheduler[]
  /** The milestones. */
  readonly milestones: readonly number[]

  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    super(optimizer)
    const where = 'SequentialLR'
    const o = readOptions(where, options, ['schedulers', 'milestones'])
    this.schedulers = composableSchedulers(where, o.schedulers, optimizer)
    this.milestones = Object.freeze(milestonesFor(where, o, this.schedulers.length))
    this.start()
  }

  protected override lrFor(step: number, baseLr: number, group: number): number {
    const { index, start } = segment(step, this.milestones)
    return LRScheduler.lrOf(this.schedulers[index] as LRScheduler, step - start, baseLr, group)
  }
}
