/**
 * Every report-writing command end to end, as a user runs it, on small settings: exit code 0,
 * tables on stdout, progress lines on stderr, index.html + results.json + one PNG per chart,
 * and results.json valid against its documented schema.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import test from 'ava'
import { descent, SMALL_RUNS, tempDir } from './helpers/cli.js'
import { schemaErrors } from './helpers/results-schema.js'

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** What each command must put in its report, beyond the common checks. */
const EXPECTED: Record<string, { charts: string[]; tables: RegExp }> = {
  tour: {
    charts: ['convergence', 'schedules', 'loss-per-size', 'cosine-restarts', 'mlp-training', 'timing'],
    tables: /One update of each optimizer[\s\S]*Linear regression[\s\S]*x after each step[\s\S]*SimpleNN/,
  },
  bench: {
    charts: ['loss-per-size', 'timing', 'time-to-target'],
    tables: /Optimizer benchmark[\s\S]*Time to target/,
  },
  trajectories: {
    charts: ['trajectory-quadratic', 'trajectory-rosenbrock', 'trajectory-beale', 'trajectory-saddle'],
    // Every optimizer with a path setting is drawn, the newer rules too.
    tables: /Where each optimizer ended[\s\S]*\| AdamW +\|[\s\S]*\| LAMB +\|[\s\S]*\| Adafactor +\|/,
  },
  'lr-find': { charts: ['lr-find'], tables: /Learning-rate range test: adam on iris/ },
  schedules: {
    charts: ['schedules', 'cosine-restarts', 'schedules-pytorch', 'schedules-tutorial'],
    tables: /PyTorch's schedulers/,
  },
}

for (const [command, args] of Object.entries(SMALL_RUNS)) {
  test(`descent ${args.join(' ')} writes a valid report`, async (t) => {
    const out = tempDir(command)
    const result = await descent(...args, '--out', out)
    t.is(result.status, 0, result.stderr)
    const expected = EXPECTED[command] as (typeof EXPECTED)[string]
    t.regex(result.stdout, expected.tables)
    t.regex(result.stdout, /report: .*index\.html/)
    t.notRegex(result.stderr, /error|\n\s+at /i)
    t.regex(result.stderr, /^\[1\/\d+\] /m, 'without a terminal, progress is one plain line per step')
    t.regex(result.stderr, /^\[(\d+)\/\1\] writing index\.html and results\.json$/m, 'and the rendering')

    const html = readFileSync(join(out, 'index.html'), 'utf8')
    t.notRegex(html, /<script|<link|@import|url\(http/i, 'self-contained: no scripts, no external resources')
    const document = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))
    t.is(schemaErrors(document), '')
    t.is(document.command, command)
    t.true(document.summary.length > 0)
    const ids = document.charts.map((c: { id: string }) => c.id)
    for (const id of expected.charts) t.true(ids.includes(id), `chart ${id} in results.json`)
    for (const chart of document.charts as { id: string; png: string; data: unknown[] }[]) {
      t.true(chart.data.length > 0, `${chart.id} has data`)
      t.true(html.includes(`data-chart="${chart.id}"`), `${chart.id} in index.html`)
      const png = readFileSync(join(out, chart.png))
      t.deepEqual(png.subarray(0, 8), PNG_SIGNATURE, `${chart.png} is a PNG`)
      t.true(statSync(join(out, chart.png)).size > 5000, `${chart.png} is not blank`)
    }
  })
}

test('--quiet prints nothing, and still writes the report', async (t) => {
  const out = tempDir('quiet')
  const result = await descent('schedules', '--quiet', '--out', out)
  t.is(result.status, 0, result.stderr)
  t.is(result.stdout, '')
  t.is(result.stderr, '')
  t.true(existsSync(join(out, 'results.json')))
})

test('bench --json FILE writes the results document; --json - prints it alone on stdout', async (t) => {
  const out = tempDir('json')
  const file = join(out, 'bench.json')
  const small = [
    'bench',
    '--sizes',
    '4',
    '--epochs',
    '2',
    '--repeats',
    '1',
    '--datasets',
    'none',
    '--optimizers',
    'adam',
  ]
  const toFile = await descent(...small, '--json', file, '--out', out)
  t.is(toFile.status, 0, toFile.stderr)
  const written = JSON.parse(readFileSync(file, 'utf8'))
  t.deepEqual(written, JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')))
  t.is(schemaErrors(written), '')
  t.deepEqual(
    written.bench.runs.map((r: { backend: string }) => r.backend),
    ['native', 'js'],
  )

  const toStdout = await descent(...small, '--json', '-', '--out', out)
  t.is(toStdout.status, 0, toStdout.stderr)
  const printed = JSON.parse(toStdout.stdout)
  t.is(schemaErrors(printed), '')
  t.is(printed.bench.runs[0].lossHistory.length, 2)
})

const tfjsInstalled = (() => {
  try {
    require.resolve('@tensorflow/tfjs')
    return true
  } catch {
    return false
  }
})()
const tinyBench = [
  '--sizes',
  '4',
  '--epochs',
  '2',
  '--repeats',
  '1',
  '--datasets',
  'none',
  '--optimizers',
  'sgd',
]

test('bench --backends native,tfjs without TensorFlow.js: a warning with the install command, and a note in the table', async (t) => {
  const out = tempDir('tfjs')
  const result = await descent('bench', '--backends', 'native,tfjs', ...tinyBench, '--out', out)
  t.is(result.status, 0, result.stderr)
  const document = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))
  if (tfjsInstalled) {
    t.true(document.bench.runs.some((r: { backend: string }) => r.backend === 'tfjs'))
    return
  }
  t.regex(
    result.stderr,
    /warning: --backends tfjs: TensorFlow.js is not installed, so only native run\. Install it with: npm install @tensorflow\/tfjs-node/,
  )
  t.regex(JSON.stringify(document.bench.skipped), /tfjs is not installed/)
  t.regex(result.stdout.replace(/\s+/g, ' '), /Skipped tfjs: @tensorflow\/tfjs is not installed/)
})

test('bench --backends tfjs alone without TensorFlow.js: an error with the install command, exit 1, no report', async (t) => {
  if (tfjsInstalled) return t.pass('TensorFlow.js is installed here')
  const out = join(tempDir('tfjs-only'), 'report')
  const result = await descent('bench', '--backends', 'tfjs', ...tinyBench, '--out', out)
  t.is(result.status, 1)
  t.regex(
    result.stderr,
    /^error: --backends tfjs: TensorFlow.js is not installed\. Install it with: npm install @tensorflow\/tfjs-node/,
  )
  t.false(existsSync(join(out, 'results.json')))
  t.is(result.stdout, '')
})

test('a bad --out fails before any work, naming the path and the reason', async (t) => {
  const dir = tempDir('bad-out')
  const file = join(dir, 'a-file')
  writeFileSync(file, '')
  const cases: [string, RegExp][] = [
    ['/proc/x', /cannot create the folder: ENOENT/],
    [join(file, 'report'), /cannot create the folder: ENOTDIR/],
    [file, /cannot create the folder: '.*a-file' is a file, not a folder/],
    ['/sys', /cannot write in the folder: EACCES/], // read-only, even for root
  ]
  for (const command of ['bench', 'tour', 'schedules', 'trajectories']) {
    for (const [out, message] of command === 'bench' ? cases : cases.slice(0, 1)) {
      const result = await descent(command, '--out', out)
      t.is(result.status, 1, `${command} --out ${out}`)
      t.regex(result.stderr, new RegExp(`^error: --out '.*': ${message.source}`))
      t.is(result.stdout, '', 'no work was done, no progress printed')
    }
  }
})
