import { BENCH_OPTIMIZERS } from '../bench/optimizers.js'
import { BENCH_SAMPLES } from '../bench/problem.js'
import { median } from '../bench/stats.js'
import { TARGET_DATASETS } from '../bench/targets.js'
import type { BenchResults, BenchRun } from '../bench/types.js'
import { type Chart, finite, type Row } from '../report/chart.js'
import { groupedBarChart } from '../report/charts/bar-chart.js'
import { lineChart } from '../report/charts/line-chart.js'
import type { Table } from '../report/table.js'

const label = (key: string) => BENCH_OPTIMIZERS[key]?.label ?? key

/** The backend whose loss curves are drawn: native when it ran, else the first that did. */
function curveBackend(runs: readonly BenchRun[]): string | undefined {
  return runs.some((r) => r.backend === 'native') ? 'native' : runs[0]?.backend
}

/** The tutorial's figure "Loss Convergence (Size=…)": one panel per problem size, log scale. */
export function lossPerSizeChart(results: BenchResults, id = 'loss-per-size'): Chart {
  const backend = curveBackend(results.runs)
  const data: Row[] = results.runs
    .filter((r) => r.backend === backend)
    .flatMap((r) =>
      r.lossHistory.map((loss, i) => ({ size: r.size, optimizer: label(r.optimizer), epoch: i + 1, loss })),
    )
  return lineChart({
    id,
    title: 'Training loss per problem size (the tutorial’s benchmark figure), log scale',
    caption:
      `SimpleNN(size, 2·size, 3), mean training loss per epoch (${runsLabel(results.runs)}), ${backend} backend; ` +
      'the other backends follow the same curves (same data, weights and hyperparameters).',
    data,
    x: { field: 'epoch', title: 'epoch' },
    y: { field: 'loss', title: 'cross-entropy loss', log: true },
    color: { field: 'optimizer', title: 'optimizer' },
    facet: { field: 'size', title: 'problem size (input features)', columns: 3, independentY: true },
  })
}

/** Training time per epoch, one bar per backend, one panel per size. */
export function timingChart(results: BenchResults, id = 'timing', extra = ''): Chart {
  const data: Row[] = results.runs.map((r) => ({
    size: r.size,
    optimizer: label(r.optimizer),
    backend: r.backend,
    msPerEpoch: r.trainingTimeMs / Math.max(1, r.lossHistory.length),
  }))
  return groupedBarChart({
    id,
    title: 'Training time per epoch: native vs JS backend (vs TensorFlow.js when installed)',
    caption: `Wall time of fit() per epoch (${BENCH_SAMPLES} rows), ${runsLabel(results.runs)}; lower is better.${extra}`,
    data,
    category: { field: 'optimizer', title: 'optimizer' },
    series: { field: 'backend', title: 'backend' },
    value: { field: 'msPerEpoch', title: 'ms per epoch', log: true },
    facet: { field: 'size', title: 'problem size (input features)', columns: 3 },
  })
}

/** 'one run' or 'median of 3 runs', as the runs were repeated. */
export function runsLabel(runs: readonly { repeats: number }[]): string {
  const repeats = Math.max(1, ...runs.map((r) => r.repeats))
  return repeats === 1 ? 'one run' : `median of ${repeats} runs`
}

/** Time to the target test accuracy on the real data sets. */
export function timeToTargetChart(results: BenchResults): Chart {
  const data: Row[] = results.targets.map((t) => ({
    dataset: t.dataset,
    optimizer: label(t.optimizer),
    backend: t.backend,
    timeToTargetMs: t.timeToTargetMs,
  }))
  const targets = [...new Set(results.targets.map((t) => t.dataset))]
    .map((d) => `${d} ${TARGET_DATASETS[d]?.target ?? '?'}`)
    .join(', ')
  return groupedBarChart({
    id: 'time-to-target',
    title: 'Training time to the target test accuracy on real data',
    caption: `Targets: ${targets}. A missing bar means the target was not reached within the epoch limit (see the table).`,
    data,
    category: { field: 'optimizer', title: 'optimizer' },
    series: { field: 'backend', title: 'backend' },
    value: { field: 'timeToTargetMs', title: 'ms to target', log: true },
    facet: { field: 'dataset', title: 'data set', columns: 2 },
  })
}

/** The main table: one row per optimizer × size × backend. */
export function benchTable(results: BenchResults): Table {
  return {
    id: 'bench',
    title: `Optimizer benchmark (${runsLabel(results.runs)})`,
    columns: [
      'size',
      'optimizer',
      'backend',
      'final loss',
      'min loss',
      'epochs to converge',
      'time (ms)',
      'ms/epoch',
    ],
    rows: results.runs.map((r) => [
      r.size,
      label(r.optimizer),
      r.backend,
      r.finalLoss,
      r.minLoss,
      r.epochsToConverge,
      Math.round(r.trainingTimeMs),
      r.trainingTimeMs / Math.max(1, r.lossHistory.length),
    ]),
    note:
      'epochs to converge = first epoch whose loss <= 1.1 x the run’s minimum (the tutorial counted the epochs near ' +
      'the minimum instead). Loss = mean training loss of the epoch.' +
      results.skipped.map((s) => ` Skipped ${s.backend}: ${s.reason}.`).join(''),
  }
}

/** How many times faster native is than each other backend, per size and optimizer. */
export function speedupTable(results: BenchResults): Table | undefined {
  const native = results.runs.filter((r) => r.backend === 'native')
  const others = [...new Set(results.runs.map((r) => r.backend).filter((b) => b !== 'native'))]
  if (native.length === 0 || others.length === 0) return undefined
  return {
    id: 'speedup',
    title: 'Native speed-up: other backend’s time / native time',
    columns: ['size', 'optimizer', ...others.map((b) => `vs ${b}`)],
    rows: native.map((n) => [
      n.size,
      label(n.optimizer),
      ...others.map((b) => {
        const other = results.runs.find(
          (r) => r.backend === b && r.size === n.size && r.optimizer === n.optimizer,
        )
        return other ? finite(other.trainingTimeMs / n.trainingTimeMs) : null
      }),
    ]),
  }
}

/** Time to target per data set, optimizer and backend. */
export function targetsTable(results: BenchResults): Table {
  return {
    id: 'time-to-target',
    title: `Time to target test accuracy (${runsLabel(results.targets)})`,
    columns: [
      'data set',
      'optimizer',
      'backend',
      'target',
      'epochs to target',
      'time to target (ms)',
      'test accuracy',
    ],
    rows: results.targets.map((t) => [
      t.dataset,
      label(t.optimizer),
      t.backend,
      t.targetAccuracy,
      t.epochsToTarget ?? `not in ${t.maxEpochs}`,
      t.timeToTargetMs === null ? null : Math.round(t.timeToTargetMs),
      t.finalTestAccuracy,
    ]),
    note: 'Training time only (the test evaluation after each epoch is not counted).',
  }
}

/** Findings in one sentence each: fastest convergence, native speed-up, time to target. */
export function benchSummary(results: BenchResults): string[] {
  const lines: string[] = []
  const bestPerSize = [...new Set(results.runs.map((r) => r.size))].flatMap((size) => {
    const runs = results.runs.filter((r) => r.size === size && r.backend === curveBackend(results.runs))
    const loss = (r: BenchRun) => r.finalLoss ?? Number.POSITIVE_INFINITY
    const best = [...runs].sort((a, b) => loss(a) - loss(b))[0]
    return best ? [`size ${size}: ${label(best.optimizer)} (${best.finalLoss?.toPrecision(3)})`] : []
  })
  if (bestPerSize.length > 0)
    lines.push(`Lowest final training loss per problem size: ${bestPerSize.join('; ')}.`)
  const speedups = speedupTable(results)
  if (speedups) {
    speedups.columns.slice(2).forEach((column, c) => {
      // Per size, the median over optimizers: one noisy run does not set the headline.
      const perSize = [...new Set(speedups.rows.map((row) => row[0] as number))].flatMap((size) => {
        const values = speedups.rows
          .filter((row) => row[0] === size)
          .map((row) => row[c + 2])
          .filter((v): v is number => typeof v === 'number')
        return values.length > 0 ? [`${median(values).toFixed(1)}× at size ${size}`] : []
      })
      if (perSize.length > 0) {
        lines.push(
          `Native is faster per epoch than ${column.slice(3)}: ${perSize.join(', ')} (median over the optimizers; ` +
            'same data, initial weights and hyperparameters).',
        )
      }
    })
  }
  for (const dataset of [...new Set(results.targets.map((t) => t.dataset))]) {
    const reached = results.targets.filter((t) => t.dataset === dataset && t.timeToTargetMs !== null)
    const fastest = [...reached].sort(
      (a, b) => (a.timeToTargetMs as number) - (b.timeToTargetMs as number),
    )[0]
    const target = results.targets.find((t) => t.dataset === dataset)?.targetAccuracy
    lines.push(
      fastest
        ? `${dataset}: ${(target ?? 0) * 100}% test accuracy fastest with ${label(fastest.optimizer)} on ${fastest.backend} ` +
            `(${Math.round(fastest.timeToTargetMs as number)} ms, ${fastest.epochsToTarget} epochs).`
        : `${dataset}: no optimizer reached ${(target ?? 0) * 100}% test accuracy within the epoch limit.`,
    )
  }
  for (const s of results.skipped) lines.push(`Skipped ${s.backend}: ${s.reason}.`)
  return lines
}
