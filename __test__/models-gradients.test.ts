/**
 * Finite-difference checks of every layer, activation and loss on both backends, in float64:
 * the gradients forwardBackward writes into each Parameter.grad against central differences
 * of the loss, ‖numeric − analytic‖ / ‖analytic‖ < 1e-6 per parameter tensor.
 */
import test from 'ava'
import { LinearRegression, MLP, type Model, type Tensor } from '../src/index.js'
import { BACKENDS, mlpOptions, NETWORK_CASES, randomData } from './helpers/models.js'

const H = 1e-6
const TOLERANCE = 1e-6

/** Relative error of each parameter's gradient, with the loss read through evaluate (which changes nothing). */
function gradientErrors(model: Model, x: Tensor, y: Tensor): { name: string; error: number }[] {
  model.forwardBackward(x, y)
  return model.parameters().map((p) => {
    const analytic = p.grad.slice()
    let diff = 0
    let norm = 0
    for (let i = 0; i < p.size; i++) {
      const saved = p.data[i] as number
      p.data[i] = saved + H
      const up = model.evaluate(x, y).loss
      p.data[i] = saved - H
      const down = model.evaluate(x, y).loss
      p.data[i] = saved
      const numeric = (up - down) / (2 * H)
      diff += (numeric - (analytic[i] as number)) ** 2
      norm += (analytic[i] as number) ** 2
    }
    return { name: p.name as string, error: Math.sqrt(diff / norm) }
  })
}

for (const backend of BACKENDS) {
  for (const c of NETWORK_CASES) {
    test(`${backend}: MLP ${c.sizes.join('-')} ${c.name}: gradients match central differences`, (t) => {
      const model = new MLP({ ...mlpOptions(c), dtype: 'float64', seed: 11, backend })
      const { x, y } = randomData(c.sizes, c.output, 'float64', 7, 5)
      for (const { name, error } of gradientErrors(model, x, y))
        t.true(error < TOLERANCE, `${name}: ${error}`)
    })
  }

  test(`${backend}: LinearRegression with 3 features and 2 outputs: gradients match central differences`, (t) => {
    const model = new LinearRegression({ features: 3, outputs: 2, dtype: 'float64', seed: 2, backend })
    const { x, y } = randomData([3, 2], 'identity', 'float64', 9, 4)
    const errors = gradientErrors(model, x, y)
    t.deepEqual(
      errors.map((e) => e.name),
      ['linear.weight', 'linear.bias'],
    )
    for (const { name, error } of errors) t.true(error < TOLERANCE, `${name}: ${error}`)
  })

  test(`${backend}: forwardBackward returns evaluate's loss and overwrites (not accumulates) gradients`, (t) => {
    const model = new MLP({ sizes: [4, 5, 3], dtype: 'float64', seed: 1, backend })
    const { x, y } = randomData([4, 5, 3], 'softmax', 'float64', 6, 2)
    const loss = model.forwardBackward(x, y)
    const first = model.parameters().map((p) => p.grad.slice())
    t.true(Math.abs(loss - model.evaluate(x, y).loss) < 1e-14)
    model.forwardBackward(x, y)
    t.deepEqual(
      model.parameters().map((p) => p.grad),
      first,
    )
  })
}
