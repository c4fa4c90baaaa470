/**
 * What fitAsync promises: the results of fit, bit for bit, on both backends (schedulers per
 * batch and per epoch, ReduceLROnPlateau, non-finite gradients); an event loop that keeps
 * running meanwhile; an abort that leaves the model and optimizer as a run of exactly the
 * batches done; no second fit while one runs; a failure or panic on the training thread that
 * rejects the promise and leaves Node running; many fits at once on many models.
 */
import test, { type ExecutionContext } from 'ava'
import { addon } from '../src/backend/native.js'
import {
  Adam,
  CosineAnnealingLR,
  DescentError,
  type FitHistory,
  type LRScheduler,
  MLP,
  type Model,
  type Optimizer,
  ReduceLROnPlateau,
  RMSprop,
  Rng,
  SGD,
  StepLR,
  type Tensor,
  tensor,
} from '../src/index.js'
import { BACKENDS, observe, pick, randomData } from './helpers/models.js'

// biome-ignore lint/suspicious/noExplicitAny: any optimizer
type AnyOptimizer = Optimizer<any>

/** A model, its optimizer and scheduler, and the data and fit options to train them with. */
interface Setup {
  readonly model: Model
  readonly optimizer: AnyOptimizer
  readonly scheduler?: LRScheduler | ReduceLROnPlateau
  readonly x: Tensor
  readonly y: Tensor
  readonly options: {
    epochs: number
    batchSize: number
    shuffle: boolean
    seed: number
    schedulerStep?: 'epoch' | 'batch'
  }
}

interface EqualityCase {
  readonly name: string
  setup(backend: 'native' | 'js'): Setup
}

/**
 * A network big enough that an epoch of batches of 8 over 3000 rows takes tens of ms on the
 * backend, so timers and aborts land while it trains.
 */
const slowSizes = (backend: 'native' | 'js') => (backend === 'native' ? [100, 256, 10] : [40, 64, 10])

const blobs = (dtype: 'float32' | 'float64' = 'float32') => randomData([5, 8, 3], 'softmax', dtype, 100, 4)

/** Rows 0..7 of a [2 → 3] net whose logits overflow f32 on row 5: a NaN gradient in its batch. */
function overflow(backend: 'native' | 'js', onNonFinite: 'throw' | 'skip'): Setup {
  const x = tensor(
    Float32Array.from({ length: 16 }, (_, i) => (i >> 1 === 5 ? 3e38 : (i % 5) / 5)),
    [8, 2],
  )
  const y = tensor(Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]))
  const model = new MLP({ sizes: [2, 3], seed: 1, backend })
  model.parameters()[0]?.data.fill(1)
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.5, onNonFinite })
  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.9 })
  const options = { epochs: 2, batchSize: 2, shuffle: false, seed: 0, schedulerStep: 'batch' as const }
  return { model, optimizer, scheduler, x, y, options }
}

const EQUALITY_CASES: readonly EqualityCase[] = [
  {
    name: 'Adam, CosineAnnealingLR per batch, shuffled',
    setup(backend) {
      const model = new MLP({ sizes: [5, 8, 3], seed: 3, backend })
      const optimizer = new Adam(model.parameters(), { lr: 0.02 })
      const scheduler = new CosineAnnealingLR(optimizer, { tMax: 10 })
      const options = { epochs: 3, batchSize: 16, shuffle: true, seed: 7, schedulerStep: 'batch' as const }
      return { model, optimizer, scheduler, ...blobs(), options }
    },
  },
  {
    name: 'Adam, ReduceLROnPlateau on the epoch loss',
    setup(backend) {
      const model = new MLP({ sizes: [5, 8, 3], seed: 3, backend })
      const optimizer = new Adam(model.parameters(), { lr: 0.5 })
      const scheduler = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 })
      return {
        model,
        optimizer,
        scheduler,
        ...blobs(),
        options: { epochs: 4, batchSize: 16, shuffle: true, seed: 7 },
      }
    },
  },
  {
    name: 'float64 SGD with momentum, StepLR per epoch, in order, last batch smaller',
    setup(backend) {
      const model = new MLP({ sizes: [5, 8, 3], seed: 3, dtype: 'float64', backend })
      const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 })
      const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.5 })
      const options = { epochs: 3, batchSize: 30, shuffle: false, seed: 0 }
      return { model, optimizer, scheduler, ...blobs('float64'), options }
    },
  },
  { name: "onNonFinite 'skip': the bad batches skipped", setup: (backend) => overflow(backend, 'skip') },
  { name: "onNonFinite 'throw': stops at the bad batch", setup: (backend) => overflow(backend, 'throw') },
]

/** Everything fit leaves behind, and what it returned or threw; `predicted` is predict(x) in each onEpoch. */
async function outcome(s: Setup, train: (onEpoch: () => void) => FitHistory | Promise<FitHistory>) {
  const predicted: Tensor[] = []
  let result: FitHistory | string
  try {
    result = await train(() => predicted.push(s.model.predict(s.x)))
  } catch (error) {
    result = `${(error as Error).constructor.name}: ${(error as Error).message}`
  }
  return { result, predicted, ...observe(s.model, s.optimizer), scheduler: s.scheduler?.stateDict() }
}

for (const backend of BACKENDS) {
  for (const c of EQUALITY_CASES) {
    test(`${backend}: fitAsync equals fit bit for bit: ${c.name}`, async (t) => {
      const a = c.setup(backend)
      const b = c.setup(backend)
      const fitted = await outcome(a, (onEpoch) =>
        a.model.fit(a.x, a.y, { optimizer: a.optimizer, scheduler: a.scheduler, ...a.options, onEpoch }),
      )
      const awaited = await outcome(b, (onEpoch) =>
        b.model.fitAsync(b.x, b.y, { optimizer: b.optimizer, scheduler: b.scheduler, ...b.options, onEpoch }),
      )
      t.deepEqual(awaited, fitted)
      t.false(b.model.training)
    })
  }

  // Serial: alone, so no synchronous fit of another test holds the event loop meanwhile.
  test.serial(`${backend}: onEpoch runs per epoch while the event loop keeps ticking`, async (t) => {
    const sizes = slowSizes(backend)
    const { x, y } = randomData(sizes, 'softmax', 'float32', 3000, 5)
    const model = new MLP({ sizes, seed: 1, backend })
    const optimizer = new Adam(model.parameters(), { lr: 0.001 })
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const seen: [number, number, boolean][] = []
    const ticksAt: number[] = []
    try {
      const history = await model.fitAsync(x, y, {
        optimizer,
        epochs: 4,
        batchSize: 8,
        onEpoch: (epoch, loss) => {
          seen.push([epoch, loss, model.training])
          ticksAt.push(ticks)
        },
      })
      t.deepEqual(
        seen,
        history.loss.map((loss, epoch) => [epoch, loss, true]),
      )
    } finally {
      clearInterval(timer)
    }
    t.log(`timer ticks at the end of each epoch: ${ticksAt.join(', ')}`)
    t.true((ticksAt[3] as number) > (ticksAt[0] as number), 'the timer fired while epochs 1 to 3 trained')
  })

  // Serial, so the abort's timer fires on time and mostly lands inside epoch 1; wherever it lands,
  // the state must be that of the batches done.
  test.serial(
    `${backend}: abort mid-epoch leaves model and optimizer as a run of exactly the batches done`,
    async (t) => {
      const rows = 3000
      const batchSize = 8
      const perEpoch = Math.ceil(rows / batchSize)
      const epochs = 3
      const sizes = slowSizes(backend)
      const { x, y } = randomData(sizes, 'softmax', 'float32', rows, 6)
      const build = () => {
        const model = new MLP({ sizes, seed: 2, backend })
        const optimizer = new Adam(model.parameters(), { lr: 0.001 })
        return { model, optimizer, scheduler: new StepLR(optimizer, { stepSize: 50, gamma: 0.9 }) }
      }
      const a = build()
      const controller = new AbortController()
      const losses: number[] = []
      const aborted = await t.throwsAsync(
        a.model.fitAsync(x, y, {
          optimizer: a.optimizer,
          scheduler: a.scheduler,
          schedulerStep: 'batch',
          epochs,
          batchSize,
          seed: 9,
          signal: controller.signal,
          onEpoch: (epoch, loss) => {
            losses.push(loss)
            if (epoch === 0) setTimeout(() => controller.abort(), 3) // meant to land while epoch 1 trains
          },
        }),
        { any: true }, // a DOMException is no Error
      )
      t.is((aborted as Error).name, 'AbortError')
      t.false(a.model.training)
      const steps = a.optimizer.stateOf(a.model.parameters()[0] as never)?.scalars.step as number
      t.log(
        `aborted after ${steps % perEpoch} of epoch ${Math.floor(steps / perEpoch)}'s ${perEpoch} batches`,
      )
      t.true(steps >= perEpoch && steps < epochs * perEpoch)
      t.is(
        losses.length,
        Math.floor(steps / perEpoch),
        'finished epochs reached onEpoch, the aborted one did not',
      )
      // The same batches by hand, in fit's shuffled orders.
      const b = build()
      const rng = new Rng(9)
      const orders = Array.from({ length: epochs }, () => rng.permutation(rows))
      for (let k = 0; k < steps; k++) {
        const order = orders[Math.floor(k / perEpoch)] as Uint32Array
        const from = (k % perEpoch) * batchSize
        const batch = order.subarray(from, Math.min(from + batchSize, rows))
        b.model.forwardBackward(pick(x, batch), pick(y, batch))
        b.optimizer.step()
        b.scheduler.step()
      }
      t.deepEqual(observe(a.model, a.optimizer), observe(b.model, b.optimizer))
      t.deepEqual(a.scheduler.stateDict(), b.scheduler.stateDict())
    },
  )

  test(`${backend}: an aborted signal rejects with its reason; already aborted, nothing changes`, async (t) => {
    const { x, y } = blobs()
    const model = new MLP({ sizes: [5, 8, 3], seed: 3, backend })
    const optimizer = new Adam(model.parameters(), { lr: 0.01 })
    const before = observe(model, optimizer)
    const reason = new Error('stop now')
    await t.throwsAsync(model.fitAsync(x, y, { optimizer, signal: AbortSignal.abort(reason) }), {
      is: reason,
    })
    t.deepEqual(observe(model, optimizer), before)
    const controller = new AbortController()
    const history = await model
      .fitAsync(x, y, {
        optimizer,
        epochs: 5,
        signal: controller.signal,
        onEpoch: (epoch) => epoch === 1 && controller.abort(),
      })
      .catch((error: Error) => error)
    t.is((history as Error).name, 'AbortError', 'aborted in onEpoch: stops before the next epoch')
    const steps = optimizer.stateOf(model.parameters()[0] as never)?.scalars.step
    t.is(steps, 2 * Math.ceil(100 / 32))
  })

  test(`${backend}: while fitAsync runs, fit, fitAsync, forwardBackward and optimizer.step are refused`, async (t) => {
    const { x, y } = blobs()
    const model = new MLP({ sizes: [5, 8, 3], seed: 3, backend })
    const optimizer = new Adam(model.parameters(), { lr: 0.01 })
    const running = model.fitAsync(x, y, { optimizer, epochs: 3 })
    t.true(model.training)
    const refusals = [
      t.throws(() => model.fit(x, y, { optimizer })),
      await t.throwsAsync(model.fitAsync(x, y, { optimizer })),
      t.throws(() => model.forwardBackward(x, y)),
      t.throws(() => optimizer.step()),
      t.throws(() => optimizer.loadStateDict(optimizer.stateDict())),
    ]
    t.deepEqual(
      refusals.map((e) => [e?.constructor, e?.message]),
      [
        [DescentError, 'MLP.fit: this model is already training; wait for the running fit to finish'],
        [DescentError, 'MLP.fitAsync: this model is already training; wait for the running fit to finish'],
        [
          DescentError,
          'MLP.forwardBackward: this model is already training; wait for the running fit to finish',
        ],
        [DescentError, 'Adam.step: this optimizer is training a model (MLP.fitAsync); wait for it to finish'],
        [
          DescentError,
          'Adam.loadStateDict: this optimizer is training a model (MLP.fitAsync); wait for it to finish',
        ],
      ],
    )
    t.is(model.predict(x).shape[0], 100, 'predict is allowed')
    t.is((await running).loss.length, 3)
    t.false(model.training)
    optimizer.step()
    t.is((await model.fitAsync(x, y, { optimizer })).loss.length, 1, 'fitAsync works again afterwards')
  })

  test(`${backend}: bad arguments reject, like fit's, before anything changes`, async (t) => {
    const { x, y } = blobs()
    const model = new MLP({ sizes: [5, 8, 3], seed: 3, backend })
    const optimizer = new Adam(model.parameters(), { lr: 0.01 })
    const before = observe(model, optimizer)
    const cases: [object, ErrorConstructor, RegExp][] = [
      [{ optimizer, batchSize: 0 }, RangeError, /^MLP\.fitAsync: batchSize must be an integer >= 1, got 0$/],
      [{ optimizer, signal: {} }, TypeError, /^MLP\.fitAsync: signal must be an AbortSignal, got/],
      [{ optimizer, verbose: 1 }, TypeError, /^MLP\.fitAsync: verbose must be/],
      [{ optimizer, batch_size: 8 }, TypeError, /^MLP\.fitAsync: unknown option 'batch_size'/],
    ]
    for (const [options, type, message] of cases) {
      const error = await t.throwsAsync(model.fitAsync(x, y, options as never), { instanceOf: type })
      t.regex(error?.message ?? '', message)
    }
    await t.throwsAsync(model.fitAsync(x, tensor(y.data.slice(1)), { optimizer }), {
      message: /MLP\.fitAsync: y has 99 rows but x has 100/,
    })
    t.deepEqual(observe(model, optimizer), before)
    t.false(model.training)
  })
}

/** A native fitAsync whose second run fails on the training thread as `fail` arranges. */
async function failSecondRun(t: ExecutionContext, fail: (setup: Setup) => () => void) {
  const a = EQUALITY_CASES[0]?.setup('native') as Setup
  const restore = fail(a)
  let history: FitHistory | undefined
  const error = await t.throwsAsync(
    a.model.fitAsync(a.x, a.y, {
      optimizer: a.optimizer,
      scheduler: a.scheduler,
      ...a.options,
      onEpoch: () => {
        history = { loss: [] }
      },
    }),
  )
  restore()
  t.truthy(history, 'the first epoch finished')
  t.false(a.model.training)
  // The model, optimizer and scheduler are as after that one epoch.
  const b = EQUALITY_CASES[0]?.setup('native') as Setup
  b.model.fit(b.x, b.y, { optimizer: b.optimizer, scheduler: b.scheduler, ...b.options, epochs: 1 })
  t.deepEqual(observe(a.model, a.optimizer), observe(b.model, b.optimizer))
  t.deepEqual(a.scheduler?.stateDict(), b.scheduler?.stateDict())
  // Node is still running and the model trains on.
  t.is((await a.model.fitAsync(a.x, a.y, { optimizer: a.optimizer })).loss.length, 1)
  return error
}

test.serial(
  'native: a run the training thread rejects (mismatched lengths) rejects fitAsync; state as after the last good epoch',
  async (t) => {
    const error = await failSecondRun(t, ({ optimizer }) => {
      const planSteps = optimizer.planSteps.bind(optimizer)
      let calls = 0
      optimizer.planSteps = (steps, beforeStep) => {
        const plan = planSteps(steps, beforeStep)
        // Skip the constructor-time check (0 steps) and the first epoch; cut one scalar off the second's.
        return steps > 0 && ++calls === 2 ? { ...plan, scalars: plan.scalars.subarray(1) } : plan
      }
      return () => {
        optimizer.planSteps = planSteps
      }
    })
    t.true(error instanceof RangeError)
    t.regex(error?.message ?? '', /^scalars: expected 308 values \(7 steps × 44\), got 307$/)
  },
)

test.serial('native: a panic on the training thread rejects fitAsync and Node keeps running', async (t) => {
  const Job = addon?.TrainingJobF32 as NonNullable<typeof addon>['TrainingJobF32']
  const run = Job.prototype.run
  const error = await failSecondRun(t, () => {
    let calls = 0
    Job.prototype.run = function (this: InstanceType<typeof Job>, ...args: Parameters<typeof run>) {
      if (++calls === 2) this.debugPanicNextRun()
      return run.apply(this, args)
    }
    return () => {
      Job.prototype.run = run
    }
  })
  t.true(error instanceof DescentError)
  t.is((error as DescentError).code, 'DESCENT_PANIC')
  t.regex(error?.message ?? '', /debugPanicNextRun/)
})

test('native: 8 fitAsync on 8 models at once all finish and match their sequential fits', async (t) => {
  const { x, y } = randomData([20, 32, 4], 'softmax', 'float32', 600, 8)
  const build = (i: number) => {
    const model = new MLP({ sizes: [20, 32, 4], seed: i, backend: 'native' })
    const optimizer =
      i % 2 === 0
        ? new Adam(model.parameters(), { lr: 0.01 })
        : new RMSprop(model.parameters(), { lr: 0.001 })
    return { model, optimizer, options: { epochs: 3, batchSize: 16, seed: 100 + i } }
  }
  const concurrent = Array.from({ length: 8 }, (_, i) => build(i))
  const histories = await Promise.all(
    concurrent.map((m) => m.model.fitAsync(x, y, { optimizer: m.optimizer, ...m.options })),
  )
  concurrent.forEach((m, i) => {
    const s = build(i)
    const history = s.model.fit(x, y, { optimizer: s.optimizer, ...s.options })
    t.deepEqual(histories[i], history)
    t.deepEqual(observe(m.model, m.optimizer), observe(s.model, s.optimizer))
  })
})

for (const backend of BACKENDS) {
  test(`${backend}: a model's later fitAsync calls (its training thread and buffers kept) train their own data exactly as fit`, async (t) => {
    const build = () => {
      const model = new MLP({ sizes: [5, 8, 3], seed: 6, backend })
      return { model, optimizer: new Adam(model.parameters(), { lr: 0.01 }) }
    }
    const data = [0, 1, 2].map((k) => randomData([5, 8, 3], 'softmax', 'float32', 40 + 10 * k, 20 + k))
    const a = build()
    const b = build()
    for (const { x, y } of data) {
      const options = { epochs: 2, batchSize: 8, seed: 1 }
      t.deepEqual(
        (await a.model.fitAsync(x, y, { ...options, optimizer: a.optimizer })).loss,
        b.model.fit(x, y, { ...options, optimizer: b.optimizer }).loss,
      )
    }
    t.deepEqual(observe(a.model, a.optimizer), observe(b.model, b.optimizer))
  })
}
