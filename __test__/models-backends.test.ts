/**
 * Native and JS models: the same seed gives the same initial weights bit for bit; predictions
 * and training agree within the stated tolerance. They are not bit-identical because the
 * matrix products sum in different orders (matrixmultiply's blocked GEMM, with fused
 * multiply-adds where the CPU has them, against plain loops that accumulate dot products in
 * f64) and f64 exp/tanh come from different math libraries.
 */
import test from 'ava'
import { Adam, LinearRegression, MLP, type Parameter, tensor } from '../src/index.js'
import {
  DTYPES,
  flatParameters,
  maxRelativeDifference,
  mlpOptions,
  NETWORK_CASES,
  randomData,
} from './helpers/models.js'

/** Relative to the largest value: outputs after the same weights, parameters after 5 epochs of Adam. */
const TOLERANCE = {
  float32: { predict: 1e-6, train: 1e-4 },
  float64: { predict: 1e-12, train: 1e-10 },
} as const

const CASES = [
  ...NETWORK_CASES,
  { name: "the tutorial's SimpleNN", sizes: [20, 64, 3], activation: 'tanh', output: 'softmax' } as const,
]

for (const dtype of DTYPES) {
  for (const c of CASES) {
    test(`${dtype} MLP ${c.sizes.join('-')} ${c.name}: same initial weights; native and JS agree`, (t) => {
      const [native, js] = (['native', 'js'] as const).map(
        (backend) => new MLP({ ...mlpOptions(c), dtype, seed: 21, backend }),
      ) as [MLP, MLP]
      t.deepEqual(flatParameters(native), flatParameters(js))
      t.is(native.backend, 'native')
      t.is(js.backend, 'js')
      const { x, y } = randomData(c.sizes, c.output, dtype, 100, 8)
      const predicted = maxRelativeDifference(native.predict(x).data, js.predict(x).data)
      t.true(predicted <= TOLERANCE[dtype].predict, `predictions differ by ${predicted}`)
      const histories = [native, js].map((m) =>
        m.fit(x, y, { optimizer: new Adam(m.parameters(), { lr: 0.01 }), epochs: 5, batchSize: 16, seed: 3 }),
      )
      const trained = maxRelativeDifference(flatParameters(native), flatParameters(js))
      t.true(trained <= TOLERANCE[dtype].train, `parameters differ by ${trained} after training`)
      const losses = maxRelativeDifference(histories[0]?.loss ?? [], histories[1]?.loss ?? [])
      t.true(losses <= TOLERANCE[dtype].train, `losses differ by ${losses}`)
    })
  }

  test(`${dtype} LinearRegression: same initial weights, predictions and training on both backends`, (t) => {
    const [native, js] = (['native', 'js'] as const).map(
      (backend) => new LinearRegression({ features: 4, dtype, seed: 6, backend }),
    ) as [LinearRegression, LinearRegression]
    t.deepEqual(flatParameters(native), flatParameters(js))
    const { x, y } = randomData([4, 1], 'identity', dtype, 50, 1)
    t.true(maxRelativeDifference(native.predict(x).data, js.predict(x).data) <= TOLERANCE[dtype].predict)
    for (const m of [native, js])
      m.fit(x, y, { optimizer: new Adam(m.parameters(), { lr: 0.05 }), epochs: 5, batchSize: 8 })
    t.true(maxRelativeDifference(flatParameters(native), flatParameters(js)) <= TOLERANCE[dtype].train)
  })
}

test('initial weights follow PyTorch nn.Linear: U(−1/√in, 1/√in), f32 values rounded from the f64 draws', (t) => {
  const m64 = new MLP({ sizes: [16, 9, 2], dtype: 'float64', seed: 4, backend: 'js' })
  const m32 = new MLP({ sizes: [16, 9, 2], dtype: 'float32', seed: 4, backend: 'js' })
  const [w0, b0, w1, b1] = m64.parameters().map((p) => [...p.data])
  for (const v of [...(w0 ?? []), ...(b0 ?? [])]) t.true(Math.abs(v) <= 1 / 4)
  for (const v of [...(w1 ?? []), ...(b1 ?? [])]) t.true(Math.abs(v) <= 1 / 3)
  t.true(Math.max(...(w0 ?? []).map(Math.abs)) > 0.2, 'the draws fill the range')
  t.deepEqual(flatParameters(m32), Float64Array.from(flatParameters(m64), Math.fround))
  t.notDeepEqual(
    flatParameters(m64),
    flatParameters(new MLP({ sizes: [16, 9, 2], dtype: 'float64', seed: 5 })),
  )
  t.deepEqual(
    m64.parameters().map((p) => [p.name, p.shape]),
    [
      ['layers.0.weight', [9, 16]],
      ['layers.0.bias', [9]],
      ['layers.1.weight', [2, 9]],
      ['layers.1.bias', [2]],
    ],
  )
})

test('parameters are views of one contiguous buffer, and gradients of another', (t) => {
  const model = new MLP({ sizes: [3, 4, 2], seed: 1 })
  const params = model.parameters()
  const first = params[0]
  if (first === undefined) return t.fail()
  let offset = first.data.byteOffset
  for (const p of params) {
    t.is(p.data.buffer, first.data.buffer)
    t.is(p.grad.buffer, first.grad.buffer)
    t.is(p.data.byteOffset, offset)
    offset += p.data.byteLength
  }
  t.is(model.dtype, 'float32')
})

test('predict gives softmax probabilities for softmax outputs and raw values for identity ones', (t) => {
  for (const backend of ['native', 'js'] as const) {
    const classifier = new MLP({ sizes: [3, 4, 5], seed: 2, backend })
    const { x } = randomData([3, 4, 5], 'softmax', 'float32', 10, 3)
    const p = classifier.predict(x)
    t.deepEqual(p.shape, [10, 5])
    for (let i = 0; i < 10; i++) {
      const row = [...p.data.subarray(i * 5, i * 5 + 5)]
      t.true(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6)
      t.true(row.every((v) => v > 0))
    }
    const regressor = new MLP({ sizes: [3, 2], output: 'identity', seed: 2, backend })
    const [w, b] = regressor.parameters()
    const values = regressor.predict(x)
    const expected =
      (w?.data[0] as number) * (x.data[0] as number) +
      (w?.data[1] as number) * (x.data[1] as number) +
      (w?.data[2] as number) * (x.data[2] as number) +
      (b?.data[0] as number)
    t.true(Math.abs((values.data[0] as number) - expected) < 1e-6)
    t.deepEqual(regressor.predict({ data: new Float32Array(0), shape: [0, 3] }).shape, [0, 2])
  }
})

test('float32 tanh gives the same bits on both backends (the same rational function, rounded alike)', (t) => {
  // x = 1, zero biases and an identity output layer: the outputs are tanh of the first weights, exactly.
  const width = 512
  const outputs = (['native', 'js'] as const).map((backend) => {
    const model = new MLP({ sizes: [1, width, width], output: 'identity', seed: 1, backend })
    const [w0, b0, w1, b1] = model.parameters() as Parameter[]
    w0?.data.set(Float32Array.from({ length: width }, (_, i) => (i - width / 2) / 28 + (i % 7) * 1e-5))
    w0?.data.set([0, -0, 3e-4, -5e-5, 1e-30, 100, -100, 7.9, -7.9], 0)
    b0?.data.fill(0)
    w1?.data.fill(0)
    for (let i = 0; i < width; i++) w1?.data.set([1], i * width + i)
    b1?.data.fill(0)
    return model.predict(tensor(Float32Array.of(1), [1, 1])).data
  })
  t.deepEqual(outputs[0], outputs[1])
  t.true(Math.abs((outputs[0]?.[100] as number) - Math.tanh((100 - width / 2) / 28 + 2e-5)) < 1e-6)
})
