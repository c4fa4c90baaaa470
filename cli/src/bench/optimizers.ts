import { type BackendName, OPTIMIZER_ENTRIES, type Optimizer, type Parameter } from 'descent-optim'
import type { TfjsModule, TfjsOptimizer } from './tfjs.js'

/** An optimizer as the benchmark runs it: the same hyperparameters on every backend. */
export interface BenchOptimizer {
  /** Display name, e.g. `Momentum`. */
  label: string
  /** The hyperparameters, for tables. */
  settings: string
  create: (params: Parameter[], backend: BackendName) => Optimizer<{ lr: number }>
  /** The same rule in TensorFlow.js, when it has one (it has no NAdam, RAdam, Adafactor, Lion or LAMB). */
  tfjs?: (tf: TfjsModule) => TfjsOptimizer
}

/** The optimizers `descent bench` knows, by flag name: the registry's entries that say how to bench them. */
export const BENCH_OPTIMIZERS: Readonly<Record<string, BenchOptimizer>> = Object.fromEntries(
  Object.entries(OPTIMIZER_ENTRIES).flatMap(([key, e]) => {
    const bench = e.bench
    if (!bench) return []
    const tfjs = bench.tfjs
    const optimizer: BenchOptimizer = {
      label: e.label,
      settings: bench.settings,
      create: (params, backend) => new e.Optimizer(params, { ...e.preset, lr: bench.lr, backend }),
      ...(tfjs && {
        tfjs: (tf: TfjsModule) =>
          (tf.train[tfjs.name] as (...args: readonly (number | boolean)[]) => TfjsOptimizer)(...tfjs.args),
      }),
    }
    return [[key, optimizer]]
  }),
)

/** The tutorial's OptimizerBenchmark set: the default of `--optimizers`. */
export const TUTORIAL_OPTIMIZERS = ['sgd', 'momentum', 'adam', 'nadam', 'adafactor']
