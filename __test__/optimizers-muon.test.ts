import test from 'ava'
import { AdamW, data, MLP, Muon, Parameter } from '../src/index.js'

// Muon's own rules beyond the golden cases: matrices only (the error says to use AdamW for the
// rest), and the two-optimizer pattern on an MLP.

test('vectors and 3-D tensors are refused, naming them and pointing to AdamW', (t) => {
  const model = new MLP({ sizes: [4, 6, 3] })
  const error = t.throws(() => new Muon(model.parameters()), { instanceOf: RangeError })
  t.regex(
    error?.message ?? '',
    /Muon orthogonalises 2-D weight matrices; .*layers\.0\.bias.* has shape \[6\]: give it to AdamW/,
  )
  const muon = new Muon([new Parameter(new Float32Array(6), [2, 3])])
  t.throws(() => muon.addParamGroup({ params: [new Parameter(new Float32Array(8), [2, 2, 2])] }), {
    message: /Muon\.addParamGroup: .*shape \[2, 2, 2\]/,
  })
  t.is(muon.paramGroups.length, 1, 'nothing was added')
  t.throws(
    () => new Muon([new Parameter(new Float32Array(4), [2, 2])], { adjustLrFn: 'spectral' as never }),
    {
      message: /adjustLrFn/,
    },
  )
  t.throws(
    () => new Muon([new Parameter(new Float32Array(4), [2, 2])], { nsCoefficients: [1, 2] as never }),
    {
      message: /nsCoefficients must be three finite numbers/,
    },
  )
})

for (const backend of ['native', 'js'] as const) {
  test(`${backend}: Muon for the weight matrices and AdamW for the biases train an MLP`, (t) => {
    const { x, y } = data.blobs({ samples: 128, features: 4, centers: 3, seed: 2 })
    const model = new MLP({ sizes: [4, 16, 3], activation: 'relu', seed: 1, backend })
    const params = model.parameters()
    const muon = new Muon(
      params.filter((p) => p.shape.length === 2),
      { lr: 0.02, backend },
    )
    const adamw = new AdamW(
      params.filter((p) => p.shape.length !== 2),
      { lr: 3e-3, backend },
    )
    const before = model.evaluate(x, y).loss
    for (let step = 0; step < 60; step++) {
      model.forwardBackward(x, y)
      muon.step()
      adamw.step()
    }
    const after = model.evaluate(x, y)
    t.true(after.loss < before / 2, `${before} → ${after.loss}`)
    t.true((after.accuracy as number) > 0.9)
  })
}
