import { checkPureArguments, finiteLr, numberOption, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** Options of `LinearWarmup` and `linearWarmup` (the tutorial's `linear_warmup`). */
export interface LinearWarmupOptions {
  /** Steps to reach B (an integer >= 1; required). */
  warmupSteps: number
}

function resolve(where: string, options: unknown): Readonly<LinearWarmupOptions> {
  const o = readOptions(where, options, ['warmupSteps'])
  return Object.freeze({ warmupSteps: numberOption(where, o, 'warmupSteps', { integer: true, min: 1 }) })
}

function lr(step: number, baseLr: number, o: LinearWarmupOptions): number {
  return step < o.warmupSteps ? baseLr * (step / o.warmupSteps) : baseLr
}

/** LinearWarmup as a pure function: `B·e/warmupSteps` while e < warmupSteps, then B. */
export function linearWarmup(step: number, baseLr: number, options: LinearWarmupOptions): number {
  checkPureArguments('linearWarmup', step, baseLr)
  return finiteLr('linearWarmup', step, lr(step, baseLr, resolve('linearWarmup', options)))
}

/**
 * The tutorial's linear warmup, `lr(e) = B·e/warmupSteps` for e < warmupSteps, then B. Unlike
 * LinearLR it starts at exactly 0, so the first optimizer step does nothing; follow it with a
 * decay through SequentialLR (milestone = warmupSteps).
 */
export class LinearWarmup extends LRScheduler {
  /** The options. */
  readonly options: Readonly<LinearWarmupOptions>

  constructor(optimizer: SchedulableOptimizer, options: LinearWarmupOptions) {
    super(optimizer)
    this.options = resolve('LinearWarmup', options)
    this.start()
  }

  protected override lrFor(step: number, baseLr: number): number {
    return lr(step, baseLr, this.options)
  }
}
