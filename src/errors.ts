/**
 * Errors thrown by descent. Argument problems are plain `TypeError` (wrong kind of value) or
 * `RangeError` (right kind, out of range); their messages name the argument and what was
 * expected. `DescentError` covers the rest (a failure inside the native addon).
 */

/** A failure that is not the caller's argument: a native kernel error or panic. */
export class DescentError extends Error {
  /** Machine-readable reason, e.g. `'DESCENT_PANIC'`. */
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'DescentError'
    this.code = code
  }
}

/** Short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return `an array of length ${value.length}`
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as { length?: number }).length ?? '?'}`
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`
  return typeof value
}

/** `TypeError('<where>: <what> must be <expected>, got <value>')`. */
export function typeError(where: string, what: string, expected: string, got: unknown): TypeError {
  return new TypeError(`${where}: ${what} must be ${expected}, got ${describe(got)}`)
}

/** `RangeError('<where>: <what> must be <expected>, got <value>')`. */
export function rangeError(where: string, what: string, expected: string, got: unknown): RangeError {
  return new RangeError(`${where}: ${what} must be ${expected}, got ${describe(got)}`)
}

const warned = new Set<string>()

/** A `DescentWarning` with this code, emitted once per process (later calls do nothing). */
export function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return
  warned.add(code)
  process.emitWarning(message, { type: 'DescentWarning', code })
}
