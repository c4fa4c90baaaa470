import test from 'ava'
import { clipGradNorm, Parameter } from '../src/index.js'
import { firstMismatch, readGolden } from './helpers/golden.js'

interface ClipCase {
  name: string
  options: { maxNorm: number; normType?: number | 'inf' }
  grads: { shape: number[]; data: number[] }[]
  expectedGrads: number[][]
  expectedTotalNorm: number
}

const { cases } = readGolden<ClipCase>('clip_grad_norm.json')

for (const c of cases) {
  for (const backend of ['native', 'js'] as const) {
    test(`${c.name} ${backend}`, (t) => {
      const params = c.grads.map((g) => {
        const p = new Parameter(new Float64Array(g.data.length), g.shape)
        p.grad.set(g.data)
        return p
      })
      const normType = c.options.normType === 'inf' ? Number.POSITIVE_INFINITY : (c.options.normType ?? 2)
      const total = clipGradNorm(params, c.options.maxNorm, normType, { backend })
      t.true(
        Math.abs(total - c.expectedTotalNorm) <= 1e-12 + 1e-10 * Math.abs(c.expectedTotalNorm),
        `${total}`,
      )
      for (const [i, p] of params.entries())
        t.is(firstMismatch(p.grad, c.expectedGrads[i] ?? [], 1e-12, 1e-10), undefined)
    })
  }
}

test('native and js clip f32 gradients to the same bits, for every norm type', (t) => {
  for (const normType of [1, 2, 3, 0.5, Number.POSITIVE_INFINITY]) {
    const make = () =>
      [7, 5000, 9001].map((n, k) => {
        const p = new Parameter(new Float32Array(n))
        for (let i = 0; i < n; i++) p.grad[i] = Math.sin(i * 0.37 + k) * (1 + (i % 13))
        return p
      })
    const a = make()
    const b = make()
    const na = clipGradNorm(a, 0.5, normType, { backend: 'native' })
    const nb = clipGradNorm(b, 0.5, normType, { backend: 'js' })
    t.is(na, nb)
    for (const [i, p] of a.entries()) t.deepEqual(p.grad, b[i]?.grad)
  }
})

test('clipGradNorm: empty list returns 0; bad arguments throw before any gradient changes', (t) => {
  t.is(clipGradNorm([], 1), 0)
  const p = new Parameter(Float32Array.from([3, 4]))
  p.grad.set([3, 4])
  t.throws(() => clipGradNorm([p], -1), { instanceOf: RangeError, message: /maxNorm/ })
  t.throws(() => clipGradNorm([p], 1, 0), { instanceOf: RangeError, message: /normType/ })
  t.throws(() => clipGradNorm([p], 1, 2, { max_norm: 1 } as never), {
    instanceOf: TypeError,
    message: /max_norm/,
  })
  t.throws(() => clipGradNorm([p, {} as Parameter], 1), { instanceOf: TypeError, message: /params\[1\]/ })
  p.grad[0] = Number.NaN
  t.throws(() => clipGradNorm([p], 1, 2, { errorIfNonfinite: true }), {
    instanceOf: RangeError,
    message: /NaN/,
  })
  t.true(Number.isNaN(p.grad[0]))
  t.is(p.grad[1], 4)
})
