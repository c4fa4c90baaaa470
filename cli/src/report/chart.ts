import type { TopLevelSpec } from 'vega-lite'

/** One row of a chart's data: field name → value (null where a value is missing or not finite). */
export type Row = Record<string, string | number | null>

/** A chart of the report: a vega-lite spec and the rows it plots (stored in results.json). */
export interface Chart {
  /** File- and anchor-safe identifier; the PNG is `charts/<id>.png`. */
  id: string
  /** Heading shown above the chart. */
  title: string
  /** One or two sentences under the chart: what to look at. */
  caption: string
  /** The plotted rows, the same objects the spec's inline data holds. */
  data: Row[]
  /** The vega-lite spec, data inline. */
  spec: TopLevelSpec
}

/** Font stack shared by the SVG (browser) and the PNG (resvg): fonts Debian and most desktops have. */
export const CHART_FONT = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif'

/**
 * Series colours: Tableau 10 (vega's tableau10 scheme, in its order), then four dark, distinct
 * ones, so that charts with up to 16 series (the trajectories draw 15 optimizers) never repeat
 * a colour.
 */
const CATEGORY_COLORS = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
  '#1f1f1f',
  '#0b6e4f',
  '#8c2d04',
  '#5b3a9e',
  '#c51b7d',
  '#7f7f00',
]

/** vega-lite config applied to every chart, so they look like one family. */
export const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 8,
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 420 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  range: { category: CATEGORY_COLORS },
} as const

/** A number fit for JSON and charts: non-finite values become null (vega skips them). */
export function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null
}
