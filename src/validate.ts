import { rangeError, typeError } from './errors.js'

/** Throws a TypeError for any key of `options` not in `allowed` (so `weight_decay` cannot pass silently). */
export function rejectUnknownKeys(where: string, options: object, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      const known = [...allowed].sort().join(', ')
      throw new TypeError(`${where}: unknown option '${key}' (known options: ${known})`)
    }
  }
}

/** A plain object (not null, not an array), or a TypeError. */
export function checkPlainObject(where: string, what: string, value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw typeError(where, what, 'a plain object', value)
  }
}

export function checkNumber(where: string, what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number') throw typeError(where, what, 'a number', value)
}

/** A finite number ≥ 0. */
export function checkNonNegative(where: string, what: string, value: unknown): asserts value is number {
  checkNumber(where, what, value)
  if (!Number.isFinite(value) || value < 0) throw rangeError(where, what, 'a finite number >= 0', value)
}

/**
 * A learning rate: a finite number >= 0. The one lr check, used by every rule's options, the
 * optimizer's `lr` setter and steps, and the schedulers.
 */
export function checkLearningRate(where: string, lr: unknown, what = 'lr'): asserts lr is number {
  checkNonNegative(where, what, lr)
}

/** A finite number > 0. */
export function checkPositive(where: string, what: string, value: unknown): asserts value is number {
  checkNumber(where, what, value)
  if (!Number.isFinite(value) || value <= 0) throw rangeError(where, what, 'a finite number > 0', value)
}

/** An optional option: `fallback` when undefined, else a finite number > 0. */
export function positiveOption(where: string, what: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  checkPositive(where, what, value)
  return value
}

/** An optional option: `fallback` when undefined, else an integer >= `min` (default 1). */
export function integerOption(
  where: string,
  what: string,
  value: unknown,
  fallback: number,
  min = 1,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number') throw typeError(where, what, `an integer >= ${min}`, value)
  if (!Number.isSafeInteger(value) || value < min)
    throw rangeError(where, what, `an integer >= ${min}`, value)
  return value
}

/** A number in [0, 1), as betas and decay rates must be. */
export function checkUnitInterval(where: string, what: string, value: unknown): asserts value is number {
  checkNumber(where, what, value)
  if (!(value >= 0 && value < 1)) throw rangeError(where, what, 'a number in [0, 1)', value)
}

/** A finite number (any sign). */
export function checkFinite(where: string, what: string, value: unknown): asserts value is number {
  checkNumber(where, what, value)
  if (!Number.isFinite(value)) throw rangeError(where, what, 'a finite number', value)
}

export function checkBoolean(where: string, what: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') throw typeError(where, what, 'a boolean', value)
}

/** A pair `[β₁, β₂]`, each in [0, 1). */
export function checkBetas(where: string, value: unknown): asserts value is readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2)
    throw typeError(where, 'betas', 'an array [beta1, beta2]', value)
  checkUnitInterval(where, 'betas[0]', value[0])
  checkUnitInterval(where, 'betas[1]', value[1])
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(
  where: string,
  what: string,
  value: unknown,
  choices: readonly T[],
): asserts value is T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw typeError(where, what, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value)
  }
}
