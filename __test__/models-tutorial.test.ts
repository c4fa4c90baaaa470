/**
 * The tutorial's examples give sensible results on both backends: linear regression on
 * y = 4 + 3x + noise recovers w ≈ 3, b ≈ 4 with SGD, Momentum and Adam; an MLP learns
 * learnable classification sets (gaussian blobs; two moons, which need the hidden layer).
 */
import test from 'ava'
import { Adam, data, LinearRegression, MLP, type Optimizer, type Parameter, Rng, SGD } from '../src/index.js'
import { BACKENDS, pick } from './helpers/models.js'

const regression = data.regression({ samples: 100, seed: 42 })

/** The least-squares line through the data, which gradient descent should reach. */
function leastSquares(x: ArrayLike<number>, y: ArrayLike<number>): { w: number; b: number } {
  let sx = 0
  let sy = 0
  let sxx = 0
  let sxy = 0
  const n = x.length
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number
    const yi = y[i] as number
    sx += xi
    sy += yi
    sxx += xi * xi
    sxy += xi * yi
  }
  const w = (n * sxy - sx * sy) / (n * sxx - sx * sx)
  return { w, b: (sy - w * sx) / n }
}

// biome-ignore lint/suspicious/noExplicitAny: any optimizer
const OPTIMIZERS: [string, (params: Parameter[]) => Optimizer<any>, number][] = [
  ['SGD', (p) => new SGD(p, { lr: 0.1 }), 1000],
  ["Momentum (the tutorial's; SGD with momentum)", (p) => new SGD(p, { lr: 0.05, momentum: 0.9 }), 300],
  ['Adam', (p) => new Adam(p, { lr: 0.1 }), 1000],
]

for (const backend of BACKENDS) {
  for (const [name, make, epochs] of OPTIMIZERS) {
    test(`${backend}: LinearRegression with ${name} recovers w ≈ 3, b ≈ 4`, (t) => {
      const model = new LinearRegression({ features: 1, seed: 5, backend })
      const history = model.fit(regression.x, regression.y, {
        optimizer: make(model.parameters()),
        epochs,
        batchSize: 100,
      })
      const [w, b] = model.parameters().map((p) => p.data[0] as number) as [number, number]
      t.true(Math.abs(w - 3) < 0.3 && Math.abs(b - 4) < 0.3, `w ${w}, b ${b}`)
      const best = leastSquares(regression.x.data, regression.y.data)
      t.true(
        Math.abs(w - best.w) < 1e-3 && Math.abs(b - best.b) < 1e-3,
        `w ${w}, b ${b} vs ${best.w}, ${best.b}`,
      )
      t.is(history.loss.length, epochs)
      t.true((history.loss.at(-1) as number) < (history.loss[0] as number))
      t.true(
        Math.abs(model.evaluate(regression.x, regression.y).loss - (history.loss.at(-1) as number)) < 1e-3,
      )
    })
  }

  const sets = [
    ['gaussian blobs', data.blobs({ samples: 600, features: 2, centers: 3, std: 1.5, seed: 3 })],
    ['two moons', data.moons({ samples: 600, noise: 0.1, seed: 3 })],
  ] as const
  for (const [name, set] of sets) {
    test(`${backend}: an MLP with Adam learns ${name} to > 95% test accuracy`, (t) => {
      const order = new Rng(9).permutation(600)
      const train = { x: pick(set.x, order.subarray(0, 400)), y: pick(set.y, order.subarray(0, 400)) }
      const testSet = { x: pick(set.x, order.subarray(400)), y: pick(set.y, order.subarray(400)) }
      const classes = Math.max(...set.y.data) + 1
      const model = new MLP({
        sizes: [2, 16, classes],
        activation: 'tanh',
        output: 'softmax',
        seed: 1,
        backend,
      })
      const optimizer = new Adam(model.parameters(), { lr: 0.05 })
      const history = model.fit(train.x, train.y, { optimizer, epochs: 100, batchSize: 32 })
      const { accuracy, loss } = model.evaluate(testSet.x, testSet.y)
      t.true((accuracy as number) > 0.95, `accuracy ${accuracy}, loss ${loss}`)
      t.true((history.loss.at(-1) as number) < (history.loss[0] as number) / 4)
    })
  }
}
