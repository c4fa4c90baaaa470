import { callNative, nativeAddon } from '../backend/native.js'
import { cos, sin } from '../detmath.js'
import { Rng } from '../random.js'
import { tensor } from '../tensor.js'
import { evenFraction, rowsOfClass } from './classes.js'
import { Normal } from './normal.js'
import {
  type CommonDataOptions,
  checkSize,
  floatTensor,
  type LabelledData,
  MAX_ELEMENTS,
  readCommon,
  readInteger,
  readNonNegative,
  readOptions,
} from './options.js'

const WHERE = 'data.moons'

/** Options of {@link moons}. */
export interface MoonsOptions extends CommonDataOptions {
  /** Rows; default 100. */
  samples?: number
  /** Standard deviation of the Gaussian noise on each coordinate, ≥ 0; default 0.1. */
  noise?: number
}

/**
 * Two interleaving half circles (scikit-learn's `make_moons` geometry): class 0 on
 * (cos t, sin t), class 1 on (1 − cos t, 1 − sin t − 0.5), t spread evenly over [0, π] within
 * each class, plus `noise`·N(0, 1) on each coordinate (x then y, row by row). Row `i` has label
 * `i mod 2` (class 0 gets ⌈n/2⌉ rows). Learnable, but not linearly separable.
 *
 * `x` is `[samples, 2]`, `y` is `[samples]` (Int32Array).
 */
export function moons(options?: MoonsOptions): LabelledData {
  const o = readOptions(WHERE, options, ['samples', 'noise', 'seed', 'dtype', 'backend'])
  const samples = readInteger(WHERE, 'samples', o.samples, 100, 1, MAX_ELEMENTS)
  const noise = readNonNegative(WHERE, 'noise', o.noise, 0.1)
  checkSize(WHERE, samples, 2)
  const { seed, dtype, backend } = readCommon(WHERE, o)
  const { x, y } =
    backend === 'native'
      ? callNative(() => nativeAddon().moonsData(samples, noise, seed))
      : generate(samples, noise, seed)
  return { x: floatTensor(x, dtype, [samples, 2]), y: tensor(y, [samples]) }
}

/** The mirror of crates/core/src/data/moons.rs. */
function generate(samples: number, noise: number, seed: number) {
  const rng = new Rng(seed)
  const normal = new Normal()
  const x = new Float64Array(samples * 2)
  const y = new Int32Array(samples)
  for (let i = 0; i < samples; i++) {
    const label = i % 2
    const t = Math.PI * evenFraction(Math.floor(i / 2), rowsOfClass(samples, 2, label))
    const a = label === 0 ? cos(t) : 1 - cos(t)
    const b = label === 0 ? sin(t) : 1 - sin(t) - 0.5
    x[2 * i] = a + noise * normal.sample(rng)
    x[2 * i + 1] = b + noise * normal.sample(rng)
    y[i] = label
  }
  return { x, y }
}
