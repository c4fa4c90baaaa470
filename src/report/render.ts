import type { ResvgRenderOptions } from '@resvg/resvg-js'
import type { Chart } from './chart.js'

// vega, vega-lite and resvg load on first use: `descent info` and the library never pay for them.
type Vega = typeof import('vega')
type VegaLite = typeof import('vega-lite')
type ResvgModule = typeof import('@resvg/resvg-js')

/**
 * Renders a chart to SVG without a browser: vega-lite compiles the spec to vega, and a vega
 * View with the headless 'none' renderer serialises its scenegraph. Text widths are estimated
 * (no canvas), which is close enough for labels and legends.
 */
export async function renderSvg(chart: Chart): Promise<string> {
  const vega = require('vega') as Vega
  const vegaLite = require('vega-lite') as VegaLite
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
