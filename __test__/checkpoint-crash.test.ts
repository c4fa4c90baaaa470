import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import test from 'ava'
import { loadCheckpoint, Rng, saveCheckpoint } from '../src/index.js'
import { largeRun } from './helpers/crash-writer.js'

// A process SIGKILLed at a random moment while it writes a large checkpoint leaves the previous
// checkpoint whole: loading afterwards gives either the old or the new version, complete, never
// a torn file; temp files of the killed writer are removed by the next save.
const WRITER = join(__dirname, 'helpers', 'crash-writer.js')
const MEGABYTES = 200
const ROUNDS = 4

interface Writer {
  readonly child: ChildProcess
  /** Resolves with the version of the next line `<word> v`. */
  next(word: 'saving' | 'saved'): Promise<number>
  readonly exited: Promise<void>
}

function startWriter(path: string, firstVersion: number): Writer {
  const child = spawn(process.execPath, [WRITER, path, String(MEGABYTES), String(firstVersion)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    child,
    exited,
    async next(word) {
      for (;;) {
        const line = await lines.next()
        if (line.done) throw new Error(`the writer exited before '${word}'`)
        const [got, v] = line.value.split(' ')
        if (got === word) return Number(v)
      }
    },
  }
}

function temps(folder: string): string[] {
  return readdirSync(folder).filter((f) => f.includes('.tmp-'))
}

test(`a writer killed at random moments while saving ${MEGABYTES} MB leaves a whole checkpoint, old or new`, async (t) => {
  t.timeout(300_000)
  const folder = mkdtempSync(join(tmpdir(), 'descent-crash-'))
  const path = join(folder, 'run.safetensors')
  const reader = largeRun(MEGABYTES)
  const rng = new Rng(Number(process.env.CRASH_SEED ?? 2024))
  const outcomes: string[] = []
  try {
    let version = 1
    for (let round = 0; round < ROUNDS; round++) {
      const writer = startWriter(path, version)
      const startedAt = performance.now()
      await writer.next('saving')
      const saved = await writer.next('saved')
      const saveMs = performance.now() - startedAt
      // The first save of every writer also removed what earlier killed writers left behind.
      t.deepEqual(temps(folder), [], 'temp files of a killed writer were not cleaned up by the next save')
      const saving = await writer.next('saving')
      const delay = rng.uniform() * saveMs * 1.2
      await new Promise((resolve) => setTimeout(resolve, delay))
      const tempsAtKill = temps(folder).length
      writer.child.kill('SIGKILL')
      await writer.exited
      const info = await loadCheckpoint(path, {
        model: { parameters: () => reader.params },
        optimizer: reader.optimizer,
      })
      const loaded = (info.extra as { version: number }).version
      t.true(
        loaded === saved || loaded >= saving,
        `round ${round}: loaded version ${loaded}, saved ${saved}, saving ${saving}`,
      )
      for (const p of reader.params) {
        t.true(
          p.data.every((x) => x === loaded),
          `round ${round}: the parameters are not all version ${loaded}`,
        )
      }
      outcomes.push(
        `round ${round}: save took ${saveMs.toFixed(0)} ms, killed ${delay.toFixed(0)} ms into saving v${saving} ` +
          `(${tempsAtKill} temp file(s) present) → loaded v${loaded} (${loaded === saved ? 'old' : 'new'})`,
      )
      version = Math.max(saving, loaded) + 1
    }
    // A save by another process cleans up after the last killed writer too.
    await saveCheckpoint(path, { optimizer: reader.optimizer })
    t.deepEqual(temps(folder), [])
    t.log(outcomes.join('\n'))
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})
