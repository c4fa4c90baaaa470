import test from 'ava'
import { data, LBFGS, LinearRegression, Parameter } from '../src/index.js'

// L-BFGS as torch's: the Rosenbrock function from (-1.5, 2) with the strong-Wolfe line search,
// a logistic regression against a float64 Newton reference, and a model's forwardBackward as the
// closure.

function rosenbrock(w: Parameter) {
  return () => {
    const [x, y] = w.data as unknown as [number, number]
    w.grad[0] = -2 * (1 - x) - 400 * x * (y - x * x)
    w.grad[1] = 200 * (y - x * x)
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2
  }
}

test('Rosenbrock from (-1.5, 2) with strong Wolfe: (1, 1) to 1e-6', (t) => {
  const w = new Parameter(Float64Array.from([-1.5, 2]), [2])
  const lbfgs = new LBFGS([w], {
    lineSearchFn: 'strong_wolfe',
    maxIter: 200,
    maxEval: 500,
    toleranceGrad: 1e-12,
    toleranceChange: 1e-14,
  })
  lbfgs.step(rosenbrock(w))
  t.true(
    Math.abs((w.data[0] as number) - 1) < 1e-6 && Math.abs((w.data[1] as number) - 1) < 1e-6,
    `${Array.from(w.data)}`,
  )
  t.log(`${lbfgs.funcEvals} closure evaluations, ${lbfgs.nIter} iterations`)
  // torch 2.15's LBFGS takes 53 evaluations in 42 iterations here (scripts/golden/check-torch.py).
  t.true(Math.abs(lbfgs.funcEvals - 53) <= 3, `${lbfgs.funcEvals} evaluations`)
  t.true(Math.abs(lbfgs.nIter - 42) <= 3, `${lbfgs.nIter} iterations`)
})

test('maxIter and maxEval bound a step; the state carries over to the next step', (t) => {
  const w = new Parameter(Float64Array.from([-1.5, 2]), [2])
  const lbfgs = new LBFGS([w], { lineSearchFn: 'strong_wolfe', maxIter: 5 })
  lbfgs.step(rosenbrock(w))
  // maxEval defaults to ⌊5·5/4⌋ = 6: the line searches use them up in 4 iterations, as in torch.
  t.is(lbfgs.funcEvals, 6)
  t.is(lbfgs.nIter, 4)
  for (let k = 0; k < 20; k++) lbfgs.step(rosenbrock(w))
  t.true(Math.abs((w.data[0] as number) - 1) < 1e-4, `${Array.from(w.data)}`)
})

/** Mean logistic loss + ½λ‖w‖² and its gradient, for labels ±1. */
function logistic(x: Float32Array | Float64Array, y: Int32Array, d: number, lambda: number) {
  return (w: ArrayLike<number>, b: number) => {
    const n = y.length
    const grad = new Float64Array(d + 1)
    let loss = 0
    for (let i = 0; i < n; i++) {
      const label = y[i] === 1 ? 1 : -1
      let z = b
      for (let j = 0; j < d; j++) z += (w[j] as number) * (x[i * d + j] as number)
      const m = label * z
      loss += Math.log1p(Math.exp(-m)) / n
      const s = -label / (1 + Math.exp(m)) / n
      for (let j = 0; j < d; j++) grad[j] = (grad[j] as number) + s * (x[i * d + j] as number)
      grad[d] = (grad[d] as number) + s
    }
    for (let j = 0; j < d; j++) {
      loss += 0.5 * lambda * (w[j] as number) ** 2
      grad[j] = (grad[j] as number) + lambda * (w[j] as number)
    }
    return { loss, grad }
  }
}

/** The optimum by Newton's method in f64 (the Hessian is (d+1)×(d+1) here). */
function newton(x: Float32Array | Float64Array, y: Int32Array, d: number, lambda: number): number[] {
  const theta = new Array<number>(d + 1).fill(0)
  const n = y.length
  for (let iteration = 0; iteration < 30; iteration++) {
    const grad = logistic(x, y, d, lambda)(theta, theta[d] as number).grad
    const h = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0))
    for (let i = 0; i < n; i++) {
      const row = [...Array.from(x.subarray(i * d, (i + 1) * d)), 1]
      const z = row.reduce((s, v, j) => s + v * (theta[j] as number), 0)
      const p = 1 / (1 + Math.exp(-z))
      const weight = (p * (1 - p)) / n
      for (let a = 0; a <= d; a++)
        for (let c = 0; c <= d; c++)
          (h[a] as number[])[c] =
            ((h[a] as number[])[c] as number) + weight * (row[a] as number) * (row[c] as number)
    }
    for (let j = 0; j < d; j++) (h[j] as number[])[j] = ((h[j] as number[])[j] as number) + lambda
    // Solve h·step = grad by Gaussian elimination.
    const m = h.map((r, i) => [...r, grad[i] as number])
    for (let col = 0; col <= d; col++) {
      for (let r = col + 1; r <= d; r++) {
        const f = ((m[r] as number[])[col] as number) / ((m[col] as number[])[col] as number)
        for (let c = col; c <= d + 1; c++)
          (m[r] as number[])[c] = ((m[r] as number[])[c] as number) - f * ((m[col] as number[])[c] as number)
      }
    }
    const step = new Array<number>(d + 1).fill(0)
    for (let r = d; r >= 0; r--) {
      let s = (m[r] as number[])[d + 1] as number
      for (let c = r + 1; c <= d; c++) s -= ((m[r] as number[])[c] as number) * (step[c] as number)
      step[r] = s / ((m[r] as number[])[r] as number)
    }
    for (let j = 0; j <= d; j++) theta[j] = (theta[j] as number) - (step[j] as number)
  }
  return theta
}

test('logistic regression: L-BFGS reaches the float64 Newton optimum to 1e-6', (t) => {
  const d = 3
  const { x, y } = data.classification({ samples: 200, features: d, classes: 2, seed: 3, dtype: 'float64' })
  const objective = logistic(x.data, y.data, d, 0.01)
  const w = new Parameter(new Float64Array(d), [d], 'weight')
  const b = new Parameter(new Float64Array(1), [1], 'bias')
  const lbfgs = new LBFGS([w, b], {
    lineSearchFn: 'strong_wolfe',
    maxIter: 100,
    toleranceGrad: 1e-12,
    toleranceChange: 1e-15,
  })
  lbfgs.step(() => {
    const { loss, grad } = objective(w.data, b.data[0] as number)
    w.grad.set(grad.subarray(0, d))
    b.grad[0] = grad[d] as number
    return loss
  })
  const reference = newton(x.data, y.data, d, 0.01)
  ;[...Array.from(w.data), b.data[0] as number].forEach((v, j) =>
    t.true(Math.abs(v - (reference[j] as number)) < 1e-6, `θ[${j}] ${v} vs ${reference[j]}`),
  )
})

test("a model's forwardBackward as the closure: linear regression reaches least squares", (t) => {
  const { x, y } = data.regression({ samples: 100, seed: 5, dtype: 'float64' })
  const model = new LinearRegression({ features: 1, dtype: 'float64', seed: 1 })
  const lbfgs = new LBFGS(model.parameters(), {
    lineSearchFn: 'strong_wolfe',
    toleranceGrad: 1e-12,
    toleranceChange: 1e-15,
  })
  lbfgs.step(() => model.forwardBackward(x, y))
  // Least squares in closed form.
  const n = 100
  const mx = (x.data as Float64Array).reduce((a, v) => a + v, 0) / n
  const my = (y.data as Float64Array).reduce((a, v) => a + v, 0) / n
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += ((x.data[i] as number) - mx) * ((y.data[i] as number) - my)
    sxx += ((x.data[i] as number) - mx) ** 2
  }
  const slope = sxy / sxx
  const [weight, bias] = model.parameters()
  t.true(Math.abs((weight?.data[0] as number) - slope) < 1e-6)
  t.true(Math.abs((bias?.data[0] as number) - (my - slope * mx)) < 1e-6)
})

test('bad arguments name the argument', (t) => {
  const w = new Parameter(new Float64Array(2), [2])
  t.throws(() => new LBFGS([]), { message: /at least one Parameter/ })
  t.throws(() => new LBFGS([w], { lineSearchFn: 'wolfe' as never }), {
    message: /lineSearchFn must be 'strong_wolfe' or null/,
  })
  t.throws(() => new LBFGS([w], { historySize: 0 }), { message: /historySize must be an integer >= 1/ })
  t.throws(() => new LBFGS([w], { momentum: 0.9 } as never), { message: /unknown option 'momentum'/ })
  t.throws(() => new LBFGS([w]).step(undefined as never), { message: /closure must be a function/ })
})

test('state dicts and checkpoints resume L-BFGS exactly, curvature pairs included', async (t) => {
  const { mkdtempSync, rmSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { loadCheckpoint, saveCheckpoint } = await import('../src/index.js')
  const folder = mkdtempSync(join(tmpdir(), 'descent-lbfgs-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  const options = { lineSearchFn: 'strong_wolfe', maxIter: 3, historySize: 4 } as const
  const through = new Parameter(Float64Array.from([-1.5, 2]), [2], 'w')
  const uninterrupted = new LBFGS([through], options)
  for (let k = 0; k < 6; k++) uninterrupted.step(rosenbrock(through))

  const first = new Parameter(Float64Array.from([-1.5, 2]), [2], 'w')
  const before = new LBFGS([first], options)
  for (let k = 0; k < 3; k++) before.step(rosenbrock(first))
  const path = join(folder, 'lbfgs.safetensors')
  await saveCheckpoint(path, { model: { parameters: () => [first] }, optimizer: before })
  const resumed = new Parameter(Float64Array.from([0, 0]), [2], 'w')
  // Built with the defaults: loading restores the saved options, as torch's load_state_dict does.
  const after = new LBFGS([resumed])
  await loadCheckpoint(path, { model: { parameters: () => [resumed] }, optimizer: after })
  t.deepEqual(after.stateDict(), before.stateDict())
  for (let k = 0; k < 3; k++) after.step(rosenbrock(resumed))
  t.deepEqual(Array.from(resumed.data), Array.from(through.data), 'bit for bit')
  t.is(after.funcEvals, uninterrupted.funcEvals)
  t.deepEqual(after.options, uninterrupted.options)
  t.throws(() => after.loadStateDict({ ...after.stateDict(), optimizer: 'adam' }), {
    message: /state\.optimizer must be 'lbfgs'/,
  })
  const saved = after.stateDict()
  const badGroup = { ...saved, paramGroups: [{ ...saved.paramGroups[0], historySize: 0 }] }
  t.throws(() => after.loadStateDict(badGroup as never), { message: /paramGroups\[0\].*historySize/ })
  t.deepEqual(after.stateDict(), saved, 'a refused state dict changes nothing')
})

// The vector work runs on the backend: the native dots and axpys give the JS mirror's bits, on a
// problem long enough for the parallel block sums (2 × 40 000 parameters), in float32 and float64.
for (const dtype of ['float32', 'float64'] as const) {
  test(`native and js L-BFGS agree bit for bit (${dtype})`, (t) => {
    const n = 40_000
    const run = (backend: 'js' | 'native') => {
      const values = Array.from({ length: n }, (_, i) => Math.sin(i))
      const make = () => (dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values))
      const a = new Parameter(make(), [n], 'a')
      const b = new Parameter(make(), [n], 'b')
      const lbfgs = new LBFGS([a, b], { lineSearchFn: 'strong_wolfe', maxIter: 8, historySize: 5, backend })
      // A badly scaled quadratic: Σ c_i (x_i − 1)², c_i from 1 to 100.
      const closure = () => {
        let loss = 0
        for (const [k, p] of [a, b].entries()) {
          for (let i = 0; i < n; i++) {
            const c = 1 + ((i + k) % 100)
            const r = (p.data[i] as number) - 1
            loss += c * r * r
            p.grad[i] = 2 * c * r
          }
        }
        return loss
      }
      lbfgs.step(closure)
      lbfgs.step(closure)
      t.is(lbfgs.backend, backend)
      return { a: a.data, b: b.data, state: lbfgs.stateDict(), evals: lbfgs.funcEvals }
    }
    const native = run('native')
    const js = run('js')
    t.is(native.evals, js.evals)
    t.true(native.a.every((v, i) => Object.is(v, js.a[i])) && native.b.every((v, i) => Object.is(v, js.b[i])))
    t.deepEqual(native.state, js.state)
  })
}

test('the backends refuse vectors of different lengths', async (t) => {
  const { resolveBackend } = await import('../src/backend/select.js')
  for (const name of ['js', 'native'] as const) {
    const backend = resolveBackend('test', name)
    t.throws(() => backend.dot(new Float64Array(3), new Float64Array(4)), { message: /3|4/ })
    const y = new Float32Array([1, 2])
    t.throws(() => backend.addScaled(y, 2, new Float64Array(3)))
    t.deepEqual(Array.from(y), [1, 2], 'y unchanged')
    // y and x the same memory: the native side copies x first.
    const both = new Float64Array([1, 2, 3])
    backend.addScaled(both, 1, both)
    t.deepEqual(Array.from(both), [2, 4, 6], name)
  }
})
