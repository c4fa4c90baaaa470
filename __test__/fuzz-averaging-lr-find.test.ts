import test from 'ava'
import fc from 'fast-check'
import { Adam, AveragedModel, lrFind, MLP, type Model, tensor } from '../src/index.js'
import { fingerprint } from './helpers/fingerprint.js'
import { budget, detach, expectCleanFailure, summary, weird } from './helpers/fuzz.js'

// Property tests over AveragedModel and lrFind. AveragedModel: any options build one or are
// refused by name; any sequence of updates, weight changes and detached buffers either averages
// or throws a TypeError naming the buffer with the average untouched. lrFind: any options either
// run or are refused by name, and either way the model and the optimizer end as they began.
// Budget: 3 properties, 700 cases.

// A detached buffer reads as empty (iterating one throws).
const weights = (m: Model) => m.parameters().map((p) => (p.data.length === 0 ? [] : Array.from(p.data)))

test('AveragedModel: any options build one or are refused by name', (t) => {
  let threw = 0
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom('decay', 'mode', 'n'), weird), (options) => {
      const model = new MLP({ sizes: [2, 3], backend: 'js' })
      if (
        expectCleanFailure(
          () => new AveragedModel(model, options as never),
          () => weights(model),
          Object.keys(options),
        )
      )
        threw++
    }),
    budget(50, 200),
  )
  t.log(summary(200, threw))
  t.pass()
})

type Action =
  | { kind: 'update' }
  | { kind: 'move'; by: number }
  | { kind: 'detach'; which: 'model' | 'module'; at: number }

test('AveragedModel: updates average, or throw naming a detached buffer and change nothing', (t) => {
  let threw = 0
  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.constant({ kind: 'update' as const }),
    fc.record({ kind: fc.constant('move' as const), by: fc.double({ min: -2, max: 2, noNaN: true }) }),
    fc.record({
      kind: fc.constant('detach' as const),
      which: fc.constantFrom('model' as const, 'module' as const),
      at: fc.nat(3),
    }),
  )
  fc.assert(
    fc.property(
      fc.constantFrom(undefined, 0.5, 0.99),
      fc.constantFrom('float32' as const, 'float64' as const),
      fc.constantFrom('native' as const, 'js' as const),
      fc.array(action, { minLength: 1, maxLength: 12 }),
      (decay, dtype, backend, actions) => {
        const model = new MLP({ sizes: [3, 4, 2], dtype, backend, seed: 2 })
        const averaged = new AveragedModel(model, decay === undefined ? {} : { decay })
        for (const a of actions) {
          if (a.kind === 'move') {
            for (const p of model.parameters())
              for (let i = 0; i < p.data.length; i++) p.data[i] = (p.data[i] as number) + a.by * i
          } else if (a.kind === 'detach') {
            const owner = a.which === 'model' ? model : averaged.module
            const p = owner.parameters()[a.at % owner.parameters().length]
            if (p && p.data.buffer.byteLength > 0) detach(p.data.buffer)
          } else {
            const observe = () => ({ module: weights(averaged.module), n: averaged.nAveraged })
            if (expectCleanFailure(() => averaged.update(), observe, [/model|module/])) threw++
            else if (averaged.module.parameters().some((p) => p.data.some((v) => !Number.isFinite(v))))
              throw new Error('an update wrote a non-finite average from finite weights')
          }
        }
      },
    ),
    budget(51, 250),
  )
  t.log(`250 cases; ${threw} updates threw cleanly`)
  t.pass()
})

test('lrFind: any options run or are refused by name, and the model and optimizer end as they began', (t) => {
  let threw = 0
  const x = tensor(
    Float32Array.from({ length: 40 * 3 }, (_, i) => Math.sin(i)),
    [40, 3],
  )
  const y = tensor(
    Int32Array.from({ length: 40 }, (_, i) => i % 2),
    [40],
  )
  const keys = ['start', 'end', 'steps', 'batchSize', 'seed', 'divergeFactor'] as const
  fc.assert(
    fc.property(
      fc.dictionary(fc.constantFrom(...keys, 'lr'), fc.oneof(weird, fc.constantFrom(1e-5, 0.1, 1, 3, 8, 16))),
      fc.constantFrom('native' as const, 'js' as const),
      (options, backend) => {
        const model = new MLP({ sizes: [3, 5, 2], backend, seed: 1 })
        const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
        // A step first, so the optimizer has state to keep.
        model.forwardBackward(x, y)
        optimizer.step()
        const observe = () => ({ w: weights(model), o: fingerprint(optimizer.stateDict()) })
        const before = fingerprint(observe())
        if (
          expectCleanFailure(
            () => lrFind(model, x, y, { ...(options as object), optimizer }),
            observe,
            Object.keys(options),
          )
        )
          threw++
        else if (fingerprint(observe()) !== before)
          throw new Error('lrFind changed the model or the optimizer')
      },
    ),
    budget(52, 250),
  )
  t.log(summary(250, threw))
  t.pass()
})
