import test from 'ava'
import fc from 'fast-check'
import { Normal } from '../src/data/normal.js'
import { cos, exp, ln, sin } from '../src/detmath.js'
import { Rng } from '../src/random.js'

const addon = require('../../native/index.js') as {
  detmathEval(name: string, xs: Float64Array): Float64Array
  normalSamples(seed: number, count: number): Float64Array
}

/** The functions under test, by the names the native `detmathEval` takes. */
const detmath = { ln, exp, sin, cos }
type Name = keyof typeof detmath

/** Each function, the reference it must track and inputs that exercise its branches. */
const FUNCTIONS: { name: Name; reference: (x: number) => number; inputs: fc.Arbitrary<number> }[] = [
  {
    name: 'ln',
    reference: Math.log,
    inputs: fc.oneof(fc.double({ min: 0, noNaN: true }), fc.double({ min: 0.5, max: 2 }), fc.double()),
  },
  { name: 'exp', reference: Math.exp, inputs: fc.oneof(fc.double({ min: -750, max: 750 }), fc.double()) },
  { name: 'sin', reference: Math.sin, inputs: angles() },
  { name: 'cos', reference: Math.cos, inputs: angles() },
]

/** Angles of every size, and angles next to multiples of π/2, where reduction cancels most. */
function angles(): fc.Arbitrary<number> {
  const nearMultiple = fc
    .tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double({ min: -1e-6, max: 1e-6 }))
    .map(([n, d]) => n * (Math.PI / 2) + d)
  return fc.oneof(
    fc.double({ min: 0, max: 2 * Math.PI }),
    fc.double({ min: -2e6, max: 2e6 }),
    nearMultiple,
    fc.double(),
  )
}

/** The same value, with NaN equal to NaN and +0 distinct from −0. */
function sameValue(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))
}

for (const { name, inputs } of FUNCTIONS) {
  test(`detmath.${name} gives the same bits in Rust and JS`, (t) => {
    fc.assert(
      fc.property(fc.array(inputs, { minLength: 1, maxLength: 200 }), (xs) => {
        const native = addon.detmathEval(name, Float64Array.from(xs))
        const mismatch = xs.findIndex((x, i) => !sameValue(detmath[name](x), native[i] as number))
        if (mismatch >= 0)
          t.fail(
            `${name}(${xs[mismatch]}): js ${detmath[name](xs[mismatch] as number)}, rust ${native[mismatch]}`,
          )
        return mismatch < 0
      }),
      { seed: 4, numRuns: 300 },
    )
    t.pass()
  })
}

const bits = new BigInt64Array(2)
const doubles = new Float64Array(bits.buffer)

/** Units in the last place between two finite doubles of the same sign. */
function ulps(a: number, b: number): number {
  doubles[0] = a
  doubles[1] = b
  const d = (bits[0] as bigint) - (bits[1] as bigint)
  return Number(d < 0n ? -d : d)
}

/** Where each function is checked against Math, and how many ulps apart it may be. */
const ACCURACY: {
  name: Name
  reference: (x: number) => number
  from: number
  to: number
  logScale?: true
}[] = [
  { name: 'ln', reference: Math.log, from: 1e-300, to: 1e300, logScale: true },
  { name: 'ln', reference: Math.log, from: 0.5, to: 2 },
  { name: 'exp', reference: Math.exp, from: -745, to: 709 },
  { name: 'exp', reference: Math.exp, from: -1, to: 1 },
  { name: 'sin', reference: Math.sin, from: 0, to: 2 * Math.PI },
  { name: 'sin', reference: Math.sin, from: -1e6, to: 1e6 },
  { name: 'cos', reference: Math.cos, from: 0, to: 2 * Math.PI },
  { name: 'cos', reference: Math.cos, from: -1e6, to: 1e6 },
]
const MAX_ULPS = 2

for (const { name, reference, from, to, logScale } of ACCURACY) {
  test(`detmath.${name} is within ${MAX_ULPS} ulp of Math.${name === 'ln' ? 'log' : name} on [${from}, ${to}]`, (t) => {
    const rng = new Rng(17)
    let worst = 0
    for (let i = 0; i < 100_000; i++) {
      const u = rng.uniform()
      const x = logScale ? from * (to / from) ** u : from + (to - from) * u
      const ours = detmath[name](x)
      const theirs = reference(x)
      // Next to a zero of sin/cos relative error means nothing; there compare absolutely.
      const error = Math.abs(theirs) < 1e-3 && Math.abs(ours - theirs) < 1e-19 ? 0 : ulps(ours, theirs)
      worst = Math.max(worst, error)
    }
    t.log(`worst: ${worst} ulp over 100000 points`)
    t.true(worst <= MAX_ULPS)
  })
}

test('special values', (t) => {
  const cases: [Name, number, number][] = [
    ['ln', 0, -Infinity],
    ['ln', -0, -Infinity],
    ['ln', -1, Number.NaN],
    ['ln', Infinity, Infinity],
    ['ln', 1, 0],
    ['ln', Number.MIN_VALUE, Math.log(Number.MIN_VALUE)],
    ['exp', 0, 1],
    ['exp', -Infinity, 0],
    ['exp', Infinity, Infinity],
    ['exp', 710, Infinity],
    ['exp', -746, 0],
    ['sin', 0, 0],
    ['sin', -0, -0],
    ['cos', 0, 1],
    ['sin', Infinity, Number.NaN],
    ['cos', 2e6, Number.NaN], // beyond the exact-reduction range: NaN rather than a wrong value
    ['sin', Number.NaN, Number.NaN],
  ]
  for (const [name, x, expected] of cases) {
    t.true(sameValue(detmath[name](x), expected), `${name}(${x}) = ${detmath[name](x)}, expected ${expected}`)
    t.true(
      sameValue(addon.detmathEval(name, Float64Array.of(x))[0] as number, expected),
      `rust ${name}(${x})`,
    )
  }
  t.throws(() => addon.detmathEval('tan', Float64Array.of(1)), { message: /name/ })
})

test('Box–Muller normals are the same in Rust and JS, for any seed', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 301 }), (seed, count) => {
      const rng = new Rng(seed)
      const normal = new Normal()
      const js = Float64Array.from({ length: count }, () => normal.sample(rng))
      t.deepEqual(Buffer.from(js.buffer), Buffer.from(addon.normalSamples(seed, count).buffer))
    }),
    { seed: 5, numRuns: 100 },
  )
})

test('Box–Muller normals have mean 0 and variance 1', (t) => {
  const rng = new Rng(2024)
  const normal = new Normal()
  const n = 100_000
  let sum = 0
  let squares = 0
  for (let i = 0; i < n; i++) {
    const z = normal.sample(rng)
    sum += z
    squares += z * z
  }
  const mean = sum / n
  const variance = squares / n - mean * mean
  t.true(Math.abs(mean) < 0.01, `mean ${mean}`)
  t.true(Math.abs(variance - 1) < 0.015, `variance ${variance}`)
})
