import { LBFGS, OPTIMIZER_ENTRIES, type Parameter } from 'descent-optim'
import { formatSettings } from '../report/table.js'
import type { TestFunction } from './functions.js'

/** One step along a path: `closure` writes the gradient at the current point and returns f there. */
export interface PathStepper {
  step(closure: () => number): void
  /** The options it runs with (its first param group), for tables and tests. */
  readonly options: Readonly<Record<string, unknown>>
}

/** An optimizer as the trajectories draw it: a name and how to build it for a function. */
export interface PathOptimizer {
  name: string
  /** Settings shown in the table, given the function's learning rates. */
  settings: (fn: TestFunction) => string
  /** The shape of the point: [2], or [1, 2] for optimizers of matrices. */
  shape: readonly number[]
  create: (params: Parameter[], fn: TestFunction) => PathStepper
}

/** L-BFGS, one iteration per path step: its strong-Wolfe line search evaluates f as it needs. */
const LBFGS_PATH: PathOptimizer = {
  name: 'L-BFGS',
  settings: () => formatSettings({ lr: 1, lineSearchFn: 'strong_wolfe', historySize: 10 }),
  shape: [2],
  create: (params) => {
    const lbfgs = new LBFGS(params, { maxIter: 1, lineSearchFn: 'strong_wolfe', historySize: 10 })
    return { step: (closure) => lbfgs.step(closure), options: lbfgs.options }
  },
}

/** The optimizers `descent trajectories` can draw, by flag name: the registry's entries with a `path`. */
export const PATH_OPTIMIZERS: Readonly<Record<string, PathOptimizer>> = Object.fromEntries(
  Object.entries(OPTIMIZER_ENTRIES)
    .flatMap(([key, e]) => {
      const path = e.path
      if (!path) return []
      const lr = (fn: TestFunction) => path.lr(fn.lr)
      const options = { ...e.preset, ...path.options }
      const optimizer: PathOptimizer = {
        name: e.label,
        settings: (fn) => formatSettings({ lr: lr(fn), ...options }),
        shape: path.matrix ? [1, 2] : [2],
        create: (params, fn) => {
          const inner = new e.Optimizer(params, { ...options, lr: lr(fn) })
          return {
            step: (closure) => {
              closure()
              inner.step()
            },
            options: inner.paramGroups[0] as Readonly<Record<string, unknown>>,
          }
        },
      }
      return [[key, optimizer]]
    })
    .concat([['lbfgs', LBFGS_PATH]]),
)

/** Default `--optimizers` of `descent trajectories`: every one it can draw. */
export const DEFAULT_PATH_OPTIMIZERS = Object.keys(PATH_OPTIMIZERS)
