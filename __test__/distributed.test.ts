/**
 * descent-optim/distributed under mpirun on this machine (loopback): collectives of f32/f64
 * arrays of odd sizes, fit across 2 and 4 ranks giving identical weights on every rank and the
 * one-process result, a rank that throws or is killed ending the job within seconds, bad
 * arguments, and the clear error when MPI is absent. Needs Open MPI (`.ci/run` installs it) and
 * the MPI addon (`npm run build:mpi`, part of `npm install` where MPI is present).
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import test from 'ava'
import { MPI_ADDON_PATH } from '../src/distributed/addon.js'
import { FIT_SETTINGS, fitSetup } from './helpers/distributed-worker.js'

const WORKER = join(__dirname, 'helpers', 'distributed-worker.js')

interface Job {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  seconds: number
}

/** `mpirun -np <ranks> node worker.js <scenario>`, as root allows on CI's container. */
function mpirun(ranks: number, scenario: string): Promise<Job> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(
      'mpirun',
      ['--allow-run-as-root', '--oversubscribe', '-np', String(ranks), process.execPath, WORKER, scenario],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DESCENT_BACKEND: '' } },
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
      resolve({ code, signal, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
    )
  })
}

// biome-ignore lint/suspicious/noExplicitAny: one JSON line per rank
function reports(job: Job): any[] {
  return job.stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .sort((a, b) => a.rank - b.rank)
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
  test(`collectives on ${ranks} ranks: sum and mean of f32/f64 arrays of odd sizes, broadcast from the last rank`, async (t) => {
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
  })

  test(`fit on ${ranks} ranks: identical weights on every rank, equal to one process training on the whole batches`, async (t) => {
    const job = await mpirun(ranks, 'fit')
    t.is(job.code, 0, job.stderr)
    const seen = reports(job)
    t.is(seen.length, ranks)
    for (const report of seen.slice(1)) {
      t.deepEqual(report.weights, seen[0].weights, `rank ${report.rank}'s weights are rank 0's, bit for bit`)
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
  })
}

test('a rank that throws ends the whole job at once (MPI_Abort), with its error on stderr', async (t) => {
  const job = await mpirun(2, 'rank-fails')
  t.not(job.code, 0)
  t.regex(job.stderr, /rank 1 failed on purpose/)
  t.regex(job.stderr, /MPI_ABORT was invoked on rank 1/)
  t.false(job.stdout.includes('"finished":true'), 'no rank went on training')
  t.log(`ended after ${job.seconds.toFixed(1)} s`)
})

test('a rank killed mid-training ends the job: mpirun stops the others and exits non-zero', async (t) => {
  const job = await mpirun(2, 'rank-killed')
  t.not(job.code, 0)
  t.regex(job.stderr, /rank 1 .* exited on signal 9/)
  t.false(job.stdout.includes('"finished":true'))
  t.log(`ended after ${job.seconds.toFixed(1)} s`)
})

test('bad arguments name the argument; fitAsync refuses distributed', async (t) => {
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

test('without MPI, importing works and initDistributed() throws DESCENT_NO_MPI saying what to install', (t) => {
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
})
