import {
  booleanOption,
  checkStep,
  choiceOption,
  finiteLr,
  numberOption,
  perGroupOption,
  type RawOptions,
  readOptions,
} from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** How OneCycleLR moves between the ends of a phase. */
export type AnnealStrategy = 'cos' | 'linear'

/** Options of `OneCycleLR` and `oneCycleLR` (torch OneCycleLR). Give `totalSteps`, or `epochs` and `stepsPerEpoch`. */
export interface OneCycleLROptions {
  /** Peak lr (>= 0), or one per param group for the class (required). */
  maxLr: number | readonly number[]
  /** Length of the cycle in steps (an integer >= 1). */
  totalSteps?: number
  /** With stepsPerEpoch, the cycle length epochs·stepsPerEpoch when totalSteps is not given (an integer >= 1). */
  epochs?: number
  /** See epochs (an integer >= 1). */
  stepsPerEpoch?: number
  /** Fraction of the cycle spent increasing the lr (in [0, 1]; default 0.3). */
  pctStart?: number
  /** `'cos'` (default) or `'linear'`. */
  annealStrategy?: AnnealStrategy
  /** lr(0) = maxLr/divFactor (> 0; default 25). */
  divFactor?: number
  /** The final lr is lr(0)/finalDivFactor (> 0; default 1e4). */
  finalDivFactor?: number
  /** Come back down to lr(0) before the final annihilation phase (fast.ai's three phases; default false). */
  threePhase?: boolean
}

/** Options of `OneCycleLR.forFit`: the cycle's options, with the fit's shape in place of its length. */
export interface OneCycleLRForFitOptions
  extends Omit<OneCycleLROptions, 'totalSteps' | 'stepsPerEpoch' | 'epochs'> {
  /** Epochs of the fit (an integer >= 1). */
  epochs: number
  /** Training rows (an integer >= 1): `x.shape[0]`. */
  rows: number
  /** fit's batchSize (an integer >= 1; default 32, as fit's). */
  batchSize?: number
}

/** OneCycleLR's options with defaults filled in: one peak per param group and the resolved cycle length. */
export interface OneCycleLRSettings {
  readonly maxLrs: readonly number[]
  readonly totalSteps: number
  readonly pctStart: number
  readonly annealStrategy: AnnealStrategy
  readonly divFactor: number
  readonly finalDivFactor: number
  readonly threePhase: boolean
}

const KEYS = [
  'maxLr',
  'totalSteps',
  'epochs',
  'stepsPerEpoch',
  'pctStart',
  'annealStrategy',
  'divFactor',
  'finalDivFactor',
  'threePhase',
]

function totalStepsOf(where: string, o: RawOptions): number {
  const integer = { integer: true, min: 1 }
  if (o.epochs === undefined && o.stepsPerEpoch === undefined)
    return numberOption(where, o, 'totalSteps', integer)
  if (o.totalSteps === undefined && (o.epochs === undefined || o.stepsPerEpoch === undefined)) {
    throw new TypeError(`${where}: give option 'totalSteps', or both 'epochs' and 'stepsPerEpoch'`)
  }
  const product = numberOption(where, o, 'epochs', integer) * numberOption(where, o, 'stepsPerEpoch', integer)
  if (o.totalSteps === undefined) return product
  const totalSteps = numberOption(where, o, 'totalSteps', integer)
  if (totalSteps !== product) {
    throw new RangeError(
      `${where}: option 'totalSteps' (${totalSteps}) disagrees with epochs·stepsPerEpoch (${product}); give one or the other`,
    )
  }
  return totalSteps
}

/** The step at which each phase ends; reals, as in torch (a phase starts where the previous one ended, the first at 0). */
function phaseEnds(o: { totalSteps: number; pctStart: number; threePhase: boolean }): number[] {
  const t = o.totalSteps
  const p = o.pctStart
  return o.threePhase ? [p * t - 1, 2 * p * t - 2, t - 1] : [p * t - 1, t - 1]
}

function resolve(where: string, options: unknown, groups: number | undefined): OneCycleLRSettings {
  const o = readOptions(where, options, KEYS)
  const maxLrs =
    groups === undefined
      ? [numberOption(where, o, 'maxLr', { min: 0 })]
      : perGroupOption(where, o, 'maxLr', groups, { min: 0 })
  const resolved = {
    maxLrs: Object.freeze(maxLrs),
    totalSteps: totalStepsOf(where, o),
    pctStart: numberOption(where, o, 'pctStart', { min: 0, max: 1 }, 0.3),
    annealStrategy: choiceOption<AnnealStrategy>(where, o, 'annealStrategy', ['cos', 'linear'], 'cos'),
    divFactor: numberOption(where, o, 'divFactor', { above: 0 }, 25),
    finalDivFactor: numberOption(where, o, 'finalDivFactor', { above: 0 }, 1e4),
    threePhase: booleanOption(where, o, 'threePhase', false),
  }
  // An empty phase would divide by zero (torch raises ZeroDivisionError on its first step there).
  let previous = 0
  for (const [i, end] of phaseEnds(resolved).entries()) {
    if (!(end > previous)) {
      throw new RangeError(
        `${where}: options pctStart ${resolved.pctStart} and totalSteps ${resolved.totalSteps} leave phase ${i + 1} ` +
          `without steps (it would end at step ${end}, not after step ${previous})`,
      )
    }
    previous = end
  }
  return Object.freeze(resolved)
}

function lr(where: string, step: number, maxLr: number, o: OneCycleLRSettings): number {
  if (step > o.totalSteps) {
    throw new RangeError(`${where}: step ${step} is past the end of the cycle (totalSteps ${o.totalSteps})`)
  }
  const initial = maxLr / o.divFactor
  const final = initial / o.finalDivFactor
  const ends = phaseEnds(o)
  const levels = o.threePhase ? [initial, maxLr, initial, final] : [initial, maxLr, final]
  let start = 0
  for (let i = 0; ; i++) {
    const end = ends[i] as number
    if (step <= end || i === ends.length - 1) {
      // Step totalSteps (reached by the scheduler step after the last optimizer step) is held at
      // the final lr; torch extrapolates the last phase there, which goes negative when linear.
      const x = Math.min((step - start) / (end - start), 1)
      const from = levels[i] as number
      const to = levels[i + 1] as number
      // torch's _annealing_cos and _annealing_linear, same operation order.
      return o.annealStrategy === 'cos'
        ? to + ((from - to) / 2) * (Math.cos(Math.PI * x) + 1)
        : (to - from) * x + from
    }
    start = end
  }
}

/**
 * OneCycleLR as a pure function (it ignores the optimizer's lr, so there is no base lr);
 * `maxLr` is a single number here.
 */
export function oneCycleLR(step: number, options: OneCycleLROptions & { maxLr: number }): number {
  checkStep('oneCycleLR', step)
  const o = resolve('oneCycleLR', options, undefined)
  return finiteLr('oneCycleLR', step, lr('oneCycleLR', step, o.maxLrs[0] as number, o))
}

/**
 * The 1cycle policy (Smith & Topin 2018; torch OneCycleLR): from `maxLr/divFactor` up to
 * `maxLr` over the first `pctStart` of `totalSteps`, then down to `lr(0)/finalDivFactor`
 * (with `threePhase`, back to lr(0) first). Ignores the optimizer's lr. Phase ends are torch's
 * (`pctStart·T − 1`, …, `T − 1`). Stepping past `totalSteps` throws a RangeError. torch also
 * cycles momentum inversely; this scheduler sets only the lr.
 */
export class OneCycleLR extends LRScheduler {
  /** The options, defaults filled in; `maxLrs` holds one peak per param group and `totalSteps` is resolved. */
  readonly options: OneCycleLRSettings

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    super(optimizer)
    this.options = resolve('OneCycleLR', options, this.baseLrs.length)
    this.start()
  }

  /**
   * A cycle that spans a `fit` of `epochs` over `rows` rows in batches of `batchSize` (default
   * 32, as fit's): `totalSteps = epochs · ⌈rows / batchSize⌉`. Step it per batch:
   *
   * ```ts
   * const scheduler = OneCycleLR.forFit(optimizer, { maxLr: 0.01, epochs: 10, rows: x.shape[0], batchSize: 64 })
   * model.fit(x, y, { optimizer, scheduler, schedulerStep: 'batch', epochs: 10, batchSize: 64 })
   * ```
   */
  static forFit(optimizer: SchedulableOptimizer, options: OneCycleLRForFitOptions): OneCycleLR {
    const where = 'OneCycleLR.forFit'
    const o = readOptions(where, options, [
      ...KEYS.filter((k) => k !== 'totalSteps' && k !== 'stepsPerEpoch'),
      'rows',
      'batchSize',
    ])
    const integer = { integer: true, min: 1 }
    const rows = numberOption(where, o, 'rows', integer)
    const batchSize = numberOption(where, o, 'batchSize', integer, 32)
    numberOption(where, o, 'epochs', integer)
    const { rows: _rows, batchSize: _batchSize, ...cycle } = options
    return new OneCycleLR(optimizer, { ...cycle, stepsPerEpoch: Math.ceil(rows / batchSize) })
  }

  override plannedSteps(): number {
    return this.options.totalSteps
  }

  protected override lrFor(step: number, _baseLr: number, group: number): number {
    return lr('OneCycleLR', step, this.options.maxLrs[group] as number, this.options)
  }
}
