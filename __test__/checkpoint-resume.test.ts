import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import test from 'ava'
import { Adam, data, loadCheckpoint, MLP, saveCheckpoint } from '../src/index.js'
import { trainingFingerprint } from './helpers/fingerprint.js'
import { MODEL_CASES } from './helpers/model-cases.js'
import { TRAINING_CASES } from './helpers/training-cases.js'

// Train N steps, save, end the process; load in a new process and train M more: everything
// (parameters, gradients, optimizer state, scheduler position, lrs) must equal an uninterrupted
// N+M run bit for bit, for every optimizer over plain Parameters and for models trained with
// fit, on both backends.
const run = promisify(execFile)
const CHILD = join(__dirname, 'helpers', 'resume-child.js')

async function child(...args: string[]): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, [CHILD, ...args], { maxBuffer: 64 << 20 })
  return stdout ? (JSON.parse(stdout) as Record<string, string>) : {}
}

const SUITES = [
  { suite: 'params', what: 'steps', n: 7, m: 6, names: TRAINING_CASES.map((c) => c.name) },
  { suite: 'models', what: 'epochs', n: 3, m: 4, names: MODEL_CASES.map((c) => c.name) },
] as const

for (const { suite, what, n, m, names } of SUITES) {
  for (const backend of ['native', 'js'] as const) {
    test(`${suite}, ${backend}: ${n} ${what}, checkpoint, new process, ${m} more ${what} = ${n + m} ${what} uninterrupted, bit for bit`, async (t) => {
      const folder = mkdtempSync(join(tmpdir(), 'descent-resume-'))
      try {
        const args = [backend, folder, String(n), String(m)]
        const [straight] = await Promise.all([
          child(suite, 'straight', ...args),
          child(suite, 'first', ...args),
        ])
        const resumed = await child(suite, 'second', ...args)
        for (const name of names) {
          t.truthy(straight[name], `${name}: no result`)
          t.is(resumed[name], straight[name], `${name} differs after resuming`)
        }
      } finally {
        rmSync(folder, { recursive: true, force: true })
      }
    })
  }
}

for (const backend of ['native', 'js'] as const) {
  test(`${backend}: a checkpoint saved from fitAsync's onEpoch resumes exactly`, async (t) => {
    const { x, y } = data.blobs({ samples: 120, features: 4, centers: 3, seed: 5 })
    const build = (seed: number) => {
      const model = new MLP({ sizes: [4, 16, 3], seed, backend })
      return { model, optimizer: new Adam(model.parameters(), { lr: 0.01, backend }) }
    }
    const folder = mkdtempSync(join(tmpdir(), 'descent-resume-async-'))
    try {
      const path = join(folder, 'epoch.safetensors')
      const a = build(1)
      const saves: Promise<void>[] = []
      await a.model.fitAsync(x, y, {
        optimizer: a.optimizer,
        epochs: 5,
        batchSize: 16,
        shuffle: false,
        onEpoch: (epoch) => {
          if (epoch === 2) saves.push(saveCheckpoint(path, { model: a.model, optimizer: a.optimizer }))
        },
      })
      await Promise.all(saves)
      const b = build(9)
      await loadCheckpoint(path, { model: b.model, optimizer: b.optimizer })
      await b.model.fitAsync(x, y, { optimizer: b.optimizer, epochs: 2, batchSize: 16, shuffle: false })
      const state = (r: typeof a) =>
        trainingFingerprint({ params: r.model.parameters(), optimizer: r.optimizer }, false)
      t.is(state(b), state(a))
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })
}
