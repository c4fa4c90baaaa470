/** The report's building blocks: contour lines, text tables, JSON, and the benchmark's statistics. */
import test from 'ava'
import { epochsToConverge, median, medianSeries } from '../cli/src/bench/stats.js'
import { contourLines } from '../cli/src/report/contours.js'
import { escapeHtml } from '../cli/src/report/html.js'
import { formatNumber, formatSettings, formatTable } from '../cli/src/report/table.js'
import { toJson } from '../cli/src/report/write-report.js'

const surfaces: [string, (x: number, y: number) => number, number, number][] = [
  ['a circle', (x, y) => x * x + y * y, 1, 1],
  ['an ellipse', (x, y) => 0.1 * x * x + 2 * y * y, 0.5, 1],
  ['a saddle (two branches)', (x, y) => x * x - y * y, 1, 2],
  ['the saddle at its own level 0 (the diagonals)', (x, y) => x * x - y * y, 0, 1],
]

for (const [what, f, level, minLines] of surfaces) {
  test(`contour lines of ${what} lie on the level`, (t) => {
    const lines = contourLines(f, { x: [-3, 3], y: [-3, 3], resolution: 121 }, [level])
    t.true(lines.length >= minLines, `${lines.length} lines`)
    for (const line of lines) {
      t.is(line.level, level)
      t.true(line.points.length > 3)
      for (const [x, y] of line.points)
        t.true(Math.abs(f(x, y) - level) < 0.02 * (1 + Math.abs(level)), `f(${x}, ${y})`)
    }
  })
}

test('a closed contour is joined into one polyline', (t) => {
  const [line, ...rest] = contourLines(
    (x, y) => x * x + y * y,
    { x: [-2, 2], y: [-2, 2], resolution: 41 },
    [1],
  )
  t.is(rest.length, 0)
  const first = line?.points[0] as [number, number]
  const last = line?.points.at(-1) as [number, number]
  t.true(Math.hypot(first[0] - last[0], first[1] - last[1]) < 1e-9)
})

const convergence: [string, number[], number | null][] = [
  ['the first epoch within 10% of the minimum', [5, 2, 1.05, 1, 1], 3],
  ['a minimum reached at once', [1, 2, 3], 1],
  ['a run still falling at the end', [4, 3, 2, 1], 4],
  ['non-finite epochs skipped', [Number.NaN, 2, 1], 3],
  ['no finite loss', [Number.NaN], null],
  ['no epochs', [], null],
]
for (const [what, loss, expected] of convergence) {
  test(`epochsToConverge: ${what}`, (t) => t.is(epochsToConverge(loss), expected))
}

test('median and medianSeries', (t) => {
  t.is(median([3, 1, 2]), 2)
  t.is(median([4, 1, 3, 2]), 2.5)
  t.is(median([1, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]), Number.POSITIVE_INFINITY)
  t.true(Number.isNaN(median([])))
  t.deepEqual(
    medianSeries([
      [1, 2, 3],
      [3, 4, 5],
      [2, 3, 4],
    ]),
    [2, 3, 4],
  )
})

test('formatNumber: 4 significant digits, exponents outside [1e-3, 1e5)', (t) => {
  const cases: [number, string][] = [
    [0.1, '0.1'],
    [1 / 3, '0.3333'],
    [42, '42'],
    [1.23456e-5, '1.235e-5'],
    [123456.7, '1.235e+5'],
    [Number.NaN, 'NaN'],
  ]
  for (const [value, text] of cases) t.is(formatNumber(value), text)
})

test('formatTable aligns numbers right, text left, and shows null as a dash', (t) => {
  const text = formatTable({
    id: 't',
    title: 'A table',
    columns: ['name', 'value'],
    rows: [
      ['adam', 0.5],
      ['sgd', null],
    ],
    note: 'a note',
  })
  t.is(text, 'A table\n\n| name | value |\n|:-----|------:|\n| adam |   0.5 |\n| sgd  |     - |\n\na note\n')
})

test('formatTable within a width: blocks of columns repeating the first, cut cells marked, text wrapped', (t) => {
  const table = {
    id: 'wide',
    title: 'A wide table whose title is long enough to wrap',
    columns: ['name', 'alpha', 'beta', 'gamma'],
    rows: [['adam', 'a'.repeat(12), 'b'.repeat(12), 'g'.repeat(60)]],
    note: 'a note of several words that must wrap as well',
  }
  const text = formatTable(table, 40)
  const lines = text.trimEnd().split('\n')
  for (const line of lines) t.true(line.length <= 40, `${JSON.stringify(line)} is ${line.length} wide`)
  t.regex(text, /\(columns 2–3 of 4, after the first\)\n\n\| name \| alpha +\| beta +\|/)
  t.regex(text, /\(column 4 of 4, after the first\)\n\n\| name \| gamma/)
  t.regex(text, /\| adam \| g+… \|/, 'the cell too long for any block is cut')
  t.regex(text, /Cells ending in … are cut to fit 40\ncolumns; the report has them whole\./)
  t.is(formatTable(table), formatTable(table, 1000), 'wide enough: one block, as before')
  t.notRegex(formatTable(table, 1000), /column|…/)
})

test('toJson: NaN and Infinity become null; flat rows stay on one line', (t) => {
  const text = toJson({ rows: [{ a: 1, b: Number.NaN }], list: [1, Number.POSITIVE_INFINITY] })
  t.deepEqual(JSON.parse(text), { rows: [{ a: 1, b: null }], list: [1, null] })
  t.regex(text, /\{ "a": 1, "b": null \}/)
})

test('escapeHtml escapes markup and quotes', (t) => {
  t.is(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;')
})

test('formatSettings: options as a settings cell, flags by name, arrays in brackets, small numbers as exponents', (t) => {
  t.is(formatSettings({ lr: 0.01, momentum: 0.9, nesterov: true }), 'lr 0.01, momentum 0.9, nesterov')
  t.is(
    formatSettings({ milestones: [30, 80], eps: 1e-8, amsgrad: false, k: undefined }),
    'milestones [30, 80], eps 1e-8',
  )
  t.is(formatSettings({}), '')
})
