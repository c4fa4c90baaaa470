import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** Median wall time per call of `fn`, in nanoseconds, measured with tinybench. */
export async function medianNs(name: string, fn: () => void, budgetMs: number): Promise<number> {
  const { Bench } = await import('tinybench')
  const bench = new Bench({
    time: budgetMs,
    warmupTime: Math.min(200, budgetMs / 4),
    iterations: 5,
    warmupIterations: 2,
  })
  bench.add(name, fn)
  await bench.run()
  const result = bench.tasks[0]?.result
  if (result?.state !== 'completed') throw new Error(`benchmark ${name} did not complete: ${result?.state}`)
  return result.latency.p50 * 1e6
}

/** A fixed-width text table (also valid Markdown). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) => `| ${r.map((c, i) => c.padStart(widths[i] as number)).join(' | ')} |`
  return [
    line(headers),
    `|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`,
    ...cells.map(line),
  ].join('\n')
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`)
}

/** Formats a count with SI suffixes (1.2e7 → "12.0M"). */
export function si(x: number, digits = 1): string {
  const units = ['', 'k', 'M', 'G', 'T']
  let i = 0
  while (Math.abs(x) >= 1000 && i < units.length - 1) {
    x /= 1000
    i++
  }
  return `${x.toFixed(digits)}${units[i]}`
}

/** Simple seeded fill in [-1, 1), so every backend sees the same numbers. */
export function fillSeeded(a: Float32Array | Float64Array, seed: number): void {
  let s = seed >>> 0
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    a[i] = s / 2 ** 31 - 1
  }
}
