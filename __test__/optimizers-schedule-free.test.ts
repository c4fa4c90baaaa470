import test from 'ava'
import {
  AdamWScheduleFree,
  DescentError,
  data,
  MLP,
  Parameter,
  SGDScheduleFree,
  tensor,
} from '../src/index.js'

// The Schedule-Free train/eval switch, fit calling it, and its state (the golden cases check
// the steps themselves).
const { x, y } = data.blobs({ samples: 64, features: 3, centers: 2, seed: 5, dtype: 'float64' })

const kinds = [
  ['AdamWScheduleFree', (p: Parameter[]) => new AdamWScheduleFree(p, { lr: 0.01, betas: [0.9, 0.999] }), 0.9],
  ['SGDScheduleFree', (p: Parameter[]) => new SGDScheduleFree(p, { lr: 0.1, momentum: 0.8 }), 0.8],
] as const

for (const [name, make, beta] of kinds) {
  test(`${name}: eval() moves the parameters to x = (y − (1−β)z)/β, train() back to y; a step in eval mode is refused`, (t) => {
    const w = new Parameter(Float64Array.from([0.5, -1, 2]), [3])
    const optimizer = make([w])
    optimizer.eval() // before any step there is no z: nothing moves
    t.deepEqual(Array.from(w.data), [0.5, -1, 2])
    optimizer.train()
    for (let k = 0; k < 5; k++) {
      w.grad.set([0.3 - k * 0.1, 1, -0.5])
      optimizer.step()
    }
    const yValues = Array.from(w.data)
    const z = Array.from(optimizer.stateOf(w)?.tensors.z as Float64Array)
    optimizer.eval()
    yValues.forEach((yi, i) => {
      const expected = (yi - (1 - beta) * (z[i] as number)) / beta
      t.true(Math.abs((w.data[i] as number) - expected) < 1e-12, `x[${i}]`)
    })
    t.false(optimizer.paramGroups[0]?.trainMode)
    const error = t.throws(() => optimizer.step(), { instanceOf: DescentError })
    t.is(error?.code, 'DESCENT_EVAL_MODE')
    const saved = optimizer.stateDict()
    t.is(
      saved.paramGroups[0]?.trainMode,
      false,
      'the mode is saved with the groups, as torch saves train_mode',
    )
    optimizer.eval()
    optimizer.train()
    yValues.forEach((yi, i) => t.true(Math.abs((w.data[i] as number) - yi) < 1e-12, `y[${i}]`))
    optimizer.loadStateDict(saved)
    t.false(optimizer.paramGroups[0]?.trainMode)
  })
}

test('fit trains in y and leaves the model at x (eval mode), as a hand-written loop followed by eval()', (t) => {
  const fitted = new MLP({ sizes: [3, 6, 2], dtype: 'float64', seed: 4, backend: 'js' })
  const fitOptimizer = new AdamWScheduleFree(fitted.parameters(), { lr: 0.02, backend: 'js' })
  fitted.fit(x, y, { optimizer: fitOptimizer, epochs: 2, batchSize: 16, shuffle: false })
  t.false(fitOptimizer.paramGroups[0]?.trainMode)

  const hand = new MLP({ sizes: [3, 6, 2], dtype: 'float64', seed: 4, backend: 'js' })
  const handOptimizer = new AdamWScheduleFree(hand.parameters(), { lr: 0.02, backend: 'js' })
  for (let epoch = 0; epoch < 2; epoch++) {
    for (let b = 0; b < 4; b++) {
      hand.forwardBackward(
        tensor(x.data.subarray(b * 48, (b + 1) * 48), [16, 3]),
        tensor(y.data.subarray(b * 16, (b + 1) * 16), [16]),
      )
      handOptimizer.step()
    }
  }
  handOptimizer.eval()
  t.deepEqual(
    fitted.parameters().map((p) => Array.from(p.data)),
    hand.parameters().map((p) => Array.from(p.data)),
  )
  // A second fit moves back to y first: it trains on, and ends at x again.
  fitted.fit(x, y, { optimizer: fitOptimizer, epochs: 3, batchSize: 16 })
  t.false(fitOptimizer.paramGroups[0]?.trainMode)
  t.true((fitted.evaluate(x, y).accuracy as number) > 0.9)
})

test('options are checked, naming them', (t) => {
  const w = [new Parameter(new Float32Array(2), [2])]
  t.throws(() => new AdamWScheduleFree(w, { betas: [1.5, 0.9] as never }), { message: /betas\[0\]/ })
  t.throws(() => new AdamWScheduleFree(w, { warmupSteps: -1 }), { message: /warmupSteps/ })
  t.throws(() => new SGDScheduleFree(w, { momentum: 0 }), { message: /momentum must be in \(0, 1\)/ })
  t.throws(() => new SGDScheduleFree(w, { nesterov: true } as never), {
    message: /unknown option 'nesterov'/,
  })
})
