import { join } from 'node:path'
import { loadCheckpoint, saveCheckpoint } from '../../src/index.js'
import { trainingFingerprint } from './fingerprint.js'
import { MODEL_CASES } from './model-cases.js'
import { buildRun, TRAINING_CASES } from './training-cases.js'

/** A run the resume test can train over a range of steps (or epochs) and checkpoint. */
interface Resumable {
  readonly name: string
  // biome-ignore lint/suspicious/noExplicitAny: the checkpoint parts
  readonly parts: any
  readonly params: readonly import('../../src/index.js').Parameter[]
  train(from: number, to: number): void
}

function runs(suite: string, backend: 'native' | 'js', fresh: boolean): Resumable[] {
  if (suite === 'params') {
    return TRAINING_CASES.map((c) => {
      const run = buildRun(c, backend, fresh)
      return {
        name: c.name,
        parts: {
          model: run.model,
          optimizer: run.optimizer,
          ...(run.scheduler ? { scheduler: run.scheduler } : {}),
        },
        params: run.params,
        train(from, to) {
          for (let k = from; k < to; k++) run.step(k)
        },
      }
    })
  }
  return MODEL_CASES.map((c) => {
    const run = c.build(backend, fresh)
    return {
      name: c.name,
      parts: {
        model: run.model,
        optimizer: run.optimizer,
        ...(run.scheduler ? { scheduler: run.scheduler } : {}),
      },
      params: run.model.parameters(),
      train: run.train,
    }
  })
}

/**
 * One process of the exact-resume test (checkpoint-resume.test.ts), for every case of a suite
 * (`params`: manual loops over Parameters, n and m in steps; `models`: fit, in epochs):
 * - `straight`: n + m, then print the fingerprint of everything;
 * - `first`: n, save a checkpoint, exit;
 * - `second`: build afresh, load the checkpoint, m more, print the fingerprint.
 *
 * Usage: node resume-child.js <params|models> <straight|first|second> <native|js> <folder> <n> <m>
 */
async function main(): Promise<void> {
  const [suite, mode, backend, folder, nText, mText] = process.argv.slice(2)
  if (backend !== 'native' && backend !== 'js') throw new Error(`backend ${backend}`)
  const n = Number(nText)
  const m = Number(mText)
  const fingerprints: Record<string, string> = {}
  for (const [i, run] of runs(suite as string, backend, mode === 'second').entries()) {
    const file = join(folder as string, `${suite}-${i}-${backend}.safetensors`)
    if (mode === 'second') await loadCheckpoint(file, run.parts)
    run.train(mode === 'second' ? n : 0, mode === 'first' ? n : n + m)
    if (mode === 'first') await saveCheckpoint(file, run.parts)
    else fingerprints[run.name] = trainingFingerprint({ ...run.parts, params: run.params })
  }
  process.stdout.write(JSON.stringify(fingerprints))
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
