import test from 'ava'
import fc from 'fast-check'
import { clipGradNorm, Parameter } from '../src/index.js'
import { budget, detach, expectCleanFailure, summary, weird, weirdNumber } from './helpers/fuzz.js'

// Property tests over clipGradNorm: any parameters (shapes, dtypes, non-finite or detached
// gradients), max norm, norm type and options. It returns a number and scales gradients by at
// most 1, or throws a TypeError/RangeError naming the argument with every gradient untouched.
// Budget: 1 property, 1,500 cases.

const gradArb = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }) },
  { weight: 1, arbitrary: weirdNumber },
)

test('clipGradNorm: any input clips by a factor <= 1 and returns the norm, or throws naming the argument, untouched', (t) => {
  let threw = 0
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
          f64: fc.boolean(),
          grads: fc.array(gradArb, { minLength: 1, maxLength: 8 }),
          detached: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
        }),
        { maxLength: 4 },
      ),
      fc.oneof({ weight: 4, arbitrary: fc.double({ min: 0, max: 10 }) }, { weight: 1, arbitrary: weird }),
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(1, 2, Number.POSITIVE_INFINITY, 0.5, 3) },
        { weight: 1, arbitrary: weird },
      ),
      fc.oneof(
        fc.constant(undefined),
        fc.record({ backend: fc.constantFrom('native', 'js') }),
        fc.record({ backend: fc.constantFrom('native', 'js'), errorIfNonfinite: fc.boolean() }),
        fc.record({ backend: fc.constantFrom('native', 'js'), errorIfNonfinite: fc.boolean() }),
        fc.record({ errorIfNonfinite: weird }),
        fc.record({ bogus: weird }),
        weird,
      ),
      fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: weird }),
      fc.integer({ min: 0, max: 9 }),
      (specs, maxNorm, normType, options, badEntry, dtypes) => {
        const params: unknown[] = specs.map((s, i) => {
          const size = s.shape.reduce((a, b) => a * b, 1)
          // One dtype for all, except one case in ten, which mixes them.
          const f64 = dtypes === 0 ? s.f64 : dtypes % 2 === 1
          const p = new Parameter(f64 ? new Float64Array(size) : new Float32Array(size), s.shape, `p${i}`)
          for (let k = 0; k < size; k++) p.grad[k] = s.grads[k % s.grads.length] as number
          if (s.detached && size > 0) detach(p.grad.buffer)
          return p
        })
        if (badEntry !== null) params.push(badEntry)
        const real = params.filter((p): p is Parameter => p instanceof Parameter)
        const before = real.map((p) =>
          p.grad.buffer.byteLength === 0 ? new Float32Array(0) : p.grad.slice(),
        )
        let norm: unknown
        const failed = expectCleanFailure(
          () => {
            norm = clipGradNorm(
              params as Parameter[],
              maxNorm as number,
              normType as number,
              options as never,
            )
          },
          () => real.map((p) => p.grad),
          ['params', 'maxNorm', 'normType', 'options', 'errorIfNonfinite', 'backend', 'bogus', 'total norm'],
        )
        if (failed) {
          threw++
          return
        }
        if (typeof norm !== 'number') throw new Error(`returned ${String(norm)}`)
        // Each gradient was multiplied by one coefficient in [0, 1] (NaN only if the norm was).
        real.forEach((p, i) => {
          const old = before[i] as Float32Array
          for (let k = 0; k < old.length; k++) {
            const a = Math.abs(p.grad[k] as number)
            const b = Math.abs(old[k] as number)
            if (a > b * (1 + 1e-6) && !Number.isNaN(norm as number) && Number.isFinite(b)) {
              throw new Error(`grad ${i}[${k}] grew from ${old[k]} to ${p.grad[k]} (norm ${norm})`)
            }
          }
        })
      },
    ),
    budget(21, 1500),
  )
  t.log(summary(1500, threw))
  t.pass()
})
