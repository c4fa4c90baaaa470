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

/**
 * The value axis's domain on a log scale: from one decade below the smallest value (a bar needs
 * a baseline, and 0 is −∞ there) to a fifth of a decade above the largest, so that no bar is
 * cut at the top and its label fits above it.
 */
function logDomain(values: readonly number[]): [number, number] {
  if (values.length === 0) return [1, 10]
  const low = 10 ** Math.floor(Math.log10(Math.min(...values)) - 0.3)
  return [low, Math.max(...values) * 10 ** 0.2]
}

/**
 * Grouped bars: one group per category, one bar per series value, optionally one panel per
 * facet value. Each bar carries its value above it (3 significant digits).
 */
export function groupedBarChart(options: BarChartOptions): Chart {
  const { data, category, series, value, facet } = options
  const positive = data
    .map((row) => row[value.field])
    .filter((v): v is number => typeof v === 'number' && v > 0)
  const [floor, ceiling] = logDomain(positive)
  const x = {
    field: category.field,
    type: 'nominal' as const,
    title: category.title,
    sort: order(data, category),
    axis: { labelAngle: -30, labelAlign: 'right' as const },
  }
  const xOffset = { field: series.field, type: 'nominal' as const, sort: order(data, series) }
  const y = {
    field: value.field,
    type: 'quantitative' as const,
    title: value.title,
    ...(value.log
      ? { scale: { type: 'log' as const, domain: [floor, ceiling], nice: false } }
      : { scale: { nice: true } }),
  }
  const bars = {
    mark: { type: 'bar' as const },
    encoding: {
      x,
      xOffset,
      y,
      ...(value.log ? { y2: { datum: floor } } : {}),
      color: {
        field: series.field,
        type: 'nominal' as const,
        title: series.title,
        sort: order(data, series),
      },
    },
  }
  const labels = {
    mark: { type: 'text' as const, baseline: 'bottom' as const, dy: -2, fontSize: 9, color: '#333' },
    encoding: { x, xOffset, y, text: { field: value.field, type: 'quantitative' as const, format: '.3~r' } },
  }
  const width = options.width ?? (facet ? 260 : 560)
  const height = options.height ?? 240
  const spec: TopLevelSpec = facet
    ? {
        config: CHART_CONFIG,
        data: { values: data },
        facet: { field: facet.field, type: 'ordinal', title: facet.title, sort: order(data, facet) },
        columns: facet.columns ?? 3,
        spec: { width, height, layer: [bars, labels] },
      }
    : { config: CHART_CONFIG, data: { values: data }, width, height, layer: [bars, labels] }
  return { id: options.id, title: options.title, caption: options.caption, data, spec }
}
