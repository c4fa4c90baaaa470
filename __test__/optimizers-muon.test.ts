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

// Matrices past the ordered GEMM's k block (256), its 6-row tiles and its parallel threshold, tall
// and wide: the JS mirror's plain loops must still give the same bits.
for (const dtype of ['float32', 'float64'] as const) {
  test(`native and js agree bit for bit on large matrices (${dtype})`, (t) => {
    for (const shape of [
      [300, 70],
      [45, 530],
    ] as const) {
      const run = (backend: 'js' | 'native') => {
        const n = shape[0] * shape[1]
        const values = Array.from({ length: n }, (_, i) => Math.sin(i * 0.37))
        const data = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values)
        const p = new Parameter(data, [...shape])
        const muon = new Muon([p], { lr: 0.02, backend })
        for (let step = 0; step < 2; step++) {
          for (let i = 0; i < n; i++) p.grad[i] = Math.cos(i * 0.11 + step)
          muon.step()
        }
        return p.data
      }
      const native = run('native')
      const js = run('js')
      t.true(
        native.every((v, i) => Object.is(v, js[i])),
        `${shape.join('×')}`,
      )
    }
  })
}
