import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { info, nativeAvailable } from 'descent-optim'
import type { BenchResults } from '../bench/types.js'
import type { Chart } from './chart.js'
import { pageHtml } from './html.js'
import { describeMachine, thisMachine } from './machine.js'
import { makeDirectory } from './out-dir.js'
import { pngAvailable, renderPng, renderSvg } from './render.js'
import { RESULTS_SCHEMA_VERSION, type ResultsDocument } from './results.js'
import type { Table } from './table.js'

/** What a command hands to writeReport. */
export interface Report {
  command: string
  title: string
  settings: Record<string, unknown>
  summary: string[]
  charts: Chart[]
  tables: Table[]
  bench?: BenchResults
}

/** Where writeReport says how far the rendering is (the CLI's progress bar); one tick per chart. */
export interface ReportProgress {
  start(total: number, label: string): void
  tick(label: string): void
  stop(): void
}

/** Absolute paths of what writeReport wrote. */
export interface WrittenReport {
  dir: string
  html: string
  results: string
  pngs: string[]
  document: ResultsDocument
}

/**
 * JSON for people and programs: indented, but an object or array made only of numbers, strings,
 * booleans and nulls stays on one line (a chart row, a loss history), which keeps results.json
 * a few times smaller and still readable. Non-finite numbers become null (JSON has no NaN).
 */
export function toJson(value: unknown): string {
  const flat = (v: unknown) => v === null || typeof v !== 'object'
  const format = (v: unknown, indent: string): string => {
    if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null'
    if (v === undefined) return 'null'
    if (v === null || typeof v !== 'object') return JSON.stringify(v)
    const inner = `${indent}  `
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]'
      if (v.every(flat)) return `[${v.map((x) => format(x, inner)).join(', ')}]`
      return `[\n${v.map((x) => inner + format(x, inner)).join(',\n')}\n${indent}]`
    }
    const entries = Object.entries(v).filter(([, x]) => x !== undefined)
    if (entries.length === 0) return '{}'
    const pairs = entries.map(([k, x]) => `${JSON.stringify(k)}: ${format(x, inner)}`)
    if (entries.every(([, x]) => flat(x))) return `{ ${pairs.join(', ')} }`
    return `{\n${pairs.map((p) => inner + p).join(',\n')}\n${indent}}`
  }
  return `${format(value, '')}\n`
}

/** Said in the summary when charts could not be rasterised. */
export const NO_PNG_NOTE =
  'The PNG copies of the charts were skipped: @resvg/resvg-js has no binary for this platform here ' +
  '(it comes from optional dependencies; reinstall without --omit=optional).'

/** The results document of a report, without writing anything; `pngs` false when no PNG was written. */
export function resultsDocument(report: Report, pngs = true): ResultsDocument {
  const descent = info()
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    command: report.command,
    title: report.title,
    createdAt: new Date().toISOString(),
    descent: { version: descent.version, backend: descent.backend, nativeAvailable: nativeAvailable() },
    machine: thisMachine(),
    settings: report.settings,
    summary: pngs ? report.summary : [...report.summary, NO_PNG_NOTE],
    charts: report.charts.map((c) => ({
      id: c.id,
      title: c.title,
      caption: c.caption,
      png: pngs ? `charts/${c.id}.png` : null,
      data: c.data,
    })),
    tables: report.tables,
    ...(report.bench ? { bench: report.bench } : {}),
  }
}

/**
 * Writes `index.html` (self-contained: summary, then charts as inline SVG, then tables),
 * `charts/<id>.png` for every chart and `results.json` into `outDir` (created if missing).
 */
export async function writeReport(
  outDir: string,
  report: Report,
  progress?: ReportProgress,
): Promise<WrittenReport> {
  const ids = new Set<string>()
  for (const chart of report.charts) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(chart.id) || ids.has(chart.id)) {
      throw new Error(`writeReport: chart id '${chart.id}' must be unique and made of a-z, 0-9 and '-'`)
    }
    ids.add(chart.id)
  }
  const dir = resolve(outDir)
  const withPngs = pngAvailable()
  makeDirectory(withPngs ? join(dir, 'charts') : dir)
  const rendered: { id: string; title: string; caption: string; svg: string }[] = []
  const pngs: string[] = []
  progress?.start(report.charts.length, `rendering ${report.charts[0]?.id ?? 'the report'} chart`)
  for (const [i, chart] of report.charts.entries()) {
    const svg = await renderSvg(chart)
    const png = renderPng(svg)
    if (png) {
      const path = join(dir, 'charts', `${chart.id}.png`)
      writeFileSync(path, png)
      pngs.push(path)
    }
    rendered.push({ id: chart.id, title: chart.title, caption: chart.caption, svg })
    const next = report.charts[i + 1]
    progress?.tick(next ? `rendering ${next.id} chart` : 'writing index.html and results.json')
  }
  progress?.stop()
  const document = resultsDocument(report, withPngs)
  const subtitle = `descent ${document.descent.version}, command: descent ${report.command}, on ${describeMachine(document.machine)}, ${document.createdAt}`
  const html = join(dir, 'index.html')
  writeFileSync(
    html,
    pageHtml({
      title: report.title,
      subtitle,
      summary: document.summary,
      charts: rendered,
      tables: report.tables,
    }),
  )
  const results = join(dir, 'results.json')
  writeFileSync(results, toJson(document))
  return { dir, html, results, pngs, document }
}
