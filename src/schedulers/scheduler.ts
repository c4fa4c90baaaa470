import { describe, typeError } from '../errors.js'
import { checkLearningRate, checkPlainObject } from '../validate.js'
import { checkNumberIn, checkStep, finiteLr } from './options.js'
import type { SchedulableOptimizer, SchedulerStateDict } from './types.js'

/**
 * torch's `initial_lr`: each param group's lr when the first scheduler was attached to it.
 * Schedulers built one after another on one optimizer share it even though each constructor
 * has already moved the lr (a warmup starts at 0), which is what lets SequentialLR and
 * ChainedScheduler compose instances. Weak, so a dropped optimizer takes its entries along.
 */
const initialLrs = new WeakMap<object, number>()

function checkOptimizer(where: string, optimizer: unknown): asserts optimizer is SchedulableOptimizer {
  const groups =
    typeof optimizer === 'object' && optimizer !== null ? Reflect.get(optimizer, 'paramGroups') : undefined
  if (!Array.isArray(groups))
    throw typeError(where, 'optimizer', 'an object with a paramGroups array', optimizer)
  if (groups.length === 0) throw new RangeError(`${where}: optimizer.paramGroups must not be empty`)
  groups.forEach((group: unknown, i) => {
    if (typeof group !== 'object' || group === null) {
      throw typeError(where, `optimizer.paramGroups[${i}]`, 'an object with an lr', group)
    }
    checkLearningRate(where, Reflect.get(group, 'lr'), `optimizer.paramGroups[${i}].lr`)
  })
}

function checkLrList(where: string, what: string, value: unknown, groups: number): asserts value is number[] {
  if (!Array.isArray(value)) throw typeError(where, what, `an array of ${groups} lrs`, value)
  if (value.length !== groups) {
    throw new RangeError(
      `${where}: ${what} must have one entry per param group (${groups}), got ${describe(value)}`,
    )
  }
  for (const [i, lr] of value.entries()) checkLearningRate(where, lr, `${what}[${i}]`)
}

/** A scheduler's position: what every state dict holds. */
export interface SchedulerPosition {
  lastEpoch: number
  baseLrs: number[]
  lastLr: number[]
}

/**
 * What every scheduler shares: the optimizer, each group's base lr, the step counter and the
 * lrs last written. Subclasses decide how a step moves the lr; see `LRScheduler` for the
 * closed-form ones and `ReduceLROnPlateau` for the one driven by a metric.
 */
export abstract class Scheduler {
  /** The optimizer whose param groups' `lr` this scheduler sets. */
  readonly optimizer: SchedulableOptimizer
  #baseLrs: number[]
  #lastEpoch = 0
  #lastLr: number[]

  protected constructor(optimizer: SchedulableOptimizer) {
    checkOptimizer(this.constructor.name, optimizer)
    this.optimizer = optimizer
    this.#baseLrs = optimizer.paramGroups.map((group) => initialLrs.get(group) ?? group.lr)
    this.#lastLr = optimizer.paramGroups.map((group) => group.lr)
  }

  /**
   * Each group's base lr B: its lr when the first scheduler was attached to the optimizer
   * (torch's `initial_lr`), shared by every later scheduler on the same optimizer.
   */
  get baseLrs(): number[] {
    return [...this.#baseLrs]
  }

  /** Number of `step()` calls made (torch `last_epoch`; 0 right after construction). */
  get lastEpoch(): number {
    return this.#lastEpoch
  }

  /** The lr this scheduler last set, one per param group. */
  getLastLr(): number[] {
    return [...this.#lastLr]
  }

  /** The position as plain data (see `SchedulerStateDict`). */
  stateDict(): SchedulerStateDict {
    return {
      scheduler: this.constructor.name,
      lastEpoch: this.#lastEpoch,
      baseLrs: [...this.#baseLrs],
      lastLr: [...this.#lastLr],
    }
  }

  /**
   * Restores a `stateDict()` of the same kind of scheduler (built with the same options) and
   * sets each group's lr to the restored value. Throws before changing anything.
   */
  abstract loadStateDict(state: SchedulerStateDict): void

  /**
   * Records the base lrs as the groups' initial lrs for later schedulers; subclasses call it
   * once their options are valid, so a constructor that throws leaves no trace.
   */
  protected attach(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      if (!initialLrs.has(group)) initialLrs.set(group, this.#baseLrs[i] as number)
    })
  }

  /** The optimizer's groups, after checking that none was added or removed since construction. */
  protected groups(where: string): ReadonlyArray<{ lr: number }> {
    const groups = this.optimizer.paramGroups
    if (groups.length !== this.#baseLrs.length) {
      throw new RangeError(
        `${where}: the optimizer has ${groups.length} param groups but this scheduler was built for ${this.#baseLrs.length}`,
      )
    }
    return groups
  }

  /** Moves to a new position and writes its lrs into the param groups. */
  protected commit(where: string, lastEpoch: number, lrs: number[], baseLrs: number[] = this.#baseLrs): void {
    const groups = this.groups(where)
    for (const lr of lrs) finiteLr(where, lastEpoch, lr)
    groups.forEach((group, i) => {
      group.lr = lrs[i] as number
    })
    this.#lastEpoch = lastEpoch
    this.#lastLr = [...lrs]
    this.#baseLrs = [...baseLrs]
  }

  /** Checks the fields every state dict has, changing nothing. */
  protected parseState(where: string, state: unknown): SchedulerPosition {
    checkPlainObject(where, 'state', state)
    const { scheduler, lastEpoch, baseLrs, lastLr } = state as Partial<
      Record<keyof SchedulerStateDict, unknown>
    >
    if (scheduler !== this.constructor.name) {
      throw new TypeError(
        `${where}: state dict is from ${describe(scheduler)}, expected '${this.constructor.name}'`,
      )
    }
    checkNumberIn(where, 'lastEpoch', lastEpoch, { integer: true, min: 0 })
    const groups = this.#baseLrs.length
    checkLrList(where, 'baseLrs', baseLrs, groups)
    checkLrList(where, 'lastLr', lastLr, groups)
    return { lastEpoch, baseLrs: [...baseLrs], lastLr: [...lastLr] }
  }
}

/**
 * A scheduler whose lr is a closed form of the step count s and the group's base lr, so any
 * step can be evaluated directly (`lrAt`), resumed exactly, and composed by SequentialLR and
 * ChainedScheduler. Values are torch's closed forms (ALGORITHMS.md §12), which torch's
 * step-by-step recursion matches to ~1e-15.
 */
export abstract class LRScheduler extends Scheduler {
  /** Sets lr(0); subclasses call it last in their constructor, once their options are in place. */
  protected start(): void {
    const lrs = this.#lrsAt(0, this.baseLrs)
    this.attach()
    this.commit(this.constructor.name, 0, lrs)
  }

  /**
   * How many steps the schedule is laid out for, when it has a fixed length (OneCycleLR's
   * `totalSteps`, CosineAnnealingLR's `tMax`, PolynomialLR's `totalIters`, CosineDecay's
   * `totalEpochs`), else undefined. `fit` checks it against the steps it will take.
   */
  plannedSteps(): number | undefined {
    return undefined
  }

  /** The lr of each param group at step `step` (an integer >= 0), without changing anything. */
  lrAt(step: number): number[] {
    checkStep(`${this.constructor.name}.lrAt`, step)
    return this.#lrsAt(step, this.baseLrs)
  }

  /**
   * Advances by one step and sets each group's lr to lr(s). The closed form overwrites the lr,
   * so a manual change to a group's lr lasts only until the next step.
   */
  step(): void {
    const next = this.lastEpoch + 1
    this.commit(`${this.constructor.name}.step`, next, this.#lrsAt(next, this.baseLrs))
  }

  /** Restores a `stateDict()` and sets each group's lr to lr(lastEpoch); throws before changing anything. */
  override loadStateDict(state: SchedulerStateDict): void {
    const where = `${this.constructor.name}.loadStateDict`
    const position = this.parseState(where, state)
    this.commit(
      where,
      position.lastEpoch,
      this.#lrsAt(position.lastEpoch, position.baseLrs),
      position.baseLrs,
    )
  }

  /** lr at `step` of the group `group` whose base lr is `baseLr`: the schedule's closed form. */
  protected abstract lrFor(step: number, baseLr: number, group: number): number

  /** Lets composite schedulers evaluate their children's closed forms at the composite's own base lrs. */
  protected static lrOf(scheduler: LRScheduler, step: number, baseLr: number, group: number): number {
    return scheduler.lrFor(step, baseLr, group)
  }

  #lrsAt(step: number, baseLrs: readonly number[]): number[] {
    return baseLrs.map((baseLr, group) => this.lrFor(step, baseLr, group))
  }
}

/**
 * The `schedulers` option of SequentialLR and ChainedScheduler: closed-form schedulers (a
 * metric-driven ReduceLROnPlateau has no lr(s) to compose) built on the composite's optimizer.
 */
export function composableSchedulers(
  where: string,
  value: unknown,
  optimizer: SchedulableOptimizer,
): readonly LRScheduler[] {
  const expected = 'a non-empty array of schedulers built on the same optimizer'
  if (value === undefined) throw new TypeError(`${where}: option 'schedulers' is required (${expected})`)
  if (!Array.isArray(value)) throw typeError(where, "option 'schedulers'", expected, value)
  if (value.length === 0) throw new RangeError(`${where}: option 'schedulers' must not be empty`)
  value.forEach((scheduler: unknown, i) => {
    if (!(scheduler instanceof LRScheduler)) {
      const why = scheduler instanceof Scheduler ? ' (a metric-driven scheduler has no lr(s) to compose)' : ''
      throw typeError(where, `option 'schedulers[${i}]'`, `a closed-form scheduler${why}`, scheduler)
    }
    if (scheduler.optimizer !== optimizer) {
      throw new RangeError(
        `${where}: option 'schedulers[${i}]' drives a different optimizer than this scheduler`,
      )
    }
  })
  return Object.freeze([...value])
}
