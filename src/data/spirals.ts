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

const WHERE = 'data.spirals'
/** Most arms; with MAX_NOISE it keeps every angle where detmath's sin/cos are exact (Rust caps alike). */
const MAX_ARMS = 10_000
/** Largest angular noise, in radians per standard deviation. */
const MAX_NOISE = 1000

/** Options of {@link spirals}. */
export interface SpiralsOptions extends CommonDataOptions {
  /** Rows; default 300. */
  samples?: number
  /** Spiral arms (= classes), in [2, 10000]; default 3. */
  classes?: number
  /** Standard deviation of the Gaussian noise on each angle, in radians, in [0, 1000]; default 0.2. */
  noise?: number
}

/**
 * Interleaved spirals (CS231n's spiral data): class c's k-th point has radius r = k/(m − 1)
 * (m rows in the class) and angle t = 4c + 4r + `noise`·N(0, 1) radians, at (r·sin t, r·cos t).
 * Row `i` has label `i mod classes`; one normal is drawn per row. Learnable by a small MLP,
 * not by a linear model.
 *
 * `x` is `[samples, 2]`, `y` is `[samples]` (Int32Array).
 */
export function spirals(options?: SpiralsOptions): LabelledData {
  const o = readOptions(WHERE, options, ['samples', 'classes', 'noise', 'seed', 'dtype', 'backend'])
  const samples = readInteger(WHERE, 'samples', o.samples, 300, 1, MAX_ELEMENTS)
  const classes = readInteger(WHERE, 'classes', o.classes, 3, 2, MAX_ARMS)
  const noise = readNonNegative(WHERE, 'noise', o.noise, 0.2, MAX_NOISE)
  checkSize(WHERE, samples, 2)
  const { seed, dtype, backend } = readCommon(WHERE, o)
  const { x, y } =
    backend === 'native'
      ? callNative(() => nativeAddon().spiralsData(samples, classes, noise, seed))
      : generate(samples, classes, noise, seed)
  return { x: floatTensor(x, dtype, [samples, 2]), y: tensor(y, [samples]) }
}

/** The mirror of crates/core/src/data/spirals.rs. */
function generate(samples: number, classes: number, noise: number, seed: number) {
  const rng = new Rng(seed)
  const normal = new Normal()
  const x = new Float64Array(samples * 2)
  const y = new Int32Array(samples)
  for (let i = 0; i < samples; i++) {
    const label = i % classes
    const r = evenFraction(Math.floor(i / classes), rowsOfClass(samples, classes, label))
    const t = 4 * label + 4 * r + noise * normal.sample(rng)
    x[2 * i] = r * sin(t)
    x[2 * i + 1] = r * cos(t)
    y[i] = label
  }
  return { x, y }
}
