/**
 * Distributed training on this machine (issue 17, "Measure"):
 *
 *   npm run bench:distributed -- [--rounds 3] [--json FILE]
 *
 * (a) the MNIST net 784→128 ReLU→10, Adam, global batch 64 over 4096 digits: time per optimizer
 *     step for one process with two rayon threads, one process with one thread, and fit({
 *     distributed }) under `mpirun -np 1` and `-np 2` with one rayon thread per rank; scaling
 *     efficiency = step(np 1) / (2 · step(np 2)). (b) MPI_Allreduce of 1e3…1e7 f32 on 2 ranks over
 *     loopback: median latency and bus bandwidth 2(n−1)/n · bytes / time. (c) From those figures,
 *     a projected step time on 2–16 hosts on 10 and 25 Gb/s links (see `projection`).
 * Each configuration runs in its own process (mpirun or node); medians over the rounds.
 */
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { initDistributed } from '../src/distributed/index.js'
import { Adam, data, MLP } from '../src/index.js'
import { si, table, writeJson } from './harness.js'

const SCRIPT = __filename
const MNIST = { rows: 4096, batch: 64, epochs: 2, sizes: [784, 128, 10] }
const REDUCE_SIZES = [1e3, 1e4, 1e5, 1e6, 1e7]

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** Worker: one MNIST fit (warm-up epoch, then timed epochs); prints ms per step from rank 0. */
function mnistWorker(mode: 'local' | 'mpi'): void {
  const { train } = data.mnist({ train: MNIST.rows, test: 0, seed: 1 })
  const model = new MLP({ sizes: MNIST.sizes, activation: 'relu', seed: 1 })
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const dist = mode === 'mpi' ? initDistributed() : undefined
  if (dist) dist.broadcast(model)
  const options = { optimizer, batchSize: MNIST.batch, epochs: 1, ...(dist ? { distributed: dist } : {}) }
  model.fit(train.x, train.y, options)
  dist?.barrier()
  const started = performance.now()
  model.fit(train.x, train.y, { ...options, epochs: MNIST.epochs })
  dist?.barrier()
  const steps = MNIST.epochs * Math.ceil(MNIST.rows / MNIST.batch)
  if (!dist || dist.rank === 0)
    console.log(JSON.stringify({ msPerStep: (performance.now() - started) / steps }))
}

/** Worker: MPI_Allreduce of each size, median of repeats, printed by rank 0. */
function reduceWorker(): void {
  const dist = initDistributed()
  const results: { n: number; seconds: number }[] = []
  for (const n of REDUCE_SIZES) {
    const buffer = new Float32Array(n).fill(1)
    const repeats = n >= 1e7 ? 10 : n >= 1e6 ? 30 : 200
    const times: number[] = []
    for (let r = 0; r < repeats + 3; r++) {
      dist.barrier()
      const started = performance.now()
      dist.allReduceSum(buffer)
      if (r >= 3) times.push((performance.now() - started) / 1000)
    }
    results.push({ n, seconds: median(times) })
  }
  if (dist.rank === 0) console.log(JSON.stringify({ results }))
}

function runJson<T>(command: string, args: string[], env: NodeJS.ProcessEnv = {}): T {
  const out = execFileSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } })
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1)
  return JSON.parse(line as string) as T
}

const MPIRUN = ['--allow-run-as-root', '--oversubscribe', '-x', 'RAYON_NUM_THREADS=1']

/**
 * Projected step time on H hosts for a model of P parameters: compute on 1/H of the global batch
 * plus a ring all-reduce of the gradients, T(H) = T₁/H + 2(H−1)/H · 4P/B + 2(H−1)·α, with T₁ the
 * measured one-rank step time (scaled by P/P_mnist for other sizes: FLOPs grow with the
 * parameters at a fixed batch), B the link bandwidth and α a per-message latency of 30 µs (TCP on
 * 10/25 GbE; our loopback latency is a lower bound). Optimistic: no overlap is assumed, and no
 * compute efficiency is lost to smaller per-rank batches.
 */
function projection(stepSeconds: number, params: number, hosts: number, gbps: number): number {
  const alpha = 30e-6
  const bytes = 4 * params
  const link = (gbps * 1e9) / 8
  return stepSeconds / hosts + ((2 * (hosts - 1)) / hosts) * (bytes / link) + 2 * (hosts - 1) * alpha
}

function driver(rounds: number, json: string): void {
  const node = process.execPath
  const configs: [string, () => number][] = [
    [
      '1 process, 2 rayon threads',
      () => runJson<{ msPerStep: number }>(node, [SCRIPT, '--worker', 'mnist-local']).msPerStep,
    ],
    [
      '1 process, 1 rayon thread',
      () =>
        runJson<{ msPerStep: number }>(node, [SCRIPT, '--worker', 'mnist-local'], { RAYON_NUM_THREADS: '1' })
          .msPerStep,
    ],
    [
      'mpirun -np 1, 1 thread',
      () =>
        runJson<{ msPerStep: number }>('mpirun', [
          ...MPIRUN,
          '-np',
          '1',
          node,
          SCRIPT,
          '--worker',
          'mnist-mpi',
        ]).msPerStep,
    ],
    [
      'mpirun -np 2, 1 thread each',
      () =>
        runJson<{ msPerStep: number }>('mpirun', [
          ...MPIRUN,
          '-np',
          '2',
          node,
          SCRIPT,
          '--worker',
          'mnist-mpi',
        ]).msPerStep,
    ],
  ]
  const steps = new Map<string, number[]>()
  for (let r = 0; r < rounds; r++)
    for (const [name, run] of configs) steps.set(name, [...(steps.get(name) ?? []), run()])
  const ms = new Map([...steps].map(([name, xs]) => [name, median(xs)]))
  const np1 = ms.get('mpirun -np 1, 1 thread') as number
  const np2 = ms.get('mpirun -np 2, 1 thread each') as number
  console.log(
    `\nMNIST net ${MNIST.sizes.join('→')}, Adam, global batch ${MNIST.batch}, ${MNIST.rows} digits (median of ${rounds})\n`,
  )
  console.log(
    table(
      ['configuration', 'ms per step'],
      [...ms].map(([name, v]) => [name, v.toFixed(3)]),
    ),
  )
  console.log(`\nscaling efficiency, np 2 vs np 1: ${((np1 / (2 * np2)) * 100).toFixed(0)}%`)

  const reduces = REDUCE_SIZES.map((n) => ({ n, times: [] as number[] }))
  for (let r = 0; r < rounds; r++) {
    const { results } = runJson<{ results: { n: number; seconds: number }[] }>('mpirun', [
      ...MPIRUN,
      '-np',
      '2',
      node,
      SCRIPT,
      '--worker',
      'reduce',
    ])
    results.forEach((x, i) => reduces[i]?.times.push(x.seconds))
  }
  console.log('\nMPI_Allreduce (sum) of f32 on 2 ranks, loopback\n')
  console.log(
    table(
      ['floats', 'latency (µs)', 'bus bandwidth (GB/s)'],
      reduces.map(({ n, times }) => {
        const t = median(times)
        return [si(n, 0), (t * 1e6).toFixed(1), ((((2 * (2 - 1)) / 2) * ((4 * n) / t)) / 1e9).toFixed(2)]
      }),
    ),
  )

  const mnistParams = 784 * 128 + 128 + 128 * 10 + 10
  const rows: (string | number)[][] = []
  for (const [label, params] of [
    ['MNIST net', mnistParams],
    ['10M-parameter MLP', 1e7],
  ] as const) {
    const t1 = (np1 / 1000) * (params / mnistParams)
    for (const gbps of [10, 25]) {
      rows.push([
        label,
        `${gbps} Gb/s`,
        ...[1, 2, 4, 8, 16].map((h) => (projection(t1, params, h, gbps) * 1000).toFixed(2)),
      ])
    }
  }
  console.log(
    '\nProjected ms per step on H hosts (one rank each), T(H) = T1/H + 2(H−1)/H·4P/B + 2(H−1)·30µs\n',
  )
  console.log(table(['model', 'link', 'H=1', 'H=2', 'H=4', 'H=8', 'H=16'], rows))
  writeJson(json, { mnist: Object.fromEntries(ms), reduce: reduces, projection: rows })
}

const { values } = parseArgs({
  options: {
    worker: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'string', default: 'bench-results/distributed.json' },
  },
})
if (values.worker === 'mnist-local') mnistWorker('local')
else if (values.worker === 'mnist-mpi') mnistWorker('mpi')
else if (values.worker === 'reduce') reduceWorker()
else driver(Number(values.rounds), values.json as string)
