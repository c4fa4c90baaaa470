import { Adagrad } from '../optim/adagrad.js'
import { Adam } from '../optim/adam.js'
import { Lion } from '../optim/lion.js'
import { NAdam } from '../optim/nadam.js'
import type { Optimizer } from '../optim/optimizer.js'
import { RMSprop } from '../optim/rmsprop.js'
import { SGD } from '../optim/sgd.js'
import type { Parameter } from '../parameter.js'
import type { TestFunction } from './functions.js'

/** An optimizer as the trajectories draw it: a name and how to build it for a function. */
export interface PathOptimizer {
  name: string
  /** Settings shown in the table, given the function's learning rates. */
  settings: (fn: TestFunction) => string
  create: (params: Parameter[], fn: TestFunction) => Optimizer<{ lr: number }>
}

/** The optimizers `descent trajectories` can draw, by flag name. */
export const PATH_OPTIMIZERS: Readonly<Record<string, PathOptimizer>> = {
  sgd: {
    name: 'SGD',
    settings: (fn) => `lr ${fn.lr.gd}`,
    create: (params, fn) => new SGD(params, { lr: fn.lr.gd }),
  },
  momentum: {
    name: 'Momentum',
    settings: (fn) => `lr ${fn.lr.gd}, momentum 0.9`,
    create: (params, fn) => new SGD(params, { lr: fn.lr.gd, momentum: 0.9 }),
  },
  nesterov: {
    name: 'Nesterov',
    settings: (fn) => `lr ${fn.lr.gd}, momentum 0.9, nesterov`,
    create: (params, fn) => new SGD(params, { lr: fn.lr.gd, momentum: 0.9, nesterov: true }),
  },
  adagrad: {
    name: 'Adagrad',
    settings: (fn) => `lr ${fn.lr.adaptive * 5}`,
    // Adagrad's steps shrink as squared gradients accumulate: a larger lr keeps it comparable.
    create: (params, fn) => new Adagrad(params, { lr: fn.lr.adaptive * 5 }),
  },
  rmsprop: {
    name: 'RMSprop',
    settings: (fn) => `lr ${fn.lr.adaptive / 5}, alpha 0.99`,
    // RMSprop's early steps are about lr/√(1 − alpha) = 10·lr long (no bias correction).
    create: (params, fn) => new RMSprop(params, { lr: fn.lr.adaptive / 5 }),
  },
  adam: {
    name: 'Adam',
    settings: (fn) => `lr ${fn.lr.adaptive}`,
    create: (params, fn) => new Adam(params, { lr: fn.lr.adaptive }),
  },
  nadam: {
    name: 'NAdam',
    settings: (fn) => `lr ${fn.lr.adaptive}`,
    create: (params, fn) => new NAdam(params, { lr: fn.lr.adaptive }),
  },
  lion: {
    name: 'Lion',
    settings: (fn) => `lr ${fn.lr.adaptive / 2}, weightDecay 0`,
    // Lion moves every coordinate by exactly ±lr: half the Adam lr keeps its path as long.
    create: (params, fn) => new Lion(params, { lr: fn.lr.adaptive / 2, weightDecay: 0 }),
  },
}

/** Default `--optimizers` of `descent trajectories`. */
export const DEFAULT_PATH_OPTIMIZERS = [
  'sgd',
  'momentum',
  'nesterov',
  'adagrad',
  'rmsprop',
  'adam',
  'nadam',
  'lion',
]
