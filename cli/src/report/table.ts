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
 * right-align numeric columns, the rows, then the note. Within `maxWidth` columns: a table too
 * wide is split into blocks of columns, each repeating the first (the row's name), a cell too
 * long for any block is cut with '…', and the title and note are wrapped at word boundaries.
 */
export function formatTable(table: Table, maxWidth = Number.POSITIVE_INFINITY): string {
  const cells = table.rows.map((row) => row.map(formatCell))
  const numeric = table.columns.map((_, c) => table.rows.every((row) => typeof row[c] !== 'string'))
  const widths = table.columns.map((header, c) =>
    Math.max(header.length, 3, ...cells.map((row) => (row[c] ?? '').length)),
  )
  const blocks = columnBlocks(widths, maxWidth)
  const lines = wrapText(table.title, maxWidth)
  let cutAny = false
  for (const [b, block] of blocks.entries()) {
    const w = fitWidths(
      block.map((c) => widths[c] as number),
      maxWidth,
    )
    const pad = (text: string, k: number) => {
      const c = block[k] as number
      const width = w[k] as number
      const cut = text.length > width ? `${text.slice(0, width - 1)}…` : text
      if (cut !== text) cutAny = true
      return numeric[c] ? cut.padStart(width) : cut.padEnd(width)
    }
    const line = (row: readonly string[]) => `| ${block.map((c, k) => pad(row[c] ?? '', k)).join(' | ')} |`
    const rule = `|${block.map((c, k) => (numeric[c] ? `${'-'.repeat((w[k] as number) + 1)}:` : `:${'-'.repeat((w[k] as number) + 1)}`)).join('|')}|`
    if (blocks.length > 1) {
      const first = (block[1] ?? 0) + 1
      const last = (block.at(-1) as number) + 1
      const which = first === last ? `column ${first}` : `columns ${first}–${last}`
      lines.push('', `(${which} of ${widths.length}, after the first)`)
    }
    if (b === 0 || blocks.length > 1) lines.push('')
    lines.push(line(table.columns), rule, ...cells.map(line))
  }
  if (table.note) lines.push('', ...wrapText(table.note, maxWidth))
  if (cutAny)
    lines.push(
      '',
      ...wrapText(
        `Cells ending in … are cut to fit ${maxWidth} columns; the report has them whole.`,
        maxWidth,
      ),
    )
  return `${lines.join('\n')}\n`
}

/** The widths, the widest narrowed one character at a time (to 3 at least) until the row fits. */
function fitWidths(widths: number[], maxWidth: number): number[] {
  const w = [...widths]
  while (rowWidth(w) > maxWidth) {
    const widest = w.indexOf(Math.max(...w))
    if ((w[widest] as number) <= 3) break
    w[widest] = (w[widest] as number) - 1
  }
  return w
}

/** Width of a Markdown table row with these column widths: `| a | b |`. */
function rowWidth(widths: readonly number[]): number {
  return widths.reduce((sum, w) => sum + w + 3, 1)
}

/**
 * The column indices of each printed block: all of them when they fit, else the first column
 * followed by as many of the next as fit, block after block (at least one more per block).
 */
function columnBlocks(widths: readonly number[], maxWidth: number): number[][] {
  const all = widths.map((_, c) => c)
  if (rowWidth(widths) <= maxWidth || widths.length < 2) return [all]
  const blocks: number[][] = []
  let block = [0]
  for (let c = 1; c < widths.length; c++) {
    if (block.length > 1 && rowWidth([...block, c].map((k) => widths[k] as number)) > maxWidth) {
      blocks.push(block)
      block = [0]
    }
    block.push(c)
  }
  blocks.push(block)
  return blocks
}

/** `text` in lines of at most `width` characters, broken at spaces (a longer word keeps its line). */
export function wrapText(text: string, width: number): string[] {
  if (text.length <= width) return [text]
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}
