import { formatTable, type Table } from './report/table.js'
import type { WrittenReport } from './report/write-report.js'

/**
 * Columns a printed table may take: the terminal's width, or 100 when stdout is not a terminal
 * (logs, pipes). Wider tables are split into blocks of columns; the report has them whole.
 */
export function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : 100
}

/** Writes tables to stdout unless quiet, each fitted to `terminalWidth()`. */
export function printTables(tables: readonly Table[], quiet: boolean): void {
  if (quiet) return
  for (const table of tables) process.stdout.write(`\n${formatTable(table, terminalWidth())}`)
}

/** Tells where the report went, unless quiet. */
export function printReportLocation(written: WrittenReport, quiet: boolean): void {
  if (quiet) return
  const pngs = written.pngs.length > 0 ? `${written.pngs.length} charts in ${written.dir}/charts` : 'no PNGs'
  process.stdout.write(`\nreport: ${written.html}\n        ${written.results}\n        ${pngs}\n`)
}
