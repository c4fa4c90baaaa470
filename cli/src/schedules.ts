import type { Command } from 'commander'
import {
  pytorchSchedules,
  pytorchSchedulesChart,
  RESTARTS_CURVES,
  restartsChart,
  schedulesTable,
  TUTORIAL_DECAYS,
  tutorialDecaysChart,
  tutorialSchedules,
  tutorialSchedulesChart,
} from './figures/schedules.js'
import { OUT_FLAG, QUIET_FLAG } from './flags.js'
import { printReportLocation, printTables } from './output.js'
import { createProgress } from './progress.js'
import { prepareOutDir } from './report/out-dir.js'
import { writeReport } from './report/write-report.js'

interface SchedulesFlags {
  out: string
  quiet?: boolean
}

/** `descent schedules`: every schedule plotted, the tutorial's figures included. */
export function registerSchedulesCommand(program: Command): void {
  program
    .command('schedules')
    .description("plot every learning-rate schedule, the tutorial's figures included")
    .option(...OUT_FLAG)
    .option(...QUIET_FLAG)
    .action(async (flags: SchedulesFlags) => {
      prepareOutDir(flags.out) // before any work: a bad --out fails at once
      const quiet = flags.quiet === true
      const progress = createProgress({ quiet })
      const tables = [
        schedulesTable(
          'tutorial-decays',
          "The tutorial's decays (lr0 0.1)",
          TUTORIAL_DECAYS,
          [0, 9, 10, 50, 99],
        ),
        schedulesTable(
          'cosine-restarts',
          'Warmup + cosine restarts (lr0 1e-3, minLr 1e-6, 20000 steps)',
          RESTARTS_CURVES,
          [0, 500, 1000, 5999, 6000, 15999, 16000, 19999],
        ),
        schedulesTable(
          'pytorch-schedules',
          "PyTorch's schedulers (base lr 0.1)",
          pytorchSchedules(),
          [0, 10, 30, 50, 99],
        ),
        schedulesTable(
          'tutorial-schedules',
          "The tutorial's schedules (base lr 0.1)",
          tutorialSchedules(),
          [0, 10, 30, 50, 99],
        ),
      ]
      printTables(tables, quiet)
      const written = await writeReport(
        flags.out,
        {
          command: 'schedules',
          title: 'descent: learning-rate schedules',
          settings: { out: flags.out },
          summary: [
            "The tutorial's step, exponential and cosine decays from lr0 0.1 over 100 epochs, as its figure shows them.",
            'Warmup + cosine decay with warm restarts over 20000 steps: descent composes LinearWarmup and Keras-style ' +
              "CosineDecayRestarts with SequentialLR (restarts at 1000, 6000, 16000, peaks halving); the tutorial's " +
              'formula runs each cycle down and back up, and its warmup argument is ignored.',
            "Every PyTorch scheduler and every tutorial schedule, one panel each, from the library's pure functions.",
          ],
          charts: [tutorialDecaysChart(), restartsChart(), pytorchSchedulesChart(), tutorialSchedulesChart()],
          tables,
        },
        progress,
      )
      printReportLocation(written, quiet)
    })
}
