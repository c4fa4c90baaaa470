import type { Command } from 'commander'
import type { BenchResults } from './bench/types.js'
import { OUT_FLAG, QUIET_FLAG, seed } from './flags.js'
import { printReportLocation, terminalWidth } from './output.js'
import { createProgress } from './progress.js'
import type { Chart } from './report/chart.js'
import { prepareOutDir } from './report/out-dir.js'
import { formatTable, type Table } from './report/table.js'
import { writeReport } from './report/write-report.js'
import { TOUR_SECTIONS } from './tour/tour.js'

interface TourFlags {
  seed: number
  quick?: boolean
  out: string
  quiet?: boolean
}

/** Charts in the order the report shows them: the tutorial's four figures first, then the rest. */
const CHART_ORDER = ['convergence', 'schedules', 'loss-per-size', 'cosine-restarts', 'mlp-training', 'timing']

/** `descent tour`: the whole tutorial, reproduced correctly, with tables and a report. */
export function registerTourCommand(program: Command): void {
  program
    .command('tour')
    .description('the whole tutorial reproduced correctly with descent: tables, then a report with charts')
    .option('--seed <n>', 'seed of every data set and initial weights', seed, 42)
    .option('--quick', 'smaller problems and fewer epochs (same sections), for a first look or tests')
    .option(...OUT_FLAG)
    .option(...QUIET_FLAG)
    .action(async (flags: TourFlags) => {
      prepareOutDir(flags.out) // before any work: a bad --out fails at once
      const quiet = flags.quiet === true
      const settings = { seed: flags.seed, quick: flags.quick === true }
      const started = performance.now()
      const progress = createProgress({ quiet })
      const charts: Chart[] = []
      const tables: Table[] = []
      const summary: string[] = []
      let bench: BenchResults | undefined
      progress.start(TOUR_SECTIONS.length, TOUR_SECTIONS[0]?.title ?? '')
      try {
        for (const [i, section] of TOUR_SECTIONS.entries()) {
          const result = await section.run(settings)
          progress.tick(TOUR_SECTIONS[i + 1]?.title ?? 'writing the report')
          if (!quiet) {
            const text = result.tables.map((t) => `\n${formatTable(t, terminalWidth())}`).join('')
            progress.print(`\n== ${section.title}\n${text}`)
          }
          charts.push(...result.charts)
          tables.push(
            ...result.tables.map((t) => ({ ...t, title: `${section.title.split('.')[0]}. ${t.title}` })),
          )
          summary.push(...result.summary)
          bench ??= result.bench
        }
      } finally {
        progress.stop()
      }
      const rank = (c: Chart) => (CHART_ORDER.includes(c.id) ? CHART_ORDER.indexOf(c.id) : CHART_ORDER.length)
      charts.sort((a, b) => rank(a) - rank(b))
      const seconds = (performance.now() - started) / 1000
      const written = await writeReport(
        flags.out,
        {
          command: 'tour',
          title: 'descent: the optimizer tutorial, reproduced correctly',
          settings: { ...settings, out: flags.out },
          summary: [...summary, `The tour's computations took ${seconds.toFixed(1)} s on this machine.`],
          charts,
          tables,
          ...(bench ? { bench } : {}),
        },
        progress,
      )
      printReportLocation(written, quiet)
    })
}
