import type { TopLevelSpec } from 'vega-lite'
import { CHART_CONFIG, type Chart, type Row } from '../chart.js'
import { type ContourLine, contourLines, type Grid } from '../contours.js'

/** One optimizer's path: the points visited, starting point first. */
export interface Path {
  optimizer: string
  points: readonly (readonly [number, number])[]
}

/** Options of trajectoryChart. */
export interface TrajectoryChartOptions {
  id: string
  title: string
  caption: string
  /** The function drawn as contours. */
  f: (x: number, y: number) => number
  grid: Grid
  levels: readonly number[]
  paths: readonly Path[]
  /** Points marked with a cross (minima, saddle points). */
  marks?: readonly (readonly [number, number])[]
  width?: number
  height?: number
}

/**
 * Optimizer paths over the contour lines of a 2-D function. The rows hold the contours
 * (`kind: 'contour'`), the paths (`kind: 'path'`, the start drawn as a dot) and the marked
 * points (`kind: 'mark'`, crosses);
 * points outside the box are clipped, so a diverging path leaves the picture instead of
 * rescaling it.
 */
export function trajectoryChart(options: TrajectoryChartOptions): Chart {
  const lines: ContourLine[] = contourLines(options.f, options.grid, options.levels)
  const data: Row[] = []
  lines.forEach((line, index) => {
    line.points.forEach(([x, y], order) => {
      data.push({ kind: 'contour', line: index, level: line.level, order, x: round(x), y: round(y) })
    })
  })
  for (const path of options.paths) {
    path.points.forEach(([x, y], step) => {
      const inside = Number.isFinite(x) && Number.isFinite(y)
      data.push({
        kind: 'path',
        optimizer: path.optimizer,
        step,
        x: inside ? round(x, 6) : null,
        y: inside ? round(y, 6) : null,
      })
    })
  }
  for (const [x, y] of options.marks ?? []) data.push({ kind: 'mark', x, y })
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: 'x',
    scale: { domain: [...options.grid.x], nice: false, zero: false },
  }
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: 'y',
    scale: { domain: [...options.grid.y], nice: false, zero: false },
  }
  const optimizers = options.paths.map((p) => p.optimizer)
  const color = { field: 'optimizer', type: 'nominal' as const, title: 'optimizer', sort: optimizers }
  const spec: TopLevelSpec = {
    config: CHART_CONFIG,
    data: { values: data },
    width: options.width ?? 420,
    height: options.height ?? 360,
    layer: [
      {
        transform: [{ filter: "datum.kind === 'contour'" }],
        mark: { type: 'line', stroke: '#b8b8b8', strokeWidth: 0.8, clip: true },
        encoding: {
          x,
          y,
          detail: { field: 'line', type: 'nominal' },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      {
        transform: [{ filter: "datum.kind === 'path'" }],
        mark: { type: 'line', strokeWidth: 1.8, clip: true },
        encoding: { x, y, color, order: { field: 'step', type: 'quantitative' } },
      },
      {
        transform: [{ filter: "datum.kind === 'path' && datum.step === 0" }],
        mark: { type: 'point', shape: 'circle', size: 60, color: '#222', filled: true, clip: true },
        encoding: { x, y },
      },
      {
        transform: [{ filter: "datum.kind === 'mark'" }],
        mark: { type: 'point', shape: 'cross', size: 120, color: '#222', filled: true, clip: true },
        encoding: { x, y },
      },
    ],
  }
  return { id: options.id, title: options.title, caption: options.caption, data, spec }
}

/** Coordinates to a few significant digits: plenty for a picture, a fraction of the JSON. */
function round(value: number, digits = 5): number {
  return Number(value.toPrecision(digits))
}
