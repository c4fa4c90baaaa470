import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import test from 'ava'
import { saveCheckpoint } from '../src/index.js'
import { buildRun, TRAINING_CASES } from './helpers/training-cases.js'

// A checkpoint reads from Python's safetensors: tensors under PyTorch state_dict names, with
// the values we saved, and the optimizer's hyperparameters in the metadata. CI installs
// python3's safetensors and numpy (.ci/run), so there the test must not be skipped.
const run = promisify(execFile)
const READER = join(__dirname, '..', '..', '__test__', 'helpers', 'read-checkpoint.py')
const PYTHON = process.env.PYTHON ?? 'python3'

async function pythonReady(): Promise<boolean> {
  try {
    await run(PYTHON, ['-c', 'import safetensors, numpy'])
    return true
  } catch {
    return false
  }
}

interface Summary {
  metadata_keys: string[]
  format: string
  format_version: string
  optimizer: {
    class: string
    param_groups: Record<string, unknown>[]
    state: Record<string, Record<string, number>>
  }
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>
}

test("Python's safetensors reads a checkpoint: names, dtypes, shapes, values and metadata", async (t) => {
  if (!(await pythonReady())) {
    if (process.env.CI === 'true') {
      t.fail(`${PYTHON} with safetensors and numpy is missing in CI (.ci/run installs them)`)
    } else {
      t.log(
        `skipped: ${PYTHON} with safetensors and numpy is not installed (python3 -m pip install --user safetensors numpy)`,
      )
      t.pass()
    }
    return
  }
  const folder = mkdtempSync(join(tmpdir(), 'descent-interop-'))
  try {
    for (const name of ['adam', 'adamw-f64', 'rmsprop', 'adafactor']) {
      const c = TRAINING_CASES.find((x) => x.name === name)
      if (!c) throw new Error(name)
      const trained = buildRun(c, 'js')
      for (let k = 0; k < 4; k++) trained.step(k)
      const path = join(folder, `${name}.safetensors`)
      await saveCheckpoint(path, { model: trained.model, optimizer: trained.optimizer })
      const { stdout } = await run(PYTHON, [READER, path], { maxBuffer: 64 << 20 })
      const summary = JSON.parse(stdout) as Summary
      t.is(summary.format, 'descent-checkpoint')
      t.is(summary.format_version, '1')
      t.true(summary.metadata_keys.includes('sha256'))
      const dtype = c.dtype
      for (const p of trained.params) {
        const tensor = summary.tensors[p.name as string]
        t.deepEqual(tensor?.shape, [...p.shape], `${name}: ${p.name} shape`)
        t.is(tensor?.dtype, dtype)
        t.deepEqual(tensor?.values, [...p.data], `${name}: ${p.name} values`)
      }
      const dict = trained.optimizer.stateDict()
      for (const [index, entry] of Object.entries(dict.state)) {
        for (const [state, value] of Object.entries(entry)) {
          if (typeof value === 'number') {
            const torchName = state.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)
            t.is(summary.optimizer.state[index]?.[torchName], value, `${name}: state ${index}.${torchName}`)
            continue
          }
          const torchName = `optimizer.state.${index}.${state.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`)}`
          t.deepEqual(summary.tensors[torchName]?.values, [...value], `${name}: ${torchName}`)
        }
      }
      t.is(summary.optimizer.class, trained.optimizer.constructor.name)
      t.is(summary.optimizer.param_groups[0]?.lr, trained.optimizer.lr)
    }
    const adam = JSON.parse((await run(PYTHON, [READER, join(folder, 'adam.safetensors')])).stdout) as Summary
    t.deepEqual(
      Object.keys(adam.tensors)
        .filter((n) => n.startsWith('optimizer.state.0.'))
        .sort(),
      ['optimizer.state.0.exp_avg', 'optimizer.state.0.exp_avg_sq', 'optimizer.state.0.max_exp_avg_sq'],
    )
    t.is(adam.optimizer.param_groups[0]?.weight_decay, 0.01)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
})
