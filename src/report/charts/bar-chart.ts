import type { TopLevelSpec } from 'vega-lite'
import { CHART_CONFIG, type Chart, type Row } from '../chart.js'
import { firstAppearance, type SeriesField } from './line-chart.js'

/** Options of groupedBarChart. */
export interface BarChartOptions {
  id: string
  title: string
  caption: string
  data: Row[]
  /** The categories along x (e.g. the optimizer). */
  category: SeriesField
  /** The bars side by side within a category, one colour each (e.g. the backend). */
  series: SeriesField
  /** The bar height. */
  value: { field: string; title: string; log?: boolean }
  /** One panel per value (e.g. the problem size). */
  facet?: SeriesField & { columns?: number }
  width?: number
  height?: number
}

function order(data: Row[], field: SeriesField): string[] | number[] {
  return field.sort ?? firstAppearance(data, field.field)
}

/** Grouped bars: one group per category, one bar per series value, optionally one panel per facet value. */
export function groupedBarChart(options: BarChartOptions): Chart {
  const { data, category, series, value, facet } = options
  // A bar needs a baseline; on a log scale 0 is −∞, so bars start one decade below the smallest value.
  const positive = data
    .map((row) => row[value.field])
    .filter((v): v is number => typeof v === 'number' && v > 0)
  const floor = positive.length > 0 ? 10 ** Math.floor(Math.log10(Math.min(...positive)) - 0.3) : 1
  const encoding = {
    x: {
      field: category.field,
      type: 'nominal' as const,
      title: category.title,
      sort: order(data, category),
    },
    xOffset: { field: series.field, type: 'nominal' as const, sort: order(data, series) },
    y: {
      field: value.field,
      type: 'quantitative' as const,
      title: value.title,
      ...(value.log ? { scale: { type: 'log' as const, domainMin: floor } } : {}),
    },
    ...(value.log ? { y2: { datum: floor } } : {}),
    color: { field: series.field, type: 'nominal' as const, title: series.title, sort: order(data, series) },
  }
  const mark = { type: 'bar' as const }
  const width = options.width ?? (facet ? 260 : 560)
  const height = options.height ?? 240
  const spec: TopLevelSpec = facet
    ? {
        config: CHART_CONFIG,
        data: { values: data },
        facet: { field: facet.field, type: 'ordinal', title: facet.title, sort: order(data, facet) },
        columns: facet.columns ?? 3,
        spec: { width, height, mark, encoding },
      }
    : { config: CHART_CONFIG, data: { values: data }, width, height, mark, encoding }
  return { id: options.id, title: options.title, caption: options.caption, data, spec }
}
