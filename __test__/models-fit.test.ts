/**
 * What fit promises: it is the loop a user would write (forwardBackward, optimizer.step(),
 * scheduler.step()) run natively in one call per epoch, giving the same parameters, optimizer
 * state, scheduler position and losses; non-finite gradients are thrown or skipped as the
 * optimizer says; a model that is training refuses a second fit.
 */
import test from 'ava'
import {
  Adafactor,
  Adam,
  CosineAnnealingLR,
  DescentError,
  LAMB,
  type LRScheduler,
  MLP,
  type Model,
  type Optimizer,
  ReduceLROnPlateau,
  Rng,
  type Scheduler,
  SGD,
  StepLR,
  type Tensor,
  tensor,
} from '../src/index.js'
import { BACKENDS, pick, randomData } from './helpers/models.js'

// biome-ignore lint/suspicious/noExplicitAny: any optimizer
type AnyOptimizer = Optimizer<any>

interface LoopCase {
  readonly name: string
  readonly optimizer: (model: Model) => AnyOptimizer
  readonly scheduler?: (optimizer: AnyOptimizer) => LRScheduler | ReduceLROnPlateau
  readonly schedulerStep?: 'epoch' | 'batch'
  readonly shuffle: boolean
}

const LOOP_CASES: readonly LoopCase[] = [
  {
    name: 'Adam, CosineAnnealingLR per batch, shuffled',
    optimizer: (m) => new Adam(m.parameters(), { lr: 0.02 }),
    scheduler: (o) => new CosineAnnealingLR(o, { tMax: 10 }),
    schedulerStep: 'batch',
    shuffle: true,
  },
  {
    name: 'SGD with momentum, StepLR per epoch, in order',
    optimizer: (m) => new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }),
    scheduler: (o) => new StepLR(o, { stepSize: 1, gamma: 0.5 }),
    shuffle: false,
  },
  {
    name: 'Adam, ReduceLROnPlateau on the epoch loss',
    optimizer: (m) => new Adam(m.parameters(), { lr: 0.5 }),
    scheduler: (o) => new ReduceLROnPlateau(o, { patience: 0, factor: 0.5 }),
    shuffle: true,
  },
  {
    name: 'Adafactor (factored by shape) over two param groups, no scheduler',
    optimizer: (m) => {
      const [w0, b0, w1, b1] = m.parameters()
      return new Adafactor([{ params: [w1, w0] }, { params: [b1, b0], lr: 0.005 }] as never, { lr: 0.01 })
    },
    shuffle: true,
  },
  {
    name: 'LAMB (per-tensor trust ratios), StepLR per batch',
    optimizer: (m) => new LAMB(m.parameters(), { lr: 0.01 }),
    scheduler: (o) => new StepLR(o, { stepSize: 3, gamma: 0.7 }),
    schedulerStep: 'batch',
    shuffle: true,
  },
]

const EPOCHS = 3
const BATCH = 16
const SEED = 7

/** The loop fit stands for, written by hand. */
function handLoop(
  model: Model,
  x: Tensor,
  y: Tensor,
  optimizer: AnyOptimizer,
  scheduler: Scheduler | undefined,
  perBatch: boolean,
  shuffle: boolean,
): number[] {
  const rows = x.shape[0] as number
  const rng = new Rng(SEED)
  const losses: number[] = []
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const order = shuffle ? rng.permutation(rows) : Uint32Array.from({ length: rows }, (_, i) => i)
    let weighted = 0
    let counted = 0
    for (let from = 0; from < rows; from += BATCH) {
      const batch = order.subarray(from, Math.min(from + BATCH, rows))
      const loss = model.forwardBackward(pick(x, batch), pick(y, batch))
      const skipped = optimizer.skippedSteps
      optimizer.step()
      if (optimizer.skippedSteps === skipped) {
        weighted += loss * batch.length
        counted += batch.length
      }
      if (perBatch) (scheduler as LRScheduler).step()
    }
    const loss = weighted / counted
    losses.push(loss)
    if (scheduler instanceof ReduceLROnPlateau) scheduler.step(loss)
    else if (scheduler && !perBatch) (scheduler as LRScheduler).step()
  }
  return losses
}

/**
 * Rows 0..7 for a [2 → 3] softmax net whose first weights are all 1: row 5's logits overflow
 * f32 (3e38 + 3e38), so the gradient of the batch holding it is NaN.
 */
function overflowSetup(backend: 'native' | 'js', onNonFinite: 'throw' | 'skip') {
  const x = tensor(
    Float32Array.from({ length: 16 }, (_, i) => (i >> 1 === 5 ? 3e38 : (i % 5) / 5)),
    [8, 2],
  )
  const y = tensor(Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]))
  const model = new MLP({ sizes: [2, 3], seed: 1, backend })
  model.parameters()[0]?.data.fill(1)
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.5, onNonFinite })
  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.9 })
  return { x, y, model, optimizer, scheduler }
}

for (const backend of BACKENDS) {
  for (const c of LOOP_CASES) {
    test(`${backend}: fit equals the hand-written loop bit for bit: ${c.name}`, (t) => {
      const { x, y } = randomData([5, 8, 3], 'softmax', 'float32', 100, 4)
      const run = (useFit: boolean) => {
        const model = new MLP({ sizes: [5, 8, 3], seed: 3, backend })
        const optimizer = c.optimizer(model)
        const scheduler = c.scheduler?.(optimizer)
        const perBatch = c.schedulerStep === 'batch'
        const loss = useFit
          ? model.fit(x, y, {
              optimizer,
              scheduler,
              schedulerStep: c.schedulerStep,
              epochs: EPOCHS,
              batchSize: BATCH,
              shuffle: c.shuffle,
              seed: SEED,
            }).loss
          : handLoop(model, x, y, optimizer, scheduler, perBatch, c.shuffle)
        return {
          params: model.parameters().map((p) => p.data),
          optimizer: optimizer.stateDict(),
          scheduler: scheduler?.stateDict(),
          loss,
        }
      }
      const fitted = run(true)
      const looped = run(false)
      t.deepEqual(fitted.params, looped.params)
      t.deepEqual(fitted.optimizer, looped.optimizer)
      t.deepEqual(fitted.scheduler, looped.scheduler)
      t.deepEqual(fitted.loss, looped.loss)
    })
  }

  test(`${backend}: onNonFinite 'throw' stops fit at the bad batch, model and optimizer at the last good step`, (t) => {
    const a = overflowSetup(backend, 'throw')
    const error = t.throws(
      () =>
        a.model.fit(a.x, a.y, {
          optimizer: a.optimizer,
          scheduler: a.scheduler,
          schedulerStep: 'batch',
          epochs: 2,
          batchSize: 2,
          shuffle: false,
        }),
      { instanceOf: RangeError },
    )
    t.regex(
      error.message,
      /SGD\.step: params\[\d\] \('layers\.0\.(weight|bias)'\)\.grad holds NaN or Infinity/,
    )
    t.false(a.model.training)
    // The same two good steps by hand.
    const b = overflowSetup(backend, 'throw')
    for (const from of [0, 2]) {
      b.model.forwardBackward(pick(b.x, [from, from + 1]), pick(b.y, [from, from + 1]))
      b.optimizer.step()
      b.scheduler.step()
    }
    t.deepEqual(
      a.model.parameters().map((p) => p.data),
      b.model.parameters().map((p) => p.data),
    )
    t.deepEqual(a.optimizer.stateDict(), b.optimizer.stateDict())
    t.deepEqual(a.scheduler.stateDict(), b.scheduler.stateDict())
  })

  test(`${backend}: onNonFinite 'skip' skips the bad batch's step, counts it and carries on`, (t) => {
    const a = overflowSetup(backend, 'skip')
    const history = a.model.fit(a.x, a.y, {
      optimizer: a.optimizer,
      scheduler: a.scheduler,
      schedulerStep: 'batch',
      epochs: 2,
      batchSize: 2,
      shuffle: false,
    })
    t.is(a.optimizer.skippedSteps, 2)
    t.is(a.optimizer.stateOf(a.model.parameters()[0] as never)?.scalars.step, 6)
    t.is(a.scheduler.lastEpoch, 8)
    t.true(history.loss.every(Number.isFinite), 'skipped batches do not count in the epoch loss')
    const b = overflowSetup(backend, 'skip')
    const losses = handLoopFor(b, 2)
    t.deepEqual(
      a.model.parameters().map((p) => p.data),
      b.model.parameters().map((p) => p.data),
    )
    t.deepEqual(a.optimizer.stateDict(), b.optimizer.stateDict())
    t.deepEqual(a.scheduler.stateDict(), b.scheduler.stateDict())
    t.deepEqual(history.loss, losses)
  })
}

/** forwardBackward + step + scheduler step over batches of 2 in order, as the skip test's reference. */
function handLoopFor(s: ReturnType<typeof overflowSetup>, epochs: number): number[] {
  const losses: number[] = []
  for (let e = 0; e < epochs; e++) {
    let weighted = 0
    let counted = 0
    for (let from = 0; from < 8; from += 2) {
      const loss = s.model.forwardBackward(pick(s.x, [from, from + 1]), pick(s.y, [from, from + 1]))
      const skipped = s.optimizer.skippedSteps
      s.optimizer.step()
      if (s.optimizer.skippedSteps === skipped) {
        weighted += 2 * loss
        counted += 2
      }
      s.scheduler.step()
    }
    losses.push(weighted / counted)
  }
  return losses
}

test('onEpoch sees each epoch and its loss; a model that is training refuses fit and forwardBackward', (t) => {
  const { x, y } = randomData([4, 5, 3], 'softmax', 'float32', 40, 2)
  const model = new MLP({ sizes: [4, 5, 3], seed: 2 })
  const optimizer = new Adam(model.parameters(), { lr: 0.01 })
  const seen: [number, number][] = []
  const refusals: string[] = []
  const history = model.fit(x, y, {
    optimizer,
    epochs: 3,
    batchSize: 8,
    onEpoch: (epoch, loss) => {
      seen.push([epoch, loss])
      t.true(model.training)
      t.is(model.predict(x).shape[0], 40, 'predict is allowed between epochs')
      for (const attempt of [
        () => model.fit(x, y, { optimizer, epochs: 1 }),
        () => model.forwardBackward(x, y),
      ]) {
        const error = t.throws(attempt)
        t.is(error?.constructor, DescentError)
        t.is((error as DescentError).code, 'DESCENT_BUSY')
        refusals.push(error?.message ?? '')
      }
    },
  })
  t.deepEqual(
    seen,
    history.loss.map((loss, epoch) => [epoch, loss]),
  )
  t.is(refusals.length, 6)
  t.regex(refusals[0] as string, /MLP\.fit: this model is already training/)
  t.regex(refusals[1] as string, /MLP\.forwardBackward: this model is already training/)
  t.false(model.training)
  t.is(model.fit(x, y, { optimizer, epochs: 1 }).loss.length, 1, 'fit works again afterwards')
})
