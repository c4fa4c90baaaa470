import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import {
  Adam,
  CheckpointError,
  data,
  LinearRegression,
  loadCheckpoint,
  MLP,
  type MLPOptions,
  saveCheckpoint,
} from '../src/index.js'
import { BACKENDS } from './helpers/models.js'

// A checkpoint records the model's architecture (sizes, activation, output, dtype): weights
// never load silently into a model whose function differs, and MLP.fromCheckpoint rebuilds the
// model the file describes.
const folder = mkdtempSync(join(tmpdir(), 'descent-checkpoint-architecture-'))
test.after.always(() => rmSync(folder, { recursive: true, force: true }))
const OLD_FILE = join(__dirname, '..', '..', '__test__', 'fixtures', 'checkpoints', 'adam-js.safetensors')
const { x, y } = data.blobs({ samples: 60, features: 4, centers: 3, seed: 2 })
let counter = 0

async function saved(options: MLPOptions): Promise<{ path: string; model: MLP }> {
  const model = new MLP({ seed: 3, ...options })
  const inputs = options.dtype === 'float64' ? x64() : x
  model.fit(inputs, y, { optimizer: new Adam(model.parameters(), { lr: 0.01 }), epochs: 2, batchSize: 16 })
  const path = join(folder, `m${counter++}.safetensors`)
  await saveCheckpoint(path, { model })
  return { path, model }
}

const weights = (model: { parameters(): { data: ArrayLike<number> }[] }) =>
  model.parameters().map((p) => Array.from(p.data))

test('weights saved from a relu MLP are refused by a tanh one, naming the field and both values', async (t) => {
  const { path } = await saved({ sizes: [4, 6, 3], activation: 'relu' })
  const tanh = new MLP({ sizes: [4, 6, 3], seed: 9 })
  const before = weights(tanh)
  const error = await t.throwsAsync(loadCheckpoint(path, { model: tanh }), { instanceOf: CheckpointError })
  t.is(error?.code, 'CHECKPOINT_MISMATCH')
  t.regex(error?.message ?? '', /activation "relu" in the checkpoint but "tanh" in this model/)
  t.regex(error?.message ?? '', /MLP\.fromCheckpoint/)
  t.deepEqual(weights(tanh), before)
})

test('every differing field is named: sizes, output, dtype, and the model class', async (t) => {
  const { path } = await saved({ sizes: [4, 6, 3] })
  const cases: [() => object, RegExp][] = [
    [
      () => new MLP({ sizes: [4, 5, 3] }),
      /sizes \[4, 6, 3\] in the checkpoint but \[4, 5, 3\] in this model/,
    ],
    [() => new MLP({ sizes: [4, 6, 3], output: 'identity' }), /output "softmax" .* but "identity"/],
    [() => new MLP({ sizes: [4, 6, 3], dtype: 'float64' }), /dtype "float32" .* but "float64"/],
    [
      () => new LinearRegression({ features: 4, outputs: 3 }),
      /model class is MLP, this model's LinearRegression/,
    ],
  ]
  for (const [make, message] of cases) {
    const error = await t.throwsAsync(loadCheckpoint(path, { model: make() as MLP }), {
      instanceOf: CheckpointError,
    })
    t.is(error?.code, 'CHECKPOINT_MISMATCH')
    t.regex(error?.message ?? '', message)
  }
  await t.notThrowsAsync(loadCheckpoint(path, { model: new MLP({ sizes: [4, 6, 3], seed: 5 }) }))
})

for (const backend of BACKENDS) {
  test(`MLP.fromCheckpoint builds the saved model from a path or bytes, predicting bit for bit (${backend})`, async (t) => {
    const { path, model } = await saved({
      sizes: [4, 7, 5, 3],
      activation: 'relu',
      dtype: 'float64',
      backend,
    })
    for (const source of [path, readFileSync(path)]) {
      const back = await MLP.fromCheckpoint(source, { backend })
      t.deepEqual(back.architecture(), model.architecture())
      t.is(back.backend, backend)
      t.deepEqual(Array.from(back.predict(x64()).data), Array.from(model.predict(x64()).data))
    }
  })
}

function x64() {
  return { data: Float64Array.from(x.data), shape: x.shape }
}

test('LinearRegression.fromCheckpoint, and the wrong class or source refused clearly', async (t) => {
  const model = new LinearRegression({ features: 3, outputs: 2, seed: 4 })
  const path = join(folder, 'linear.safetensors')
  await saveCheckpoint(path, { model })
  const back = await LinearRegression.fromCheckpoint(path)
  t.deepEqual(weights(back), weights(model))
  t.deepEqual(back.architecture(), { features: 3, outputs: 2, dtype: 'float32' })
  const wrong = await t.throwsAsync(MLP.fromCheckpoint(path), { instanceOf: CheckpointError })
  t.regex(
    wrong?.message ?? '',
    /model class is LinearRegression, not MLP \(use LinearRegression\.fromCheckpoint/,
  )
  await t.throwsAsync(MLP.fromCheckpoint(42 as unknown as string), {
    instanceOf: TypeError,
    message: /source must be a checkpoint's file path or its bytes/,
  })
  await t.throwsAsync(MLP.fromCheckpoint(path, { seed: 1 } as object), {
    instanceOf: TypeError,
    message: /unknown option/i,
  })
  const optimizerOnly = join(folder, 'optimizer-only.safetensors')
  await saveCheckpoint(optimizerOnly, { optimizer: new Adam(model.parameters()) })
  await t.throwsAsync(MLP.fromCheckpoint(optimizerOnly), { message: /holds no model/ })
})

test('an old checkpoint without an architecture still loads, with one warning; fromCheckpoint says what to do', async (t) => {
  const warnings: Error[] = []
  const listen = (w: Error) => warnings.push(w)
  process.on('warning', listen)
  try {
    for (let k = 0; k < 2; k++) {
      await loadCheckpoint(OLD_FILE, { model: new MLP({ sizes: [5, 7, 3], seed: 4, backend: 'js' }) })
    }
    await new Promise((r) => setImmediate(r))
  } finally {
    process.off('warning', listen)
  }
  const ours = warnings.filter((w) => (w as { code?: string }).code === 'DESCENT_CHECKPOINT_NO_ARCHITECTURE')
  t.is(ours.length, 1)
  t.regex(ours[0]?.message ?? '', /does not record its model's architecture/)
  const error = await t.throwsAsync(MLP.fromCheckpoint(OLD_FILE), { instanceOf: CheckpointError })
  t.regex(
    error?.message ?? '',
    /does not record the MLP's architecture: build the MLP as it was saved and call loadCheckpoint/,
  )
})
