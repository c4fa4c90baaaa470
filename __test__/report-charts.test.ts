/**
 * What a reader of the charts and tables stumbled on, each checked on the spec or the rendered
 * SVG (the PNGs were looked at too): log bars cut at the top and without values, axes under the
 * empty cells of a panel grid, legends cut or leaving a blank band, headers aligned unlike their
 * columns, numbers wrapped, "1 runs".
 */
import test from 'ava'
import { runsLabel } from '../cli/src/figures/bench.js'
import { pytorchSchedulesChart, restartsChart } from '../cli/src/figures/schedules.js'
import type { Chart } from '../cli/src/report/chart.js'
import { groupedBarChart } from '../cli/src/report/charts/bar-chart.js'
import { pageHtml } from '../cli/src/report/html.js'
import { renderSvg } from '../cli/src/report/render.js'

const bars = groupedBarChart({
  id: 'bars',
  title: 'bars',
  caption: '',
  data: [
    { optimizer: 'SGD', backend: 'native', ms: 0.27 },
    { optimizer: 'SGD', backend: 'js', ms: 13.6 },
  ],
  category: { field: 'optimizer', title: 'optimizer' },
  series: { field: 'backend', title: 'backend' },
  value: { field: 'ms', title: 'ms', log: true },
})

// biome-ignore lint/suspicious/noExplicitAny: reading into a vega-lite spec
const spec = (chart: Chart) => chart.spec as any

test('log-scale bars: the domain reaches above the tallest bar, and every bar carries its value', async (t) => {
  const [bar, label] = spec(bars).layer
  const [low, high] = bar.encoding.y.scale.domain
  t.true(low <= 0.27 / 2 && high >= 13.6 * 1.5, `domain [${low}, ${high}]`)
  t.false(bar.encoding.y.scale.nice, 'no rounding that could cut the top')
  t.is(label.mark.type, 'text')
  t.is(label.encoding.text.field, 'ms')
  const svg = await renderSvg(bars)
  t.regex(svg, />13\.6</)
  t.regex(svg, />0\.27</)
})

function svgWidth(svg: string): number {
  return Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)?.[1])
}

test('panel grids draw an x axis per panel, none under the empty cells', async (t) => {
  const chart = pytorchSchedulesChart()
  t.deepEqual(spec(chart).resolve.axis, { x: 'independent' })
  const svg = await renderSvg(chart)
  const panels = chart.data.reduce((names, row) => names.add(String(row.schedule)), new Set<string>()).size
  const xAxes = svg.match(/aria-label="X-axis titled 'step'/g)?.length ?? 0
  t.is(xAxes, panels, `${panels} panels, ${xAxes} x axes`)
})

test('the restarts chart puts its long legend below the plot, uncut, without a blank band', async (t) => {
  const chart = restartsChart()
  t.like(spec(chart).encoding.color.legend, { orient: 'bottom', labelLimit: 0 })
  const svg = await renderSvg(chart)
  t.regex(svg, /cosine restarts, no warmup \(Keras, what the tutorial meant\)</)
  // Plot 760 wide plus the y axis and padding: no room taken by a legend on the right.
  t.true(svgWidth(svg) < 900, `svg width ${svgWidth(svg)}`)
})

test('the number of runs reads right: one run, median of 3 runs', (t) => {
  t.is(runsLabel([{ repeats: 1 }]), 'one run')
  t.is(runsLabel([{ repeats: 3 }, { repeats: 3 }]), 'median of 3 runs')
})

test('HTML tables: each header aligned like its column, numbers and number vectors on one line', (t) => {
  const html = pageHtml({
    title: 't',
    subtitle: '',
    summary: [],
    charts: [],
    tables: [
      {
        id: 'x',
        title: 'x',
        columns: ['optimizer', 'loss', 'params'],
        rows: [
          ['SGD', 0.5, '[0.426226, -0.426226]'],
          ['Adam', null, '[1, 2]'],
        ],
      },
    ],
  })
  t.regex(html, /<th class="text">optimizer<\/th><th class="number">loss<\/th><th class="text">params<\/th>/)
  t.regex(html, /<td class="number">0\.5<\/td>/)
  t.regex(html, /<td class="text vector">\[0\.426226, -0\.426226\]<\/td>/)
  t.regex(html, /\.number \{[^}]*white-space: nowrap/)
})
