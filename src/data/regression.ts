import { callNative, nativeAddon } from '../backend/native.js'
import { Rng } from '../random.js'
import { Normal } from './normal.js'
import {
  type CommonDataOptions,
  floatTensor,
  MAX_ELEMENTS,
  type RegressionData,
  readCommon,
  readInteger,
  readOptions,
} from './options.js'

const WHERE = 'data.regression'

/** Options of {@link regression}. */
export interface RegressionOptions extends CommonDataOptions {
  /** Rows; default 100 (the tutorial's). */
  samples?: number
}

/**
 * The tutorial's linear-regression data: `y = 4 + 3x + ε` with `x = 2·U[0, 1)` and
 * `ε ~ N(0, 1)` (NumPy: `X = 2 * np.random.rand(100, 1); y = 4 + 3 * X + np.random.randn(100, 1)`).
 * All x are drawn first, then all ε. `x` and `y` are both `[samples, 1]`, matching a model's
 * one-output MSE. A least-squares fit recovers slope ≈ 3 and intercept ≈ 4.
 *
 * ```ts
 * const { x, y } = data.regression({ samples: 100, seed: 42 })
 * ```
 */
export function regression(options?: RegressionOptions): RegressionData {
  const o = readOptions(WHERE, options, ['samples', 'seed', 'dtype', 'backend'])
  const samples = readInteger(WHERE, 'samples', o.samples, 100, 1, MAX_ELEMENTS)
  const { seed, dtype, backend } = readCommon(WHERE, o)
  const { x, y } =
    backend === 'native'
      ? callNative(() => nativeAddon().regressionData(samples, seed))
      : generate(samples, seed)
  return { x: floatTensor(x, dtype, [samples, 1]), y: floatTensor(y, dtype, [samples, 1]) }
}

/** The mirror of crates/core/src/data/regression.rs. */
function generate(samples: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = new Rng(seed)
  const x = new Float64Array(samples)
  for (let i = 0; i < samples; i++) x[i] = 2 * rng.uniform()
  const normal = new Normal()
  const y = new Float64Array(samples)
  for (let i = 0; i < samples; i++) y[i] = 4 + 3 * (x[i] as number) + normal.sample(rng)
  return { x, y }
}
