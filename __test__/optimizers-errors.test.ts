import test from 'ava'
import { callNative } from '../src/backend/native.js'
import { Adam, AdamW, DescentError, type OptimizerStateDict, Parameter, SGD } from '../src/index.js'

function pair(dtype: 'float32' | 'float64' = 'float32') {
  const A = dtype === 'float32' ? Float32Array : Float64Array
  const w = new Parameter(A.from([1, 2, 3, 4, 5, 6]), [2, 3], 'w')
  const b = new Parameter(A.from([0.5, -0.5]), [2], 'b')
  w.grad.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
  b.grad.set([1, -1])
  return [w, b] as const
}

/** Everything observable about an optimizer and its parameters, to prove a throw changed nothing. */
function observe(opt: Adam | SGD, params: readonly Parameter[]) {
  return structuredClone({
    data: params.map((p) => p.data.slice()),
    grad: params.map((p) => p.grad.slice()),
    state: opt.stateDict(),
  })
}

test('Parameter rejects a shape that does not match the data', (t) => {
  const e = t.throws(() => new Parameter(new Float32Array(12), [4, 4]), { instanceOf: RangeError })
  t.regex(e.message, /shape \[4, 4\] holds 16 elements but data has 12/)
  t.throws(() => new Parameter(new Float32Array(2), [2.5]), { instanceOf: RangeError, message: /shape\[0\]/ })
  t.throws(() => new Parameter([1, 2] as unknown as Float32Array), { instanceOf: TypeError, message: /data/ })
})

test('a gradient of the wrong dtype, length or memory is refused at assignment', (t) => {
  const [w] = pair()
  t.throws(
    () => {
      w.grad = new Float64Array(6) as never
    },
    { instanceOf: TypeError, message: /Parameter 'w'.*grad.*Float32Array/ },
  )
  t.throws(
    () => {
      w.grad = new Float32Array(5)
    },
    { instanceOf: RangeError, message: /grad\.length must be 6/ },
  )
  t.throws(
    () => {
      w.grad = w.data
    },
    { instanceOf: RangeError, message: /share memory/ },
  )
})

test('construction rejects bad options with the option named', (t) => {
  const params = pair()
  const cases: [Record<string, unknown>, ErrorConstructor, RegExp][] = [
    [{ lr: -1 }, RangeError, /lr must be a finite number >= 0, got -1/],
    [{ lr: Number.NaN }, RangeError, /lr must be a finite number >= 0, got NaN/],
    [{ lr: Number.POSITIVE_INFINITY }, RangeError, /lr/],
    [{ lr: '0.1' }, TypeError, /lr must be a number/],
    [{ betas: [0.9, 1] }, RangeError, /betas\[1\] must be a number in \[0, 1\)/],
    [{ betas: [-0.1, 0.9] }, RangeError, /betas\[0\]/],
    [{ betas: 0.9 }, TypeError, /betas/],
    [{ eps: -1e-8 }, RangeError, /eps/],
    [{ weightDecay: -0.01 }, RangeError, /weightDecay/],
    [{ weight_decay: 0.01 }, TypeError, /unknown option 'weight_decay'/],
    [{ amsgrad: 1 }, TypeError, /amsgrad must be a boolean/],
    [{ backend: 'gpu' }, TypeError, /backend must be 'native' or 'js'/],
    [{ onNonFinite: 'warn' }, TypeError, /onNonFinite/],
  ]
  for (const [options, type, message] of cases) {
    t.throws(() => new Adam(params, options), { instanceOf: type, message }, JSON.stringify(options))
  }
  t.throws(() => new SGD(params, { nesterov: true }), {
    instanceOf: RangeError,
    message: /nesterov needs momentum > 0/,
  })
})

test('parameter lists: empty, mixed dtypes, duplicates, shared memory and non-parameters are refused', (t) => {
  const [w] = pair('float32')
  const [w64] = pair('float64')
  t.throws(() => new Adam([]), { instanceOf: RangeError, message: /params must not be empty/ })
  t.throws(() => new Adam([w, w64]), {
    instanceOf: TypeError,
    message: /params\[1\] is float64 but .* float32/,
  })
  t.throws(() => new Adam([w, w]), { instanceOf: RangeError, message: /more than once/ })
  t.throws(() => new Adam([w, new Float32Array(3)] as unknown as Parameter[]), {
    instanceOf: TypeError,
    message: /params\[1\]/,
  })
  const buffer = new Float32Array(8)
  const a = new Parameter(buffer.subarray(0, 5))
  const b = new Parameter(buffer.subarray(4, 8))
  t.throws(() => new SGD([a, b]), { instanceOf: RangeError, message: /shares memory/ })
  t.throws(() => new Adam([{ params: [w], lr: -3 }]), {
    instanceOf: RangeError,
    message: /param group 0: lr/,
  })
  t.throws(() => new Adam([{ params: [w], betas_: 1 }] as never), {
    instanceOf: TypeError,
    message: /unknown option 'betas_'/,
  })
  t.throws(() => new Adam(42 as never), { instanceOf: TypeError, message: /params/ })
})

for (const backend of ['native', 'js'] as const) {
  test(`${backend}: a bad lr set between steps throws at step() and changes nothing`, (t) => {
    const params = pair()
    const opt = new Adam(params, { lr: 0.1, backend })
    opt.step()
    const before = observe(opt, params)
    ;(opt.paramGroups[0] as { lr: number }).lr = Number.NaN
    t.throws(() => opt.step(), {
      instanceOf: RangeError,
      message: /param group 0: lr must be a finite number >= 0, got NaN/,
    })
    t.throws(
      () => {
        opt.lr = -1
      },
      { instanceOf: RangeError },
    )
    ;(opt.paramGroups[0] as { lr: number }).lr = 0.1
    t.deepEqual(observe(opt, params), { ...before, state: { ...before.state } })
  })

  test(`${backend}: a detached buffer is reported by parameter index and nothing else moves`, (t) => {
    const params = pair()
    const opt = new SGD(params, { lr: 0.1, backend })
    const b = params[1]
    structuredClone(b.grad.buffer, { transfer: [b.grad.buffer] })
    const wBefore = params[0].data.slice()
    t.throws(() => opt.step(), {
      instanceOf: TypeError,
      message: /params\[1\]\.grad has length 0, expected 2 \(detached/,
    })
    t.deepEqual(params[0].data, wBefore)
  })

  test(`${backend}: onNonFinite 'skip' leaves params and state untouched and counts the skip`, (t) => {
    const params = pair()
    const opt = new Adam(params, { lr: 0.1, backend, onNonFinite: 'skip' })
    opt.step()
    const before = observe(opt, params)
    params[1].grad[0] = Number.NaN
    opt.step()
    t.is(opt.skippedSteps, 1)
    t.deepEqual(observe(opt, params).data, before.data)
    t.deepEqual(observe(opt, params).state.state, before.state.state)
    params[1].grad[0] = 1
    opt.step()
    t.is((opt.stateOf(params[0])?.scalars.step as number) - 1, 1)
  })

  test(`${backend}: onNonFinite 'throw' names the parameter; 'ignore' lets NaN through as PyTorch does`, (t) => {
    const params = pair()
    const strict = new SGD(params, { lr: 0.1, backend, onNonFinite: 'throw' })
    params[0].grad[2] = Number.POSITIVE_INFINITY
    const before = params.map((p) => p.data.slice())
    t.throws(() => strict.step(), {
      instanceOf: RangeError,
      message: /params\[0\] \('w'\)\.grad holds NaN or Infinity/,
    })
    t.deepEqual(
      params.map((p) => p.data),
      before,
    )
    new SGD(params, { lr: 0.1, backend }).step()
    t.true(Number.isNaN(params[0].data[2]) || !Number.isFinite(params[0].data[2] as number))
  })

  test(`${backend}: loadStateDict refuses another optimizer, other shapes or a corrupt entry, changing nothing`, (t) => {
    const params = pair()
    const opt = new Adam(params, { lr: 0.1, backend })
    opt.step()
    const good = opt.stateDict()
    const before = observe(opt, params)
    const sgd = new SGD(pair(), { backend })
    t.throws(() => opt.loadStateDict(sgd.stateDict()), {
      instanceOf: TypeError,
      message: /from "sgd", expected 'adam'/,
    })
    const other = new Adam([new Parameter(new Float32Array(7)), new Parameter(new Float32Array(2))], {
      backend,
    })
    for (const p of other.paramGroups[0]?.params ?? []) p.grad.fill(1)
    other.step()
    t.throws(() => opt.loadStateDict(other.stateDict()), {
      instanceOf: RangeError,
      message: /expAvg\.length must be 6/,
    })
    const wrongType = structuredClone(good) as OptimizerStateDict & {
      state: Record<number, Record<string, unknown>>
    }
    ;(wrongType.state[1] as Record<string, unknown>).expAvgSq = new Float64Array(2)
    t.throws(() => opt.loadStateDict(wrongType), {
      instanceOf: TypeError,
      message: /state\[1\].*expAvgSq must be a Float32Array/,
    })
    const badLr = structuredClone(good)
    ;(badLr.paramGroups[0] as Record<string, unknown>).lr = -1
    t.throws(() => opt.loadStateDict(badLr), { instanceOf: RangeError, message: /lr/ })
    const unknown = structuredClone(good)
    ;(unknown.paramGroups[0] as Record<string, unknown>).weight_decay = 0
    t.throws(() => opt.loadStateDict(unknown), { instanceOf: TypeError, message: /weight_decay/ })
    t.throws(() => opt.loadStateDict({ ...good, state: { ...good.state, 9: { step: 1 } } }), {
      instanceOf: RangeError,
      message: /'9'/,
    })
    t.throws(() => opt.loadStateDict(new AdamW(pair(), { backend }).stateDict()), { instanceOf: TypeError })
    t.deepEqual(observe(opt, params), before)
  })
}

test('a Rust panic surfaces as a DescentError and Node keeps running', (t) => {
  const addon = require('../../native/index.js') as { debugPanic(message: string): void }
  const error = t.throws(() => callNative(() => addon.debugPanic('kaboom')))
  t.true(error instanceof DescentError)
  t.is((error as DescentError).code, 'DESCENT_PANIC')
  t.regex((error as DescentError).message, /kaboom/)
  // Still alive and computing.
  const [w] = pair()
  new SGD([w], { backend: 'native', lr: 1 }).step()
  t.is(w.data[0], Math.fround(1 - 0.1))
})
