import type { TopLevelSpec } from 'vega-lite'
import { CHART_CONFIG, type Chart, type Row } from '../chart.js'

/** An axis of a line chart: the field plotted and its title; `log` for a log scale. */
export interface LineAxis {
  field: string
  title: string
  log?: boolean
  /** Whole numbers only (steps, epochs): ticks at integers, labelled without decimals. */
  integer?: boolean
}

/** A field that splits the lines (colour or dash) or the panels (facet). */
export interface SeriesField {
  field: string
  title: string
  /** Order of the values in legends and panels; default: first appearance in the data. */
  sort?: string[] | number[]
}

/** Options of lineChart. */
export interface LineChartOptions {
  id: string
  title: string
  caption: string
  data: Row[]
  x: LineAxis
  y: LineAxis
  /** One colour per value (e.g. the optimizer). */
  color?: SeriesField
  /** One dash pattern per value (e.g. the backend). */
  dash?: SeriesField
  /** Small multiples: one panel per value (e.g. the problem size), `columns` per row. */
  facet?: SeriesField & { columns?: number; independentY?: boolean }
  /** Size of one panel in pixels (default 640 × 300, or 300 × 220 per facet panel). */
  width?: number
  height?: number
  /** How points are joined: 'linear' (default), or 'step-after' for values that hold until the next step. */
  interpolate?: 'linear' | 'step-after'
  /** The legend under the plot, one entry per line, for long series names (default: on the right). */
  legendBelow?: boolean
}

/** A legend under the plot, entries stacked, names never cut (they are long, e.g. 'cosine restarts, no warmup (Keras, …)'). */
const LEGEND_BELOW = { orient: 'bottom', direction: 'vertical', labelLimit: 0, labelFontSize: 12 } as const

/** The distinct values of `field` in order of first appearance (legend and panel order). */
export function firstAppearance(data: Row[], field: string): string[] | number[] {
  const seen = new Set<string | number>()
  for (const row of data) {
    const value = row[field]
    if (value !== null && value !== undefined) seen.add(value)
  }
  return [...seen] as string[] | number[]
}

/**
 * A line chart of `data`, optionally coloured, dashed and faceted by fields. On a log axis,
 * rows whose value is not positive are left out (log 0 is −∞), so a loss that reaches exactly 0
 * ends its line there instead of breaking the scale.
 */
export function lineChart(options: LineChartOptions): Chart {
  const { data, x, y, color, dash, facet } = options
  const logFilter = [x, y].filter((a) => a.log).map((a) => ({ filter: `datum['${a.field}'] > 0` }))
  const scale = (axis: LineAxis) => (axis.log ? { type: 'log' as const, nice: false } : { zero: false })
  const axis = (a: LineAxis) => (a.integer ? { axis: { tickMinStep: 1, format: 'd' } } : {})
  const encoding = {
    x: { field: x.field, type: 'quantitative' as const, title: x.title, scale: scale(x), ...axis(x) },
    y: { field: y.field, type: 'quantitative' as const, title: y.title, scale: scale(y), ...axis(y) },
    ...(color
      ? {
          color: {
            field: color.field,
            type: 'nominal' as const,
            title: color.title,
            sort: color.sort ?? firstAppearance(data, color.field),
            ...(options.legendBelow ? { legend: LEGEND_BELOW } : {}),
          },
        }
      : {}),
    ...(dash
      ? {
          strokeDash: {
            field: dash.field,
            type: 'nominal' as const,
            title: dash.title,
            sort: dash.sort ?? firstAppearance(data, dash.field),
          },
        }
      : {}),
  }
  const mark = {
    type: 'line' as const,
    strokeWidth: 1.8,
    clip: true,
    interpolate: options.interpolate ?? 'linear',
  }
  const width = options.width ?? (facet ? 300 : 640)
  const height = options.height ?? (facet ? 220 : 300)
  const spec: TopLevelSpec = facet
    ? {
        config: CHART_CONFIG,
        data: { values: data },
        transform: logFilter,
        facet: {
          field: facet.field,
          type: 'ordinal',
          title: facet.title,
          sort: facet.sort ?? firstAppearance(data, facet.field),
        },
        columns: facet.columns ?? 3,
        spec: { width, height, mark, encoding },
        // Each panel draws its own x axis: shared ones sit at the foot of every column, under
        // the empty cells of a last row that is not full too.
        resolve: {
          axis: { x: 'independent' },
          ...(facet.independentY ? { scale: { y: 'independent' } } : {}),
        },
      }
    : { config: CHART_CONFIG, data: { values: data }, transform: logFilter, width, height, mark, encoding }
  return { id: options.id, title: options.title, caption: options.caption, data, spec }
}
