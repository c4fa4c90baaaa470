import { describe, rangeError, typeError } from '../errors.js'
import { checkPlainObject, rejectUnknownKeys } from '../validate.js'

/**
 * Checks every scheduler shares: the options object, its keys, numeric options with ranges,
 * and step / base-lr arguments of the pure functions. Messages name the option and what was
 * expected, e.g. `StepLR: option 'gamma' must be a finite number > 0, got -1`.
 */

/** An options object whose keys have been checked against the known option names. */
export type RawOptions = Readonly<Record<string, unknown>>

/** The options object (absent = all defaults) with unknown keys rejected, so `step_size` cannot pass silently. */
export function readOptions(where: string, options: unknown, known: readonly string[]): RawOptions {
  if (options === undefined) return {}
  checkPlainObject(where, 'options', options)
  rejectUnknownKeys(where, options, new Set(known))
  return options as RawOptions
}

/** The option's value, or `fallback` when it is absent (`undefined`; `null` is a wrong value, not absence). */
function optionValue(options: RawOptions, key: string, fallback: unknown): unknown {
  const value = options[key]
  return value === undefined ? fallback : value
}

/** Allowed values of a numeric option; bounds are inclusive (`min`, `max`) or exclusive (`above`, `below`). */
export interface NumberSpec {
  integer?: boolean
  min?: number
  above?: number
  max?: number
  below?: number
}

function expectation(spec: NumberSpec): string {
  const low =
    spec.min !== undefined ? `[${spec.min}` : spec.above !== undefined ? `(${spec.above}` : undefined
  const high =
    spec.max !== undefined ? `${spec.max}]` : spec.below !== undefined ? `${spec.below})` : undefined
  const kind = spec.integer ? 'an integer' : 'a finite number'
  if (low !== undefined && high !== undefined)
    return `${spec.integer ? 'an integer' : 'a number'} in ${low}, ${high}`
  if (spec.min !== undefined) return `${kind} >= ${spec.min}`
  if (spec.above !== undefined) return `${kind} > ${spec.above}`
  if (spec.max !== undefined) return `${kind} <= ${spec.max}`
  if (spec.below !== undefined) return `${kind} < ${spec.below}`
  return kind
}

/** Throws unless `value` is a number satisfying `spec`; `what` names it in the message. */
export function checkNumberIn(
  where: string,
  what: string,
  value: unknown,
  spec: NumberSpec,
): asserts value is number {
  const expected = expectation(spec)
  if (typeof value !== 'number') throw typeError(where, what, expected, value)
  const ok =
    Number.isFinite(value) &&
    (!spec.integer || Number.isInteger(value)) &&
    (spec.min === undefined || value >= spec.min) &&
    (spec.above === undefined || value > spec.above) &&
    (spec.max === undefined || value <= spec.max) &&
    (spec.below === undefined || value < spec.below)
  if (!ok) throw rangeError(where, what, expected, value)
}

/** A numeric option: `fallback` when absent, a TypeError when absent and required (no fallback). */
export function numberOption(
  where: string,
  options: RawOptions,
  key: string,
  spec: NumberSpec,
  fallback?: number,
): number {
  const value = optionValue(options, key, fallback)
  if (value === undefined) throw new TypeError(`${where}: option '${key}' is required (${expectation(spec)})`)
  checkNumberIn(where, `option '${key}'`, value, spec)
  return value
}

/** An option given as one number for every param group or as an array with one entry per group. */
export function perGroupOption(
  where: string,
  options: RawOptions,
  key: string,
  groups: number,
  spec: NumberSpec,
  fallback?: number,
): number[] {
  const value = optionValue(options, key, fallback)
  if (!Array.isArray(value))
    return new Array<number>(groups).fill(numberOption(where, options, key, spec, fallback))
  if (value.length !== groups) {
    throw new RangeError(
      `${where}: option '${key}' must have one entry per param group (${groups}), got ${describe(value)}`,
    )
  }
  for (const [i, v] of value.entries()) checkNumberIn(where, `option '${key}[${i}]'`, v, spec)
  return [...value] as number[]
}

/** One of a fixed set of strings. */
export function choiceOption<T extends string>(
  where: string,
  options: RawOptions,
  key: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = optionValue(options, key, fallback)
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw typeError(where, `option '${key}'`, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value)
  }
  return value as T
}

/** A boolean option. */
export function booleanOption(where: string, options: RawOptions, key: string, fallback: boolean): boolean {
  const value = optionValue(options, key, fallback)
  if (typeof value !== 'boolean') throw typeError(where, `option '${key}'`, 'a boolean', value)
  return value
}

/** The step argument of `lrAt` and the pure functions: schedules are defined on whole steps from 0. */
export function checkStep(where: string, step: unknown): asserts step is number {
  checkNumberIn(where, 'step', step, { integer: true, min: 0 })
}

/** The base-lr argument of the pure functions. */
export function checkBaseLr(where: string, baseLr: unknown): asserts baseLr is number {
  checkNumberIn(where, 'baseLr', baseLr, { min: 0 })
}

/**
 * A list of step indices (milestones): an array of integers >= `min`, optionally strictly
 * increasing. `required` says whether it may be empty.
 */
export function stepListOption(
  where: string,
  options: RawOptions,
  key: string,
  spec: { min: number; increasing: boolean; nonEmpty: boolean },
): number[] {
  const value = options[key]
  const expected = `an array of integers >= ${spec.min}`
  if (value === undefined) throw new TypeError(`${where}: option '${key}' is required (${expected})`)
  if (!Array.isArray(value)) throw typeError(where, `option '${key}'`, expected, value)
  if (spec.nonEmpty && value.length === 0) throw new RangeError(`${where}: option '${key}' must not be empty`)
  value.forEach((v, i) => {
    checkNumberIn(where, `option '${key}[${i}]'`, v, { integer: true, min: spec.min })
    if (spec.increasing && i > 0 && v <= value[i - 1]) {
      throw new RangeError(`${where}: option '${key}' must be strictly increasing, got [${value.join(', ')}]`)
    }
  })
  return [...value] as number[]
}

/** Checks the arguments every pure schedule function takes. */
export function checkPureArguments(where: string, step: unknown, baseLr: unknown): void {
  checkStep(where, step)
  checkBaseLr(where, baseLr)
}

/**
 * A schedule's value, or a RangeError when the options make it overflow (gamma 1e308 after a
 * few steps, etaMin near Number.MAX_VALUE…): a NaN, infinite or negative lr never reaches an
 * optimizer or a caller.
 */
export function finiteLr(where: string, step: number, lr: number): number {
  if (!(Number.isFinite(lr) && lr >= 0)) {
    throw new RangeError(
      `${where}: the lr at step ${step} is ${describe(lr)}, not a finite number >= 0: the options overflow`,
    )
  }
  return lr
}
