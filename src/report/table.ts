/** A cell of a results table: text, a number, or null for "not measured / not applicable". */
export type Cell = string | number | null

/** A table as printed by the CLI, shown in the report and stored in results.json. */
export interface Table {
  /** File- and anchor-safe identifier, e.g. `linear-regression`. */
  id: string
  /** One line saying what the table shows. */
  title: string
  /** Column headers. */
  columns: string[]
  /** One array per row, as long as `columns`. */
  rows: Cell[][]
  /** Optional remark printed under the table (units, caveats). */
  note?: string
}

/** How a number is shown in text and HTML: 4 significant digits, exponent notation outside [1e-3, 1e5). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value)
  const magnitude = Math.abs(value)
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(3)
  return String(Number(value.toPrecision(4)))
}

/**
 * Options as a settings cell: `stepSize 30, gamma 0.1`; `true` shows the key alone, arrays in
 * brackets, small numbers in exponent form (1e-6).
 */
export function formatSettings(options: Readonly<Record<string, unknown>>): string {
  const value = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`
    if (typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-3) return v.toExponential()
    return String(v)
  }
  return Object.entries(options)
    .filter(([, v]) => v !== false && v !== undefined)
    .map(([k, v]) => (v === true ? k : `${k} ${value(v)}`))
    .join(', ')
}

/** A cell as text: numbers through formatNumber, null as a dash. */
export function formatCell(cell: Cell): string {
  if (cell === null) return '-'
  return typeof cell === 'number' ? formatNumber(cell) : cell
}

/**
 * A table as fixed-width text (valid Markdown): the title, the header, a rule whose colons
 * right-align numeric columns, the rows, then the note.
 */
export function formatTable(table: Table): string {
  const cells = table.rows.map((row) => row.map(formatCell))
  const numeric = table.columns.map((_, c) => table.rows.every((row) => typeof row[c] !== 'string'))
  const widths = table.columns.map((header, c) =>
    Math.max(header.length, 3, ...cells.map((row) => (row[c] ?? '').length)),
  )
  const pad = (text: string, c: number) =>
    numeric[c] ? text.padStart(widths[c] as number) : text.padEnd(widths[c] as number)
  const line = (row: string[]) => `| ${row.map(pad).join(' | ')} |`
  const rule = `|${widths.map((w, c) => (numeric[c] ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`
  const lines = [`${table.title}`, '', line(table.columns), rule, ...cells.map(line)]
  if (table.note) lines.push('', table.note)
  return `${lines.join('\n')}\n`
}
