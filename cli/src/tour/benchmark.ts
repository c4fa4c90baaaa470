import { nativeAvailable } from 'descent-optim'
import { type BenchSettings, runBenchmark } from '../bench/benchmark.js'
import { TUTORIAL_OPTIMIZERS } from '../bench/optimizers.js'
import type { BenchResults } from '../bench/types.js'
import { benchSummary, benchTable, lossPerSizeChart, speedupTable, timingChart } from '../figures/bench.js'
import type { SectionResult, TourSection } from './section.js'

/**
 * Section 6: the tutorial's OptimizerBenchmark on small settings: loss curves over 50 epochs
 * per problem size (native, or js without the addon), and the time per epoch of native vs JS
 * over a few epochs (JS is the slow one; a few epochs time it well enough).
 */
export const benchmarkSection: TourSection = {
  title: '6. The tutorial’s benchmark across problem sizes (SGD, Momentum, Adam, NAdam, Adafactor)',
  async run(settings): Promise<SectionResult> {
    const native = nativeAvailable()
    const base: BenchSettings = {
      optimizers: TUTORIAL_OPTIMIZERS,
      sizes: settings.quick ? [10, 20] : [10, 50, 100],
      epochs: settings.quick ? 10 : 50,
      batchSize: 32,
      backends: [native ? 'native' : 'js'],
      repeats: 1,
      seed: settings.seed,
      data: 'blobs',
      datasets: [],
    }
    const curves = await runBenchmark(base)
    const timingEpochs = settings.quick ? 2 : 5
    const timing: BenchResults = native
      ? await runBenchmark({
          ...base,
          epochs: timingEpochs,
          repeats: settings.quick ? 1 : 3,
          backends: ['native', 'js'],
        })
      : { ...curves, skipped: [{ backend: 'native', reason: 'the native addon did not load here' }] }
    const speedups = speedupTable(timing)
    const loss = benchTable(curves)
    loss.title = `Loss per problem size after ${base.epochs} epochs (${base.backends[0]} backend)`
    return {
      tables: [loss, ...(speedups ? [speedups] : [])],
      charts: [
        lossPerSizeChart(curves),
        timingChart(timing, 'timing', ` Runs of ${timingEpochs} epochs; descent bench times whole runs.`),
      ],
      summary: [...benchSummary(curves), ...benchSummary(timing).filter((line) => line.startsWith('Native'))],
      // results.json keeps the full-length runs; the short timing runs are in the timing chart's data.
      bench: { ...curves, skipped: timing.skipped },
    }
  },
}
