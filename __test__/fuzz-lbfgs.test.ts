import test from 'ava'
import fc from 'fast-check'
import { LBFGS, type LBFGSOptions, Parameter } from '../src/index.js'
import { budget, expectCleanFailure, summary, weird } from './helpers/fuzz.js'

// Property tests over LBFGS: any options either build an optimizer or throw a TypeError or
// RangeError naming the option; a step on a random convex problem gives the same bits on both
// backends and never raises the loss; a closure that fails at any evaluation (inside the line
// search too) leaves the parameters and the state as they were. Budget: 2 properties, 500 cases.

const KEYS = [
  'lr',
  'maxIter',
  'maxEval',
  'toleranceGrad',
  'toleranceChange',
  'historySize',
  'lineSearchFn',
] as const

test('any options build an LBFGS or are refused by name', (t) => {
  let threw = 0
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.constantFrom(...KEYS, 'backend', 'momentum'),
        fc.oneof(weird, fc.constant('strong_wolfe')),
      ),
      (options) => {
        const p = new Parameter(new Float64Array(3), [3])
        const failed = expectCleanFailure(
          () => new LBFGS([p], options as LBFGSOptions),
          () => Array.from(p.data),
          Object.keys(options),
        )
        if (failed) threw++
      },
    ),
    budget(40, 200),
  )
  t.log(summary(200, threw))
  t.pass()
})

/** Σ c_i (x_i − a_i)² over every parameter's elements: a convex quadratic with a known gradient. */
function quadratic(
  params: Parameter[],
  c: number[],
  a: number[],
  failAt: number,
  failure: 'throw' | 'string',
) {
  let evaluations = 0
  return () => {
    if (evaluations++ === failAt) {
      if (failure === 'throw') throw new RangeError('closure: the data source went away')
      return 'not a number' as unknown as number
    }
    let loss = 0
    let k = 0
    for (const p of params) {
      for (let i = 0; i < p.size; i++, k++) {
        const r = (p.data[i] as number) - (a[k] as number)
        loss += (c[k] as number) * r * r
        p.grad[i] = 2 * (c[k] as number) * r
      }
    }
    return loss
  }
}

test('steps agree across backends, never raise the loss, and a failing closure changes nothing', (t) => {
  let failures = 0
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('float32', 'float64'),
      fc.record({
        maxIter: fc.integer({ min: 1, max: 8 }),
        historySize: fc.integer({ min: 1, max: 6 }),
        lineSearchFn: fc.constantFrom('strong_wolfe' as const, null),
        lr: fc.constantFrom(1, 0.5, 0.1),
      }),
      fc.integer({ min: 1, max: 1e6 }),
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom('throw' as const, 'string' as const),
      (sizes, dtype, options, seed, failAt, failure) => {
        const n = sizes.reduce((x, y) => x + y, 0)
        let s = seed
        const random = () => {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0
          return s / 2 ** 32
        }
        const c = Array.from({ length: n }, () => 0.5 + 10 * random())
        const a = Array.from({ length: n }, () => 2 * random() - 1)
        const start = Array.from({ length: n }, () => 4 * random() - 2)
        const run = (backend: 'native' | 'js', fail: number) => {
          let at = 0
          const params = sizes.map((size) => {
            const values = start.slice(at, at + size)
            at += size
            return new Parameter(
              dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values),
              [size],
            )
          })
          const lbfgs = new LBFGS(params, { ...options, backend })
          // The first step always succeeds, so the failing one has curvature pairs to lose.
          lbfgs.step(quadratic(params, c, a, -1, failure))
          const observe = () => ({ data: params.map((p) => Array.from(p.data)), state: lbfgs.stateDict() })
          const closure = quadratic(params, c, a, fail, failure)
          const before = quadratic(params, c, a, -1, failure)()
          const threw = expectCleanFailure(() => lbfgs.step(closure), observe, [/closure/])
          const after = quadratic(params, c, a, -1, failure)()
          if (
            !threw &&
            options.lineSearchFn === 'strong_wolfe' &&
            !(after <= before + 1e-12 * Math.abs(before))
          )
            throw new Error(`the loss rose from ${before} to ${after}`)
          return { threw, ...observe() }
        }
        const native = run('native', failAt)
        const js = run('js', failAt)
        if (native.threw) failures++
        t.deepEqual(native, js)
      },
    ),
    budget(41, 300),
  )
  t.log(summary(300, failures))
})
