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
  readNonNegative,
  readOptions,
} from './options.js'

const WHERE = 'data.blobs'

/** Options of {@link blobs}. */
export interface BlobsOptions extends CommonDataOptions {
  /** Rows; default 100. */
  samples?: number
  /** Columns of x; default 2. */
  features?: number
  /** Number of blobs (= classes); default 3. */
  centers?: number
  /** Standard deviation of each blob, ≥ 0; default 1. */
  std?: number
}

/**
 * Gaussian blobs (like scikit-learn's `make_blobs`): `centers` means drawn uniformly in
 * [−10, 10)^features, then row `i` = mean number `i mod centers` + `std`·N(0, 1) per feature,
 * with label `i mod centers` (rows cycle through the classes, so no shuffle is needed).
 * Learnable; with the default std the blobs rarely overlap.
 *
 * `x` is `[samples, features]`, `y` is `[samples]` (Int32Array).
 */
export function blobs(options?: BlobsOptions): LabelledData {
  const o = readOptions(WHERE, options, ['samples', 'features', 'centers', 'std', 'seed', 'dtype', 'backend'])
  const samples = readInteger(WHERE, 'samples', o.samples, 100, 1, MAX_ELEMENTS)
  const features = readInteger(WHERE, 'features', o.features, 2, 1, MAX_ELEMENTS)
  const centers = readInteger(WHERE, 'centers', o.centers, 3, 1, MAX_CLASSES)
  const std = readNonNegative(WHERE, 'std', o.std, 1)
  checkSize(WHERE, samples, features)
  checkSize(WHERE, centers, features)
  const { seed, dtype, backend } = readCommon(WHERE, o)
  const { x, y } =
    backend === 'native'
      ? callNative(() => nativeAddon().blobsData(samples, features, centers, std, seed))
      : generate(samples, features, centers, std, seed)
  const xs = floatTensor(x, dtype, [samples, features])
  // A std near Number.MAX_VALUE overflows: refuse rather than hand back ±Infinity.
  if (!xs.data.every(Number.isFinite)) {
    throw new RangeError(`${WHERE}: option 'std' (${std}) is so large that the data overflows to Infinity`)
  }
  return { x: xs, y: tensor(y, [samples]) }
}

/** The mirror of crates/core/src/data/blobs.rs. */
function generate(samples: number, features: number, centers: number, std: number, seed: number) {
  const rng = new Rng(seed)
  const means = new Float64Array(centers * features)
  for (let i = 0; i < means.length; i++) means[i] = 20 * rng.uniform() - 10
  const normal = new Normal()
  const x = new Float64Array(samples * features)
  const y = new Int32Array(samples)
  for (let i = 0; i < samples; i++) {
    const label = i % centers
    for (let f = 0; f < features; f++) {
      x[i * features + f] = (means[label * features + f] as number) + std * normal.sample(rng)
    }
    y[i] = label
  }
  return { x, y }
}
