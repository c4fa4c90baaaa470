import {
  checkPureArguments,
  choiceOption,
  finiteLr,
  numberOption,
  perGroupOption,
  readOptions,
} from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** How SWALR moves from the group's lr to `swaLr`. */
export type SWAAnnealStrategy = 'cos' | 'linear'

/** Options of `SWALR` and `swaLR` (torch.optim.swa_utils.SWALR). */
export interface SWALROptions {
  /** The lr to anneal to and hold (>= 0; one per param group for the class, required). */
  swaLr: number | readonly number[]
  /** Steps of the annealing (an integer >= 0; default 10; 0 jumps to swaLr at once). */
  annealEpochs?: number
  /** `'cos'` (default) or `'linear'`. */
  annealStrategy?: SWAAnnealStrategy
}

/** SWALR's options with defaults filled in: one swaLr per param group. */
export interface SWALRSettings {
  readonly swaLrs: readonly number[]
  readonly annealEpochs: number
  readonly annealStrategy: SWAAnnealStrategy
}

const KEYS = ['swaLr', 'annealEpochs', 'annealStrategy']

function resolve(where: string, options: unknown, groups: number | undefined): SWALRSettings {
  const o = readOptions(where, options, KEYS)
  return Object.freeze({
    swaLrs: Object.freeze(
      groups === undefined
        ? [numberOption(where, o, 'swaLr', { min: 0 })]
        : perGroupOption(where, o, 'swaLr', groups, { min: 0 }),
    ),
    annealEpochs: numberOption(where, o, 'annealEpochs', { integer: true, min: 0 }, 10),
    annealStrategy: choiceOption<SWAAnnealStrategy>(where, o, 'annealStrategy', ['cos', 'linear'], 'cos'),
  })
}

/**
 * torch's recursion in closed form: after s steps the lr is swaLr·α(t) + B·(1 − α(t)), t =
 * min(1, s/annealEpochs) (t = 1 from the start when annealEpochs is 0), α(t) = (1 − cos πt)/2 for
 * 'cos' or t for 'linear'. torch gets there by inverting its previous step each time, which agrees
 * to ~1e-16 as long as nothing else sets the lr.
 */
function lr(step: number, baseLr: number, swaLr: number, o: SWALRSettings): number {
  const t = o.annealEpochs === 0 ? 1 : Math.min(1, step / o.annealEpochs)
  const alpha = o.annealStrategy === 'cos' ? (1 - Math.cos(Math.PI * t)) / 2 : t
  return alpha === 1 ? swaLr : swaLr * alpha + baseLr * (1 - alpha)
}

/** SWALR as a pure function (`swaLr` a single number). */
export function swaLR(step: number, baseLr: number, options: SWALROptions & { swaLr: number }): number {
  checkPureArguments('swaLR', step, baseLr)
  const o = resolve('swaLR', options, undefined)
  return finiteLr('swaLR', step, lr(step, baseLr, o.swaLrs[0] as number, o))
}

/**
 * Stochastic weight averaging's schedule (torch.optim.swa_utils.SWALR): anneals each group's lr
 * to `swaLr` over `annealEpochs` steps (cosine or linear), then holds it. Pair it with an
 * `AveragedModel` updated after each of those epochs.
 */
export class SWALR extends LRScheduler {
  /** The options, defaults filled in, with one swaLr per param group. */
  readonly options: SWALRSettings

  constructor(optimizer: SchedulableOptimizer, options: SWALROptions) {
    super(optimizer)
    this.options = resolve('SWALR', options, this.baseLrs.length)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number, group: number): number {
    return lr(step, baseLr, this.options.swaLrs[group] as number, this.options)
  }
}
