import { describe, rangeError, typeError } from '../errors.js'
import { checkPureArguments, finiteLr, readOptions } from './options.js'
import { LRScheduler } from './scheduler.js'
import type { SchedulableOptimizer } from './types.js'

/** A multiple of the base lr as a function of the step. */
export type LrLambda = (step: number) => number

/** Options of `LambdaLR` and `lambdaLR` (torch LambdaLR). */
export interface LambdaLROptions {
  /** `step => factor`, or (class only) one such function per param group (required). */
  lrLambda: LrLambda | readonly LrLambda[]
}

function lambdas(where: string, options: unknown, groups: number): LrLambda[] {
  const o = readOptions(where, options, ['lrLambda'])
  const value = o.lrLambda
  if (value === undefined)
    throw new TypeError(`${where}: option 'lrLambda' is required (a function step => factor)`)
  if (typeof value === 'function') return new Array<LrLambda>(groups).fill(value as LrLambda)
  if (!Array.isArray(value)) {
    throw typeError(where, "option 'lrLambda'", 'a function step => factor, or an array of them', value)
  }
  if (value.length !== groups) {
    throw new RangeError(
      `${where}: option 'lrLambda' must have one function per param group (${groups}), got ${describe(value)}`,
    )
  }
  value.forEach((f, i) => {
    if (typeof f !== 'function')
      throw typeError(where, `option 'lrLambda[${i}]'`, 'a function step => factor', f)
  })
  return [...value] as LrLambda[]
}

/** B·λ(s), checking the factor: a user function returning NaN or a negative number would poison the optimizer. */
function lr(where: string, step: number, baseLr: number, lambda: LrLambda): number {
  const factor: unknown = lambda(step)
  if (typeof factor !== 'number') throw typeError(where, `lrLambda(${step})`, 'a finite number >= 0', factor)
  if (!(Number.isFinite(factor) && factor >= 0)) {
    throw rangeError(where, `lrLambda(${step})`, 'a finite number >= 0', factor)
  }
  return baseLr * factor
}

/** LambdaLR as a pure function: `B·lrLambda(s)` (a single function here). */
export function lambdaLR(step: number, baseLr: number, options: LambdaLROptions): number {
  checkPureArguments('lambdaLR', step, baseLr)
  return finiteLr(
    'lambdaLR',
    step,
    lr('lambdaLR', step, baseLr, lambdas('lambdaLR', options, 1)[0] as LrLambda),
  )
}

/**
 * Sets the lr to `B·lrLambda(s)` (torch LambdaLR): any schedule you can write as a factor of
 * the step. The function must return a finite number >= 0; it is called again for every
 * `lrAt`, so it should be pure. Functions are not part of `stateDict()`.
 */
export class LambdaLR extends LRScheduler {
  /** One factor function per param group. */
  readonly lrLambdas: readonly LrLambda[]

  constructor(optimizer: SchedulableOptimizer, options: LambdaLROptions) {
    super(optimizer)
    this.lrLambdas = Object.freeze(lambdas('LambdaLR', options, this.baseLrs.length))
    this.start()
  }

  protected override lrFor(step: number, baseLr: number, group: number): number {
    return lr('LambdaLR', step, baseLr, this.lrLambdas[group] as LrLambda)
  }
}
