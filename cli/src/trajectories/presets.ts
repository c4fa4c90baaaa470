import { OPTIMIZER_ENTRIES, type Optimizer, type Parameter } from 'descent-optim'
import { formatSettings } from '../report/table.js'
import type { TestFunction } from './functions.js'

/** An optimizer as the trajectories draw it: a name and how to build it for a function. */
export interface PathOptimizer {
  name: string
  /** Settings shown in the table, given the function's learning rates. */
  settings: (fn: TestFunction) => string
  create: (params: Parameter[], fn: TestFunction) => Optimizer<{ lr: number }>
}

/** The optimizers `descent trajectories` can draw, by flag name: the registry's entries with a `path`. */
export const PATH_OPTIMIZERS: Readonly<Record<string, PathOptimizer>> = Object.fromEntries(
  Object.entries(OPTIMIZER_ENTRIES).flatMap(([key, e]) => {
    const path = e.path
    if (!path) return []
    const lr = (fn: TestFunction) => path.lr(fn.lr)
    const options = { ...e.preset, ...path.options }
    const optimizer: PathOptimizer = {
      name: e.label,
      settings: (fn) => formatSettings({ lr: lr(fn), ...options }),
      create: (params, fn) => new e.Optimizer(params, { ...options, lr: lr(fn) }),
    }
    return [[key, optimizer]]
  }),
)

/** Default `--optimizers` of `descent trajectories`: every one it can draw. */
export const DEFAULT_PATH_OPTIMIZERS = Object.keys(PATH_OPTIMIZERS)
