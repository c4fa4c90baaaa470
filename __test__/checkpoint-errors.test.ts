import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import fc from 'fast-check'
import { encodeSafetensors } from '../src/checkpoint/safetensors.js'
import { encodeCheckpoint } from '../src/checkpoint/save.js'
import { readTarget } from '../src/checkpoint/target.js'
import {
  Adam,
  CheckpointError,
  type CheckpointErrorCode,
  type CheckpointParts,
  ExponentialLR,
  loadCheckpoint,
  Parameter,
  SGD,
  saveCheckpoint,
} from '../src/index.js'
import { trainingFingerprint } from './helpers/fingerprint.js'
import { buildRun, TRAINING_CASES, type TrainingCase, type TrainingRun } from './helpers/training-cases.js'

// A file that cannot be restored exactly gets a CheckpointError with a code saying why, and
// the model, optimizer and scheduler it was loaded into stay exactly as they were.
const folder = mkdtempSync(join(tmpdir(), 'descent-checkpoint-errors-'))
test.after.always(() => rmSync(folder, { recursive: true, force: true }))

const adamCase = TRAINING_CASES.find((c) => c.name === 'adam') as TrainingCase
const f64Case = TRAINING_CASES.find((c) => c.dtype === 'float64' && c.scheduler) as TrainingCase

function trained(c: TrainingCase, steps: number, fresh = false): TrainingRun {
  const run = buildRun(c, 'js', fresh)
  for (let k = 0; k < steps; k++) run.step(k)
  return run
}

function partsOf(run: TrainingRun): CheckpointParts {
  return {
    model: run.model,
    optimizer: run.optimizer,
    ...(run.scheduler ? { scheduler: run.scheduler } : {}),
  }
}

function fingerprintOf(run: TrainingRun, withGrads = true): string {
  return trainingFingerprint(
    { params: run.params, optimizer: run.optimizer, scheduler: run.scheduler },
    withGrads,
  )
}

let counter = 0
function write(bytes: Uint8Array): string {
  const path = join(folder, `case-${counter++}.safetensors`)
  writeFileSync(path, bytes)
  return path
}

async function savedBytes(run: TrainingRun): Promise<Buffer> {
  const path = join(folder, `saved-${counter++}.safetensors`)
  await saveCheckpoint(path, partsOf(run))
  return readFileSync(path)
}

/** A file saved from the reference run (Adam, OneCycleLR, three parameters, five steps). */
const reference = savedBytes(trained(adamCase, 5))

function headerEnd(file: Uint8Array): number {
  return 8 + Number(Buffer.from(file).readBigUInt64LE(0))
}

/** Where `text` starts in the file (it must be there). */
function find(file: Buffer, text: string): number {
  const at = file.indexOf(text)
  if (at < 0) throw new Error(`'${text}' is not in the file`)
  return at
}

function flipped(file: Uint8Array, at: number, mask = 0x01): Buffer {
  const copy = Buffer.from(file)
  copy[at] = (copy[at] as number) ^ mask
  return copy
}

/** A file with valid checksum whose metadata entries are overridden (crafted by the writer itself). */
function crafted(run: TrainingRun, overrides: Record<string, string>): Buffer {
  return Buffer.from(encodeCheckpoint('test', readTarget('test', partsOf(run)), undefined, overrides))
}

interface ErrorCase {
  readonly name: string
  readonly code: CheckpointErrorCode
  /** The file to load: its path, or its bytes. */
  file(): Promise<string | Uint8Array>
  /** What to load it into (default: an Adam run trained for two steps). */
  victim?(): { run: TrainingRun; parts: CheckpointParts }
  readonly message?: RegExp
}

const adamVictim = () => {
  const run = trained(adamCase, 2, true)
  return { run, parts: partsOf(run) }
}

const ERROR_CASES: readonly ErrorCase[] = [
  {
    name: 'missing file',
    code: 'CHECKPOINT_IO',
    file: async () => join(folder, 'nothing-here.safetensors'),
    message: /ENOENT/,
  },
  { name: 'empty file', code: 'CHECKPOINT_CORRUPT', file: async () => write(new Uint8Array(0)) },
  ...[4, 8, 100, -1, -7].map(
    (cut): ErrorCase => ({
      name: `truncated at ${cut}`,
      code: 'CHECKPOINT_CORRUPT',
      file: async () => write((await reference).subarray(0, cut)),
      message: /not a complete safetensors file/,
    }),
  ),
  {
    name: 'truncated inside the data',
    code: 'CHECKPOINT_CORRUPT',
    file: async () => {
      const f = await reference
      return write(f.subarray(0, (headerEnd(f) + f.length) >> 1))
    },
  },
  {
    name: 'one byte appended',
    code: 'CHECKPOINT_CORRUPT',
    file: async () => write(Buffer.concat([await reference, Buffer.of(0)])),
  },
  {
    name: 'flipped bit in the header length',
    code: 'CHECKPOINT_CORRUPT',
    file: async () => write(flipped(await reference, 0)),
  },
  {
    name: 'flipped bit in the header JSON syntax',
    code: 'CHECKPOINT_CORRUPT',
    file: async () => write(flipped(await reference, 8, 0x40)),
  },
  {
    name: 'flipped bit in a hyperparameter',
    code: 'CHECKPOINT_CORRUPT',
    message: /checksum/,
    file: async () => {
      const f = await reference
      return write(flipped(f, find(f, '\\"betas\\":[0.9') + 12, 0x01))
    },
  },
  {
    name: 'flipped bit in the tensor data',
    code: 'CHECKPOINT_CORRUPT',
    message: /checksum/,
    file: async () => {
      const f = await reference
      return write(flipped(f, f.length - 3, 0x10))
    },
  },
  {
    name: 'flipped bit in the first tensor byte',
    code: 'CHECKPOINT_CORRUPT',
    message: /checksum/,
    file: async () => {
      const f = await reference
      return write(flipped(f, headerEnd(f), 0x80))
    },
  },
  {
    name: 'a future format version',
    code: 'CHECKPOINT_VERSION',
    message: /format version 2.*upgrade/,
    file: async () => write(crafted(trained(adamCase, 1), { format_version: '2', descent_version: '9.0.0' })),
  },
  {
    name: 'a damaged future format version',
    code: 'CHECKPOINT_VERSION',
    file: async () => {
      const f = await reference
      return write(flipped(f, find(f, '"format_version":"1"') + 18, 0x02))
    },
  },
  {
    name: 'a foreign safetensors file',
    code: 'CHECKPOINT_MISMATCH',
    message: /not a descent checkpoint/,
    file: async () => encodeSafetensors('test', [{ name: 'w', shape: [2], data: new Float32Array(2) }], {}),
  },
  {
    name: 'a model with other parameter names',
    code: 'CHECKPOINT_MISMATCH',
    message: /'renamed\.0'.*checkpoint lacks/,
    file: () => reference,
    victim: () => {
      const run = trained(adamCase, 2, true)
      const renamed = run.params.map(
        (p, i) => new Parameter(p.data, p.shape, i === 0 ? 'renamed.0' : p.name, p.grad),
      )
      return { run, parts: { model: { parameters: () => renamed } } }
    },
  },
  {
    name: 'a model with other shapes',
    code: 'CHECKPOINT_MISMATCH',
    message: /'layer\.0' has shape \[4, 3\] in the checkpoint but \[3, 4\]/,
    file: () => reference,
    victim: () => {
      const run = trained(adamCase, 2, true)
      const reshaped = run.params.map(
        (p, i) => new Parameter(p.data, i === 0 ? [3, 4] : p.shape, p.name, p.grad),
      )
      return { run, parts: { model: { parameters: () => reshaped } } }
    },
  },
  {
    name: 'a model with one parameter more',
    code: 'CHECKPOINT_MISMATCH',
    file: () => reference,
    victim: () => {
      const run = trained(adamCase, 2, true)
      const more = [...run.params, new Parameter(new Float32Array(2), [2], 'layer.3')]
      return { run, parts: { model: { parameters: () => more }, optimizer: run.optimizer } }
    },
  },
  {
    name: 'float64 parameters into a float32 model',
    code: 'CHECKPOINT_MISMATCH',
    message: /float64 in the checkpoint but float32/,
    file: async () => savedBytes(trained(f64Case, 3)).then(write),
  },
  {
    name: 'float64 optimizer state into a float32 optimizer',
    code: 'CHECKPOINT_MISMATCH',
    message: /AdamW state, not Adam state|float64/,
    file: async () => savedBytes(trained(f64Case, 3)).then(write),
    victim: () => {
      const run = trained(adamCase, 2, true)
      return { run, parts: { optimizer: run.optimizer } }
    },
  },
  {
    name: 'SGD state into Adam',
    code: 'CHECKPOINT_MISMATCH',
    message: /SGD state, not Adam state/,
    file: async () => {
      const run = trained(adamCase, 1)
      return write(
        await savedBytes({
          ...run,
          optimizer: new SGD(run.params, { lr: 0.1 }),
          scheduler: undefined,
        } as TrainingRun),
      )
    },
  },
  {
    name: 'an optimizer over the parameters in another order',
    code: 'CHECKPOINT_MISMATCH',
    message: /parameter 0 is 'layer\.0' in the checkpoint but 'layer\.2' here/,
    file: () => reference,
    victim: () => {
      const run = trained(adamCase, 2, true)
      const optimizer = new Adam([...run.params].reverse(), { backend: 'js' })
      return { run: { ...run, optimizer }, parts: { model: run.model, optimizer } }
    },
  },
  {
    name: 'another scheduler class',
    code: 'CHECKPOINT_MISMATCH',
    message: /OneCycleLR state, not ExponentialLR state/,
    file: () => reference,
    victim: () => {
      const run = trained(adamCase, 2, true)
      const scheduler = new ExponentialLR(run.optimizer, { gamma: 0.5 })
      return { run: { ...run, scheduler }, parts: { ...partsOf(run), scheduler } }
    },
  },
  {
    name: 'a checkpoint saved without a scheduler',
    code: 'CHECKPOINT_MISMATCH',
    message: /no scheduler state/,
    file: async () => {
      const run = trained(adamCase, 1)
      return write(await savedBytes({ ...run, scheduler: undefined } as TrainingRun))
    },
  },
  {
    name: 'optimizer state the optimizer refuses, after the scheduler accepted its own',
    code: 'CHECKPOINT_MISMATCH',
    message: /optimizer refused.*lr/,
    file: async () => {
      const run = trained(adamCase, 3)
      const section = JSON.parse(
        crafted(run, {})
          .toString('latin1')
          .match(/"optimizer":("(?:[^"\\]|\\.)*")/)?.[1] ?? '""',
      )
      return write(crafted(run, { optimizer: section.replace('"lr":', '"lr":-1,"x":') }))
    },
  },
  {
    name: 'scheduler state the scheduler refuses',
    code: 'CHECKPOINT_MISMATCH',
    message: /scheduler refused.*lastEpoch/,
    file: async () => {
      const run = trained(adamCase, 3)
      return write(
        crafted(run, {
          scheduler: JSON.stringify({
            class: 'OneCycleLR',
            state: { scheduler: 'OneCycleLR', lastEpoch: -1, baseLrs: [0.01], lastLr: [0.01] },
          }),
        }),
      )
    },
  },
]

for (const c of ERROR_CASES) {
  test(`${c.name}: ${c.code}, and nothing changes`, async (t) => {
    const file = await c.file()
    const path = typeof file === 'string' ? file : write(file)
    const { run, parts } = (c.victim ?? adamVictim)()
    const before = fingerprintOf(run)
    const error = await t.throwsAsync(loadCheckpoint(path, parts), { instanceOf: CheckpointError })
    t.is(error?.code, c.code, error?.message)
    t.regex(error?.message ?? '', /^loadCheckpoint: /)
    if (c.message) t.regex(error?.message ?? '', c.message)
    t.is(fingerprintOf(run), before, 'the load changed something before failing')
  })
}

test('the reference checkpoint itself loads, and restores the saved run exactly', async (t) => {
  const saved = trained(adamCase, 5)
  const victim = adamVictim().run
  await loadCheckpoint(write(await reference), partsOf(victim))
  // Gradients are not saved (as in PyTorch): the next step computes them anew.
  t.is(fingerprintOf(victim, false), fingerprintOf(saved, false))
})

test('any single flipped byte is caught as corrupt (or was harmless whitespace) and changes nothing', async (t) => {
  const file = await reference
  const expected = fingerprintOf(trained(adamCase, 5), false)
  const codes = new Map<string, number>()
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: file.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
      const { run, parts } = adamVictim()
      const before = fingerprintOf(run)
      try {
        await loadCheckpoint(write(flipped(file, at, mask)), parts)
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1)
        if (error.code !== 'CHECKPOINT_CORRUPT' && error.code !== 'CHECKPOINT_VERSION') throw error
        if (fingerprintOf(run) !== before)
          throw new Error(`byte ${at} ^ ${mask}: a failed load changed the run`)
        return
      }
      // Loaded: the flip only changed header padding or JSON whitespace, so the state is the saved one.
      if (fingerprintOf(run, false) !== expected)
        throw new Error(`byte ${at} ^ ${mask} loaded a different state`)
    }),
    { seed: 8, numRuns: 300 },
  )
  t.log(Object.fromEntries(codes))
  t.true((codes.get('CHECKPOINT_CORRUPT') ?? 0) > 250)
})

test('swapped or misplaced arguments name the call that was meant', async (t) => {
  const { MLP } = await import('../src/index.js')
  const model = new MLP({ sizes: [2, 3, 2], seed: 1 })
  const optimizer = new Adam(model.parameters())
  const path = join(tmpdir(), 'descent-never-written.safetensors')
  for (const call of [saveCheckpoint, loadCheckpoint]) {
    const name = call === saveCheckpoint ? 'saveCheckpoint' : 'loadCheckpoint'
    await t.throwsAsync(call(model as never, path as never), {
      instanceOf: TypeError,
      message: `${name}: the arguments are swapped: call ${name}(path, { model, optimizer, scheduler }), path first`,
    })
    await t.throwsAsync(call(path, model as never), {
      instanceOf: TypeError,
      message: new RegExp(
        `^${name}: the second argument must be \\{ model, optimizer, scheduler \\}, got an object \\(MLP\\): call ${name}\\(path, \\{ model \\}\\)$`,
      ),
    })
    await t.throwsAsync(call(path, optimizer as never), {
      instanceOf: TypeError,
      message: /call \w+\(path, \{ optimizer \}\)$/,
    })
  }
})
