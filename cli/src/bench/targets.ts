import { type BackendName, data, MLP, type SplitData } from 'descent-optim'
import type { BenchOptimizer } from './optimizers.js'

/** A real data set with the network and the test accuracy to reach. */
export interface TargetDataset {
  label: string
  /** MLP layer widths (tanh hidden, softmax output). */
  sizes: number[]
  batchSize: number
  maxEpochs: number
  /** Test accuracy to reach, in (0, 1]. */
  target: number
  load: (seed: number) => SplitData
}

/** The data sets of the time-to-target benchmark, by flag name. */
export const TARGET_DATASETS: Readonly<Record<string, TargetDataset>> = {
  iris: {
    label: 'Iris (105 train / 45 test, standardised)',
    sizes: [4, 16, 3],
    batchSize: 16,
    // 7 steps per epoch: the tutorial's small learning rates need a few hundred epochs here.
    maxEpochs: 300,
    target: 0.95,
    load: (seed) => data.iris({ testFraction: 0.3, standardize: true, seed }),
  },
  mnist: {
    label: 'MNIST digits (8000 train / 2000 test)',
    sizes: [784, 64, 10],
    batchSize: 32,
    maxEpochs: 5,
    target: 0.9,
    load: (seed) => data.mnist({ train: 8000, test: 2000, seed }),
  },
}

/** One time-to-target run. */
export interface TargetOutcome {
  /** Epochs until the test accuracy first reached the target, or null if it never did. */
  epochs: number | null
  /** Training time until then (evaluation excluded), or null. */
  timeMs: number | null
  /** Test accuracy when the run stopped (at the target, or after maxEpochs). */
  finalAccuracy: number
}

/**
 * Trains a fresh MLP one epoch at a time (shuffled with `seed + epoch`), evaluating the test
 * split after each; only the training calls are timed. Stops at the target or after maxEpochs.
 */
export function timeToTarget(
  dataset: TargetDataset,
  split: SplitData,
  optimizer: BenchOptimizer,
  backend: BackendName,
  seed: number,
): TargetOutcome {
  const model = new MLP({ sizes: dataset.sizes, seed, backend })
  const session = optimizer.start(model)
  let timeMs = 0
  let accuracy = 0
  for (let epoch = 1; epoch <= dataset.maxEpochs; epoch++) {
    const start = performance.now()
    session.epochs(split.train, { epochs: 1, batchSize: dataset.batchSize, seed: (seed + epoch) >>> 0 })
    timeMs += performance.now() - start
    accuracy = model.evaluate(split.test.x, split.test.y).accuracy ?? 0
    if (accuracy >= dataset.target) return { epochs: epoch, timeMs, finalAccuracy: accuracy }
  }
  return { epochs: null, timeMs: null, finalAccuracy: accuracy }
}
