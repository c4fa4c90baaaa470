import test from 'ava'
import fc from 'fast-check'
import {
  data,
  LinearRegression,
  MLP,
  type Model,
  OPTIMIZERS,
  type Optimizer,
  Parameter,
  StepLR,
  type Tensor,
} from '../src/index.js'
import {
  budget,
  detach,
  expectCleanFailure,
  isAllowedError,
  summary,
  weird,
  weirdNumber,
} from './helpers/fuzz.js'

// Property tests over the models and data sets: constructors with any option value; predict,
// evaluate, forwardBackward and fit with inputs of any shape, dtype, content (NaN, labels out of
// range, detached buffers) and any fit option; the data generators with any option. A call
// works or throws a TypeError/RangeError/DescentError naming the argument, and a model call
// that threw left parameters, gradients and optimizer state byte for byte as they were.
// Budget: 4 properties, 2,200 cases.

// biome-ignore lint/suspicious/noExplicitAny: any optimizer
type AnyOptimizer = Optimizer<any>
const BACKENDS = ['native', 'js'] as const

const modelArb = fc.record({
  kind: fc.constantFrom('mlp', 'linear'),
  inputs: fc.integer({ min: 1, max: 4 }),
  hidden: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }),
  outputs: fc.integer({ min: 1, max: 3 }),
  activation: fc.constantFrom('tanh', 'relu', 'sigmoid', 'identity'),
  softmax: fc.boolean(),
  dtype: fc.constantFrom('float32', 'float64'),
  backend: fc.constantFrom(...BACKENDS),
  seed: fc.nat(),
  // Matrix-only rules (Muon) cannot hold a model's biases.
  optimizer: fc.constantFrom(...Object.keys(OPTIMIZERS).filter((key) => !OPTIMIZERS[key]?.rule.matrixOnly)),
})
type ModelSpec = typeof modelArb extends fc.Arbitrary<infer T> ? T : never

function buildModel(s: ModelSpec): { model: Model; optimizer: AnyOptimizer; classes: number } {
  const softmax = s.kind === 'mlp' && s.softmax
  const outputs = softmax ? Math.max(2, s.outputs) : s.outputs
  const model =
    s.kind === 'mlp'
      ? new MLP({
          sizes: [s.inputs, ...s.hidden, outputs],
          activation: s.activation,
          output: softmax ? 'softmax' : 'identity',
          seed: s.seed,
          dtype: s.dtype,
          backend: s.backend,
        })
      : new LinearRegression({
          features: s.inputs,
          outputs,
          seed: s.seed,
          dtype: s.dtype,
          backend: s.backend,
        })
  const Optimizer = OPTIMIZERS[s.optimizer] as NonNullable<(typeof OPTIMIZERS)[string]>
  return {
    model,
    optimizer: new Optimizer(model.parameters(), { backend: s.backend }),
    classes: softmax ? outputs : 0,
  }
}

function observe(model: Model, optimizer: AnyOptimizer) {
  return () => ({
    params: model.parameters().map((p) => [p.data, p.grad]),
    state: optimizer.stateDict(),
    lrs: optimizer.paramGroups.map((g) => g.lr),
  })
}

const inputArb = fc.record({
  rows: fc.integer({ min: 0, max: 12 }),
  colsDelta: fc.constantFrom(0, 0, 0, 0, 1, -1),
  dtype: fc.constantFrom('model', 'model', 'model', 'other', 'int32', 'array'),
  shape: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'flat', 'extra', 'lying', 'weird'),
  value: fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
    { weight: 1, arbitrary: weirdNumber },
  ),
  detached: fc.integer({ min: 0, max: 15 }).map((n) => n === 0),
  rowsDelta: fc.constantFrom(0, 0, 0, 0, 0, 1, -1),
  label: fc.oneof(
    { weight: 8, arbitrary: fc.constant('ok' as const) },
    { weight: 1, arbitrary: weirdNumber },
  ),
})
type InputSpec = typeof inputArb extends fc.Arbitrary<infer T> ? T : never

function floats(
  Float: Float32ArrayConstructor | Float64ArrayConstructor,
  n: number,
  f: (i: number) => number,
) {
  const out = new Float(n)
  for (let i = 0; i < n; i++) out[i] = f(i)
  return out
}

/** x and y for a model, broken in the ways the spec says. */
function makeInputs(s: InputSpec, m: ModelSpec, classes: number): { x: unknown; y: unknown } {
  const cols = Math.max(0, m.inputs + s.colsDelta)
  const Float = m.dtype === 'float32' ? Float32Array : Float64Array
  const Other = m.dtype === 'float32' ? Float64Array : Float32Array
  const n = s.rows * cols
  const xData =
    s.dtype === 'model'
      ? new Float(n)
      : s.dtype === 'other'
        ? new Other(n)
        : s.dtype === 'int32'
          ? new Int32Array(n)
          : []
  for (let i = 0; i < n; i++) (xData as number[])[i] = i % 7 === 3 ? s.value : Math.sin(i)
  const shapes: Record<string, unknown> = {
    ok: [s.rows, cols],
    flat: [n],
    extra: [s.rows, cols, 1],
    lying: [s.rows + 1, cols],
    weird: s.value,
  }
  const x = { data: xData, shape: shapes[s.shape] }
  const yRows = Math.max(0, s.rows + s.rowsDelta)
  const outputs = classes > 0 ? 1 : m.kind === 'mlp' && m.softmax ? Math.max(2, m.outputs) : m.outputs
  const y =
    classes > 0
      ? {
          data: Int32Array.from({ length: yRows }, (_, i) =>
            s.label === 'ok' ? i % classes : i === 0 ? s.label : 0,
          ),
          shape: [yRows],
        }
      : {
          data: floats(Float, yRows * outputs, (i) => (s.label === 'ok' || i > 0 ? Math.cos(i) : s.label)),
          shape: [yRows, outputs],
        }
  if (s.detached && xData instanceof Float) detach(xData.buffer)
  return { x, y }
}

const fitOptionArb = fc.oneof(
  fc.constant(undefined),
  fc.constant(undefined),
  fc.constant(undefined),
  fc.record({
    key: fc.constantFrom(
      'epochs',
      'batchSize',
      'shuffle',
      'seed',
      'scheduler',
      'schedulerStep',
      'onEpoch',
      'verbose',
      'optimizer',
      'bogus',
    ),
    value: weird,
  }),
)

test('constructors: any option value builds a model or throws naming it', (t) => {
  let threw = 0
  fc.assert(
    fc.property(
      fc.constantFrom('mlp', 'linear'),
      fc.constantFrom(
        'sizes',
        'sizes[i]',
        'activation',
        'output',
        'seed',
        'dtype',
        'backend',
        'features',
        'outputs',
        'options',
        'bogus',
      ),
      weird,
      (kind, key, value) => {
        const base: Record<string, unknown> =
          kind === 'mlp' ? { sizes: [2, 3, 2], backend: 'js' } : { features: 2, backend: 'js' }
        const options =
          key === 'options'
            ? value
            : key === 'sizes[i]'
              ? { ...base, sizes: [2, value, 2] }
              : { ...base, [key]: value }
        // Options that are not a plain object may be read as one with no required field.
        const names =
          key === 'options'
            ? ['options', 'sizes', 'features']
            : key === 'sizes[i]'
              ? ['sizes']
              : key === 'features' || key === 'outputs' || key === 'sizes'
                ? [key, 'options']
                : [key]
        let model: Model | undefined
        const build = () =>
          (model = kind === 'mlp' ? new MLP(options as never) : new LinearRegression(options as never))
        if (expectCleanFailure(build, () => 0, names)) {
          threw++
          return
        }
        const inputs = (model?.parameters()[0]?.shape[1] ?? 1) as number
        model?.predict({
          data: new (model.dtype === 'float64' ? Float64Array : Float32Array)(inputs),
          shape: [1, inputs],
        })
      },
    ),
    budget(31, 700),
  )
  t.log(summary(700, threw))
  t.pass()
})

test('predict, evaluate, forwardBackward and fit: any input or option works or throws naming it, changing nothing', (t) => {
  let threw = 0
  fc.assert(
    fc.property(
      modelArb,
      inputArb,
      fc.constantFrom('predict', 'evaluate', 'forwardBackward', 'fit', 'fit'),
      fitOptionArb,
      (m, input, method, option) => {
        const { model, optimizer, classes } = buildModel(m)
        const { x, y } = makeInputs(input, m, classes)
        const fitOptions: Record<string, unknown> = { optimizer, epochs: 2, batchSize: 4 }
        if (option) {
          const stranger = new StepLR(
            new (OPTIMIZERS.sgd as NonNullable<(typeof OPTIMIZERS)[string]>)([
              new Parameter(new Float32Array(1)),
            ]),
            { stepSize: 1 },
          )
          fitOptions[option.key] =
            option.key === 'scheduler' && option.value === null ? stranger : option.value
        }
        const calls: Record<string, () => unknown> = {
          predict: () => model.predict(x as Tensor),
          evaluate: () => model.evaluate(x as Tensor, y as Tensor),
          forwardBackward: () => model.forwardBackward(x as Tensor, y as Tensor),
          fit: () => model.fit(x as Tensor, y as Tensor, fitOptions as never),
        }
        const names = [
          'x',
          'y',
          'options',
          ...(method === 'fit' && option ? [option.key] : []),
          'scheduler',
          'optimizer',
        ]
        if (expectCleanFailure(calls[method] as () => unknown, observe(model, optimizer), names)) threw++
      },
    ),
    budget(32, 1000),
  )
  t.log(summary(1000, threw))
  t.pass()
})

test('a model refuses a second fit, or forwardBackward, while it is training (from inside onEpoch)', (t) => {
  for (const backend of BACKENDS) {
    const model = new MLP({ sizes: [2, 3, 2], backend })
    const optimizer = new (OPTIMIZERS.adam as NonNullable<(typeof OPTIMIZERS)[string]>)(model.parameters(), {
      backend,
    })
    const x = { data: new Float32Array([0, 1, 1, 0]), shape: [2, 2] }
    const y = { data: Int32Array.from([0, 1]), shape: [2] }
    const inner: unknown[] = []
    model.fit(x, y, {
      optimizer,
      epochs: 2,
      onEpoch: () => {
        for (const call of [() => model.fit(x, y, { optimizer }), () => model.forwardBackward(x, y)]) {
          try {
            call()
            inner.push('accepted')
          } catch (error) {
            inner.push(error)
          }
        }
      },
    })
    t.is(inner.length, 4)
    for (const error of inner) t.regex((error as Error).message ?? String(error), /already training/, backend)
  }
})

// The refusal is a documented DescentError (code DESCENT_BUSY), so callers can tell it apart.
test('a second fit on a training model is refused with a documented error class', (t) => {
  const model = new MLP({ sizes: [2, 3, 2], backend: 'js' })
  const optimizer = new (OPTIMIZERS.adam as NonNullable<(typeof OPTIMIZERS)[string]>)(model.parameters(), {
    backend: 'js',
  })
  const x = { data: new Float32Array([0, 1, 1, 0]), shape: [2, 2] }
  const y = { data: Int32Array.from([0, 1]), shape: [2] }
  let inner: unknown
  model.fit(x, y, {
    optimizer,
    onEpoch: () => {
      try {
        model.fit(x, y, { optimizer })
      } catch (error) {
        inner = error
      }
    },
  })
  t.true(isAllowedError(inner), String(inner))
})

const DATA_SETS: Record<string, readonly string[]> = {
  classification: ['samples', 'features', 'classes', 'seed', 'dtype', 'backend'],
  regression: ['samples', 'seed', 'dtype', 'backend'],
  blobs: ['samples', 'features', 'centers', 'std', 'seed', 'dtype', 'backend'],
  moons: ['samples', 'noise', 'seed', 'dtype', 'backend'],
  spirals: ['samples', 'classes', 'noise', 'seed', 'dtype', 'backend'],
  iris: ['testFraction', 'standardize', 'seed', 'dtype', 'backend'],
  mnist: ['train', 'test', 'seed', 'dtype', 'backend'],
}

function checkLabelled(set: { x: Tensor; y: Tensor }): void {
  const rows = set.x.shape[0] as number
  if (set.x.shape.length !== 2 || set.x.data.length !== rows * (set.x.shape[1] as number))
    throw new Error('bad x')
  if (set.y.shape[0] !== rows) throw new Error(`y has ${set.y.shape[0]} rows, x ${rows}`)
  if (!set.x.data.every(Number.isFinite)) nonFinite.hits++
}

/**
 * Known bug (reported): blobs accepts a std (or other scale) so large that x overflows to
 * ±Infinity. Not one of the properties, so counted and logged; pinned by a test.failing.
 */
const nonFinite = { hits: 0 }

test('data sets: any option value gives well-formed, reproducible data or throws naming it', (t) => {
  let threw = 0
  const generators = data as unknown as Record<string, (options?: unknown) => unknown>
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(DATA_SETS)),
      fc.nat(),
      fc.oneof({ weight: 3, arbitrary: weird }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }) }),
      fc.constantFrom('native', 'js'),
      (name, keyIndex, value, backend) => {
        const keys = DATA_SETS[name] as readonly string[]
        const key = keys[keyIndex % keys.length] as string
        // Small sizes, so a valid case stays cheap.
        const small: Record<string, unknown> =
          name === 'mnist' ? { train: 20, test: 10 } : name === 'iris' ? {} : { samples: 30 }
        const options = { ...small, backend, [key]: value }
        let result: unknown
        if (
          expectCleanFailure(
            () => (result = generators[name]?.(options)),
            () => 0,
            [key, 'options'],
          )
        ) {
          threw++
          return
        }
        const r = result as {
          x?: Tensor
          y?: Tensor
          train?: { x: Tensor; y: Tensor }
          test?: { x: Tensor; y: Tensor }
        }
        if (r.train && r.test) {
          checkLabelled(r.train)
          checkLabelled(r.test)
        } else checkLabelled(r as { x: Tensor; y: Tensor })
        const again = generators[name]?.(options) as typeof r
        const bytes = (a?: Tensor) =>
          a ? Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength) : Buffer.alloc(0)
        const same = (a?: Tensor, b?: Tensor) => Buffer.compare(bytes(a), bytes(b)) === 0
        if (
          !(
            same(r.x ?? r.train?.x, again.x ?? again.train?.x) &&
            same(r.y ?? r.train?.y, again.y ?? again.train?.y)
          )
        ) {
          throw new Error(`${name}: the same options gave different data`)
        }
      },
    ),
    budget(33, 500),
  )
  t.log(summary(500, threw, `, ${nonFinite.hits} with non-finite x (known bug)`))
  t.pass()
})

test('blobs refuses a std so large that the data overflows', (t) => {
  const error = t.throws(() => data.blobs({ samples: 4, std: Number.MAX_VALUE }), { instanceOf: RangeError })
  t.regex(error?.message ?? '', /std/)
})
