import fc from 'fast-check'
import { DescentError } from '../../src/index.js'
import { fingerprint } from './fingerprint.js'

/**
 * What the fuzz-*.test.ts property tests share: the seed, the run budget, the values that
 * break naive code, and the one property every public entry point must keep: a call either
 * works or throws a TypeError, RangeError or DescentError whose message names the argument,
 * and a call that throws changed nothing.
 */

/** The base seed (FUZZ_SEED overrides it, to explore; a failure prints the seed and path to replay). */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_251_125)

/** Multiplies every property's number of cases (FUZZ_SCALE=20 for a long exploration). */
export const FUZZ_SCALE = Number(process.env.FUZZ_SCALE ?? 1)

/**
 * fast-check settings: seeded, `numRuns` cases, stopped after `seconds`. In CI an interrupted
 * property fails, so the suite cannot silently run fewer cases than it claims.
 */
export function budget(offset: number, numRuns: number, seconds = 90 * FUZZ_SCALE): fc.Parameters<unknown> {
  return {
    seed: FUZZ_SEED + offset,
    numRuns: Math.max(1, Math.round(numRuns * FUZZ_SCALE)),
    interruptAfterTimeLimit: seconds * 1000,
    markInterruptAsFailure: process.env.CI === 'true',
    includeErrorInReport: true,
  }
}

/** Numbers that break naive checks: NaN, ±Infinity, -0, negatives, huge, tiny, non-integers. */
export const weirdNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    0,
    -1,
    1,
    2,
    0.5,
    1.5,
    -1e-300,
    5e-324,
    1e308,
    -1e308,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    Number.MAX_VALUE,
  ),
  fc.double(),
  fc.integer({ min: -5, max: 100 }),
)

/** Values of the wrong kind: strings, booleans, null, objects, arrays, functions, typed arrays, big ints, symbols. */
export const wrongKind: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    true,
    false,
    '',
    '1',
    'NaN',
    [],
    [1],
    [Number.NaN, 1],
    {},
    { valueOf: () => 1 },
    Object.create(null),
    () => 1,
    1n,
    Symbol('x'),
    new Float32Array(2),
    new Date(0),
    new Map(),
  ),
  fc.string({ maxLength: 4 }),
)

/** Any weird value: a weird number or a wrong kind. */
export const weird: fc.Arbitrary<unknown> = fc.oneof(weirdNumber, wrongKind)

/** Detaches an ArrayBuffer (as transferring it to a worker would): every view of it gets length 0. */
export function detach(buffer: ArrayBufferLike): void {
  structuredClone(buffer, { transfer: [buffer as ArrayBuffer] })
}

/** A failure the API may throw: TypeError, RangeError or a documented DescentError (CheckpointError …). */
export function isAllowedError(error: unknown): error is Error {
  return error instanceof TypeError || error instanceof RangeError || error instanceof DescentError
}

/**
 * Runs `call`; if it throws, checks that the error is an allowed class, that its message names
 * one of `names` (the argument that was broken) when given, and that `observe()` is unchanged.
 * Returns whether it threw. Any violation throws, failing the property with a readable reason.
 */
export function expectCleanFailure(
  call: () => unknown,
  observe: () => unknown,
  names: readonly (string | RegExp)[] = [],
): boolean {
  const before = fingerprint(observe())
  try {
    call()
  } catch (error) {
    checkError(error, names)
    if (fingerprint(observe()) !== before)
      throw new Error(`a call that threw changed state: ${(error as Error).message}`)
    return true
  }
  return false
}

/** `expectCleanFailure` for async calls. */
export async function expectCleanFailureAsync(
  call: () => Promise<unknown>,
  observe: () => unknown,
  names: readonly (string | RegExp)[] = [],
): Promise<boolean> {
  const before = fingerprint(observe())
  try {
    await call()
  } catch (error) {
    checkError(error, names)
    if (fingerprint(observe()) !== before)
      throw new Error(`a call that threw changed state: ${(error as Error).message}`)
    return true
  }
  return false
}

/**
 * Bugs these properties found in code outside the checkpoint module, reported to the lead.
 * A failure matching one is tolerated (counted in `knownBugHits`, logged by the tests) so the
 * suite stays green until the fix lands; each is reproduced by a `test.failing` that starts
 * passing, and so fails, once it is fixed: then remove it here.
 */
export const KNOWN_BUGS: readonly { readonly id: string; readonly message: RegExp }[] = []

/** How often each known bug was hit in this process. */
export const knownBugHits = new Map<string, number>()

function knownBug(error: Error): boolean {
  const bug = KNOWN_BUGS.find((b) => b.message.test(error.message))
  if (bug) knownBugHits.set(bug.id, (knownBugHits.get(bug.id) ?? 0) + 1)
  return bug !== undefined
}

function checkError(error: unknown, names: readonly (string | RegExp)[]): void {
  if (error instanceof Error && knownBug(error)) return
  if (!isAllowedError(error)) {
    throw new Error(
      `threw ${(error as Error)?.constructor?.name ?? typeof error}, not TypeError/RangeError/DescentError: ${String(error)}`,
    )
  }
  if (
    names.length > 0 &&
    !names.some((n) => (typeof n === 'string' ? error.message.includes(n) : n.test(error.message)))
  ) {
    throw new Error(
      `the message does not name ${names.map(String).join(' or ')}: ${error.constructor.name}: ${error.message}`,
    )
  }
}

/** One log line per property: cases, how many threw, and any known bugs hit so far. */
export function summary(cases: number, threw: number, extra = ''): string {
  const bugs = [...knownBugHits].map(([id, n]) => `${id} ×${n}`).join(', ')
  return `${Math.max(1, Math.round(cases * FUZZ_SCALE))} cases${extra}, ${threw} threw cleanly${bugs ? `; known bugs hit: ${bugs}` : ''}`
}
