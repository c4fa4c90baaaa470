/** Where a training run executes: descent's Rust kernels, descent's JS backend, or TensorFlow.js. */
export type BenchBackend = 'native' | 'js' | 'tfjs'

/** One optimizer × problem size × backend, medians over the repeats. */
export interface BenchRun {
  optimizer: string
  /** Input features; the hidden layer has 2 × size units (the tutorial's SimpleNN(size, 2·size, 3)). */
  size: number
  backend: BenchBackend
  repeats: number
  /** Training loss after the last epoch (median), null if it diverged. */
  finalLoss: number | null
  /** Lowest epoch loss (median). */
  minLoss: number | null
  /** Wall time of fit() for all epochs (median), in milliseconds. */
  trainingTimeMs: number
  /**
   * First epoch (1-based) whose loss is ≤ 1.1 × the run's minimum loss (median over repeats):
   * what the tutorial's `convergence_speed` meant (it counted the epochs near the minimum instead).
   */
  epochsToConverge: number | null
  /** Loss after each epoch, element-wise median over the repeats. */
  lossHistory: (number | null)[]
}

/** Time to reach a test accuracy on a real data set, medians over the repeats. */
export interface TargetRun {
  dataset: string
  optimizer: string
  backend: BenchBackend
  repeats: number
  /** Test accuracy to reach, in [0, 1]. */
  targetAccuracy: number
  /** Epochs allowed. */
  maxEpochs: number
  /** Median epochs until the test accuracy first reached the target; null if most runs never did. */
  epochsToTarget: number | null
  /** Median training time (fit only, evaluation excluded) until then, in milliseconds; null likewise. */
  timeToTargetMs: number | null
  /** Median test accuracy after the last epoch run. */
  finalTestAccuracy: number
}

/** What `descent bench` measured. */
export interface BenchResults {
  runs: BenchRun[]
  targets: TargetRun[]
  /** Backends asked for but not run here, and why (e.g. `@tensorflow/tfjs` not installed). */
  skipped: { backend: BenchBackend; reason: string }[]
}
