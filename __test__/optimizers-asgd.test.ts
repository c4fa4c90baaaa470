import test from 'ava'
import { ASGD, Parameter } from '../src/index.js'
import { firstMismatch, type OptimizerCase, readGolden } from './helpers/golden.js'

// ASGD's average and its own rules beyond the golden cases (which check the parameters).

const averaging = readGolden<OptimizerCase>('asgd.json').cases.find(
  (c) => c.name === 'asgd_averaging',
) as OptimizerCase

/** torch's ax, replayed independently in f64 from the case's options (lr 0.05, λ 0.5, α 0.75, t0 10). */
function referenceAverages(c: OptimizerCase): number[][][] {
  const o = c.options as { lr: number; lambd: number; alpha: number; t0: number; weightDecay: number }
  const params = c.params.map((p) => [...p.data])
  const eta = params.map(() => o.lr)
  const mu = params.map(() => 1)
  const ax = params.map((p) => p.map(() => 0))
  return c.grads.map((grads, k) => {
    const t = k + 1
    params.forEach((p, i) => {
      const e = eta[i] as number
      const m = mu[i] as number
      p.forEach((value, j) => {
        const g = (grads[i]?.[j] as number) + o.weightDecay * value
        const next = value * (1 - o.lambd * e) - e * g
        p[j] = next
        const a = ax[i] as number[]
        a[j] = m === 1 ? next : (a[j] as number) + (next - (a[j] as number)) * m
      })
      eta[i] = o.lr / (1 + o.lambd * o.lr * t) ** o.alpha
      mu[i] = 1 / Math.max(1, t - o.t0)
    })
    return ax.map((a) => [...a])
  })
}

for (const backend of ['native', 'js'] as const) {
  test(`${backend}: averaged(param) follows torch's ax through the start of averaging (t0 10)`, (t) => {
    const params = averaging.params.map((p, j) => new Parameter(Float64Array.from(p.data), p.shape, `p${j}`))
    const asgd = new ASGD(params, { ...averaging.options, backend })
    const expected = referenceAverages(averaging)
    for (const [k, grads] of averaging.grads.entries()) {
      params.forEach((p, j) => p.grad.set(grads[j] as number[]))
      asgd.step()
      params.forEach((p, j) => {
        const bad = firstMismatch(asgd.averaged(p), expected[k]?.[j] as number[], 1e-12, 1e-10)
        if (bad) t.fail(`step ${k + 1}, param ${j}: ${bad}`)
      })
    }
    const state = asgd.stateDict().state[0] as Record<string, unknown>
    t.deepEqual(Object.keys(state).sort(), ['ax', 'eta', 'mu', 'step'])
    t.is(state.mu, 1 / (30 - 10), 'μ = 1/(t − t0) once averaging started')
  })
}

test('averaged() is a copy, the parameter itself before any step, and refuses a parameter it does not hold', (t) => {
  const w = new Parameter(new Float32Array([1, 2]), [2])
  const asgd = new ASGD([w])
  const before = asgd.averaged(w)
  t.deepEqual(Array.from(before), [1, 2])
  before[0] = 9
  t.is(w.data[0], 1)
  t.throws(() => asgd.averaged(new Parameter(new Float32Array(2), [2])), {
    instanceOf: RangeError,
    message: /not one of this optimizer's/,
  })
  for (const [options, message] of [
    [{ lambd: -1 }, /lambd/],
    [{ alpha: Number.NaN }, /alpha/],
    [{ t0: -5 }, /t0/],
    [{ momentum: 0.9 }, /unknown option 'momentum'/],
  ] as const)
    t.throws(() => new ASGD([w], options as object), { message })
})
