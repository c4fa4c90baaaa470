import {
  AdamW,
  type BackendName,
  type LabelledData,
  LBFGS,
  type MLP,
  Muon,
  OPTIMIZER_ENTRIES,
  type Optimizer,
  type Parameter,
  Rng,
  type Tensor,
  tensor,
} from 'descent-optim'
import type { TfjsModule, TfjsOptimizer } from './tfjs.js'

/** Epochs and rows per step of a training run. */
export interface TrainingSettings {
  epochs: number
  batchSize: number
}

/** How a session runs epochs: rows in order, or shuffled with `seed` (then each call reshuffles from it). */
export interface EpochSettings extends TrainingSettings {
  seed?: number
}

/** One model trained by one optimizer whose state lasts across calls. */
export interface BenchSession {
  /** Trains `settings.epochs` epochs on `set`; returns each epoch's mean training loss. */
  epochs(set: LabelledData, settings: EpochSettings): number[]
}

/** An optimizer as the benchmark runs it: the same hyperparameters on every backend. */
export interface BenchOptimizer {
  /** Display name, e.g. `Momentum`. */
  label: string
  /** The hyperparameters, for tables. */
  settings: string
  /**
   * Starts training `model`: epoch losses are each batch's loss measured before its step,
   * weighted by its rows, as `fit` reports them.
   */
  start: (model: MLP) => BenchSession
  /** Builds the optimizer, for the rules that train through `fit` (all but Muon + AdamW and L-BFGS). */
  create?: (params: Parameter[], backend: BackendName) => Optimizer<{ lr: number }>
  /** The same rule in TensorFlow.js, when it has one (it has no NAdam, RAdam, Adafactor, Lion or LAMB). */
  tfjs?: (tf: TfjsModule) => TfjsOptimizer
}

/** The registry's optimizers, trained by `fit`. */
const FIT_OPTIMIZERS: [string, BenchOptimizer][] = Object.entries(OPTIMIZER_ENTRIES).flatMap(([key, e]) => {
  const bench = e.bench
  if (!bench) return []
  const tfjs = bench.tfjs
  const create = (params: Parameter[], backend: BackendName) =>
    new e.Optimizer(params, { ...e.preset, lr: bench.lr, backend })
  const optimizer: BenchOptimizer = {
    label: e.label,
    settings: bench.settings,
    create,
    start: (model) => {
      const optimizer = create(model.parameters(), model.backend)
      return {
        epochs: (set, s) =>
          model.fit(set.x, set.y, {
            optimizer,
            epochs: s.epochs,
            batchSize: s.batchSize,
            ...(s.seed === undefined ? { shuffle: false } : { seed: s.seed }),
          }).loss,
      }
    },
    ...(tfjs && {
      tfjs: (tf: TfjsModule) =>
        (tf.train[tfjs.name] as (...args: readonly (number | boolean)[]) => TfjsOptimizer)(...tfjs.args),
    }),
  }
  return [[key, optimizer]]
})

/** `set`'s rows in `order` (all of them, in order, when undefined), in batches of `size`. */
function batches(set: LabelledData, size: number, order?: Uint32Array): [Tensor, Tensor, number][] {
  const n = set.y.data.length
  const width = set.x.data.length / n
  const out: [Tensor, Tensor, number][] = []
  for (let at = 0; at < n; at += size) {
    const end = Math.min(at + size, n)
    if (order === undefined) {
      out.push([
        tensor(set.x.data.subarray(at * width, end * width), [end - at, width]),
        tensor(set.y.data.subarray(at, end), [end - at]),
        end - at,
      ])
      continue
    }
    const x = new (set.x.data.constructor as Float32ArrayConstructor)((end - at) * width)
    const y = new Int32Array(end - at)
    for (let i = at; i < end; i++) {
      const row = order[i] as number
      x.set(set.x.data.subarray(row * width, (row + 1) * width), (i - at) * width)
      y[i - at] = set.y.data[row] as number
    }
    out.push([tensor(x, [end - at, width]), tensor(y, [end - at]), end - at])
  }
  return out
}

/** A session of a loop of our own: `step` after each batch's forwardBackward. */
function loopSession(model: MLP, step: () => void): BenchSession {
  return {
    epochs: (set, s) => {
      const rows = set.y.data.length
      const rng = s.seed === undefined ? undefined : new Rng(s.seed)
      const ordered = rng === undefined ? batches(set, s.batchSize) : undefined
      return Array.from({ length: s.epochs }, () => {
        let weighted = 0
        for (const [x, y, count] of ordered ?? batches(set, s.batchSize, rng?.permutation(rows))) {
          weighted += model.forwardBackward(x, y) * count
          step()
        }
        return weighted / rows
      })
    },
  }
}

/**
 * Muon for the weight matrices and AdamW for the biases (Muon takes matrices only), stepped
 * together after each batch's forwardBackward in a loop of our own: `fit` takes one optimizer.
 */
const MUON_ADAMW: BenchOptimizer = {
  label: 'Muon + AdamW',
  settings: 'Muon lr 0.02 (weights), AdamW lr 1e-3 (biases)',
  start: (model) => {
    const params = model.parameters()
    const backend = model.backend
    const muon = new Muon(
      params.filter((p) => p.shape.length === 2),
      { lr: 0.02, backend },
    )
    const adamw = new AdamW(
      params.filter((p) => p.shape.length !== 2),
      { lr: 1e-3, backend },
    )
    return loopSession(model, () => {
      muon.step()
      adamw.step()
    })
  },
}

/** L-BFGS on the whole training set: one strong-Wolfe iteration per epoch (batchSize unused). */
const LBFGS_FULL_BATCH: BenchOptimizer = {
  label: 'L-BFGS',
  settings: 'full batch, 1 iteration per epoch, strong Wolfe, historySize 10',
  start: (model) => {
    const lbfgs = new LBFGS(model.parameters(), {
      maxIter: 1,
      historySize: 10,
      lineSearchFn: 'strong_wolfe',
      backend: model.backend,
    })
    return {
      epochs: (set, s) =>
        Array.from({ length: s.epochs }, () => lbfgs.step(() => model.forwardBackward(set.x, set.y))),
    }
  },
}

/** The optimizers `descent bench` knows, by flag name: the registry's entries that say how to bench them, then Muon + AdamW and L-BFGS. */
export const BENCH_OPTIMIZERS: Readonly<Record<string, BenchOptimizer>> = Object.fromEntries([
  ...FIT_OPTIMIZERS,
  ['muon', MUON_ADAMW],
  ['lbfgs', LBFGS_FULL_BATCH],
])

/** The tutorial's OptimizerBenchmark set: the default of `--optimizers`. */
export const TUTORIAL_OPTIMIZERS = ['sgd', 'momentum', 'adam', 'nadam', 'adafactor']
