import { writeFileSync } from 'node:fs'
import { type Command, Option } from 'commander'
import { nativeAvailable } from 'descent-optim'
import { type BenchSettings, runBenchmark } from './bench/benchmark.js'
import { BENCH_OPTIMIZERS, TUTORIAL_OPTIMIZERS } from './bench/optimizers.js'
import { BENCH_DATA, type BenchData } from './bench/problem.js'
import { TARGET_DATASETS } from './bench/targets.js'
import { loadTfjs } from './bench/tfjs.js'
import type { BenchBackend } from './bench/types.js'
import {
  benchSummary,
  benchTable,
  lossPerSizeChart,
  speedupTable,
  targetsTable,
  timeToTargetChart,
  timingChart,
} from './figures/bench.js'
import { integerAtLeast, integerList, listOption, nameList, OUT_FLAG, QUIET_FLAG, seed } from './flags.js'
import { printReportLocation, printTables } from './output.js'
import { createProgress } from './progress.js'
import { prepareOutDir } from './report/out-dir.js'
import { toJson, writeReport } from './report/write-report.js'

interface BenchFlags {
  optimizers: string[]
  sizes: number[]
  epochs: number
  batchSize: number
  backends?: BenchBackend[]
  repeats: number
  seed: number
  data: BenchData
  datasets: string[]
  json?: string
  out: string
  quiet?: boolean
}

const BACKENDS: BenchBackend[] = ['native', 'js', 'tfjs']

/** native (when the addon loaded), js, and tfjs when it is installed. */
function defaultBackends(): BenchBackend[] {
  return [...(nativeAvailable() ? ['native' as const] : []), 'js', ...(loadTfjs() ? ['tfjs' as const] : [])]
}

const TFJS_INSTALL =
  'npm install @tensorflow/tfjs-node (native kernels) or npm install @tensorflow/tfjs (pure JS)'

/**
 * A tfjs column that was asked for but cannot run: an error when it was the only backend asked
 * for (nothing would be measured), else a warning; the report's tables then say it was skipped.
 */
function checkTfjsRequest(backends: readonly BenchBackend[]): void {
  if (!backends.includes('tfjs') || loadTfjs()) return
  const others = backends.filter((b) => b !== 'tfjs')
  if (others.length === 0) {
    throw new Error(`--backends tfjs: TensorFlow.js is not installed. Install it with: ${TFJS_INSTALL}`)
  }
  process.stderr.write(
    `warning: --backends tfjs: TensorFlow.js is not installed, so only ${others.join(', ')} run. ` +
      `Install it with: ${TFJS_INSTALL}\n`,
  )
}

function datasetList(value: string): string[] {
  return value.trim() === 'none' ? [] : nameList(Object.keys(TARGET_DATASETS))(value)
}

/** `descent bench`: optimizers × problem sizes × backends, and time to target accuracy on real data. */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      "the tutorial's OptimizerBenchmark done properly: optimizers x sizes x backends, medians of repeats",
    )
    .addOption(
      listOption(
        '--optimizers <list>',
        `comma-separated, from ${Object.keys(BENCH_OPTIMIZERS).join(', ')}`,
        nameList(Object.keys(BENCH_OPTIMIZERS)),
        TUTORIAL_OPTIMIZERS,
      ),
    )
    .addOption(
      listOption(
        '--sizes <list>',
        'problem sizes (input features; hidden layer 2x)',
        integerList,
        [10, 50, 100],
      ),
    )
    .option('--epochs <n>', 'epochs per run', integerAtLeast(1), 50)
    .option('--batch-size <n>', 'rows per optimizer step', integerAtLeast(1), 32)
    .option(
      '--backends <list>',
      'comma-separated, from native, js, tfjs (default: those available here)',
      nameList(BACKENDS),
    )
    .option('--repeats <n>', 'runs per cell; medians are reported', integerAtLeast(1), 3)
    .option('--seed <n>', 'seed of the data and (plus the repeat index) of the initial weights', seed, 42)
    .addOption(
      new Option('--data <kind>', 'blobs (learnable) or random (the tutorial’s, unlearnable labels)')
        .choices(BENCH_DATA)
        .default('blobs'),
    )
    .addOption(
      listOption(
        '--datasets <list>',
        `time-to-target data sets, from ${Object.keys(TARGET_DATASETS).join(', ')}, or none`,
        datasetList,
        Object.keys(TARGET_DATASETS),
      ),
    )
    .option('--json <file>', "also write the results document (as results.json) to this file, '-' for stdout")
    .option(...OUT_FLAG)
    .option(...QUIET_FLAG)
    .action(async (flags: BenchFlags) => {
      prepareOutDir(flags.out) // before any work: a bad --out fails at once
      const quiet = flags.quiet === true || flags.json === '-'
      const backends = flags.backends ?? defaultBackends()
      checkTfjsRequest(backends)
      const settings: BenchSettings = {
        optimizers: flags.optimizers,
        sizes: flags.sizes,
        epochs: flags.epochs,
        batchSize: flags.batchSize,
        backends,
        repeats: flags.repeats,
        seed: flags.seed,
        data: flags.data,
        datasets: flags.datasets,
      }
      const progress = createProgress({ quiet })
      const results = await runBenchmark(settings, progress).finally(() => progress.stop())
      const tables = [
        benchTable(results),
        speedupTable(results),
        ...(results.targets.length ? [targetsTable(results)] : []),
      ].filter((t) => t !== undefined)
      printTables(tables, quiet)
      const report = {
        command: 'bench',
        title: 'descent: optimizer benchmark',
        settings: { ...settings, out: flags.out },
        summary: benchSummary(results),
        charts: [
          lossPerSizeChart(results),
          timingChart(results),
          ...(results.targets.length ? [timeToTargetChart(results)] : []),
        ],
        tables,
        bench: results,
      }
      const written = await writeReport(flags.out, report, progress)
      if (flags.json === '-') process.stdout.write(toJson(written.document))
      else if (flags.json) writeFileSync(flags.json, toJson(written.document))
      printReportLocation(written, quiet)
    })
}
