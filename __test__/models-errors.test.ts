/**
 * Bad input to models: each case throws the right class with a message naming the argument,
 * and leaves parameters, gradients and optimizer state byte for byte as they were.
 */
import test from 'ava'
import {
  Adam,
  DescentError,
  LinearRegression,
  MLP,
  type Model,
  Parameter,
  ReduceLROnPlateau,
  SGD,
  StepLR,
  type Tensor,
  tensor,
} from '../src/index.js'
import { BACKENDS, observe, randomData } from './helpers/models.js'

type Call = (m: { model: MLP; optimizer: Adam; x: Tensor; y: Tensor }) => unknown

/** Replaces element `i` of a copy of `t`'s data. */
function withValue(t: Tensor, i: number, value: number): Tensor {
  const data = t.data.slice()
  data[i] = value
  return tensor(data, t.shape)
}

const CLASSIFIER_CASES: [string, Call, ErrorConstructor | typeof DescentError, RegExp][] = [
  [
    'x not a tensor',
    (m) => m.model.fit([1, 2] as never, m.y, { optimizer: m.optimizer }),
    TypeError,
    /MLP\.fit: x must be a Tensor \(make one with tensor\(data, \[rows, columns\]\)\), got an array of length 2/,
  ],
  [
    'x of the wrong dtype',
    (m) => m.model.fit(tensor(Float64Array.from(m.x.data), m.x.shape), m.y, { optimizer: m.optimizer }),
    TypeError,
    /MLP\.fit: x\.data must be a Float32Array \(the model's dtype is float32\), got a Float64Array/,
  ],
  [
    'x of the wrong width',
    (m) => m.model.fit(tensor(new Float32Array(40 * 3), [40, 3]), m.y, { optimizer: m.optimizer }),
    RangeError,
    /MLP\.fit: x\.shape must be \[n, 4\], got \[40, 3\]/,
  ],
  [
    'x and y of different lengths',
    (m) => m.model.fit(m.x, tensor(m.y.data.slice(0, 39)), { optimizer: m.optimizer }),
    RangeError,
    /MLP\.fit: y has 39 rows but x has 40/,
  ],
  [
    'a label out of range',
    (m) => m.model.fit(m.x, withValue(m.y, 17, 3), { optimizer: m.optimizer }),
    RangeError,
    /MLP\.fit: y\[17\] must be an integer label in \[0, 3\), got 3/,
  ],
  [
    'a negative label',
    (m) => m.model.evaluate(m.x, withValue(m.y, 2, -1)),
    RangeError,
    /MLP\.evaluate: y\[2\] must be an integer label in \[0, 3\)/,
  ],
  [
    'a non-integer label',
    (m) =>
      m.model.fit(m.x, tensor(Float32Array.from(m.y.data, (v, i) => (i === 4 ? 1.5 : v))), {
        optimizer: m.optimizer,
      }),
    RangeError,
    /MLP\.fit: y\[4\] must be an integer label in \[0, 3\), got 1\.5/,
  ],
  [
    'labels shaped [n, 1]',
    (m) => m.model.fit(m.x, tensor(m.y.data, [40, 1]), { optimizer: m.optimizer }),
    RangeError,
    /y\.shape must be \[n\]/,
  ],
  [
    'NaN in x',
    (m) => m.model.fit(withValue(m.x, 17 * 4 + 3, Number.NaN), m.y, { optimizer: m.optimizer }),
    RangeError,
    /MLP\.fit: x\[17\]\[3\] is NaN; training data must be finite/,
  ],
  [
    'Infinity in x for forwardBackward',
    (m) => m.model.forwardBackward(withValue(m.x, 5, Number.POSITIVE_INFINITY), m.y),
    RangeError,
    /MLP\.forwardBackward: x\[1\]\[1\] is Infinity/,
  ],
  [
    'no rows',
    (m) =>
      m.model.fit(tensor(new Float32Array(0), [0, 4]), tensor(new Int32Array(0)), { optimizer: m.optimizer }),
    RangeError,
    /x must be at least 1 row/,
  ],
  [
    'batchSize 0',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, batchSize: 0 }),
    RangeError,
    /MLP\.fit: batchSize must be an integer >= 1, got 0/,
  ],
  [
    'batchSize 2.5',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, batchSize: 2.5 }),
    RangeError,
    /batchSize must be an integer >= 1, got 2\.5/,
  ],
  [
    'batchSize as a string',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, batchSize: '32' as never }),
    TypeError,
    /batchSize/,
  ],
  [
    'epochs 0',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, epochs: 0 }),
    RangeError,
    /MLP\.fit: epochs must be an integer >= 1, got 0/,
  ],
  [
    'epochs NaN',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, epochs: Number.NaN }),
    RangeError,
    /epochs/,
  ],
  [
    'an unknown option',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, batch_size: 8 } as never),
    TypeError,
    /MLP\.fit: unknown option 'batch_size'/,
  ],
  [
    'no options',
    (m) => m.model.fit(m.x, m.y, undefined as never),
    TypeError,
    /MLP\.fit: options must be a plain object/,
  ],
  [
    'no optimizer',
    (m) => m.model.fit(m.x, m.y, {} as never),
    TypeError,
    /MLP\.fit: optimizer must be an Optimizer/,
  ],
  [
    "another model's optimizer",
    (m) => m.model.fit(m.x, m.y, { optimizer: new Adam(new MLP({ sizes: [4, 5, 3] }).parameters()) }),
    RangeError,
    /MLP\.fit: the optimizer's params\[0\] .* is not a parameter of this model/,
  ],
  [
    'an optimizer missing a parameter',
    (m) => m.model.fit(m.x, m.y, { optimizer: new Adam(m.model.parameters().slice(0, 3)) }),
    RangeError,
    /the optimizer must hold all of this model's parameters; Parameter 'layers\.1\.bias' is missing/,
  ],
  [
    'an optimizer with an extra parameter',
    (m) =>
      m.model.fit(m.x, m.y, {
        optimizer: new Adam([...m.model.parameters(), new Parameter(new Float32Array(2))]),
      }),
    RangeError,
    /params\[4\] .* is not a parameter of this model/,
  ],
  [
    'an optimizer whose lr was set out of range',
    (m) => {
      const optimizer = new Adam(m.model.parameters())
      ;(optimizer.paramGroups[0] as { lr: number }).lr = -1
      return m.model.fit(m.x, m.y, { optimizer })
    },
    RangeError,
    /lr must be a finite number >= 0, got -1/,
  ],
  [
    'a scheduler of another optimizer',
    (m) =>
      m.model.fit(m.x, m.y, {
        optimizer: m.optimizer,
        scheduler: new StepLR(new SGD(m.model.parameters()), { stepSize: 1 }),
      }),
    RangeError,
    /MLP\.fit: scheduler must drive the same optimizer/,
  ],
  [
    'ReduceLROnPlateau per batch',
    (m) =>
      m.model.fit(m.x, m.y, {
        optimizer: m.optimizer,
        scheduler: new ReduceLROnPlateau(m.optimizer),
        schedulerStep: 'batch',
      }),
    RangeError,
    /ReduceLROnPlateau needs a metric/,
  ],
  [
    'a scheduler that is not one',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, scheduler: {} as never }),
    TypeError,
    /MLP\.fit: scheduler must be a learning-rate scheduler/,
  ],
  [
    "schedulerStep 'step'",
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, schedulerStep: 'step' as never }),
    TypeError,
    /schedulerStep must be one of 'epoch', 'batch'/,
  ],
  [
    'onEpoch not a function',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, onEpoch: 1 as never }),
    TypeError,
    /onEpoch must be a function/,
  ],
  [
    'a negative seed',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, seed: -1 }),
    RangeError,
    /MLP\.fit: seed must be an integer in \[0, 2\^32\)/,
  ],
  [
    'shuffle as a string',
    (m) => m.model.fit(m.x, m.y, { optimizer: m.optimizer, shuffle: 'yes' as never }),
    TypeError,
    /shuffle must be a boolean/,
  ],
  [
    'a replaced gradient buffer',
    (m) => {
      const p = m.model.parameters()[1] as Parameter
      p.grad = new Float32Array(p.size)
      return m.model.fit(m.x, m.y, { optimizer: m.optimizer })
    },
    DescentError,
    /MLP\.fit: Parameter 'layers\.0\.bias'\.grad was replaced/,
  ],
  [
    'x sharing memory with the parameters',
    (m) => {
      const data = m.model.parameters()[0]?.data as Float32Array
      return m.model.predict(tensor(data.subarray(0, 8), [2, 4]))
    },
    RangeError,
    /MLP\.predict: x\.data shares memory with the model's parameters/,
  ],
  [
    'predict with the wrong dtype',
    (m) => m.model.predict(tensor(new Int32Array(8), [2, 4])),
    TypeError,
    /MLP\.predict: x\.data must be a Float32Array/,
  ],
]

for (const backend of BACKENDS) {
  for (const [name, call, type, message] of CLASSIFIER_CASES) {
    test(`${backend}: ${name} is refused and nothing changes`, (t) => {
      const model = new MLP({ sizes: [4, 5, 3], seed: 1, backend })
      const optimizer = new Adam(model.parameters(), { lr: 0.1 })
      const { x, y } = randomData([4, 5, 3], 'softmax', 'float32', 40, 3)
      model.fit(x, y, { optimizer, epochs: 1, batchSize: 8 }) // some optimizer state to protect
      const before = observe(model, optimizer)
      t.throws(() => call({ model, optimizer, x, y }), { instanceOf: type as ErrorConstructor, message })
      const after = observe(model, optimizer)
      // A replaced grad is the one change the test itself makes; compare the model's own buffers.
      if (name === 'a replaced gradient buffer') after.grad[1] = before.grad[1] as never
      t.deepEqual(after, before)
      t.false(model.training)
    })
  }
}

const REGRESSION_CASES: [string, (m: Model, x: Tensor, y: Tensor) => unknown, ErrorConstructor, RegExp][] = [
  [
    'targets of the wrong dtype',
    (m, x, y) => m.evaluate(x, tensor(Float64Array.from(y.data), y.shape)),
    TypeError,
    /LinearRegression\.evaluate: y\.data must be a Float32Array/,
  ],
  [
    'integer targets',
    (m, x, y) => m.forwardBackward(x, tensor(Int32Array.from(y.data), y.shape)),
    TypeError,
    /y\.data must be a Float32Array/,
  ],
  [
    'targets of the wrong width',
    (m, x) => m.evaluate(x, tensor(new Float32Array(20), [10, 2])),
    RangeError,
    /y\.shape must be \[n, 1\] or \[n\], got \[10, 2\]/,
  ],
  [
    'NaN in the targets',
    (m, x, y) => m.forwardBackward(x, withValue(y, 5, Number.NaN)),
    RangeError,
    /LinearRegression\.forwardBackward: y\[5\] is NaN/,
  ],
]

for (const [name, call, type, message] of REGRESSION_CASES) {
  test(`LinearRegression: ${name} is refused and nothing changes`, (t) => {
    const model = new LinearRegression({ features: 2, seed: 1 })
    const { x, y } = randomData([2, 1], 'identity', 'float32', 10, 1)
    const before = observe(model)
    t.throws(() => call(model, x, y), { instanceOf: type, message })
    t.deepEqual(observe(model), before)
  })
}

test('LinearRegression accepts targets shaped [n] as well as [n, 1]', (t) => {
  const model = new LinearRegression({ features: 2, seed: 1, backend: 'js' })
  const { x, y } = randomData([2, 1], 'identity', 'float32', 10, 1)
  t.is(model.evaluate(x, tensor(y.data, [10])).loss, model.evaluate(x, y).loss)
})

const CONSTRUCTOR_CASES: [string, () => unknown, ErrorConstructor, RegExp][] = [
  [
    'MLP without options',
    () => new MLP(undefined as never),
    TypeError,
    /MLP: options must be a plain object/,
  ],
  ['sizes missing', () => new MLP({} as never), TypeError, /MLP: sizes must be an array of layer widths/],
  ['one size', () => new MLP({ sizes: [20] }), RangeError, /MLP: sizes must be at least 2 widths/],
  [
    'a zero width',
    () => new MLP({ sizes: [20, 0, 3] }),
    RangeError,
    /MLP: sizes\[1\] must be an integer >= 1, got 0/,
  ],
  ['a fractional width', () => new MLP({ sizes: [20, 6.5, 3] }), RangeError, /sizes\[1\]/],
  [
    'one softmax class',
    () => new MLP({ sizes: [20, 1] }),
    RangeError,
    /sizes\[1\] must be at least 2 classes for a softmax output/,
  ],
  [
    "activation 'gelu'",
    () => new MLP({ sizes: [2, 2], activation: 'gelu' as never }),
    TypeError,
    /MLP: activation must be one of 'identity', 'tanh', 'relu', 'sigmoid'/,
  ],
  [
    "output 'sigmoid'",
    () => new MLP({ sizes: [2, 2], output: 'sigmoid' as never }),
    TypeError,
    /MLP: output must be one of 'softmax', 'identity'/,
  ],
  [
    'an unknown option',
    () => new MLP({ sizes: [2, 2], hidden: 4 } as never),
    TypeError,
    /MLP: unknown option 'hidden'/,
  ],
  [
    "dtype 'float16'",
    () => new MLP({ sizes: [2, 2], dtype: 'float16' as never }),
    TypeError,
    /MLP: dtype must be one of 'float32', 'float64'/,
  ],
  [
    "backend 'gpu'",
    () => new MLP({ sizes: [2, 2], backend: 'gpu' as never }),
    TypeError,
    /MLP: backend must be 'native' or 'js'/,
  ],
  [
    'a seed of 2^32',
    () => new MLP({ sizes: [2, 2], seed: 2 ** 32 }),
    RangeError,
    /MLP: seed must be an integer in \[0, 2\^32\)/,
  ],
  [
    'LinearRegression without features',
    () => new LinearRegression({} as never),
    RangeError,
    /LinearRegression: features must be an integer >= 1, got undefined/,
  ],
  [
    'LinearRegression with 0 outputs',
    () => new LinearRegression({ features: 1, outputs: 0 }),
    RangeError,
    /outputs must be an integer >= 1/,
  ],
  [
    'LinearRegression with sizes',
    () => new LinearRegression({ features: 1, sizes: [1, 1] } as never),
    TypeError,
    /LinearRegression: unknown option 'sizes'/,
  ],
]

for (const [name, make, type, message] of CONSTRUCTOR_CASES) {
  test(`constructor: ${name} is refused`, (t) => {
    t.throws(make, { instanceOf: type, message })
  })
}

test('a plain array or a bare typed array where a Tensor is expected says what is wanted and how to make it', (t) => {
  const model = new MLP({ sizes: [2, 3, 2], seed: 1 })
  for (const x of [
    [
      [1, 2],
      [3, 4],
    ],
    Float32Array.of(1, 2, 3, 4),
    { rows: 2 },
  ]) {
    const error = t.throws(() => model.predict(x as never), { instanceOf: TypeError })
    t.regex(
      error.message,
      /^MLP\.predict: x must be a Tensor \(make one with tensor\(data, \[rows, columns\]\)\), got /,
    )
    t.notRegex(error.message, /detached/)
  }
})

test('a shape that does not match its data mentions a detached buffer only when the buffer was detached', (t) => {
  const model = new MLP({ sizes: [2, 3, 2], seed: 1 })
  const short = { data: new Float32Array(3), shape: [2, 2] }
  t.notRegex(t.throws(() => model.predict(short))?.message ?? '', /detached/)
  const data = new Float32Array(4)
  structuredClone(data.buffer, { transfer: [data.buffer as ArrayBuffer] })
  const message = t.throws(() => model.predict({ data, shape: [2, 2] }))?.message ?? ''
  t.regex(message, /holds 4 elements but data has 0 \(its buffer was detached\)/)
})

test('predictClasses: the argmax of predict per row, -1 for a NaN row; softmax models only', (t) => {
  for (const backend of BACKENDS) {
    const model = new MLP({ sizes: [3, 5, 4], seed: 2, backend })
    const x = tensor(
      Float32Array.from({ length: 15 }, (_, i) => Math.sin(i)),
      [5, 3],
    )
    const probabilities = model.predict(x).data
    const expected = Array.from({ length: 5 }, (_, r) => {
      const row = Array.from(probabilities.subarray(r * 4, r * 4 + 4))
      return row.indexOf(Math.max(...row))
    })
    const classes = model.predictClasses(x)
    t.true(classes.data instanceof Int32Array)
    t.deepEqual(classes.shape, [5])
    t.deepEqual(Array.from(classes.data), expected, backend)
    const withNaN = tensor(Float32Array.of(Number.NaN, 0, 0, 1, 2, 3), [2, 3])
    t.deepEqual(Array.from(model.predictClasses(withNaN).data), [
      -1,
      Array.from(model.predictClasses(tensor(Float32Array.of(1, 2, 3), [1, 3])).data)[0],
    ])
  }
  const regressor = new MLP({ sizes: [3, 2], output: 'identity', seed: 1 })
  t.throws(() => regressor.predictClasses(tensor(new Float32Array(3), [1, 3])), {
    instanceOf: TypeError,
    message:
      /MLP\.predictClasses: this model's output is identity, not softmax; it has no classes \(use predict\)/,
  })
})
