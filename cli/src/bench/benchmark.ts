import type { BackendName, SplitData } from 'descent-optim'
import { BENCH_OPTIMIZERS, type BenchOptimizer } from './optimizers.js'
import { type BenchData, benchData } from './problem.js'
import { epochsToConverge, median, medianSeries } from './stats.js'
import { TARGET_DATASETS, timeToTarget } from './targets.js'
import { loadTfjs } from './tfjs.js'
import { type TrainingRun, trainDescent, trainTfjs } from './train.js'
import type { BenchBackend, BenchResults, BenchRun, TargetRun } from './types.js'

/** Everything `descent bench` varies, after defaults. */
export interface BenchSettings {
  /** Keys of BENCH_OPTIMIZERS. */
  optimizers: string[]
  /** Input features of each problem; the hidden layer is twice as wide, 3 classes out. */
  sizes: number[]
  epochs: number
  batchSize: number
  backends: BenchBackend[]
  repeats: number
  seed: number
  data: BenchData
  /** Keys of TARGET_DATASETS for the time-to-target runs (may be empty). */
  datasets: string[]
}

/** Progress callbacks (see src/cli/progress.ts). */
export interface BenchProgress {
  start(total: number, label: string): void
  tick(label: string): void
}

const noProgress: BenchProgress = { start() {}, tick() {} }

/** A median that is null unless finite. */
function finiteMedian(values: readonly number[]): number | null {
  const m = median(values)
  return Number.isFinite(m) ? m : null
}

/** Which (optimizer, backend) pairs run, and which are skipped with a reason. */
function plan(settings: BenchSettings): {
  pairs: { key: string; optimizer: BenchOptimizer; backend: BenchBackend }[]
  skipped: BenchResults['skipped']
} {
  const skipped: BenchResults['skipped'] = []
  const tfjs = settings.backends.includes('tfjs') ? loadTfjs() : null
  if (settings.backends.includes('tfjs') && !tfjs) {
    skipped.push({
      backend: 'tfjs',
      reason: '@tensorflow/tfjs is not installed (npm install @tensorflow/tfjs, or @tensorflow/tfjs-node)',
    })
  }
  const pairs: { key: string; optimizer: BenchOptimizer; backend: BenchBackend }[] = []
  for (const key of settings.optimizers) {
    const optimizer = BENCH_OPTIMIZERS[key] as BenchOptimizer
    for (const backend of settings.backends) {
      if (backend === 'tfjs') {
        if (!tfjs) continue
        if (!optimizer.tfjs) {
          skipped.push({ backend, reason: `${optimizer.label}: TensorFlow.js has no such optimizer` })
          continue
        }
      }
      pairs.push({ key, optimizer, backend })
    }
  }
  return { pairs, skipped }
}

/** Runs one tiny fit per descent backend so one-time costs (thread pool, JIT) stay out of the timings. */
function warmUp(settings: BenchSettings): void {
  const set = benchData(settings.data, 8, settings.seed)
  const optimizer = BENCH_OPTIMIZERS.adam as BenchOptimizer
  for (const backend of settings.backends) {
    if (backend === 'tfjs') continue
    trainDescent(set, { sizes: [8, 16, 3], seed: 0 }, optimizer, backend, { epochs: 2, batchSize: 32 })
  }
}

/**
 * The tutorial's OptimizerBenchmark done properly: every optimizer × problem size × backend,
 * `repeats` times (initial weights seeded `seed + r`), the same data and hyperparameters on
 * every backend, medians reported; then, for each real data set, the training time until the
 * test accuracy reaches its target (descent's backends only).
 */
export async function runBenchmark(
  settings: BenchSettings,
  progress: BenchProgress = noProgress,
): Promise<BenchResults> {
  const { pairs, skipped } = plan(settings)
  const descentBackends = settings.backends.filter((b): b is BackendName => b !== 'tfjs')
  const targetCount =
    settings.datasets.length * settings.optimizers.length * descentBackends.length * settings.repeats
  progress.start(settings.sizes.length * pairs.length * settings.repeats + targetCount, 'warming up')
  warmUp(settings)
  const tf = loadTfjs()?.tf
  const runs: BenchRun[] = []
  for (const size of settings.sizes) {
    const set = benchData(settings.data, size, settings.seed)
    for (const { key, optimizer, backend } of pairs) {
      const results: TrainingRun[] = []
      for (let r = 0; r < settings.repeats; r++) {
        const network = {
          sizes: [size, 2 * size, 3] as [number, number, number],
          seed: (settings.seed + r) >>> 0,
        }
        const training = { epochs: settings.epochs, batchSize: settings.batchSize }
        results.push(
          backend === 'tfjs' && tf
            ? await trainTfjs(tf, set, network, optimizer, training)
            : trainDescent(set, network, optimizer, backend as BackendName, training),
        )
        progress.tick(`size ${size}, ${optimizer.label}, ${backend}, run ${r + 1}/${settings.repeats}`)
      }
      runs.push({
        optimizer: key,
        size,
        backend,
        repeats: settings.repeats,
        finalLoss: finiteMedian(results.map((x) => x.loss[x.loss.length - 1] ?? Number.NaN)),
        minLoss: finiteMedian(results.map((x) => Math.min(...x.loss.filter(Number.isFinite)))),
        trainingTimeMs: median(results.map((x) => x.timeMs)),
        epochsToConverge: finiteMedian(
          results.map((x) => epochsToConverge(x.loss) ?? Number.POSITIVE_INFINITY),
        ),
        lossHistory: medianSeries(results.map((x) => x.loss)).map((v) => (Number.isFinite(v) ? v : null)),
      })
    }
  }
  const targets: TargetRun[] = []
  for (const name of settings.datasets) {
    const dataset = TARGET_DATASETS[name]
    if (!dataset) throw new RangeError(`runBenchmark: unknown data set '${name}'`)
    const split: SplitData = dataset.load(settings.seed)
    for (const key of settings.optimizers) {
      const optimizer = BENCH_OPTIMIZERS[key] as BenchOptimizer
      for (const backend of descentBackends) {
        const outcomes = []
        for (let r = 0; r < settings.repeats; r++) {
          outcomes.push(timeToTarget(dataset, split, optimizer, backend, (settings.seed + r) >>> 0))
          progress.tick(`${name}, ${optimizer.label}, ${backend}, run ${r + 1}/${settings.repeats}`)
        }
        targets.push({
          dataset: name,
          optimizer: key,
          backend,
          repeats: settings.repeats,
          targetAccuracy: dataset.target,
          maxEpochs: dataset.maxEpochs,
          epochsToTarget: finiteMedian(outcomes.map((o) => o.epochs ?? Number.POSITIVE_INFINITY)),
          timeToTargetMs: finiteMedian(outcomes.map((o) => o.timeMs ?? Number.POSITIVE_INFINITY)),
          finalTestAccuracy: median(outcomes.map((o) => o.finalAccuracy)),
        })
      }
    }
  }
  return { runs, targets, skipped }
}
