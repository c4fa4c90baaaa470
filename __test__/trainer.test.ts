/**
 * What `Trainer` promises: batches trained through it give exactly what `fit` gives over each
 * of them in turn (both backends, several optimizers, per-step and per-body schedulers,
 * non-finite gradients skipped or thrown); `sync` and `close` write back a consistent state;
 * the queue refuses when full and rejects what waits on close; the model and optimizer refuse
 * other training while it is open; a failure on the training side rejects what is pending and
 * leaves Node running; predictions during training come from whole steps.
 */
import test, { type ExecutionContext } from 'ava'
import {
  Adam,
  AdamW,
  AdamWScheduleFree,
  DescentError,
  ExponentialLR,
  type LRScheduler,
  MLP,
  type Model,
  OneCycleLR,
  type Optimizer,
  ReduceLROnPlateau,
  RMSprop,
  SGD,
  StepLR,
  type Tensor,
  type TrainResult,
  tensor,
} from '../src/index.js'
import { BACKENDS, observe, randomData, rows } from './helpers/models.js'

// biome-ignore lint/suspicious/noExplicitAny: any optimizer
type AnyOptimizer = Optimizer<any>

interface Setup {
  readonly model: Model
  readonly optimizer: AnyOptimizer
  readonly scheduler?: LRScheduler | ReduceLROnPlateau
  readonly schedulerStep: 'batch' | 'epoch'
  readonly batchSize: number
  /** The bodies, trained in this order. */
  readonly bodies: readonly { x: Tensor; y: Tensor }[]
}

/** Splits `x`, `y` into bodies of these row counts (partial last steps included on purpose). */
function split(x: Tensor, y: Tensor, sizes: readonly number[]) {
  let at = 0
  return sizes.map((n) => {
    const body = { x: rows(x, at, at + n), y: rows(y, at, at + n) }
    at += n
    return body
  })
}

interface Case {
  readonly name: string
  setup(backend: 'native' | 'js'): Setup
}

/** Rows whose logits overflow f32 in a [2 → 3] net: a NaN gradient in their step. */
function overflowing(
  backend: 'native' | 'js',
  onNonFinite: 'skip' | 'throw',
  schedulerStep: 'batch' | 'epoch',
): Setup {
  const x = tensor(
    Float32Array.from({ length: 32 }, (_, i) => (i >> 1 === 5 || i >> 1 === 12 ? 3e38 : (i % 5) / 5)),
    [16, 2],
  )
  const y = tensor(Int32Array.from({ length: 16 }, (_, i) => i % 3))
  const model = new MLP({ sizes: [2, 3], seed: 1, backend })
  model.parameters()[0]?.data.fill(1)
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.5, onNonFinite })
  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.9 })
  return { model, optimizer, scheduler, schedulerStep, batchSize: 2, bodies: split(x, y, [7, 4, 5]) }
}

const CASES: readonly Case[] = [
  {
    name: 'AdamW, OneCycleLR per step, f32',
    setup(backend) {
      const model = new MLP({ sizes: [6, 12, 3], seed: 3, activation: 'relu', backend })
      const optimizer = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.01 })
      const scheduler = new OneCycleLR(optimizer, { maxLr: 0.05, totalSteps: 40 })
      const { x, y } = randomData([6, 12, 3], 'softmax', 'float32', 150, 4)
      return {
        model,
        optimizer,
        scheduler,
        schedulerStep: 'batch',
        batchSize: 8,
        bodies: split(x, y, [40, 33, 8, 69]),
      }
    },
  },
  {
    name: 'SGD Nesterov, StepLR per body, f64',
    setup(backend) {
      const model = new MLP({ sizes: [5, 7, 4], seed: 8, dtype: 'float64', backend })
      const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true })
      const scheduler = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 })
      const { x, y } = randomData([5, 7, 4], 'softmax', 'float64', 90, 5)
      return {
        model,
        optimizer,
        scheduler,
        schedulerStep: 'epoch',
        batchSize: 16,
        bodies: split(x, y, [16, 30, 1, 43]),
      }
    },
  },
  {
    name: 'RMSprop centered, regression outputs, no scheduler',
    setup(backend) {
      const model = new MLP({ sizes: [3, 9, 2], output: 'identity', seed: 2, backend })
      const optimizer = new RMSprop(model.parameters(), { lr: 1e-3, centered: true, momentum: 0.3 })
      const { x, y } = randomData([3, 9, 2], 'identity', 'float32', 60, 6)
      return { model, optimizer, schedulerStep: 'batch', batchSize: 10, bodies: split(x, y, [25, 35]) }
    },
  },
  {
    name: 'Adam, ExponentialLR per step, batch larger than the bodies',
    setup(backend) {
      const model = new MLP({ sizes: [4, 5, 3], seed: 9, backend })
      const optimizer = new Adam(model.parameters(), { lr: 3e-3, amsgrad: true })
      const scheduler = new ExponentialLR(optimizer, { gamma: 0.97 })
      const { x, y } = randomData([4, 5, 3], 'softmax', 'float32', 30, 7)
      return {
        model,
        optimizer,
        scheduler,
        schedulerStep: 'batch',
        batchSize: 64,
        bodies: split(x, y, [10, 12, 8]),
      }
    },
  },
  { name: 'non-finite gradients skipped, StepLR per step', setup: (b) => overflowing(b, 'skip', 'batch') },
  { name: 'non-finite gradients skipped, StepLR per body', setup: (b) => overflowing(b, 'skip', 'epoch') },
  { name: 'non-finite gradients thrown, StepLR per step', setup: (b) => overflowing(b, 'throw', 'batch') },
]

type Outcome = { loss: number } | { error: string }

/** What `fit` does over each body in turn: its loss, or the error it threw. */
function fitEach(s: Setup): Outcome[] {
  return s.bodies.map(({ x, y }) => {
    try {
      const history = s.model.fit(x, y, {
        optimizer: s.optimizer,
        batchSize: s.batchSize,
        shuffle: false,
        scheduler: s.scheduler,
        schedulerStep: s.schedulerStep,
      })
      return { loss: history.loss[0] as number }
    } catch (error) {
      return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` }
    }
  })
}

function outcomeOf(settled: PromiseSettledResult<TrainResult>): Outcome {
  if (settled.status === 'fulfilled') return { loss: settled.value.loss }
  const error = settled.reason as Error
  return { error: `${error.constructor.name}: ${error.message}` }
}

function everything(s: Setup) {
  return { ...observe(s.model, s.optimizer), scheduler: s.scheduler?.stateDict() }
}

function openTrainer(s: Setup, queueLimit = 32) {
  return s.model.trainer({
    optimizer: s.optimizer,
    batchSize: s.batchSize,
    scheduler: s.scheduler,
    schedulerStep: s.schedulerStep,
    queueLimit,
  })
}

function sameOutcomes(t: ExecutionContext, got: Outcome[], expected: Outcome[]): void {
  t.is(got.length, expected.length)
  expected.forEach((e, i) => {
    const g = got[i] as Outcome
    if ('error' in e)
      t.is('error' in g ? g.error : `resolved ${(g as { loss: number }).loss}`, e.error, `body ${i}`)
    else t.true('loss' in g && Object.is(g.loss, e.loss), `body ${i}: loss ${JSON.stringify(g)} vs ${e.loss}`)
  })
}

for (const backend of BACKENDS) {
  for (const c of CASES) {
    test(`${backend}: ${c.name}: all bodies queued at once = fit over each in turn, bit for bit`, async (t) => {
      const reference = c.setup(backend)
      const expected = fitEach(reference)
      const s = c.setup(backend)
      const trainer = openTrainer(s)
      const settled = await Promise.allSettled(s.bodies.map((b) => trainer.train(b.x, b.y)))
      await trainer.close()
      sameOutcomes(t, settled.map(outcomeOf), expected)
      t.deepEqual(everything(s), everything(reference))
    })

    test(`${backend}: ${c.name}: one body per call, awaited, then sync = fit`, async (t) => {
      const reference = c.setup(backend)
      const expected = fitEach(reference)
      const s = c.setup(backend)
      const trainer = openTrainer(s)
      const got: Outcome[] = []
      for (const b of s.bodies)
        got.push(
          outcomeOf(
            (await Promise.allSettled([trainer.train(b.x, b.y)]))[0] as PromiseSettledResult<TrainResult>,
          ),
        )
      await trainer.sync()
      sameOutcomes(t, got, expected)
      t.deepEqual(everything(s), everything(reference))
      await trainer.close()
      t.deepEqual(everything(s), everything(reference), 'close after sync changes nothing')
    })
  }

  test(`${backend}: sync mid-stream writes back the state after the batches queued before it`, async (t) => {
    const c = CASES[0] as Case
    const reference = c.setup(backend)
    const s = c.setup(backend)
    const trainer = openTrainer(s)
    const first = s.bodies.slice(0, 2).map((b) => trainer.train(b.x, b.y))
    const synced = trainer.sync()
    const later = s.bodies.slice(2).map((b) => trainer.train(b.x, b.y))
    await synced
    fitEach({ ...reference, bodies: reference.bodies.slice(0, 2) })
    t.deepEqual(everything(s), everything(reference))
    await Promise.all([...first, ...later])
    await trainer.close()
    fitEach({ ...reference, bodies: reference.bodies.slice(2) })
    t.deepEqual(everything(s), everything(reference))
  })

  test(`${backend}: close finishes the batch in flight, rejects the waiting ones with DESCENT_CLOSED, and matches fit over those done`, async (t) => {
    const c = CASES[1] as Case
    const s = c.setup(backend)
    const trainer = openTrainer(s)
    const promises = s.bodies.map((b) => trainer.train(b.x, b.y))
    const closed = trainer.close()
    const settled = await Promise.allSettled(promises)
    await closed
    const done = settled.findIndex((r) => r.status === 'rejected')
    const count = done < 0 ? settled.length : done
    for (const r of settled.slice(count)) {
      t.is(r.status, 'rejected')
      t.is(((r as PromiseRejectedResult).reason as DescentError).code, 'DESCENT_CLOSED')
    }
    const reference = c.setup(backend)
    fitEach({ ...reference, bodies: reference.bodies.slice(0, count) })
    t.deepEqual(everything(s), everything(reference))
    await t.throwsAsync(trainer.train((s.bodies[0] as { x: Tensor }).x, (s.bodies[0] as { y: Tensor }).y), {
      instanceOf: DescentError,
      message: /closed/,
    })
    // The model is free again.
    s.model.fit((s.bodies[0] as { x: Tensor }).x, (s.bodies[0] as { y: Tensor }).y, {
      optimizer: s.optimizer,
    })
    t.false(s.model.training)
  })

  test(`${backend}: a full queue refuses at once with DESCENT_QUEUE_FULL`, async (t) => {
    const s = (CASES[0] as Case).setup(backend)
    const trainer = openTrainer(s, 1)
    const body = s.bodies[0] as { x: Tensor; y: Tensor }
    const accepted = [trainer.train(body.x, body.y), trainer.train(body.x, body.y)]
    t.is(trainer.pending, 2)
    const error = await t.throwsAsync(trainer.train(body.x, body.y), { instanceOf: DescentError })
    t.is((error as DescentError).code, 'DESCENT_QUEUE_FULL')
    t.regex((error as Error).message, /queueLimit 1/)
    const results = await Promise.all(accepted)
    t.deepEqual(
      results.map((r) => r.step),
      [5, 10],
    )
    t.is(trainer.metrics().steps, 10)
    t.is(trainer.pending, 0)
    await trainer.close()
  })

  test(`${backend}: while a trainer is open the model and optimizer refuse other training with DESCENT_BUSY`, async (t) => {
    const s = (CASES[0] as Case).setup(backend)
    const body = s.bodies[0] as { x: Tensor; y: Tensor }
    const trainer = openTrainer(s)
    const busy = { instanceOf: DescentError, message: /open trainer|training a model/ }
    t.throws(() => s.model.fit(body.x, body.y, { optimizer: s.optimizer }), busy)
    await t.throwsAsync(s.model.fitAsync(body.x, body.y, { optimizer: s.optimizer }), busy)
    t.throws(() => s.model.forwardBackward(body.x, body.y), busy)
    t.throws(() => s.model.trainer({ optimizer: s.optimizer }), busy)
    t.throws(() => s.optimizer.step(), { instanceOf: DescentError, message: /MLP\.trainer/ })
    t.throws(() => s.optimizer.loadStateDict(s.optimizer.stateDict()), { instanceOf: DescentError })
    for (const error of [
      t.throws(() => s.model.fit(body.x, body.y, { optimizer: s.optimizer })),
      t.throws(() => s.optimizer.step()),
    ])
      t.is((error as DescentError).code, 'DESCENT_BUSY')
    t.true(s.model.training)
    await trainer.train(body.x, body.y)
    await trainer.close()
    t.false(s.model.training)
    s.optimizer.step()
    t.pass()
  })

  test(`${backend}: a failure on the training side rejects what is pending with DESCENT_PANIC and Node keeps running`, async (t) => {
    const s = (CASES[0] as Case).setup(backend)
    const before = everything(s)
    const trainer = openTrainer(s)
    const body = s.bodies[0] as { x: Tensor; y: Tensor }
    trainer.debugFailNextBatch()
    const settled = await Promise.allSettled([trainer.train(body.x, body.y), trainer.train(body.x, body.y)])
    for (const r of settled) {
      t.is(r.status, 'rejected')
      t.is(((r as PromiseRejectedResult).reason as DescentError).code, 'DESCENT_PANIC')
    }
    await t.throwsAsync(trainer.train(body.x, body.y), {
      instanceOf: DescentError,
      message: /debugFail|panicked|failed/,
    })
    await t.throwsAsync(trainer.sync(), { instanceOf: DescentError })
    await trainer.close()
    if (backend === 'native')
      t.deepEqual(everything(s), before, 'the native state was lost with the thread; the model kept its own')
    t.false(s.model.training)
    s.model.fit(body.x, body.y, { optimizer: s.optimizer })
    t.pass()
  })

  test(`${backend}: bodies as JSON bytes, JSON strings and the binary layout train exactly as typed arrays`, async (t) => {
    const c = CASES[0] as Case
    const reference = c.setup(backend)
    const expected = fitEach(reference)
    const s = c.setup(backend)
    const trainer = openTrainer(s)
    const json = (b: { x: Tensor; y: Tensor }) => {
      const width = b.x.shape[1] as number
      const x = Array.from({ length: b.x.shape[0] as number }, (_, r) =>
        Array.from(b.x.data.subarray(r * width, (r + 1) * width)),
      )
      return JSON.stringify({ x, y: Array.from(b.y.data) })
    }
    const bodies = s.bodies
    const results = await Promise.all([
      trainer.trainJson(Buffer.from(json(bodies[0] as { x: Tensor; y: Tensor }))),
      trainer.trainJson(json(bodies[1] as { x: Tensor; y: Tensor })),
      trainer.trainBuffer(binary(bodies[2] as { x: Tensor; y: Tensor })),
      trainer.train((bodies[3] as { x: Tensor }).x, (bodies[3] as { y: Tensor }).y),
    ])
    await trainer.close()
    sameOutcomes(
      t,
      results.map((r) => ({ loss: r.loss })),
      expected,
    )
    t.deepEqual(everything(s), everything(reference))
  })

  test(`${backend}: bad bodies are refused with a TypeError or RangeError naming the field, and never reach the model`, async (t) => {
    const s = (CASES[0] as Case).setup(backend)
    const before = everything(s)
    const trainer = openTrainer(s)
    const row = Array.from({ length: 6 }, (_, i) => i / 10)
    const good = { x: [row, row], y: [0, 2] }
    const cases: [string, Promise<unknown>, ErrorConstructor, RegExp][] = [
      ['empty JSON', trainer.trainJson(''), TypeError, /body: empty/],
      ['not JSON', trainer.trainJson('{"x": ['), TypeError, /body: not valid JSON/],
      ['an array', trainer.trainJson('[1, 2]'), TypeError, /body: expected a JSON object/],
      ['unknown field', trainer.trainJson(JSON.stringify({ ...good, z: 1 })), TypeError, /unknown field "z"/],
      ['missing y', trainer.trainJson(JSON.stringify({ x: good.x })), TypeError, /y: missing/],
      [
        'short row',
        trainer.trainJson(JSON.stringify({ ...good, x: [row, row.slice(1)] })),
        RangeError,
        /x\[1\]: expected 6 numbers, got 5/,
      ],
      [
        'a string',
        trainer.trainJson(JSON.stringify({ ...good, x: [row, [...row.slice(1), '1']] })),
        TypeError,
        /x\[1\]\[5\]: expected a number/,
      ],
      [
        'f32 overflow',
        trainer.trainJson(`{"x": [[1e39,0,0,0,0,0]], "y": [0]}`),
        RangeError,
        /x\[0\]\[0\]: expected a finite number/,
      ],
      [
        'label range',
        trainer.trainJson(JSON.stringify({ ...good, y: [0, 3] })),
        RangeError,
        /y\[1\]: expected a class label/,
      ],
      [
        'label count',
        trainer.trainJson(JSON.stringify({ ...good, y: [0] })),
        RangeError,
        /y: expected 2 labels/,
      ],
      ['empty binary', trainer.trainBuffer(new Uint8Array(0)), RangeError, /body: empty/],
      ['short header', trainer.trainBuffer(new Uint8Array(5)), RangeError, /header: expected 8 bytes/],
      [
        'wrong cols',
        trainer.trainBuffer(header(1, 7)),
        RangeError,
        /header\.cols: expected 6 \(the model's inputs\), got 7/,
      ],
      [
        'wrong length',
        trainer.trainBuffer(header(2, 6)),
        RangeError,
        /body: the header says 2 rows × 6 cols, so the body must be 64 bytes/,
      ],
      [
        'NaN pixel',
        trainer.trainBuffer(binary(withValue(s.bodies[0] as { x: Tensor; y: Tensor }, 3, Number.NaN))),
        RangeError,
        /x\[0\]\[3\]: expected a finite number/,
      ],
      [
        'Infinity in x',
        trainer.train(
          withValue(s.bodies[0] as { x: Tensor; y: Tensor }, 8, Number.POSITIVE_INFINITY).x,
          (s.bodies[0] as { y: Tensor }).y,
        ),
        RangeError,
        /x\[1\]\[2\]: expected a finite number/,
      ],
    ]
    for (const [name, promise, kind, message] of cases) {
      const error = await t.throwsAsync(promise, { message }, name)
      t.true(error instanceof kind, `${name}: ${error?.constructor.name}`)
      t.regex((error as Error).message, /^Trainer\.train: /, name)
    }
    await t.throwsAsync(trainer.trainBuffer('x' as unknown as Uint8Array), {
      instanceOf: TypeError,
      message: /body must be a Buffer/,
    })
    await t.throwsAsync(trainer.train([1, 2] as unknown as Tensor, (s.bodies[0] as { y: Tensor }).y), {
      instanceOf: TypeError,
    })
    t.is(trainer.metrics().refused, cases.length)
    await trainer.close()
    t.deepEqual(everything(s), before)
  })

  test(`${backend}: predictions during training come from whole steps, never a half-written weight set`, async (t) => {
    // The predictions after every step of a reference run; every prediction made while the
    // trainer trains must be one of them.
    const sizes = backend === 'native' ? [200, 256, 10] : [30, 64, 4]
    const build = () => {
      const model = new MLP({ sizes, seed: 4, backend })
      return { model, optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) }
    }
    // Enough steps that training outlasts many polls even where a step takes tens of µs.
    const total = 6000
    const { x, y } = randomData(sizes, 'softmax', 'float32', total, 11)
    const probe = rows(x, 0, 3)
    const reference = build()
    const seen = new Set<string>([String(reference.model.predict(probe).data)])
    for (let at = 0; at < total; at += 16) {
      reference.model.fit(rows(x, at, at + 16), rows(y, at, at + 16), {
        optimizer: reference.optimizer,
        batchSize: 16,
        shuffle: false,
      })
      seen.add(String(reference.model.predict(probe).data))
    }
    const { model, optimizer } = build()
    const trainer = model.trainer({ optimizer, batchSize: 16, queueLimit: 1000 })
    const pending = Array.from({ length: total / 80 }, (_, k) =>
      trainer.train(rows(x, k * 80, (k + 1) * 80), rows(y, k * 80, (k + 1) * 80)),
    )
    let done = false
    const settled = Promise.allSettled(pending).then((results) => {
      done = true
      return results
    })
    let polls = 0
    const distinct = new Set<string>()
    while (!done) {
      const p = String(model.predict(probe).data)
      t.true(seen.has(p), `prediction ${polls} is not the output of any whole step`)
      distinct.add(p)
      polls++
      await new Promise((resolve) => setImmediate(resolve))
    }
    t.true((await settled).every((r) => r.status === 'fulfilled'))
    await trainer.close()
    t.true(seen.has(String(model.predict(probe).data)))
    t.true(
      distinct.size > 1,
      `predictions changed while training (${distinct.size} distinct in ${polls} polls)`,
    )
  })

  test(`${backend}: ReduceLROnPlateau is stepped by trainer.schedulerStep, and applies to batches queued after`, async (t) => {
    const s = (CASES[2] as Case).setup(backend)
    const plateau = new ReduceLROnPlateau(s.optimizer, { factor: 0.5, patience: 0 })
    const trainer = s.model.trainer({ optimizer: s.optimizer, batchSize: 8, scheduler: plateau })
    const body = s.bodies[0] as { x: Tensor; y: Tensor }
    await trainer.train(body.x, body.y)
    trainer.schedulerStep(1)
    trainer.schedulerStep(2)
    t.is(trainer.metrics().lr, s.optimizer.lr)
    t.is(s.optimizer.lr, 5e-4)
    await trainer.close()
    const other = (CASES[0] as Case).setup(backend)
    const t2 = other.model.trainer({ optimizer: other.optimizer, scheduler: other.scheduler })
    t.throws(() => t2.schedulerStep(1), { instanceOf: TypeError, message: /ReduceLROnPlateau/ })
    await t2.close()
  })
}

test('bad trainer options are refused before anything starts', (t) => {
  const s = (CASES[0] as Case).setup('native')
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    [undefined, TypeError, /options must be/],
    [{}, TypeError, /optimizer must be an Optimizer/],
    [{ optimizer: s.optimizer, batchSize: 0 }, RangeError, /batchSize must be an integer >= 1/],
    [{ optimizer: s.optimizer, queueLimit: -1 }, RangeError, /queueLimit/],
    [{ optimizer: s.optimizer, threads: 1.5 }, RangeError, /threads/],
    [{ optimizer: s.optimizer, schedulerStep: 'step' }, TypeError, /schedulerStep/],
    [{ optimizer: s.optimizer, batch_size: 3 }, TypeError, /unknown option 'batch_size'/],
    [
      { optimizer: new SGD(new MLP({ sizes: [6, 3] }).parameters(), { lr: 1 }) },
      RangeError,
      /exactly this model's parameters/,
    ],
    [{ optimizer: s.optimizer, scheduler: {} }, TypeError, /scheduler must be/],
  ]
  for (const [options, kind, message] of cases) {
    t.throws(() => s.model.trainer(options as never), { instanceOf: kind, message })
    t.false(s.model.training)
  }
})

/** The binary layout of a body. */
function binary({ x, y }: { x: Tensor; y: Tensor }): Buffer {
  const [n, cols] = x.shape as [number, number]
  const body = Buffer.alloc(8 + 4 * n * cols + 4 * n)
  body.writeUInt32LE(n, 0)
  body.writeUInt32LE(cols, 4)
  for (let i = 0; i < n * cols; i++) body.writeFloatLE(x.data[i] as number, 8 + 4 * i)
  for (let i = 0; i < n; i++) body.writeInt32LE(y.data[i] as number, 8 + 4 * n * cols + 4 * i)
  return body
}

function header(n: number, cols: number): Buffer {
  const body = Buffer.alloc(8)
  body.writeUInt32LE(n, 0)
  body.writeUInt32LE(cols, 4)
  return body
}

/** A copy of the body with x's value `at` replaced. */
function withValue(b: { x: Tensor; y: Tensor }, at: number, value: number) {
  const data = b.x.data.slice()
  data[at] = value
  return { x: tensor(data, b.x.shape), y: b.y }
}

for (const backend of BACKENDS) {
  test(`${backend}: a Schedule-Free optimizer trains in train mode and is left in eval mode, as one fit`, async (t) => {
    const make = () => {
      const model = new MLP({ sizes: [4, 5, 3], seed: 4, backend })
      const optimizer = new AdamWScheduleFree(model.parameters(), { lr: 1e-2, warmupSteps: 3 })
      return { model, optimizer }
    }
    const { x, y } = randomData([4, 5, 3], 'softmax', 'float32', 48, 5)
    // One fit over the 48 rows: train() before, eval() after; the same 6 batches of 8 rows.
    const reference = make()
    reference.model.fit(x, y, { optimizer: reference.optimizer, batchSize: 8, shuffle: false })

    const online = make()
    const trainer = online.model.trainer({ optimizer: online.optimizer, batchSize: 8 })
    t.true(
      online.optimizer.paramGroups.every((g) => g.trainMode),
      'train mode while open',
    )
    const before = Array.from(trainer.predict(x).data)
    await Promise.all([0, 16, 32].map((at) => trainer.train(rows(x, at, at + 16), rows(y, at, at + 16))))
    // Predictions read the average x while the trainer trains y: the weights close() leaves.
    const during = Array.from(trainer.predict(x).data)
    const duringEval = trainer.evaluate(x, y)
    t.notDeepEqual(during, before)
    await trainer.close()
    t.true(
      online.optimizer.paramGroups.every((g) => !g.trainMode),
      'eval mode after close',
    )
    t.deepEqual(observe(online.model, online.optimizer), observe(reference.model, reference.optimizer))
    t.deepEqual(during, Array.from(online.model.predict(x).data), 'bit for bit')
    t.deepEqual(duringEval, online.model.evaluate(x, y))
  })
}
