import test from 'ava'
import { data, LinearRegression, lrFind, SGD } from '../src/index.js'

// The lr range test: an exponential ramp, a smoothed loss that falls then diverges, a suggested
// lr where it falls fastest, and the model and optimizer left exactly as they were.
const { x, y } = data.regression({ samples: 256, seed: 4 })

for (const backend of ['native', 'js'] as const) {
  test(`${backend}: ramps exponentially, stops on divergence, suggests an lr, and changes nothing`, (t) => {
    const model = new LinearRegression({ features: 1, seed: 2, backend })
    const optimizer = new SGD(model.parameters(), { lr: 3e-4, momentum: 0.9, backend })
    model.fit(x, y, { optimizer, epochs: 1 }) // some state to keep
    const weights = model.parameters().map((p) => Array.from(p.data))
    const state = JSON.stringify(optimizer.stateDict(), (_, v) =>
      ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v,
    )
    const result = lrFind(model, x, y, { optimizer, start: 1e-5, end: 100, steps: 60 })
    t.is(result.lrs[0], 1e-5)
    const ratio = (result.lrs[1] as number) / (result.lrs[0] as number)
    t.true(Math.abs(ratio - (100 / 1e-5) ** (1 / 59)) < 1e-9, 'a constant ratio between steps')
    t.true(result.diverged, 'an lr of 100 diverges before the ramp ends')
    t.true(result.lrs.length < 60)
    const divergedAt = result.lrs.at(-1) as number
    t.true(result.suggestedLr > 1e-4 && result.suggestedLr < divergedAt, `suggested ${result.suggestedLr}`)
    t.true(result.minimumLr > 0)
    t.is(result.smoothed.length, result.losses.length)
    t.deepEqual(
      model.parameters().map((p) => Array.from(p.data)),
      weights,
      'weights put back',
    )
    t.is(
      JSON.stringify(optimizer.stateDict(), (_, v) =>
        ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v,
      ),
      state,
    )
    t.is(optimizer.lr, 3e-4)
    // The suggestion trains: a few epochs at it beat the same epochs at the ramp's start.
    const trained = (lr: number) => {
      const m = new LinearRegression({ features: 1, seed: 2, backend })
      m.fit(x, y, { optimizer: new SGD(m.parameters(), { lr }), epochs: 3 })
      return m.evaluate(x, y).loss
    }
    t.true(trained(result.suggestedLr) < trained(1e-5), `suggested lr ${result.suggestedLr}`)
  })
}

test('options are checked, naming them', (t) => {
  const model = new LinearRegression({ features: 1 })
  const optimizer = new SGD(model.parameters(), { lr: 0.1 })
  const cases: [object, RegExp][] = [
    [{}, /optimizer must be a descent optimizer/],
    [{ optimizer, start: 0 }, /start must be a finite number > 0/],
    [{ optimizer, start: 1, end: 0.1 }, /end must be above start/],
    [{ optimizer, steps: 1 }, /steps must be an integer >= 2/],
    [{ optimizer, batch: 4 }, /unknown option 'batch'/],
  ]
  for (const [options, message] of cases) t.throws(() => lrFind(model, x, y, options as never), { message })
})
