/**
 * One rank of the distributed tests, run under mpirun by distributed.test.ts:
 * `mpirun -np N node dist/__test__/helpers/distributed-worker.js <scenario>`. Each rank prints
 * one JSON line with its rank and what it saw.
 */

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { initDistributed } from '../../src/distributed/index.js'
import {
  Adam,
  clipGradNorm,
  data,
  LinearRegression,
  MLP,
  SGD,
  StepLR,
  saveCheckpoint,
  tensor,
} from '../../src/index.js'

/** The training every distributed fit test runs; the test repeats it in one process. */
export const FIT_SETTINGS = { samples: 203, features: 6, batchSize: 32, epochs: 3, seed: 5 }

/** The model and optimizer of that run (the same on every rank and in the one-process run). */
export function fitSetup(modelSeed: number) {
  const { x, y } = data.blobs({
    samples: FIT_SETTINGS.samples,
    features: FIT_SETTINGS.features,
    centers: 3,
    seed: FIT_SETTINGS.seed,
    dtype: 'float64',
  })
  const model = new MLP({
    sizes: [FIT_SETTINGS.features, 9, 3],
    dtype: 'float64',
    seed: modelSeed,
    backend: 'js',
  })
  const optimizer = new Adam(model.parameters(), { lr: 0.01 })
  const scheduler = new StepLR(optimizer, { stepSize: 4, gamma: 0.5 })
  return { x, y, model, optimizer, scheduler }
}

const flat = (model: { parameters(): { data: ArrayLike<number> }[] }) =>
  model.parameters().flatMap((p) => Array.from(p.data))

/** Linear-regression rows whose row `bad` is so large that its gradient overflows to ±∞. */
export function overflowingRows(bad: number) {
  const rows = 64
  const x = new Float64Array(rows * 2).map((_, i) => ((i * 7) % 11) / 11 - 0.5)
  x[bad * 2] = 1e300
  const y = new Float64Array(rows).map((_, i) => i / rows)
  return { x: tensor(x, [rows, 2]), y: tensor(y, [rows, 1]) }
}

/** The hand-written loop of the clipping scenario, on `rows` of every global batch. */
export function clippedLoop(
  model: MLP,
  optimizer: Adam,
  shard: (count: number) => { start: number; end: number },
  reduce: (grads: Float64Array[]) => void,
) {
  const { x, y } = data.blobs({ samples: 128, features: 4, centers: 3, seed: 8, dtype: 'float64' })
  for (let batch = 0; batch < 4; batch++) {
    const { start, end } = shard(32)
    const from = batch * 32 + start
    const to = batch * 32 + end
    model.forwardBackward(
      tensor(x.data.subarray(from * 4, to * 4), [to - from, 4]),
      tensor(y.data.subarray(from, to), [to - from]),
    )
    reduce(model.parameters().map((p) => p.grad as Float64Array))
    clipGradNorm(model.parameters(), 0.05)
    optimizer.step()
  }
}

function filled(
  Kind: Float32ArrayConstructor | Float64ArrayConstructor,
  length: number,
  f: (i: number) => number,
) {
  const array = new Kind(length)
  for (let i = 0; i < length; i++) array[i] = f(i)
  return array
}

function main(scenario: string): void {
  const dist = initDistributed(scenario === 'rank-hangs' ? { timeoutSeconds: 1 } : {})
  // Each rank's report goes to a file of its own (mpirun interleaves long stdout lines of
  // several ranks in chunks); without REPORT_DIR, to stdout.
  const out = (report: Record<string, unknown>) => {
    const text = `${JSON.stringify({ rank: dist.rank, size: dist.size, ...report })}\n`
    const dir = process.env.REPORT_DIR
    if (dir) writeFileSync(join(dir, `rank-${dist.rank}.json`), text)
    else process.stdout.write(text)
  }
  if (scenario === 'fit') {
    // Every rank builds its model from a different seed: broadcast makes rank 0's everywhere.
    const { x, y, model, optimizer, scheduler } = fitSetup(100 + dist.rank)
    dist.broadcast(model)
    const history = model.fit(x, y, {
      optimizer,
      scheduler,
      schedulerStep: 'batch',
      epochs: FIT_SETTINGS.epochs,
      batchSize: FIT_SETTINGS.batchSize,
      seed: 3,
      distributed: dist,
    })
    out({ weights: flat(model), loss: history.loss, lr: optimizer.paramGroups[0]?.lr })
  } else if (scenario === 'nonfinite') {
    const { x, y } = overflowingRows(50)
    const model = new LinearRegression({ features: 2, dtype: 'float64', seed: 2, backend: 'js' })
    const optimizer = new Adam(model.parameters(), { lr: 0.01, onNonFinite: 'skip' })
    const history = model.fit(x, y, {
      optimizer,
      epochs: 2,
      batchSize: 32,
      shuffle: false,
      distributed: dist,
    })
    out({ weights: flat(model), loss: history.loss, skipped: optimizer.skippedSteps })
  } else if (scenario === 'clipped-loop') {
    const model = new MLP({ sizes: [4, 6, 3], dtype: 'float64', seed: 20 + dist.rank, backend: 'js' })
    dist.broadcast(model)
    const optimizer = new Adam(model.parameters(), { lr: 0.05 })
    clippedLoop(
      model,
      optimizer,
      (count) => dist.shard(count),
      (grads) => dist.allReduce(grads, 'mean'),
    )
    out({ weights: flat(model) })
  } else if (scenario === 'checkpoint') {
    const path = process.argv[3] as string
    const { x, y, model, optimizer } = fitSetup(7)
    dist.broadcast(model)
    model.fit(x, y, { optimizer, epochs: 1, batchSize: 32, distributed: dist })
    void (async () => {
      if (dist.rank === 0) await saveCheckpoint(path, { model, optimizer })
      dist.barrier()
      const loaded = await MLP.fromCheckpoint(path)
      out({ trained: flat(model), loaded: flat(loaded) })
    })()
  } else if (scenario === 'rank-hangs') {
    // Rank 1 does not reach the all-reduce for a minute: rank 0 waits there until its timeout.
    if (dist.rank === 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000)
    dist.allReduce([new Float32Array(4)], 'sum')
    out({ finished: true })
  } else if (scenario === 'collectives') {
    const sums: Record<string, boolean> = {}
    for (const length of [1, 7, 1001, 65_537]) {
      for (const Kind of [Float32Array, Float64Array]) {
        const values = filled(Kind, length, (i) => (i % 97) + dist.rank)
        dist.allReduce([values], 'sum')
        const n = dist.size
        const expected = (i: number) => n * (i % 97) + (n * (n - 1)) / 2
        sums[`${Kind.name} ${length} sum`] = values.every((v, i) => v === expected(i))
        const mean = filled(Kind, length, () => dist.rank * 2)
        dist.allReduce([tensor(mean, [length])], 'mean')
        sums[`${Kind.name} ${length} mean`] = mean.every((v) => v === dist.size - 1)
      }
    }
    const root = dist.size - 1
    const sent = Float64Array.from({ length: 5 }, (_, i) => i * 10 + dist.rank)
    dist.broadcast([sent], root)
    sums.broadcast = sent.every((v, i) => v === i * 10 + root)
    out({ sums })
  } else if (scenario === 'bad-arguments') {
    const model = new MLP({ sizes: [2, 3, 2], seed: 1 })
    const messages: string[] = []
    const attempt = (f: () => unknown) => {
      try {
        f()
        messages.push('no error')
      } catch (error) {
        messages.push(`${(error as Error).name}: ${(error as Error).message}`)
      }
    }
    attempt(() => dist.allReduce([new Float32Array(3)], 'max' as never))
    attempt(() => dist.allReduce([[1, 2, 3]] as never))
    attempt(() => dist.broadcast(model, dist.size))
    const optimizer = new SGD(model.parameters(), { lr: 0.1 })
    const x = tensor(new Float32Array(4), [2, 2])
    const y = tensor(Int32Array.of(0, 1), [2])
    attempt(() => model.fit(x, y, { optimizer, distributed: {} as never }))
    model.fitAsync(x, y, { optimizer, distributed: dist }).then(
      () => messages.push('no error'),
      (error: Error) => {
        messages.push(`${error.name}: ${error.message}`)
        out({ messages })
      },
    )
  } else if (scenario === 'rank-fails' || scenario === 'rank-killed') {
    const { x, y, model, optimizer } = fitSetup(1)
    dist.broadcast(model)
    model.fit(x, y, {
      optimizer,
      epochs: 50,
      batchSize: 8,
      distributed: dist,
      onEpoch: (epoch) => {
        if (epoch === 1 && dist.rank === 1) {
          if (scenario === 'rank-killed') process.kill(process.pid, 'SIGKILL')
          throw new Error('rank 1 failed on purpose')
        }
      },
    })
    out({ finished: true })
  } else throw new Error(`unknown scenario ${scenario}`)
}

if (require.main === module) main(process.argv[2] ?? '')
