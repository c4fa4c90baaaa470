/**
 * Seeded data sets, identical on both backends and across runs: the tutorial's regression and
 * (unlearnable) classification data, learnable synthetic sets (blobs, moons, spirals) and two
 * real ones (Iris, MNIST digits) with a seeded train/test split.
 *
 * ```ts
 * import { data } from 'descent-optim'
 * const { x, y } = data.classification({ samples: 1000, features: 20, classes: 3, seed: 42 })
 * ```
 * @module
 */
export { type BlobsOptions, blobs } from './blobs.js'
export { type ClassificationOptions, classification } from './classification.js'
export { type IrisData, type IrisOptions, iris } from './iris.js'
export { type MnistOptions, mnist } from './mnist.js'
export { type MoonsOptions, moons } from './moons.js'
export { Normal } from './normal.js'
export type { CommonDataOptions, FloatTensor, LabelledData, RegressionData, SplitData } from './options.js'
export { type RegressionOptions, regression } from './regression.js'
export { type SpiralsOptions, spirals } from './spirals.js'
export { type FeatureStats, featureStats, standardize } from './standardize.js'
