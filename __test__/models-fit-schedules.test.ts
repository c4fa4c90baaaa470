import test from 'ava'
import { Adam, CosineAnnealingLR, data, MLP, OneCycleLR, StepLR } from '../src/index.js'

// A scheduler laid out for a fixed number of steps is checked against the steps fit takes:
// never a schedule that silently stops near its start, or throws past its end mid-run. Serial:
// the warnings listened for are process-wide.
const { x, y } = data.blobs({ samples: 64, features: 3, centers: 2, seed: 1 }) // 4 batches of 16

function setup() {
  const model = new MLP({ sizes: [3, 4, 2], seed: 2, backend: 'js' })
  const optimizer = new Adam(model.parameters(), { lr: 0.01 })
  const weights = () => model.parameters().map((p) => Array.from(p.data))
  return { model, optimizer, weights }
}

function warningsDuring(run: () => Promise<void> | void): Promise<Error[]> {
  const seen: Error[] = []
  const listen = (w: Error) => {
    if ((w as { code?: string }).code === 'DESCENT_SCHEDULE_LENGTH') seen.push(w)
  }
  process.on('warning', listen)
  return (async () => {
    try {
      await run()
      await new Promise((r) => setImmediate(r))
    } finally {
      process.off('warning', listen)
    }
    return seen
  })()
}

test.serial(
  "a OneCycleLR sized per batch under fit's default per-epoch stepping is refused, changing nothing",
  async (t) => {
    const { model, optimizer, weights } = setup()
    const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, epochs: 5, stepsPerEpoch: 4 })
    const before = weights()
    const options = { optimizer, scheduler, epochs: 5, batchSize: 16 }
    const message =
      /OneCycleLR is laid out for 20 more steps, 5 epochs × 4 batches, but fit steps it once per epoch \(schedulerStep: 'epoch', the default\): 5 steps, so it would stop near its start: pass schedulerStep: 'batch'/
    t.throws(() => model.fit(x, y, options), { instanceOf: RangeError, message })
    await t.throwsAsync(model.fitAsync(x, y, options), { instanceOf: RangeError, message })
    t.deepEqual(weights(), before)
    t.is(scheduler.lastEpoch, 0)
    t.is(optimizer.paramGroups[0]?.lr, scheduler.lrAt(0)[0])
  },
)

test.serial(
  'a OneCycleLR too short for the run is refused before training, pointing to OneCycleLR.forFit',
  (t) => {
    const { model, optimizer, weights } = setup()
    const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 10 })
    const before = weights()
    t.throws(
      () => model.fit(x, y, { optimizer, scheduler, schedulerStep: 'batch', epochs: 5, batchSize: 16 }),
      {
        instanceOf: RangeError,
        message:
          /OneCycleLR has 10 steps left \(totalSteps 10\), but fit steps it once per batch \(schedulerStep: 'batch'\): 5 epochs × 4 batches = 20 steps: build it for this fit with OneCycleLR\.forFit\(optimizer, \{ maxLr, epochs: 5, rows: 64, batchSize: 16 \}\)/,
      },
    )
    t.deepEqual(weights(), before)
  },
)

test.serial(
  'OneCycleLR.forFit spans the fit exactly: the last step ends the cycle, with no warning',
  async (t) => {
    const { model, optimizer } = setup()
    const scheduler = OneCycleLR.forFit(optimizer, { maxLr: 0.1, epochs: 3, rows: 64, batchSize: 16 })
    t.is(scheduler.options.totalSteps, 12)
    const warnings = await warningsDuring(() => {
      model.fit(x, y, { optimizer, scheduler, schedulerStep: 'batch', epochs: 3, batchSize: 16 })
    })
    t.is(warnings.length, 0)
    t.is(scheduler.lastEpoch, 12)
    t.is(optimizer.paramGroups[0]?.lr, 0.1 / 25 / 1e4)
    // A partial last batch counts: 70 rows in batches of 32 are 3 steps per epoch.
    t.is(OneCycleLR.forFit(optimizer, { maxLr: 1, epochs: 2, rows: 70 }).options.totalSteps, 6)
  },
)

test.serial('OneCycleLR.forFit checks its options, naming them', (t) => {
  const { optimizer } = setup()
  t.throws(() => OneCycleLR.forFit(optimizer, { maxLr: 0.1, epochs: 3 } as never), { message: /rows/ })
  t.throws(() => OneCycleLR.forFit(optimizer, { maxLr: 0.1, epochs: 3, rows: 0 }), {
    instanceOf: RangeError,
    message: /rows/,
  })
  t.throws(() => OneCycleLR.forFit(optimizer, { maxLr: 0.1, epochs: 3, rows: 5, totalSteps: 9 } as never), {
    instanceOf: TypeError,
    message: /unknown option 'totalSteps'/,
  })
})

test.serial(
  'a fit that ends elsewhere than the schedule warns once per scheduler; fits chained per epoch still work',
  async (t) => {
    const { model, optimizer } = setup()
    const cosine = new CosineAnnealingLR(optimizer, { tMax: 50 })
    const first = await warningsDuring(() => {
      model.fit(x, y, { optimizer, scheduler: cosine, epochs: 3, batchSize: 16 })
      model.fit(x, y, { optimizer, scheduler: cosine, epochs: 3, batchSize: 16 })
    })
    t.is(first.length, 1)
    t.regex(
      first[0]?.message ?? '',
      /CosineAnnealingLR is laid out for 50 more steps.*3 steps, so the schedule is not finished/,
    )
    const chained = setup()
    const cycle = OneCycleLR.forFit(chained.optimizer, { maxLr: 0.1, epochs: 4, rows: 64, batchSize: 16 })
    const perEpoch = await warningsDuring(() => {
      for (let epoch = 0; epoch < 4; epoch++) {
        chained.model.fit(x, y, {
          optimizer: chained.optimizer,
          scheduler: cycle,
          schedulerStep: 'batch',
          epochs: 1,
          batchSize: 16,
        })
      }
    })
    t.is(perEpoch.length, 1, 'one warning for the chained fits, not one per fit')
    t.is(cycle.lastEpoch, 16)
    const unbounded = await warningsDuring(() => {
      const plain = setup()
      const step = new StepLR(plain.optimizer, { stepSize: 2 })
      plain.model.fit(x, y, { optimizer: plain.optimizer, scheduler: step, epochs: 3, batchSize: 16 })
    })
    t.is(unbounded.length, 0, 'schedules without a fixed length are not checked')
  },
)
