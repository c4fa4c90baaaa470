/**
 * TensorFlow.js as an optional third backend of the benchmark. It is not a dependency of
 * descent: when `@tensorflow/tfjs-node` or `@tensorflow/tfjs` is installed next to descent, the
 * benchmark runs the same network, data, initial weights and hyperparameters through it;
 * otherwise the tfjs column is skipped with a note. Only the few calls used here are typed.
 */

/** A tfjs tensor (opaque here). */
export interface TfjsTensor {
  dispose(): void
}

/** A tfjs optimizer (opaque here). */
export type TfjsOptimizer = object

interface TfjsLayer {
  setWeights(weights: TfjsTensor[]): void
}

interface TfjsModel {
  layers: TfjsLayer[]
  compile(args: { optimizer: TfjsOptimizer; loss: string }): void
  fit(
    x: TfjsTensor,
    y: TfjsTensor,
    args: { epochs: number; batchSize: number; shuffle: boolean; verbose: number },
  ): Promise<{ history: { loss: number[] } }>
  dispose(): void
}

/** The parts of the tfjs module the benchmark uses. */
export interface TfjsModule {
  version: { 'tfjs-core': string } | Record<string, string>
  getBackend(): string
  ready(): Promise<void>
  tensor2d(values: Float32Array, shape: [number, number]): TfjsTensor
  tensor1d(values: Float32Array | Int32Array, dtype?: string): TfjsTensor
  sequential(): TfjsModel & { add(layer: TfjsLayer): void }
  layers: {
    dense(args: { units: number; activation: string; inputShape?: number[] }): TfjsLayer
  }
  train: {
    sgd(lr: number): TfjsOptimizer
    momentum(lr: number, momentum: number): TfjsOptimizer
    adam(lr: number, beta1: number, beta2: number, eps: number): TfjsOptimizer
    rmsprop(lr: number, decay: number, momentum: number, eps: number, centered: boolean): TfjsOptimizer
    adamax(lr: number, beta1: number, beta2: number, eps: number, decay: number): TfjsOptimizer
    adadelta(lr: number, rho: number, eps: number): TfjsOptimizer
  }
}

/** The loaded tfjs and which package it came from. */
export interface LoadedTfjs {
  tf: TfjsModule
  /** `@tensorflow/tfjs-node` (libtensorflow, native) or `@tensorflow/tfjs` (pure JS CPU backend). */
  packageName: string
}

let cached: LoadedTfjs | null | undefined

/**
 * TensorFlow.js if installed: `@tensorflow/tfjs-node` first (its native kernels), else
 * `@tensorflow/tfjs`; null when neither resolves. Loaded once.
 */
export function loadTfjs(): LoadedTfjs | null {
  if (cached !== undefined) return cached
  cached = null
  for (const packageName of ['@tensorflow/tfjs-node', '@tensorflow/tfjs']) {
    try {
      cached = { tf: require(packageName) as TfjsModule, packageName }
      break
    } catch {
      // not installed (or not loadable here): try the next one
    }
  }
  return cached
}
