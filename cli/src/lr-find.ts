import type { Command } from 'commander'
import { data, lrFind, MLP, OPTIMIZERS } from 'descent-optim'
import { lrFindChart, lrFindTable } from './figures/lr-find.js'
import { integerAtLeast, OUT_FLAG, positiveNumber, QUIET_FLAG, seed } from './flags.js'
import { printReportLocation, printTables } from './output.js'
import { createProgress } from './progress.js'
import { prepareOutDir } from './report/out-dir.js'
import { writeReport } from './report/write-report.js'

interface LrFindFlags {
  optimizer: string
  data: 'iris' | 'mnist'
  start: number
  end: number
  steps: number
  batchSize: number
  seed: number
  out: string
  quiet?: boolean
}

/** `descent lr-find`: the learning-rate range test on a real data set, with its curve. */
export function registerLrFindCommand(program: Command): void {
  program
    .command('lr-find')
    .description('the learning-rate range test (fastai lr_find) for an MLP on Iris or MNIST, with its curve')
    .option('--optimizer <name>', `one of ${Object.keys(OPTIMIZERS).join(', ')}`, 'adam')
    .option(
      '--data <set>',
      'iris (standardized, 4→32→3) or mnist (784→128→10, needs the mnist package)',
      'iris',
    )
    .option('--start <lr>', 'first lr', positiveNumber, 1e-6)
    .option('--end <lr>', 'last lr', positiveNumber, 10)
    .option('--steps <n>', 'steps of the ramp, one mini-batch each', integerAtLeast(2), 100)
    .option('--batch-size <n>', 'rows per step', integerAtLeast(1), 16)
    .option('--seed <n>', 'seed of the weights and the batch order', seed, 0)
    .option(...OUT_FLAG)
    .option(...QUIET_FLAG)
    .action(async (flags: LrFindFlags) => {
      prepareOutDir(flags.out) // before any work: a bad --out fails at once
      const Optimizer = OPTIMIZERS[flags.optimizer]
      if (!Optimizer)
        throw new Error(
          `--optimizer: unknown '${flags.optimizer}'; one of ${Object.keys(OPTIMIZERS).join(', ')}`,
        )
      if (flags.data !== 'iris' && flags.data !== 'mnist')
        throw new Error(`--data: expected iris or mnist, got '${flags.data}'`)
      if (!(flags.end > flags.start))
        throw new Error(`--end must be above --start, got ${flags.start} and ${flags.end}`)
      const quiet = flags.quiet === true
      const set =
        flags.data === 'iris'
          ? data.iris({ standardize: true, seed: flags.seed }).train
          : data.mnist({ train: 4096, test: 0, seed: flags.seed }).train
      const sizes = flags.data === 'iris' ? [4, 32, 3] : [784, 128, 10]
      const model = new MLP({ sizes, activation: 'relu', seed: flags.seed })
      const optimizer = new Optimizer(model.parameters(), { lr: flags.start })
      const progress = createProgress({ quiet })
      progress.start(1, `lr range test, ${flags.steps} steps`)
      const result = lrFind(model, set.x, set.y, {
        optimizer,
        start: flags.start,
        end: flags.end,
        steps: flags.steps,
        batchSize: flags.batchSize,
        seed: flags.seed,
      })
      progress.tick('done')
      progress.stop()
      const label = `${flags.optimizer} on ${flags.data} (MLP ${sizes.join('→')}, batch ${flags.batchSize})`
      const table = lrFindTable(result, label)
      printTables([table], quiet)
      const written = await writeReport(
        flags.out,
        {
          command: 'lr-find',
          title: 'descent: learning-rate range test',
          settings: { ...flags },
          summary: [
            `${label}: the lr rose from ${flags.start} to ${result.lrs.at(-1)?.toPrecision(3)} over ${result.lrs.length} steps` +
              `${result.diverged ? ' until the loss diverged' : ''}; suggested lr ${result.suggestedLr.toPrecision(3)}.`,
          ],
          charts: [lrFindChart(result, label)],
          tables: [table],
        },
        progress,
      )
      printReportLocation(written, quiet)
    })
}
