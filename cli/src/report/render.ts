import type { ResvgRenderOptions } from '@resvg/resvg-js'
import type { Chart } from './chart.js'

// vega, vega-lite and resvg load on first use: `descent info` and the library never pay for them.
type Vega = typeof import('vega')
type VegaLite = typeof import('vega-lite')
type ResvgModule = typeof import('@resvg/resvg-js')

/**
 * A text's width in DejaVu Sans (the charts' font in the PNGs and on most Linux desktops), from
 * the glyph classes' advance widths in em. Without a canvas vega estimates 0.8 em per character,
 * which is a third too wide for this font: legends with long names then leave a wide blank band
 * at the right of the chart.
 */
function dejaVuWidth(item: { fontSize?: number; fontWeight?: string | number }, line: unknown): number {
  const text = line == null ? '' : String(line).trim()
  let em = 0
  for (const ch of text) {
    if (" .,:;!|'()[]ilj".includes(ch)) em += 0.32
    else if ('mwMW—'.includes(ch)) em += 0.9
    else if (ch >= '0' && ch <= '9') em += 0.636
    else if (ch >= 'A' && ch <= 'Z') em += 0.7
    else em += 0.6
  }
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600
  return em * (item.fontSize ?? 11) * (bold ? 1.1 : 1)
}

/**
 * Renders a chart to SVG without a browser: vega-lite compiles the spec to vega, and a vega
 * View with the headless 'none' renderer serialises its scenegraph. Text widths come from
 * `dejaVuWidth` (there is no canvas to measure with).
 */
export async function renderSvg(chart: Chart): Promise<string> {
  const vega = require('vega') as Vega
  const vegaLite = require('vega-lite') as VegaLite
  ;(vega as unknown as { textMetrics: { width: typeof dejaVuWidth } }).textMetrics.width = dejaVuWidth
  const view = new vega.View(vega.parse(vegaLite.compile(chart.spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

let resvg: ResvgModule | null | undefined

/**
 * resvg, or null when its platform binary is missing (it comes from optional dependencies, so
 * `npm install --omit=optional` leaves it out).
 */
function loadResvg(): ResvgModule | null {
  if (resvg === undefined) {
    try {
      resvg = require('@resvg/resvg-js') as ResvgModule
    } catch {
      resvg = null
    }
  }
  return resvg
}

/** Whether PNGs can be rendered here. */
export function pngAvailable(): boolean {
  return loadResvg() !== null
}

/**
 * Rasterises an SVG at twice its size with resvg (system fonts; sans-serif maps to DejaVu
 * Sans); null when resvg is not installed for this platform.
 */
export function renderPng(svg: string): Buffer | null {
  const module = loadResvg()
  if (!module) return null
  const options: ResvgRenderOptions = {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  }
  return new module.Resvg(svg, options).render().asPng()
}
