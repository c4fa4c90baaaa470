import type { BenchResults } from '../bench/types.js'
import type { Chart } from '../report/chart.js'
import type { Table } from '../report/table.js'

/** Settings of the whole tour. */
export interface TourSettings {
  seed: number
  /** Smaller problems and fewer epochs (for tests and a first look); the same sections. */
  quick: boolean
}

/** What one section of the tour found: its tables (printed as it goes), charts and summary lines. */
export interface SectionResult {
  tables: Table[]
  charts: Chart[]
  summary: string[]
  bench?: BenchResults
}

/** A section of the tour: a heading and the work. */
export interface TourSection {
  /** Heading printed before the section's tables, e.g. `1. One update of each optimizer`. */
  title: string
  run: (settings: TourSettings) => SectionResult | Promise<SectionResult>
}

/** Numbers of an array to 6 significant digits, as `[0.99, 1.98]`. */
export function formatVector(values: ArrayLike<number>): string {
  return `[${Array.from(values, (v) => String(Number(v.toPrecision(6)))).join(', ')}]`
}
