/**
 * The reports as a reader sees them: each command's index.html opened in headless Chromium
 * (Debian's chromium, driven by playwright-core): no console errors or failed requests, every
 * chart present with a real size and drawn marks, and a screenshot kept in test-artifacts/.
 * On CI (CI=true) a missing chromium fails the test; elsewhere it is skipped with a note.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import test from 'ava'
import { ARTIFACTS, CHROMIUM, chromiumAvailable, viewReport } from './helpers/browser.js'
import { descent, SMALL_RUNS, tempDir } from './helpers/cli.js'

const onCi = process.env.CI === 'true'

for (const [command, args] of Object.entries(SMALL_RUNS)) {
  const title = `descent ${command}: the report renders in Chromium with every chart drawn`
  if (!chromiumAvailable() && !onCi) {
    test.skip(`${title} (no ${CHROMIUM}; apt-get install chromium)`, () => {})
    continue
  }
  test.serial(title, async (t) => {
    t.true(chromiumAvailable(), `${CHROMIUM} is missing: .ci/run installs it with apt-get install chromium`)
    const out = tempDir(`browser-${command}`)
    const result = await descent(...args, '--out', out, '--quiet')
    t.is(result.status, 0, result.stderr)
    const screenshot = join(ARTIFACTS, `report-${command}.png`)
    const view = await viewReport(join(out, 'index.html'), screenshot)
    t.deepEqual(view.errors, [])
    t.regex(view.title, /^descent: /)
    t.true(view.summaryItems > 0, 'the summary comes first')
    const expected = command === 'tour' ? 6 : command === 'lr-find' ? 1 : 3
    t.true(view.charts.length >= expected, `${view.charts.length} charts`)
    for (const chart of view.charts) {
      t.true(chart.width > 200 && chart.height > 150, `${chart.id} is ${chart.width} x ${chart.height}`)
      t.true(chart.marks > 0, `${chart.id} draws marks`)
    }
    t.true(existsSync(screenshot))
    t.log(`screenshot: ${screenshot}`)
  })
}
