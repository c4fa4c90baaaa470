import { formatCell, type Table } from './table.js'

/** What the HTML page shows, in order: title, summary, charts (inline SVG), tables. */
export interface Page {
  title: string
  /** One line under the title: command, machine, date. */
  subtitle: string
  /** Findings, one sentence each, shown first. */
  summary: readonly string[]
  charts: readonly { id: string; title: string; caption: string; svg: string }[]
  tables: readonly Table[]
}

const STYLE = `
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif; margin: 0; color: #222; background: #fafafa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
.subtitle { color: #666; margin: 0 0 16px; font-size: 13px; }
.summary { background: #fff; border: 1px solid #ddd; border-left: 4px solid #4c78a8; padding: 12px 20px; margin-bottom: 24px; }
.summary li { margin: 3px 0; line-height: 1.35; font-size: 14px; }
.summary h2 { margin: 6px 0; }
h2 { font-size: 18px; margin: 28px 0 8px; }
figure.chart { background: #fff; border: 1px solid #ddd; margin: 0 0 20px; padding: 12px; overflow-x: auto; }
figure.chart h3 { margin: 0 0 8px; font-size: 15px; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figure.chart figcaption { color: #555; font-size: 13px; margin-top: 6px; line-height: 1.4; }
table { border-collapse: collapse; background: #fff; font-size: 12px; margin-bottom: 6px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; vertical-align: top; }
th { background: #f0f0f0; }
.text { text-align: left; }
.number { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.vector { white-space: nowrap; }
.table-block { margin-bottom: 20px; overflow-x: auto; }
.table-block h3 { font-size: 14px; margin: 0 0 6px; }
.note { color: #555; font-size: 12px; }
`

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function tableHtml(table: Table): string {
  // One alignment per column, header included: numbers right (and never wrapped), text left.
  const numeric = table.columns.map((_, c) => table.rows.every((row) => typeof row[c] !== 'string'))
  const cls = (c: number) => (numeric[c] ? ' class="number"' : ' class="text"')
  const head = table.columns.map((c, i) => `<th${cls(i)}>${escapeHtml(c)}</th>`).join('')
  const body = table.rows
    .map((row) => {
      const cells = row.map((cell, c) => {
        const text = formatCell(cell)
        // A vector of numbers ('[0.426226, -0.426226]') reads as one value: keep it on one line.
        const vector = /^\[[-+0-9.e, ]*\]$/.test(text) ? ' class="text vector"' : cls(c)
        return `<td${vector}>${escapeHtml(text)}</td>`
      })
      return `<tr>${cells.join('')}</tr>`
    })
    .join('\n')
  const note = table.note ? `<p class="note">${escapeHtml(table.note)}</p>` : ''
  return `<div class="table-block" id="table-${escapeHtml(table.id)}"><h3>${escapeHtml(table.title)}</h3>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>${note}</div>`
}

/**
 * A self-contained HTML page: styles inline, charts as inline SVG, no scripts, no external
 * fonts or stylesheets, so it opens from disk anywhere and can be mailed as one file.
 */
export function pageHtml(page: Page): string {
  const summary = page.summary.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')
  const charts = page.charts
    .map(
      (c) => `<figure class="chart" id="chart-${escapeHtml(c.id)}" data-chart="${escapeHtml(c.id)}">
<h3>${escapeHtml(c.title)}</h3>
${c.svg}
<figcaption>${escapeHtml(c.caption)}</figcaption>
</figure>`,
    )
    .join('\n')
  const tables = page.tables.length > 0 ? `<h2>Tables</h2>\n${page.tables.map(tableHtml).join('\n')}` : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(page.title)}</h1>
<p class="subtitle">${escapeHtml(page.subtitle)}</p>
<section class="summary" id="summary"><h2>Summary</h2>
<ul>
${summary}
</ul>
</section>
<h2>Charts</h2>
${charts}
${tables}
</main>
</body>
</html>
`
}
