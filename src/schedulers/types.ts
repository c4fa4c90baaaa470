/**
 * What schedulers need from an optimizer: param groups whose `lr` they may set. Every descent
 * optimizer satisfies it structurally; so does a plain `{ paramGroups: [{ lr: 0.1 }] }`, which
 * is how plots and tests drive a schedule without parameters.
 */
export interface SchedulableOptimizer {
  readonly paramGroups: ReadonlyArray<{ lr: number }>
}

/**
 * A schedule as a pure function of the step and the base lr, for the pure forms of
 * `sequentialLR` and `chainedScheduler`, e.g. `(s, b) => stepLR(s, b, { stepSize: 10 })`.
 */
export type ScheduleFunction = (step: number, baseLr: number) => number

/**
 * `scheduler.stateDict()`: plain numbers and arrays, so it survives `JSON.stringify` and
 * `structuredClone`. Options are not in it: a resumed run rebuilds the scheduler with the same
 * options, then loads the position.
 */
export interface SchedulerStateDict {
  /** Which scheduler wrote it (its class name); loading into another kind throws. */
  readonly scheduler: string
  /** Number of `step()` calls made. */
  readonly lastEpoch: number
  /** Each group's base lr (torch `base_lrs`). */
  readonly baseLrs: readonly number[]
  /** Each group's lr after the last step. */
  readonly lastLr: readonly number[]
}
