import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type BrowserContext, chromium } from 'playwright-core'

/** Debian's chromium package, which .ci/run installs. */
export const CHROMIUM = '/usr/bin/chromium'

/** Where screenshots of the reports are kept (git-ignored). */
export const ARTIFACTS = join(__dirname, '..', '..', '..', 'test-artifacts')

/** Whether the browser tests can run here. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM)
}

/** What the browser saw of one chart. */
export interface ChartView {
  id: string
  width: number
  height: number
  /** Drawn marks: lines, bars, symbols (vega's mark groups). */
  marks: number
}

/** What the browser saw of a report page. */
export interface PageView {
  title: string
  summaryItems: number
  charts: ChartView[]
  /** Console errors, page errors and failed requests. */
  errors: string[]
}

/**
 * Opens `html` in headless Chromium (a fresh profile, no network features), collects errors,
 * measures every chart's SVG and its marks, and saves a screenshot of the first screen to
 * `screenshot` (and the whole page next to it with a `-full` suffix).
 */
export async function viewReport(html: string, screenshot: string): Promise<PageView> {
  const profile = mkdtempSync(join(tmpdir(), 'descent-chromium-'))
  let context: BrowserContext | undefined
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1200, height: 900 },
    })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`)
    })
    page.on('pageerror', (error) => errors.push(`page: ${error.message}`))
    page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`))
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' })
    // Runs in the page; a string, because this project compiles without the DOM types.
    const view = await page.evaluate<Omit<PageView, 'errors'>>(`({
      title: document.title,
      summaryItems: document.querySelectorAll('#summary li').length,
      charts: Array.from(document.querySelectorAll('figure.chart')).map((figure) => {
        const svg = figure.querySelector('svg')
        const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 }
        return {
          id: figure.dataset.chart || '',
          width: box.width,
          height: box.height,
          marks: svg ? svg.querySelectorAll('.mark-line path, .mark-rect path, .mark-symbol path').length : 0,
        }
      }),
    })`)
    mkdirSync(join(screenshot, '..'), { recursive: true })
    await page.screenshot({ path: screenshot })
    await page.screenshot({ path: screenshot.replace(/\.png$/, '-full.png'), fullPage: true })
    return { ...view, errors }
  } finally {
    await context?.close()
    rmSync(profile, { recursive: true, force: true })
  }
}
