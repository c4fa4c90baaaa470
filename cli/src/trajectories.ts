import type { Command } from 'commander'
import {
  functionPaths,
  trajectoriesChart,
  trajectoriesSummary,
  trajectoriesTable,
} from './figures/trajectories.js'
import { integerAtLeast, listOption, nameList, OUT_FLAG, QUIET_FLAG } from './flags.js'
import { printReportLocation, printTables } from './output.js'
import { createProgress } from './progress.js'
import { prepareOutDir } from './report/out-dir.js'
import { writeReport } from './report/write-report.js'
import { TEST_FUNCTIONS } from './trajectories/functions.js'
import { DEFAULT_PATH_OPTIMIZERS, PATH_OPTIMIZERS } from './trajectories/presets.js'

interface TrajectoriesFlags {
  optimizers: string[]
  functions: string[]
  steps?: number
  out: string
  quiet?: boolean
}

const FUNCTION_IDS = TEST_FUNCTIONS.map((f) => f.id)

/** `descent trajectories`: optimizer paths over contour plots of 2-D test functions. */
export function registerTrajectoriesCommand(program: Command): void {
  program
    .command('trajectories')
    .description('draw optimizer paths on 2-D test functions (quadratic, Rosenbrock, Beale, saddle)')
    .addOption(
      listOption(
        '--optimizers <list>',
        `comma-separated, from ${Object.keys(PATH_OPTIMIZERS).join(', ')}`,
        nameList(Object.keys(PATH_OPTIMIZERS)),
        DEFAULT_PATH_OPTIMIZERS,
      ),
    )
    .addOption(
      listOption(
        '--functions <list>',
        `comma-separated, from ${FUNCTION_IDS.join(', ')}`,
        nameList(FUNCTION_IDS),
        FUNCTION_IDS,
      ),
    )
    .option('--steps <n>', "steps per path (default: each function's own, 100 to 500)", integerAtLeast(1))
    .option(...OUT_FLAG)
    .option(...QUIET_FLAG)
    .action(async (flags: TrajectoriesFlags) => {
      prepareOutDir(flags.out) // before any work: a bad --out fails at once
      const quiet = flags.quiet === true
      const presets = flags.optimizers.map(
        (name) => PATH_OPTIMIZERS[name] as (typeof PATH_OPTIMIZERS)[string],
      )
      const functions = TEST_FUNCTIONS.filter((f) => flags.functions.includes(f.id))
      const progress = createProgress({ quiet })
      progress.start(functions.length, `paths on ${functions[0]?.id}`)
      const results = functions.map((fn, i) => {
        const paths = functionPaths(fn, presets, flags.steps)
        progress.tick(functions[i + 1] ? `paths on ${functions[i + 1]?.id}` : 'paths done')
        return paths
      })
      progress.stop()
      const table = trajectoriesTable(results)
      printTables([table], quiet)
      const written = await writeReport(
        flags.out,
        {
          command: 'trajectories',
          title: 'descent: optimizer paths on 2-D test functions',
          settings: {
            optimizers: flags.optimizers,
            functions: flags.functions,
            steps: flags.steps ?? 'per function',
            out: flags.out,
          },
          summary: [
            `${presets.length} optimizers (${presets.map((p) => p.name).join(', ')}) from the same start on ` +
              `${functions.map((f) => f.id).join(', ')}, with analytic gradients on a 2-element Parameter.`,
            'SGD-style rules share one lr per function and Adam-style rules another (their steps are about lr long); ' +
              'the table lists each setting and where each path ended.',
            ...trajectoriesSummary(results),
          ],
          charts: results.map(trajectoriesChart),
          tables: [table],
        },
        progress,
      )
      printReportLocation(written, quiet)
    })
}
