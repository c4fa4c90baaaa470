import { InvalidArgumentError, Option } from 'commander'

/**
 * Parsers for command-line values. Each throws commander's InvalidArgumentError, which the
 * program turns into "error: option '--x <n>' argument 'y' is invalid. <why>", the usage and
 * exit code 2.
 */

/** An integer ≥ `min`. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!/^\s*[+-]?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected an integer >= ${min}`)
    }
    return n
  }
}

/** A seed: an integer in [0, 2³²). */
export function seed(value: string): number {
  const n = Number(value)
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n >= 2 ** 32) {
    throw new InvalidArgumentError('expected an integer in [0, 2^32)')
  }
  return n
}

/** A comma-separated list of positive integers, e.g. `10,50,100` (duplicates removed, order kept). */
export function integerList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim())
  const parse = integerAtLeast(1)
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new InvalidArgumentError('expected a comma-separated list of integers >= 1, e.g. 10,50,100')
  }
  return [...new Set(parts.map(parse))]
}

/** A comma-separated list of names, each one of `known` (duplicates removed, order kept). */
export function nameList(known: readonly string[]): (value: string) => string[] {
  return (value) => {
    const names = value.split(',').map((s) => s.trim())
    const unknown = names.filter((n) => !known.includes(n))
    if (names.length === 0 || names.some((n) => n === '') || unknown.length > 0) {
      const what = unknown.length > 0 ? `unknown: ${unknown.join(', ')}; ` : ''
      throw new InvalidArgumentError(`${what}expected a comma-separated list of ${known.join(', ')}`)
    }
    return [...new Set(names)]
  }
}

/** A finite number > 0, e.g. a learning rate. */
export function positiveNumber(value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError('expected a number > 0')
  }
  return n
}

/** A number in (0, 1], e.g. an accuracy target. */
export function fraction(value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) {
    throw new InvalidArgumentError('expected a number in (0, 1]')
  }
  return n
}

/** The `--out DIR` every command takes. */
export const OUT_FLAG = [
  '--out <dir>',
  'directory for index.html, results.json and charts/*.png',
  './descent-report',
] as const

/** The `--quiet` every command takes. */
export const QUIET_FLAG = ['--quiet', 'print nothing but errors (no tables, no progress)'] as const

/** An option taking a comma-separated list, its default shown as typed (`10,50,100`), not as JSON. */
export function listOption<T extends string | number>(
  flags: string,
  description: string,
  parse: (value: string) => T[],
  defaults: readonly T[],
): Option {
  return new Option(flags, description).argParser(parse).default([...defaults], defaults.join(',') || 'none')
}
