import { checkPureArguments, finiteLr, numberOption, readOptions, stepListOption } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `MultiStepLR` and `multiStepLR` (torch MultiStepLR). */
export interface MultiStepLROptions {
  /** Steps at which the lr is multiplied by gamma (integers >= 0, any order; a repeated step decays twice; required, non-empty). */
  milestones: readonly number[]
  /** Factor applied at each milestone (> 0; default 0.1). */
  gamma?: number
}

/** MultiStepLR's options with defaults filled in and milestones sorted. */
export interface MultiStepLRSettings {
  readonly milestones: readonly number[]
  readonly gamma: number
}

function resolve(where: string, options: unknown): MultiStepLRSettings {
  const o = readOptions(where, options, ['milestones', 'gamma'])
  const milestones = stepListOption(where, o, 'milestones', { min: 0, increasing: false, nonEmpty: true })
  return Object.freeze({
    milestones: Object.freeze(milestones.sort((a, b) => a - b)),
    gamma: numberOption(where, o, 'gamma', { above: 0 }, 0.1),
  })
}

function lr(step: number, baseLr: number, o: MultiStepLRSettings): number {
  let passed = 0
  while (passed < o.milestones.length && (o.milestones[passed] as number) <= step) passed++
  return baseLr * o.gamma ** passed
}

/** MultiStepLR as a pure function: `B·γ^(number of milestones <= s)`. */
export function multiStepLR(step: number, baseLr: number, options: MultiStepLROptions): number {
  checkPureArguments('multiStepLR', step, baseLr)
  return finiteLr('multiStepLR', step, lr(step, baseLr, resolve('multiStepLR', options)))
}

/** Multiplies the lr by `gamma` at each milestone: `lr(s) = B·γ^#{m <= s}` (torch MultiStepLR). */
export class MultiStepLR extends LRScheduler {
  /** The options, defaults filled in and milestones sorted. */
  readonly options: MultiStepLRSettings

  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    super(optimizer)
    this.options = resolve('MultiStepLR', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
