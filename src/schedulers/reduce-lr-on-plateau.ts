import { typeError } from '../errors.js'
import { checkNumberIn, choiceOption, numberOption, perGroupOption, readOptions } from './options.js'
import { Scheduler } from './scheduler.js'
import type { SchedulableOptimizer, SchedulerStateDict } from './types.js'

/** Options of `ReduceLROnPlateau` (torch ReduceLROnPlateau). */
export interface ReduceLROnPlateauOptions {
  /** `'min'` (default): lower metrics are better (a loss); `'max'`: higher are (an accuracy). */
  mode?: 'min' | 'max'
  /** Multiplies the lr on a plateau (in [0, 1); default 0.1). */
  factor?: number
  /** Steps without improvement tolerated; the lr drops on the next one (an integer >= 0; default 10). */
  patience?: number
  /** How much better a metric must be to count as an improvement (>= 0, < 1 when relative; default 1e-4). */
  threshold?: number
  /** `'rel'` (default): better than best·(1 ∓ threshold); `'abs'`: better than best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs'
  /** Steps after a reduction during which bad steps are not counted (an integer >= 0; default 0). */
  cooldown?: number
  /** Lower bound of the lr, or one per param group (>= 0; default 0). */
  minLr?: number | readonly number[]
  /** A reduction smaller than this is skipped (>= 0; default 1e-8). */
  eps?: number
}

/** ReduceLROnPlateau's options with defaults filled in: one minLr per param group. */
export interface ReduceLROnPlateauSettings {
  readonly mode: 'min' | 'max'
  readonly factor: number
  readonly patience: number
  readonly threshold: number
  readonly thresholdMode: 'rel' | 'abs'
  readonly cooldown: number
  readonly minLrs: readonly number[]
  readonly eps: number
}

/** `best` in a state dict: ±Infinity (no metric seen yet) is spelled as a string, since JSON would turn it into null. */
export type EncodedBest = number | 'Infinity' | '-Infinity'

/** `ReduceLROnPlateau.stateDict()`: the position plus the plateau bookkeeping. */
export interface ReduceLROnPlateauStateDict extends SchedulerStateDict {
  /** Best metric so far. */
  readonly best: EncodedBest
  /** Steps since the last improvement (torch `num_bad_epochs`). */
  readonly numBadEpochs: number
  /** Cooldown steps left (torch `cooldown_counter`). */
  readonly cooldownCounter: number
}

const KEYS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']

function resolve(where: string, options: unknown, groups: number): ReduceLROnPlateauSettings {
  const o = readOptions(where, options, KEYS)
  const thresholdMode = choiceOption(where, o, 'thresholdMode', ['rel', 'abs'], 'rel')
  return Object.freeze({
    mode: choiceOption(where, o, 'mode', ['min', 'max'], 'min'),
    factor: numberOption(where, o, 'factor', { min: 0, below: 1 }, 0.1),
    patience: numberOption(where, o, 'patience', { integer: true, min: 0 }, 10),
    // A relative threshold of 1 or more would make every decrease of a min-mode metric fail the test.
    threshold: numberOption(
      where,
      o,
      'threshold',
      thresholdMode === 'rel' ? { min: 0, below: 1 } : { min: 0 },
      1e-4,
    ),
    thresholdMode,
    cooldown: numberOption(where, o, 'cooldown', { integer: true, min: 0 }, 0),
    minLrs: Object.freeze(perGroupOption(where, o, 'minLr', groups, { min: 0 }, 0)),
    eps: numberOption(where, o, 'eps', { min: 0 }, 1e-8),
  })
}

function encodeBest(best: number): EncodedBest {
  if (best === Number.POSITIVE_INFINITY) return 'Infinity'
  if (best === Number.NEGATIVE_INFINITY) return '-Infinity'
  return best
}

function decodeBest(where: string, value: unknown): number {
  if (value === 'Infinity') return Number.POSITIVE_INFINITY
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY
  checkNumberIn(where, 'best', value, {})
  return value
}

/**
 * Cuts the lr by `factor` when a metric has stopped improving (torch ReduceLROnPlateau).
 * Call `step(metric)` once per evaluation (usually per epoch) with the validation loss, or the
 * accuracy in `mode: 'max'`. After more than `patience` steps without an improvement beyond
 * `threshold`, each group's current lr becomes `max(lr·factor, minLr)` (unless that changes it
 * by `eps` or less), then `cooldown` steps pass before bad steps count again. It reads the
 * group's current lr, so it has no closed form (no `lrAt`) and cannot be sequenced or chained.
 * The constructor leaves the lr as it is. A NaN metric counts as no improvement.
 */
export class ReduceLROnPlateau extends Scheduler {
  /** The options, defaults filled in; `minLrs` has one entry per param group. */
  readonly options: ReduceLROnPlateauSettings
  #best: number
  #numBadEpochs = 0
  #cooldownCounter = 0

  constructor(optimizer: SchedulableOptimizer, options: ReduceLROnPlateauOptions = {}) {
    super(optimizer)
    this.options = resolve('ReduceLROnPlateau', options, this.baseLrs.length)
    this.#best = this.#worst()
    this.attach()
  }

  /** Best metric so far (+Infinity in min mode, −Infinity in max mode before the first step). */
  get best(): number {
    return this.#best
  }

  /** Steps since the last improvement. */
  get numBadEpochs(): number {
    return this.#numBadEpochs
  }

  /** Cooldown steps left after the last reduction. */
  get cooldownCounter(): number {
    return this.#cooldownCounter
  }

  /** Feeds one metric value (e.g. this epoch's validation loss) and reduces the lr on a plateau. */
  step(metric: number): void {
    const where = 'ReduceLROnPlateau.step'
    if (typeof metric !== 'number') throw typeError(where, 'metric', 'a number', metric)
    const o = this.options
    const groups = this.groups(where)
    let best = this.#best
    let bad = this.#numBadEpochs + 1
    let cooldown = this.#cooldownCounter
    if (this.#isBetter(metric, best)) {
      best = metric
      bad = 0
    }
    if (cooldown > 0) {
      cooldown--
      bad = 0
    }
    let lrs = groups.map((group) => group.lr)
    if (bad > o.patience) {
      lrs = lrs.map((lr, i) => {
        const reduced = Math.max(lr * o.factor, o.minLrs[i] as number)
        return lr - reduced > o.eps ? reduced : lr
      })
      cooldown = o.cooldown
      bad = 0
    }
    this.commit(where, this.lastEpoch + 1, lrs)
    this.#best = best
    this.#numBadEpochs = bad
    this.#cooldownCounter = cooldown
  }

  /** The position plus best, numBadEpochs and cooldownCounter (see `ReduceLROnPlateauStateDict`). */
  override stateDict(): ReduceLROnPlateauStateDict {
    return {
      ...super.stateDict(),
      best: encodeBest(this.#best),
      numBadEpochs: this.#numBadEpochs,
      cooldownCounter: this.#cooldownCounter,
    }
  }

  /** Restores a `stateDict()` and sets each group's lr to the saved one; throws before changing anything. */
  override loadStateDict(state: ReduceLROnPlateauStateDict): void {
    const where = 'ReduceLROnPlateau.loadStateDict'
    const position = this.parseState(where, state)
    const best = decodeBest(where, state.best)
    checkNumberIn(where, 'numBadEpochs', state.numBadEpochs, { integer: true, min: 0 })
    checkNumberIn(where, 'cooldownCounter', state.cooldownCounter, { integer: true, min: 0 })
    this.commit(where, position.lastEpoch, position.lastLr, position.baseLrs)
    this.#best = best
    this.#numBadEpochs = state.numBadEpochs
    this.#cooldownCounter = state.cooldownCounter
  }

  #worst(): number {
    return this.options.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY
  }

  #isBetter(metric: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this.options
    if (mode === 'min')
      return thresholdMode === 'rel' ? metric < best * (1 - threshold) : metric < best - threshold
    return thresholdMode === 'rel' ? metric > best * (1 + threshold) : metric > best + threshold
  }
}
