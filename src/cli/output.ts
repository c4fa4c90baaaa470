import { formatTable, type Table } from '../report/table.js'
import type { WrittenReport } from '../report/write-report.js'

/** Writes tables to stdout unless quiet. */
export function printTables(tables: readonly Table[], quiet: boolean): void {
  if (quiet) return
  for (const table of tables) process.stdout.write(`\n${formatTable(table)}`)
}

/** Tells where the report went, unless quiet. */
export function printReportLocation(written: WrittenReport, quiet: boolean): void {
  if (quiet) return
  const pngs = written.pngs.length > 0 ? `${written.pngs.length} charts in ${written.dir}/charts` : 'no PNGs'
  process.stdout.write(`\nreport: ${written.html}\n        ${written.results}\n        ${pngs}\n`)
}
