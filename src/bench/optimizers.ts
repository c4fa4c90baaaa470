import type { BackendName } from '../backend/types.js'
import { Adadelta } from '../optim/adadelta.js'
import { Adafactor } from '../optim/adafactor.js'
import { Adagrad } from '../optim/adagrad.js'
import { Adam } from '../optim/adam.js'
import { Adamax } from '../optim/adamax.js'
import { AdamW } from '../optim/adamw.js'
import { LAMB } from '../optim/lamb.js'
import { Lion } from '../optim/lion.js'
import { NAdam } from '../optim/nadam.js'
import type { Optimizer } from '../optim/optimizer.js'
import { RAdam } from '../optim/radam.js'
import { RMSprop } from '../optim/rmsprop.js'
import { SGD } from '../optim/sgd.js'
import type { Parameter } from '../parameter.js'
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

/**
 * The optimizers `descent bench` knows, by flag name. The tutorial's five come first with its
 * learning rates (SGD and Momentum 0.01, Adam and NAdam 1e-3, AdaFactor 1e-2); the others use
 * descent's (PyTorch's) defaults.
 */
export const BENCH_OPTIMIZERS: Readonly<Record<string, BenchOptimizer>> = {
  sgd: {
    label: 'SGD',
    settings: 'lr 0.01',
    create: (p, backend) => new SGD(p, { lr: 0.01, backend }),
    tfjs: (tf) => tf.train.sgd(0.01),
  },
  momentum: {
    label: 'Momentum',
    settings: 'SGD lr 0.01, momentum 0.9',
    create: (p, backend) => new SGD(p, { lr: 0.01, momentum: 0.9, backend }),
    // PyTorch's momentum (v ← μv + g; θ ← θ − lr·v) and tfjs's (v ← μv + g; θ ← θ − lr·v) agree.
    tfjs: (tf) => tf.train.momentum(0.01, 0.9),
  },
  adam: {
    label: 'Adam',
    settings: 'lr 1e-3, betas (0.9, 0.999), eps 1e-8',
    create: (p, backend) => new Adam(p, { lr: 1e-3, backend }),
    tfjs: (tf) => tf.train.adam(1e-3, 0.9, 0.999, 1e-8),
  },
  nadam: {
    label: 'NAdam',
    settings: 'lr 1e-3 (the tutorial’s), betas (0.9, 0.999)',
    create: (p, backend) => new NAdam(p, { lr: 1e-3, backend }),
  },
  adafactor: {
    label: 'Adafactor',
    settings: 'lr 1e-2, beta2Decay -0.8',
    create: (p, backend) => new Adafactor(p, { lr: 1e-2, backend }),
  },
  adamw: {
    label: 'AdamW',
    settings: 'lr 1e-3, weightDecay 1e-2',
    create: (p, backend) => new AdamW(p, { lr: 1e-3, backend }),
  },
  adagrad: {
    label: 'Adagrad',
    settings: 'lr 1e-2',
    create: (p, backend) => new Adagrad(p, { lr: 1e-2, backend }),
  },
  rmsprop: {
    label: 'RMSprop',
    settings: 'lr 1e-2, alpha 0.99, eps 1e-8',
    create: (p, backend) => new RMSprop(p, { lr: 1e-2, backend }),
    tfjs: (tf) => tf.train.rmsprop(1e-2, 0.99, 0, 1e-8, false),
  },
  adamax: {
    label: 'Adamax',
    settings: 'lr 2e-3',
    create: (p, backend) => new Adamax(p, { lr: 2e-3, backend }),
    tfjs: (tf) => tf.train.adamax(2e-3, 0.9, 0.999, 1e-8, 0),
  },
  adadelta: {
    label: 'Adadelta',
    settings: 'lr 1, rho 0.9, eps 1e-6',
    create: (p, backend) => new Adadelta(p, { lr: 1, backend }),
    tfjs: (tf) => tf.train.adadelta(1, 0.9, 1e-6),
  },
  radam: {
    label: 'RAdam',
    settings: 'lr 1e-3',
    create: (p, backend) => new RAdam(p, { lr: 1e-3, backend }),
  },
  lion: {
    label: 'Lion',
    settings: 'lr 1e-4, weightDecay 1e-3',
    create: (p, backend) => new Lion(p, { lr: 1e-4, backend }),
  },
  lamb: {
    label: 'LAMB',
    settings: 'lr 1e-3',
    create: (p, backend) => new LAMB(p, { lr: 1e-3, backend }),
  },
}

/** The tutorial's OptimizerBenchmark set: the default of `--optimizers`. */
export const TUTORIAL_OPTIMIZERS = ['sgd', 'momentum', 'adam', 'nadam', 'adafactor']
