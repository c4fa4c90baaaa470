import type { BenchResults } from '../bench/types.js'
import type { Row } from './chart.js'
import type { Machine } from './machine.js'
import type { Table } from './table.js'

/** Version of the results.json layout; bumped on any incompatible change (see results.schema.json). */
export const RESULTS_SCHEMA_VERSION = 1

/** A chart's entry in results.json: its text, its PNG and every number it plots. */
export interface ChartRecord {
  id: string
  title: string
  caption: string
  /** The PNG, relative to the report directory, e.g. `charts/convergence.png`; null when PNGs could not be rendered. */
  png: string | null
  /** The rows plotted. */
  data: Row[]
}

/**
 * results.json: everything a report shows, as data. Documented field by field in
 * cli/src/report/results.schema.json, which a test validates every command's output against.
 */
export interface ResultsDocument {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION
  /** The CLI command that wrote it: tour, bench, trajectories or schedules. */
  command: string
  title: string
  /** ISO 8601 time the command finished. */
  createdAt: string
  descent: {
    version: string
    /** The default backend in this process. */
    backend: 'native' | 'js'
    nativeAvailable: boolean
  }
  machine: Machine
  /** The command's settings after defaults (flags, seeds, sizes). */
  settings: Record<string, unknown>
  summary: string[]
  charts: ChartRecord[]
  tables: Table[]
  /** `descent bench` (and the tour's benchmark section): per-run medians. */
  bench?: BenchResults
}
