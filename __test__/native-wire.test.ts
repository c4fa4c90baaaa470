import test from 'ava'
import { Adam, Parameter } from '../src/index.js'

type Wire = typeof import('../native/index.js')
const addon = () => require('../../native/index.js') as Wire

test('a step layout names an unknown rule, and a step whose tensors or scalars miscount it is refused', (t) => {
  const a = addon()
  t.throws(() => new a.StepLayout({ rule: 'adamz', params: [] }), { message: /adamz/ })
  const layout = new a.StepLayout({ rule: 'sgd', params: [{ stateCount: 0, scalarCount: 7, shape: [2] }] })
  const param = Float32Array.of(1, 2)
  const grad = Float32Array.of(1, 1)
  t.throws(() => a.stepF32(layout, [param], new Float64Array(7)), { message: /tensors.*2 tensors.*got 1/ })
  t.throws(() => a.stepF32(layout, [param, grad], new Float64Array(6)), {
    message: /scalars.*7 scalars.*got 6/,
  })
  t.deepEqual([...param], [1, 2])
})

test('a training run plan whose lists disagree is refused, naming the plan', (t) => {
  const a = addon()
  const network = Uint32Array.of(2, 1, 1, 0, 1)
  const plan = { rule: 'sgd', slots: [0, 1], stateCounts: [0], scalarCounts: [7, 7] }
  const batches = { batchSize: 1, first: 0, count: 1, checkNonFinite: false }
  const f = () =>
    a.trainEpochF32(
      network,
      new Float32Array(2),
      new Float32Array(2),
      plan,
      [],
      new Float64Array(14),
      new Float32Array(1),
      new Int32Array(0),
      new Float32Array(1),
      Uint32Array.of(0),
      batches,
    )
  t.throws(f, { message: /plan: .*slots, stateCounts and scalarCounts of one length/ })
})

test('the cached step layout follows the parameter set: a group added later steps like the JS backend', (t) => {
  const run = (backend: 'native' | 'js') => {
    const a = new Parameter(Float32Array.of(0.5, -1, 2), [3])
    const b = new Parameter(Float32Array.of(1, 2, 3, 4), [2, 2])
    const optimizer = new Adam([a], { lr: 0.1, backend })
    for (let k = 0; k < 5; k++) {
      if (k === 2) optimizer.addParamGroup({ params: [b], lr: 0.05 })
      for (const p of [a, b])
        for (let i = 0; i < p.size; i++) p.grad[i] = Math.sin(k + i + (p.data[i] as number))
      optimizer.step()
    }
    return [...a.data, ...b.data]
  }
  t.deepEqual(run('native'), run('js'))
})

const adamRun = (backend: 'native' | 'js', edit: (p: Parameter, k: number) => void) => {
  const p = new Parameter(Float32Array.of(0.5, -1, 2, 4), [2, 2])
  const optimizer = new Adam([p], { lr: 0.1, backend })
  for (let k = 0; k < 6; k++) {
    edit(p, k)
    for (let i = 0; i < p.size; i++) p.grad[i] = Math.cos(k * 3 + i + (p.data[i] as number))
    optimizer.step()
  }
  return [...p.data]
}

test('a grad buffer replaced between steps is the one the next native step reads', (t) => {
  const swap = (p: Parameter, k: number) => {
    if (k % 2 === 1) p.grad = new Float32Array(p.size)
  }
  t.deepEqual(adamRun('native', swap), adamRun('js', swap))
})

test('a state tensor detached behind the optimizer is refused, not read: params and state stay as they were', (t) => {
  const p = new Parameter(Float32Array.of(0.5, -1, 2, 4), [2, 2])
  p.grad.fill(0.25)
  const optimizer = new Adam([p], { lr: 0.1, backend: 'native' })
  optimizer.step()
  const before = [...p.data]
  const expAvg = optimizer.stateOf(p)?.tensors.expAvg as Float32Array
  const buffer = expAvg.buffer as ArrayBuffer
  structuredClone(buffer, { transfer: [buffer] })
  t.is(expAvg.length, 0)
  t.throws(() => optimizer.step(), { instanceOf: RangeError, message: /expAvg|state/ })
  t.deepEqual([...p.data], before)
  t.is(optimizer.stateOf(p)?.scalars.step, 1)
})

test('options edited in place are validated at the next step, and a fixed edit steps again', (t) => {
  const p = new Parameter(Float32Array.of(1, 2), [2])
  p.grad.fill(1)
  const optimizer = new Adam([p], { lr: 0.1, backend: 'native' })
  optimizer.step()
  const group = optimizer.paramGroups[0] as unknown as { betas: number[]; lr: number }
  group.betas[0] = 1.5
  t.throws(() => optimizer.step(), { instanceOf: RangeError, message: /betas/ })
  group.betas[0] = 0.9
  group.lr = -1
  t.throws(() => optimizer.step(), { instanceOf: RangeError, message: /lr/ })
  group.lr = 0.1
  const before = [...p.data]
  optimizer.step()
  t.notDeepEqual([...p.data], before)
  t.is(optimizer.stateOf(p)?.scalars.step, 2)
})

test('predictions are written into memory JavaScript owns, and an output of the wrong length is refused', (t) => {
  const a = addon()
  const network = Uint32Array.of(2, 2, 1, 0, 1) // 2 → 1, identity output
  const params = Float32Array.of(0.5, -1, 0.25) // weight [1, 2], bias [1]
  const x = Float32Array.of(1, 2, 3, 4)
  const out = new Float32Array(2)
  a.predictF32(network, params, x, out)
  t.deepEqual([...out], [0.5 - 2 + 0.25, 1.5 - 4 + 0.25])
  t.throws(() => a.predictF32(network, params, x, new Float32Array(3)), {
    message: /out: expected 2 values for 2 rows, got 3/,
  })
})
