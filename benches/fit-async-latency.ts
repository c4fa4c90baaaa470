/**
 * Event-loop delay during training: `perf_hooks.monitorEventLoopDelay` while the MNIST net
 * (784→256→10, tanh, softmax, Adam) trains on data.mnist's 8000 training digits, for fit
 * (which holds the loop for the whole call), native fitAsync (a thread of its own) and JS
 * fitAsync (slices of a few ms on Node's thread), with the training speed of each: wall-clock
 * epochs/s, and CPU seconds per epoch (all threads), which a busy machine disturbs less. "call
 * ms" is how long the call itself held the loop before returning its promise: argument checks
 * (a NaN scan of x) and, natively, copying x and y into the training job.
 *
 *   npm run build:ts && node dist/benches/fit-async-latency.js [--epochs 3] [--js-epochs 1] [--batches 32,256] [--json FILE]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { Adam, data, type FitHistory, MLP, nativeAvailable } from '../src/index.js'
import { table, writeJson } from './harness.js'

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    'js-epochs': { type: 'string', default: '1' },
    batches: { type: 'string', default: '32,256' },
    json: { type: 'string', default: 'bench-results/fit-async-latency.json' },
  },
})

const SIZES = [784, 256, 10]
const { train } = data.mnist({ train: 8000, test: 2000, seed: 2 })

interface Row {
  readonly how: string
  readonly batchSize: number
  readonly epochs: number
  /** How long the call held the loop before returning (its argument checks and copies; all of fit). */
  readonly startMs: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly epochsPerSecond: number
  /** CPU time of all the process's threads per epoch: the work, whatever else the machine runs. */
  readonly cpuSecondsPerEpoch: number
}

type Trainer = (model: MLP, options: Parameters<MLP['fit']>[2]) => FitHistory | Promise<FitHistory>

const TRAINERS: readonly { how: string; backend: 'native' | 'js'; train: Trainer }[] = [
  { how: 'native fit (blocks)', backend: 'native', train: (m, o) => m.fit(train.x, train.y, o) },
  { how: 'native fitAsync', backend: 'native', train: (m, o) => m.fitAsync(train.x, train.y, o) },
  { how: 'JS fitAsync', backend: 'js', train: (m, o) => m.fitAsync(train.x, train.y, o) },
]

/** Trains one model while sampling the event loop's delay every millisecond. */
async function measure(trainer: (typeof TRAINERS)[number], batchSize: number, epochs: number): Promise<Row> {
  const model = new MLP({ sizes: SIZES, seed: 1, backend: trainer.backend })
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  // Let the sampling timer tick before training starts, so a blocked loop shows as one long delay.
  await new Promise((resolve) => setTimeout(resolve, 20))
  const started = performance.now()
  const cpu = process.cpuUsage()
  const training = trainer.train(model, { optimizer, epochs, batchSize, seed: 3 })
  const startMs = performance.now() - started
  await training
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  // One more turn, so a loop held by a synchronous fit records that delay.
  await new Promise((resolve) => setTimeout(resolve, 5))
  histogram.disable()
  const ms = (ns: number) => Number((ns / 1e6).toFixed(2))
  return {
    how: trainer.how,
    batchSize,
    epochs,
    startMs: Number(startMs.toFixed(1)),
    p50Ms: ms(histogram.percentile(50)),
    p99Ms: ms(histogram.percentile(99)),
    maxMs: ms(histogram.max),
    epochsPerSecond: Number((epochs / seconds).toFixed(3)),
    cpuSecondsPerEpoch: Number(((used.user + used.system) / 1e6 / epochs).toFixed(3)),
  }
}

async function main(): Promise<void> {
  const rows: Row[] = []
  for (const batchSize of values.batches.split(',').map(Number)) {
    for (const trainer of TRAINERS) {
      if (trainer.backend === 'native' && !nativeAvailable()) continue
      const epochs = Number(trainer.backend === 'js' ? values['js-epochs'] : values.epochs)
      rows.push(await measure(trainer, batchSize, epochs))
    }
  }
  console.log(
    table(
      [
        'how',
        'batch',
        'epochs',
        'call ms',
        'delay p50 ms',
        'delay p99 ms',
        'delay max ms',
        'epochs/s',
        'CPU s/epoch',
      ],
      rows.map((r) => [
        r.how,
        r.batchSize,
        r.epochs,
        r.startMs,
        r.p50Ms,
        r.p99Ms,
        r.maxMs,
        r.epochsPerSecond,
        r.cpuSecondsPerEpoch,
      ]),
    ),
  )
  writeJson(values.json, { sizes: SIZES, rows: train.x.shape[0], results: rows })
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
