import type { LrFindResult } from 'descent-optim'
import type { Chart, Row } from '../report/chart.js'
import { lineChart } from '../report/charts/line-chart.js'
import type { Table } from '../report/table.js'

/** The range test's curve: raw and smoothed loss against the lr, log-scaled. */
export function lrFindChart(result: LrFindResult, label: string): Chart {
  const data: Row[] = result.lrs.flatMap((lr, i) => [
    { lr, loss: result.losses[i] as number, series: 'batch loss' },
    { lr, loss: result.smoothed[i] as number, series: 'smoothed (β 0.98)' },
  ])
  return lineChart({
    id: 'lr-find',
    title: `Learning-rate range test: ${label}`,
    caption:
      `Loss while the lr grows exponentially, one mini-batch per lr${result.diverged ? ', stopped when the smoothed loss diverged' : ''}. ` +
      `Suggested lr ${result.suggestedLr.toPrecision(3)} (fastai's valley); steepest fall at ${result.steepestLr.toPrecision(3)}; ` +
      `lowest smoothed loss / 10: ${result.minimumLr.toPrecision(3)}.`,
    data,
    x: { field: 'lr', title: 'learning rate (log scale)', log: true },
    y: { field: 'loss', title: 'loss', log: true },
    color: { field: 'series', title: 'loss' },
  })
}

/** The suggestions and the run, as a table. */
export function lrFindTable(result: LrFindResult, label: string): Table {
  return {
    id: 'lr-find',
    title: `Learning-rate range test: ${label}`,
    columns: [
      'steps',
      'first lr',
      'last lr',
      'diverged',
      'suggested lr (valley)',
      'steepest fall',
      'lowest-loss lr / 10',
    ],
    rows: [
      [
        result.lrs.length,
        result.lrs[0] as number,
        result.lrs.at(-1) as number,
        result.diverged ? 'yes' : 'no',
        result.suggestedLr,
        result.steepestLr,
        result.minimumLr,
      ],
    ],
    note: 'The model and optimizer are put back as they were after the test (lrFind in descent-optim).',
  }
}
