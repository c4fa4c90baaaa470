import test from 'ava'
import { nativeAvailable, OPTIMIZERS, Parameter } from '../src/index.js'
import { firstMismatch, optimizerCases } from './helpers/golden.js'

// f64 must match the float64 reference to 1e-10 relative (the spread between independent f64
// implementations is ~2e-12). f32 kernels accumulate ~1 ulp (6e-8 relative) per operation over
// up to 50 steps; 1e-4 relative + 2e-5 absolute is ALGORITHMS.md's bound with 2x headroom on
// the absolute part, which the sharp Rosenbrock cases need.
const TOLERANCE = {
  float64: { atol: 1e-12, rtol: 1e-10 },
  float32: { atol: 2e-5, rtol: 1e-4 },
} as const

test('the native addon is loaded (the golden tests below run on it)', (t) => {
  t.true(nativeAvailable())
})

for (const c of optimizerCases()) {
  for (const backend of ['native', 'js'] as const) {
    for (const dtype of ['float64', 'float32'] as const) {
      test(`${c.file} ${c.name} ${backend} ${dtype}`, (t) => {
        const Optimizer = OPTIMIZERS[c.optimizer]
        if (Optimizer === undefined) return t.fail(`no optimizer registered as '${c.optimizer}'`)
        const FloatArray = dtype === 'float64' ? Float64Array : Float32Array
        const params = c.params.map((p, j) => new Parameter(FloatArray.from(p.data), p.shape, `p${j}`))
        const opt = new Optimizer(params, { ...c.options, backend })
        const { atol, rtol } = TOLERANCE[dtype]
        for (const [k, grads] of c.grads.entries()) {
          if (c.lrPerStep) opt.lr = c.lrPerStep[k] as number
          for (const [j, p] of params.entries()) p.grad.set(grads[j] as number[])
          opt.step()
          for (const [j, p] of params.entries()) {
            const bad = firstMismatch(p.data, c.expected[k]?.[j] as number[], atol, rtol)
            if (bad) return t.fail(`step ${k + 1}, param ${j}: ${bad}`)
          }
        }
        t.pass()
      })
    }
  }
}
