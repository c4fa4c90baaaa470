import { callNative, nativeAddon } from '../backend/native.js'
import { Rng } from '../random.js'
import { tensor } from '../tensor.js'
import { Normal } from './normal.js'
import {
  type CommonDataOptions,
  checkSize,
  floatTensor,
  type LabelledData,
  MAX_CLASSES,
  MAX_ELEMENTS,
  readCommon,
  readInteger,
  readOptions,
} from './options.js'

const WHERE = 'data.classification'

/** Options of {@link classification}. */
export interface ClassificationOptions extends CommonDataOptions {
  /** Rows; default 1000 (the tutorial's). */
  samples?: number
  /** Columns of x; default 20. */
  features?: number
  /** Label count, ≥ 2; default 3. */
  classes?: number
}

/**
 * The tutorial's random classification data: every x value ~ N(0, 1) and labels uniform in
 * `0..classes`, drawn independently of x (NumPy: `X = np.random.randn(1000, 20);
 * y = np.random.randint(0, 3, 1000)`). All x are drawn first (row-major), then the labels.
 *
 * **It cannot be learned**: the labels do not depend on x, so no model does better than chance
 * (1/classes) on rows it was not trained on; it only measures training speed. For a set a model
 * can learn, use {@link blobs}, {@link moons}, {@link spirals}, {@link iris} or {@link mnist}.
 *
 * `x` is `[samples, features]`, `y` is `[samples]` (Int32Array).
 */
export function classification(options?: ClassificationOptions): LabelledData {
  const o = readOptions(WHERE, options, ['samples', 'features', 'classes', 'seed', 'dtype', 'backend'])
  const samples = readInteger(WHERE, 'samples', o.samples, 1000, 1, MAX_ELEMENTS)
  const features = readInteger(WHERE, 'features', o.features, 20, 1, MAX_ELEMENTS)
  const classes = readInteger(WHERE, 'classes', o.classes, 3, 2, MAX_CLASSES)
  checkSize(WHERE, samples, features)
  const { seed, dtype, backend } = readCommon(WHERE, o)
  const { x, y } =
    backend === 'native'
      ? callNative(() => nativeAddon().classificationData(samples, features, classes, seed))
      : generate(samples, features, classes, seed)
  return { x: floatTensor(x, dtype, [samples, features]), y: tensor(y, [samples]) }
}

/** The mirror of crates/core/src/data/classification.rs. */
function generate(samples: number, features: number, classes: number, seed: number) {
  const rng = new Rng(seed)
  const normal = new Normal()
  const x = new Float64Array(samples * features)
  for (let i = 0; i < x.length; i++) x[i] = normal.sample(rng)
  const y = new Int32Array(samples)
  for (let i = 0; i < samples; i++) y[i] = rng.below(classes)
  return { x, y }
}
