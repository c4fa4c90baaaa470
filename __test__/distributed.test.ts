/**
 * descent-optim/distributed under mpirun on this machine (loopback): collectives of f32/f64
 * arrays of odd sizes, fit across 2 and 4 ranks giving identical weights on every rank and the
 * one-process result, a rank that throws or is killed ending the job within seconds, bad
 * arguments, and the clear error when MPI is absent. Needs Open MPI (`.ci/run` installs it) and
 * the MPI addon (`npm run build:mpi`, part of `npm install` where MPI is present). Serial: each
 * job starts up to 4 processes on this 2-core machine.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import { MPI_ADDON_PATH } from '../src/distributed/addon.js'
import { Adam, LinearRegression, MLP } from '../src/index.js'
import { clippedLoop, FIT_SETTINGS, fitSetup, overflowingRows } from './helpers/distributed-worker.js'

const WORKER = join(__dirname, 'helpers', 'distributed-worker.js')

interface Job {
  /** Where the ranks wrote their reports (rank-<r>.json). */
  dir: string
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  seconds: number
}

/** `mpirun -np <ranks> node worker.js <scenario> [...args]`, as root allows on CI's container. */
function mpirun(ranks: number, scenario: string, ...args: string[]): Promise<Job> {
  const started = Date.now()
  const dir = mkdtempSync(join(tmpdir(), 'descent-ranks-'))
  return new Promise((resolve, reject) => {
    const child = spawn(
      'mpirun',
      [
        '--allow-run-as-root',
        '--oversubscribe',
        '-np',
        String(ranks),
        process.execPath,
        WORKER,
        scenario,
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DESCENT_BACKEND: '', REPORT_DIR: dir } },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code, signal) =>
      resolve({ dir, code, signal, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
    )
  })
}

// biome-ignore lint/suspicious/noExplicitAny: one JSON line per rank
function reports(job: Job): any[] {
  const seen = readdirSync(job.dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(job.dir, f), 'utf8')))
    .sort((a, b) => a.rank - b.rank)
  rmSync(job.dir, { recursive: true, force: true })
  return seen
}

test.before(() => {
  const missing = [
    execFileSyncOk('mpirun', ['--version'])
      ? ''
      : 'mpirun (apt-get install openmpi-bin libopenmpi-dev libclang-dev)',
    existsSync(MPI_ADDON_PATH) ? '' : `${MPI_ADDON_PATH} (npm run build:mpi)`,
  ].filter(Boolean)
  if (missing.length > 0) throw new Error(`the distributed tests need ${missing.join(' and ')}`)
})

function execFileSyncOk(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

for (const ranks of [2, 4]) {
  test.serial(
    `collectives on ${ranks} ranks: sum and mean of f32/f64 arrays of odd sizes, broadcast from the last rank`,
    async (t) => {
      const job = await mpirun(ranks, 'collectives')
      t.is(job.code, 0, job.stderr)
      const seen = reports(job)
      t.deepEqual(
        seen.map((r) => r.rank),
        Array.from({ length: ranks }, (_, i) => i),
      )
      for (const report of seen) {
        t.is(report.size, ranks)
        for (const [what, ok] of Object.entries(report.sums)) t.true(ok, `rank ${report.rank}: ${what}`)
      }
    },
  )

  test.serial(
    `fit on ${ranks} ranks: identical weights on every rank, equal to one process training on the whole batches`,
    async (t) => {
      const job = await mpirun(ranks, 'fit')
      t.is(job.code, 0, job.stderr)
      const seen = reports(job)
      t.is(seen.length, ranks)
      for (const report of seen.slice(1)) {
        t.deepEqual(
          report.weights,
          seen[0].weights,
          `rank ${report.rank}'s weights are rank 0's, bit for bit`,
        )
        t.deepEqual(report.loss, seen[0].loss)
      }
      // One process, the same data, the start rank 0 broadcast (seed 100), global batches whole.
      const { x, y, model, optimizer, scheduler } = fitSetup(100)
      const history = model.fit(x, y, {
        optimizer,
        scheduler,
        schedulerStep: 'batch',
        epochs: FIT_SETTINGS.epochs,
        batchSize: FIT_SETTINGS.batchSize,
        seed: 3,
      })
      const weights = model.parameters().flatMap((p) => Array.from(p.data))
      const worst = Math.max(...weights.map((w, i) => Math.abs(w - seen[0].weights[i])))
      t.log(`${ranks} ranks vs one process: largest weight difference ${worst.toExponential(2)} (f64)`)
      t.true(worst < 1e-12, `${worst}`)
      history.loss.forEach((loss, epoch) => t.true(Math.abs(loss - seen[0].loss[epoch]) < 1e-12))
      t.is(seen[0].lr, optimizer.paramGroups[0]?.lr, 'the per-batch scheduler stepped alike')
    },
  )
}

test.serial(
  'a non-finite gradient on one rank skips the step on every rank (onNonFinite: skip), as one process does',
  async (t) => {
    const job = await mpirun(4, 'nonfinite')
    t.is(job.code, 0, job.stderr)
    const seen = reports(job)
    for (const report of seen) {
      t.is(report.skipped, 2, `rank ${report.rank} skipped the overflowing batch in both epochs`)
      t.deepEqual(report.weights, seen[0].weights)
    }
    const { x, y } = overflowingRows(50)
    const model = new LinearRegression({ features: 2, dtype: 'float64', seed: 2, backend: 'js' })
    const optimizer = new Adam(model.parameters(), { lr: 0.01, onNonFinite: 'skip' })
    const history = model.fit(x, y, { optimizer, epochs: 2, batchSize: 32, shuffle: false })
    t.is(optimizer.skippedSteps, 2)
    const weights = model.parameters().flatMap((p) => Array.from(p.data))
    weights.forEach((w, i) => t.true(Math.abs(w - seen[0].weights[i]) < 1e-12))
    history.loss.forEach((loss, e) => t.true(Math.abs(loss - seen[0].loss[e]) < 1e-12))
  },
)

test.serial(
  'a hand-written loop: allReduce(grads, mean) then clipGradNorm clips by the global norm on every rank',
  async (t) => {
    const job = await mpirun(2, 'clipped-loop')
    t.is(job.code, 0, job.stderr)
    const [first, second] = reports(job)
    t.deepEqual(second.weights, first.weights)
    // One process: whole batches, so its gradient is the mean the ranks agreed on.
    const model = new MLP({ sizes: [4, 6, 3], dtype: 'float64', seed: 20, backend: 'js' })
    const optimizer = new Adam(model.parameters(), { lr: 0.05 })
    clippedLoop(
      model,
      optimizer,
      (count) => ({ start: 0, end: count }),
      () => {},
    )
    const weights = model.parameters().flatMap((p) => Array.from(p.data))
    weights.forEach((w, i) => t.true(Math.abs(w - first.weights[i]) < 1e-12, `${w} vs ${first.weights[i]}`))
  },
)

test.serial('checkpoints: rank 0 writes, every rank loads the same weights', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'descent-distributed-'))
  t.teardown(() => rmSync(folder, { recursive: true, force: true }))
  const job = await mpirun(2, 'checkpoint', join(folder, 'run.safetensors'))
  t.is(job.code, 0, job.stderr)
  for (const report of reports(job)) t.deepEqual(report.loaded, report.trained)
})

test.serial(
  'a rank that throws ends the whole job at once (MPI_Abort), with its error on stderr',
  async (t) => {
    const job = await mpirun(2, 'rank-fails')
    t.not(job.code, 0)
    t.regex(
      job.stderr,
      /descent-optim\/distributed: rank 1 of 2 failed: Error: rank 1 failed on purpose[\s\S]*ending the job \(MPI_Abort\)/,
    )
    t.deepEqual(reports(job), [], 'no rank went on training')
    t.log(`ended after ${job.seconds.toFixed(1)} s`)
  },
)

test.serial(
  'a rank killed mid-training ends the job: mpirun stops the others and exits non-zero',
  async (t) => {
    const job = await mpirun(2, 'rank-killed')
    t.not(job.code, 0)
    t.regex(job.stderr, /rank 1 .* exited on signal 9/)
    t.deepEqual(reports(job), [])
    t.log(`ended after ${job.seconds.toFixed(1)} s`)
  },
)

test.serial(
  'a rank that hangs: the one waiting gives up after timeoutSeconds and mpirun ends the job',
  async (t) => {
    const job = await mpirun(2, 'rank-hangs')
    t.not(job.code, 0)
    t.regex(
      job.stderr,
      /rank 0 of 2 waited 1\.\d s in MPI_Allreduce for the other ranks \(timeoutSeconds 1\.0\); ending this rank/,
    )
    t.deepEqual(reports(job), [])
    t.log(`ended after ${job.seconds.toFixed(1)} s`)
  },
)

test.serial('bad arguments name the argument; fitAsync refuses distributed', async (t) => {
  const job = await mpirun(2, 'bad-arguments')
  t.is(job.code, 0, job.stderr)
  for (const report of reports(job)) {
    t.deepEqual(
      report.messages.map((m: string) => m.replace(/, got .*/, '')),
      [
        "TypeError: Distributed.allReduce: op must be 'sum' or 'mean'",
        'TypeError: Distributed.allReduce: tensors[0] must be a Float32Array, Float64Array, Tensor or Parameter',
        `RangeError: Distributed.broadcast: root must be a rank in [0, 2)`,
        "TypeError: MLP.fit: distributed must be initDistributed()'s result",
        'TypeError: MLP.fitAsync: distributed training runs with fit, not fitAsync (its collectives block)',
      ],
    )
  }
})

test.serial(
  'without MPI, importing works and initDistributed() throws DESCENT_NO_MPI saying what to install',
  (t) => {
    // As if the addon (or libmpi) were missing: the preload makes loading it fail.
    const hide = `const M = require('node:module'); const load = M._load
M._load = function (request, ...rest) {
  if (request.endsWith('descent-mpi.node')) throw new Error('libmpi.so.40: cannot open shared object file')
  return load.call(this, request, ...rest)
}`
    const entry = JSON.stringify(join(__dirname, '..', 'src', 'distributed', 'index.js'))
    const script = `const { initDistributed } = require(${entry})
try { initDistributed(); console.log('initialised') } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })) }`
    const output = execFileSync(process.execPath, ['-e', `${hide}\n${script}`], { encoding: 'utf8' })
    const error = JSON.parse(output)
    t.like(error, { name: 'DescentError', code: 'DESCENT_NO_MPI' })
    t.regex(
      error.message,
      /libmpi\.so\.40.*apt-get install openmpi-bin libopenmpi-dev libclang-dev.*npm run build:mpi/,
    )
  },
)
