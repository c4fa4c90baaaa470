import { Optimizer, type OptimizerCursor, type StepPlan } from '../optim/optimizer.js'
import type { ReduceLROnPlateau } from '../schedulers/reduce-lr-on-plateau.js'
import type { LRScheduler } from '../schedulers/scheduler.js'
import type { SchedulerStateDict } from '../schedulers/types.js'
import type { AnyOptimizer } from './fit.js'

/** The optimizer's and scheduler's position before a planned run, to rewind to. */
export interface Cursor {
  readonly optimizer: OptimizerCursor
  readonly scheduler: SchedulerStateDict | undefined
}

/** A run of a body's steps, planned: its plan, and where planning stood before it. */
export interface PlannedSteps {
  readonly plan: StepPlan
  readonly before: Cursor
}

/**
 * Plans a trainer's batches ahead, exactly as `fit` plans one call's epoch (shuffle off, one
 * epoch per body): the optimizer's steps, a per-step scheduler stepped after each step, a
 * per-body one after each body. Planning commits at once (the steps run in order on the
 * engine); when a batch does not run as planned, the planner rewinds to the cursor taken
 * before it and plans again what follows, as fit's loop does after a non-finite gradient.
 */
export class TrainerPlanner {
  readonly optimizer: AnyOptimizer
  readonly batchSize: number
  readonly #perStep: LRScheduler | undefined
  readonly #perBody: LRScheduler | undefined
  readonly #scheduler: LRScheduler | ReduceLROnPlateau | undefined

  constructor(
    optimizer: AnyOptimizer,
    batchSize: number,
    scheduler: LRScheduler | ReduceLROnPlateau | undefined,
    perStep: LRScheduler | undefined,
    perBody: LRScheduler | undefined,
  ) {
    this.optimizer = optimizer
    this.batchSize = batchSize
    this.#scheduler = scheduler
    this.#perStep = perStep
    this.#perBody = perBody
  }

  /** Steps a body of `rows` takes. */
  stepsOf(rows: number): number {
    return Math.ceil(rows / this.batchSize)
  }

  /** Rows of step `k` of a body of `rows`. */
  rowsOfStep(rows: number, k: number): number {
    return Math.min(this.batchSize, rows - k * this.batchSize)
  }

  cursor(): Cursor {
    return { optimizer: Optimizer.cursorOf(this.optimizer), scheduler: this.#scheduler?.stateDict() }
  }

  rewind(cursor: Cursor): void {
    Optimizer.restoreCursor(this.optimizer, cursor.optimizer)
    // The dict came from this same scheduler, so its kind matches.
    if (cursor.scheduler !== undefined)
      (this.#scheduler as LRScheduler | undefined)?.loadStateDict(cursor.scheduler)
  }

  /**
   * Plans and commits steps `first…` of a body of `rows` (the whole body when `first` is 0);
   * on error nothing has changed.
   */
  plan(rows: number, first: number): PlannedSteps {
    const before = this.cursor()
    const count = this.stepsOf(rows) - first
    const perStep = this.#perStep
    try {
      const plan = this.optimizer.planSteps(count, perStep && ((k) => k > 0 && perStep.step()))
      plan.commit(count)
      perStep?.step()
      this.#perBody?.step()
      return { plan, before }
    } catch (error) {
      this.rewind(before)
      throw error
    }
  }

  /**
   * After a run planned from `before` stopped at a non-finite gradient once `done` of its
   * `count` steps were applied: commits those steps as fit does, counts or refuses the bad
   * one (`onNonFinite`), and leaves the cursor where the rest of the body starts.
   */
  settleNonFinite(before: Cursor, count: number, done: number): void {
    const skip = this.optimizer.onNonFinite === 'skip'
    this.commitPartial(before, count, done, skip ? 1 : 0)
    if (skip) this.optimizer.skippedSteps++
  }

  /**
   * Puts the cursor where a run planned from `before` (of `count` steps) stands after `done` of
   * them, with a per-step scheduler stepped `extra` more times (a skipped step counts for it).
   */
  commitPartial(before: Cursor, count: number, done: number, extra = 0): void {
    this.rewind(before)
    const perStep = this.#perStep
    const plan = this.optimizer.planSteps(count, perStep && ((k) => k > 0 && perStep.step()))
    plan.commit(done)
    if (perStep) {
      perStep.loadStateDict(before.scheduler as SchedulerStateDict)
      for (let i = 0; i < done + extra; i++) perStep.step()
    }
  }

  /** A body whose last step was skipped ends here: its per-body scheduler step. */
  finishBody(): void {
    this.#perBody?.step()
  }
}
