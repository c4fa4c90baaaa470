/**
 * A trainer across the process: a checkpoint saved while it trains resumes exactly; Node exits
 * once a trainer is idle (and not before its batches are done); trainers in worker threads;
 * and fuzzed JSON and binary bodies, which must each train or be refused with a TypeError or
 * RangeError naming the field, leaving the trainer usable.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Worker } from 'node:worker_threads'
import test from 'ava'
import fc from 'fast-check'
import { Adam, AdamW, loadCheckpoint, MLP, OneCycleLR, saveCheckpoint, type Tensor } from '../src/index.js'
import { budget } from './helpers/fuzz.js'
import { BACKENDS, observe, randomData, rows } from './helpers/models.js'

const run = promisify(execFile)
const INDEX = join(__dirname, '..', 'src', 'index.js')

function setup(backend: 'native' | 'js') {
  const model = new MLP({ sizes: [6, 12, 3], seed: 3, activation: 'relu', backend })
  const optimizer = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.01 })
  const scheduler = new OneCycleLR(optimizer, { maxLr: 0.05, totalSteps: 60 })
  return { model, optimizer, scheduler }
}

const { x: X, y: Y } = randomData([6, 12, 3], 'softmax', 'float32', 400, 4)
const SIZES = [40, 33, 8, 69, 100, 64]
const BODIES = SIZES.map((n, i) => {
  const at = SIZES.slice(0, i).reduce((a, b) => a + b, 0)
  return { x: rows(X, at, at + n), y: rows(Y, at, at + n) }
})
const BATCH = 8

function everything(s: ReturnType<typeof setup>) {
  return { ...observe(s.model, s.optimizer), scheduler: s.scheduler.stateDict() }
}

function fitRows(s: ReturnType<typeof setup>, x: Tensor, y: Tensor): void {
  s.model.fit(x, y, {
    optimizer: s.optimizer,
    batchSize: BATCH,
    shuffle: false,
    scheduler: s.scheduler,
    schedulerStep: 'batch',
  })
}

for (const backend of BACKENDS) {
  test(`${backend}: a checkpoint saved while the trainer trains captures a point between steps and resumes exactly`, async (t) => {
    const folder = mkdtempSync(join(tmpdir(), 'descent-trainer-'))
    try {
      const path = join(folder, 'mid.safetensors')
      const s = setup(backend)
      const trainer = s.model.trainer({ optimizer: s.optimizer, batchSize: BATCH, scheduler: s.scheduler })
      const all = BODIES.map((b) => trainer.train(b.x, b.y))
      await all[1]
      await saveCheckpoint(path, { model: s.model, optimizer: s.optimizer, scheduler: s.scheduler })
      await Promise.all(all)
      await trainer.close()

      const straight = setup(backend)
      for (const b of BODIES) fitRows(straight, b.x, b.y)
      t.deepEqual(everything(s), everything(straight), 'saving a checkpoint does not disturb training')

      // Resume from the checkpoint: the steps it holds, then the rest of the rows.
      const r = setup(backend)
      await loadCheckpoint(path, { model: r.model, optimizer: r.optimizer, scheduler: r.scheduler })
      let steps = r.optimizer.stateDict().state[0]?.step as number
      t.true(steps >= 10, `the checkpoint holds ${steps} steps (at least the 10 of the first two bodies)`)
      for (const b of BODIES) {
        const n = b.y.shape[0] as number
        const taken = Math.min(n, steps * BATCH)
        steps -= Math.ceil(taken / BATCH)
        if (taken < n) fitRows(r, rows(b.x, taken, n), rows(b.y, taken, n))
      }
      // A checkpoint holds no gradients: compare everything else.
      const { grad: _g, ...resumed } = everything(r)
      const { grad: _s, ...expected } = everything(straight)
      t.deepEqual(resumed, expected)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  test(`${backend}: Node exits once a trainer is idle, and not before its queued batches are done`, async (t) => {
    const script = `
      const { MLP, Adam, tensor } = require(${JSON.stringify(INDEX)})
      const model = new MLP({ sizes: [4, 8, 3], backend: '${backend}' })
      const trainer = model.trainer({ optimizer: new Adam(model.parameters()), batchSize: 4 })
      for (let i = 0; i < 3; i++)
        trainer.train(tensor(new Float32Array(40).fill(0.5), [10, 4]), tensor(new Int32Array(10), [10]))
          .then((r) => console.log('trained', r.step))
      // No close and no await: pending batches keep Node alive; an idle trainer does not.
    `
    const started = Date.now()
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 30_000 })
    t.deepEqual(stdout.trim().split('\n'), ['trained 3', 'trained 6', 'trained 9'])
    t.true(Date.now() - started < 30_000)
  })

  test(`${backend}: Node exits after fitAsync, though the model keeps its training thread for the next one`, async (t) => {
    const script = `
      const { MLP, Adam, tensor } = require(${JSON.stringify(INDEX)})
      const model = new MLP({ sizes: [4, 8, 3], backend: '${backend}' })
      const optimizer = new Adam(model.parameters())
      const x = tensor(new Float32Array(40).fill(0.5), [10, 4])
      const y = tensor(new Int32Array(10), [10])
      model.fitAsync(x, y, { optimizer, epochs: 3 })
        .then((h) => { console.log('fitted', h.loss.length); return model.fitAsync(x, y, { optimizer }) })
        .then((h) => console.log('fitted', h.loss.length))
    `
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 30_000 })
    t.deepEqual(stdout.trim().split('\n'), ['fitted 3', 'fitted 1'])
  })

  test(`${backend}: four worker threads each train with a trainer of their own, exactly as fit`, async (t) => {
    const job = (seed: number) => ({
      backend,
      seed,
      bodies: BODIES.slice(0, 4).map((b) => ({ x: b.x.data as Float32Array, y: b.y.data as Int32Array })),
    })
    const worker = (seed: number) =>
      new Promise<{ losses: number[]; params: Float32Array[] }>((resolve, reject) => {
        const w = new Worker(join(__dirname, 'helpers', 'trainer-worker.js'), { workerData: job(seed) })
        w.once('message', resolve)
        w.once('error', reject)
        w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)))
      })
    const results = await Promise.all([1, 2, 3, 4].map(worker))
    results.forEach((result, i) => {
      const model = new MLP({ sizes: [6, 16, 3], seed: i + 1, backend })
      const optimizer = new Adam(model.parameters(), { lr: 0.01 })
      const losses = BODIES.slice(0, 4).map(
        (b) => model.fit(b.x, b.y, { optimizer, batchSize: 8, shuffle: false }).loss[0] as number,
      )
      t.deepEqual(result.losses, losses, `worker ${i}`)
      t.deepEqual(
        result.params,
        model.parameters().map((p) => p.data.slice()),
        `worker ${i}`,
      )
    })
  })

  test(`${backend}: fuzzed JSON and binary bodies train or are refused with an error naming the field`, async (t) => {
    const model = new MLP({ sizes: [6, 12, 3], seed: 3, backend })
    const trainer = model.trainer({ optimizer: new Adam(model.parameters()), batchSize: 4, queueLimit: 1000 })
    const row = fc.array(
      fc.oneof(fc.double(), fc.integer(), fc.constant(1e39), fc.string(), fc.constant(null)),
      {
        minLength: 5,
        maxLength: 7,
      },
    )
    const label = fc.oneof(fc.integer({ min: -1, max: 3 }), fc.double(), fc.string(), fc.constant(null))
    const validJson = fc
      .array(
        fc.tuple(
          fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 6, maxLength: 6 }),
          fc.integer({ min: 0, max: 2 }),
        ),
        { minLength: 1, maxLength: 5 },
      )
      .map((rs) => JSON.stringify({ x: rs.map((r) => r[0]), y: rs.map((r) => r[1]) }))
    const mutated = fc
      .tuple(validJson, fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 3 }))
      .map(
        ([text, at, cut, insert]) =>
          text.slice(0, at % (text.length + 1)) + insert + text.slice((at % (text.length + 1)) + cut),
      )
    const jsonBody = fc.oneof(
      validJson,
      mutated,
      fc
        .record({ x: fc.array(row, { maxLength: 4 }), y: fc.array(label, { maxLength: 4 }) })
        .map((b) => JSON.stringify(b)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string(),
      fc.record({ x: fc.jsonValue(), y: fc.jsonValue() }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
    )
    const binaryBody = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc
        .record({
          rows: fc.integer({ min: 0, max: 4 }),
          cols: fc.constantFrom(6, 5, 0xffffffff),
          values: fc.array(fc.float({ noDefaultInfinity: false }), { maxLength: 30 }),
          labels: fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 5 }),
        })
        .map(({ rows: n, cols, values, labels }) => {
          const body = Buffer.alloc(8 + 4 * values.length + 4 * labels.length)
          body.writeUInt32LE(n, 0)
          body.writeUInt32LE(cols, 4)
          values.forEach((v, i) => body.writeFloatLE(v, 8 + 4 * i))
          labels.forEach((l, i) => body.writeInt32LE(l, 8 + 4 * values.length + 4 * i))
          return body
        }),
    )
    let trained = 0
    let refused = 0
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          jsonBody.map((b) => ['json', b] as const),
          binaryBody.map((b) => ['binary', b] as const),
        ),
        async ([kind, body]) => {
          const promise =
            kind === 'json' ? trainer.trainJson(body as string) : trainer.trainBuffer(body as Uint8Array)
          try {
            const result = await promise
            if (!(result.rows >= 1 && Number.isInteger(result.step)))
              throw new Error(`odd result ${JSON.stringify(result)}`)
            trained++
          } catch (error) {
            if (!(error instanceof TypeError || error instanceof RangeError)) throw error
            if (!/^Trainer\.train: (body|header|header\.rows|header\.cols|x|y)[[: ]/.test(error.message))
              throw new Error(`message names no field: ${error.message}`)
            refused++
          }
        },
      ),
      budget(7100, 400),
    )
    t.true(refused > 0)
    const ok = await trainer.train(rows(X, 0, 8), rows(Y, 0, 8))
    t.is(ok.rows, 8)
    t.is(trainer.metrics().refused, refused)
    await trainer.close()
    t.log(`${trained} fuzzed bodies trained, ${refused} refused`)
  })
}

test('a trainer over Adam with nothing trained leaves the optimizer as it found it', async (t) => {
  const model = new MLP({ sizes: [6, 3] })
  const optimizer = new Adam(model.parameters())
  const before = optimizer.stateDict()
  const trainer = model.trainer({ optimizer })
  await trainer.close()
  t.deepEqual(optimizer.stateDict(), before)
  t.deepEqual(
    model.parameters().map((p) => p.data),
    new MLP({ sizes: [6, 3] }).parameters().map((p) => p.data),
  )
})
