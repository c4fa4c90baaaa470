import { typeError } from '../errors.js'
import { CheckpointError } from './checkpoint-error.js'

/**
 * JSON that gives back every number bit for bit. `JSON.stringify` already prints the shortest
 * decimal that parses back to the same double; only NaN, ±Infinity (which it turns into null)
 * and -0 (which it prints as 0) need a spelling of their own: `{"$float": "NaN"}` and so on.
 */
const FLOAT_TAG = '$float'
const SPECIAL: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
}

function special(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return 'Infinity'
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity'
  if (Object.is(value, -0)) return '-0'
  return undefined
}

/** `JSON.stringify` that keeps NaN, ±Infinity and -0. */
export function stringifyExact(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    const name = typeof v === 'number' ? special(v) : undefined
    return name === undefined ? v : { [FLOAT_TAG]: name }
  })
}

/** Parses what `stringifyExact` wrote; a CheckpointError (corrupt) naming `what` otherwise. */
export function parseExact(where: string, what: string, text: string): unknown {
  try {
    return JSON.parse(text, (_key, v) => {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const keys = Object.keys(v)
        if (keys.length === 1 && keys[0] === FLOAT_TAG) {
          const number = SPECIAL[v[FLOAT_TAG]]
          if (number === undefined)
            throw new SyntaxError(`unknown ${FLOAT_TAG} ${JSON.stringify(v[FLOAT_TAG])}`)
          return number
        }
      }
      return v
    })
  } catch (error) {
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `${where}: the checkpoint's ${what} metadata is not valid JSON (${(error as Error).message})`,
      { cause: error },
    )
  }
}

/**
 * A TypeError unless `value` is plain JSON data (null, boolean, number, string, array, plain
 * object, nested without cycles), so that what `loadCheckpoint` returns equals what was saved.
 */
export function checkJsonData(where: string, what: string, value: unknown, seen = new Set<object>()): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string')
    return
  const expected = 'JSON data (null, a boolean, number or string, an array or a plain object)'
  if (typeof value !== 'object') throw typeError(where, what, expected, value)
  const proto = Object.getPrototypeOf(value)
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null)
    throw typeError(where, what, expected, value)
  if (seen.has(value)) throw new TypeError(`${where}: ${what} refers to itself (a cycle cannot be saved)`)
  seen.add(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJsonData(where, `${what}[${i}]`, value[i], seen)
  } else {
    for (const [k, v] of Object.entries(value)) checkJsonData(where, `${what}.${k}`, v, seen)
  }
  seen.delete(value)
}
