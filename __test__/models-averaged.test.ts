import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import {
  AveragedModel,
  CheckpointError,
  data,
  loadCheckpoint,
  MLP,
  SGD,
  saveCheckpoint,
} from '../src/index.js'

// AveragedModel against torch.optim.swa_utils' rules, replayed in f64: SWA's equal-weight mean
// of the snapshots and EMA's lerp; its predictions come from the average; checkpoints keep it.
const { x, y } = data.blobs({ samples: 96, features: 4, centers: 3, seed: 6, dtype: 'float64' })
const weights = (m: { parameters(): { data: ArrayLike<number> }[] }) =>
  m.parameters().map((p) => Array.from(p.data))

function train(decay?: number) {
  const model = new MLP({ sizes: [4, 5, 3], dtype: 'float64', seed: 3 })
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 })
  const averaged = new AveragedModel(model, decay === undefined ? {} : { decay })
  const snapshots: number[][][] = []
  for (let epoch = 0; epoch < 5; epoch++) {
    model.fit(x, y, { optimizer, epochs: 1, batchSize: 16, seed: epoch })
    averaged.update()
    snapshots.push(weights(model))
  }
  return { model, averaged, snapshots }
}

const close = (a: number[][], b: number[][]) =>
  a.every((t, i) => t.every((v, j) => Math.abs(v - (b[i]?.[j] as number)) < 1e-12))

test('SWA: the average is the equal-weight mean of the weights at each update', (t) => {
  const { model, averaged, snapshots } = train()
  t.is(averaged.nAveraged, 5)
  const mean = snapshots[0]?.map((tensor, i) =>
    tensor.map((_, j) => snapshots.reduce((s, w) => s + (w[i]?.[j] as number), 0) / 5),
  )
  t.true(close(weights(averaged.module), mean as number[][]))
  t.notDeepEqual(weights(averaged.module), weights(model), 'the training model keeps its own weights')
  t.deepEqual(Array.from(averaged.predict(x).data), Array.from(averaged.module.predict(x).data))
  t.true(averaged.evaluate(x, y).loss > 0)
})

test('EMA: the first update copies, later ones lerp by 1 − decay', (t) => {
  const { averaged, snapshots } = train(0.8)
  let ema = snapshots[0] as number[][]
  for (const w of snapshots.slice(1))
    ema = ema.map((tensor, i) => tensor.map((a, j) => a + 0.2 * ((w[i]?.[j] as number) - a)))
  t.true(close(weights(averaged.module), ema))
  t.deepEqual(averaged.architecture(), { ...averaged.module.architecture(), averaging: 'ema', decay: 0.8 })
})

test('checkpoints keep the average and its count, and refuse another averaging', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'descent-averaged-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  const { averaged } = train(0.5)
  const path = join(folder, 'ema.safetensors')
  await saveCheckpoint(path, { model: averaged })
  const fresh = new AveragedModel(new MLP({ sizes: [4, 5, 3], dtype: 'float64', seed: 9 }), { decay: 0.5 })
  await loadCheckpoint(path, { model: fresh })
  t.is(fresh.nAveraged, 5)
  t.deepEqual(weights(fresh.module), weights(averaged.module))
  const swa = new AveragedModel(new MLP({ sizes: [4, 5, 3], dtype: 'float64' }))
  const error = await t.throwsAsync(loadCheckpoint(path, { model: swa }), { instanceOf: CheckpointError })
  t.regex(error?.message ?? '', /averaging "ema" in the checkpoint but "swa" in this model/)
})

test('bad arguments are refused, naming them', (t) => {
  const model = new MLP({ sizes: [2, 2] })
  t.throws(() => new AveragedModel({} as never), {
    instanceOf: TypeError,
    message: /model must be a descent model/,
  })
  t.throws(() => new AveragedModel(model, { decay: 1 }), {
    instanceOf: RangeError,
    message: /decay must be a number in \[0, 1\)/,
  })
  t.throws(() => new AveragedModel(model, { beta: 0.9 } as never), { message: /unknown option 'beta'/ })
})
