import type { Parameter } from '../parameter.js'
import { Adadelta } from './adadelta.js'
import { Adafactor } from './adafactor.js'
import { AdafactorHF } from './adafactor-hf.js'
import { Adagrad } from './adagrad.js'
import { Adam } from './adam.js'
import { Adamax } from './adamax.js'
import { AdamW } from './adamw.js'
import { AdamWScheduleFree } from './adamw-schedule-free.js'
import { ASGD } from './asgd.js'
import type { OptimizerClass } from './define.js'
import { LAMB } from './lamb.js'
import { Lion } from './lion.js'
import { Muon } from './muon.js'
import { NAdam } from './nadam.js'
import type { CommonOptions, Optimizer } from './optimizer.js'
import { RAdam } from './radam.js'
import { RMSprop } from './rmsprop.js'
import { Rprop } from './rprop.js'
import type { RuleDefinition } from './rule.js'
import { SGD } from './sgd.js'
import { SGDScheduleFree } from './sgd-schedule-free.js'

/** A constructor of any optimizer, as the golden tests and benches build them by name. */
export interface OptimizerConstructor {
  new (
    params: Iterable<Parameter>,
    options?: Record<string, unknown> & CommonOptions,
  ): Optimizer<{ lr: number }>
  readonly key: string
  readonly rule: RuleDefinition<{ lr: number }>
}

/** A TensorFlow.js optimizer as data: `tf.train[name](...args)` (the bench's tfjs column). */
export interface TfjsEquivalent {
  readonly name: 'sgd' | 'momentum' | 'adam' | 'rmsprop' | 'adamax' | 'adadelta'
  readonly args: readonly (number | boolean)[]
}

/** A test function's learning rates for plain and adaptive methods (trajectories). */
export interface PathRates {
  readonly gd: number
  readonly adaptive: number
}

/**
 * One optimizer as every table of descent knows it. An entry is either a class (its key is the
 * class's state-dict name) or a preset of one (`momentum` is SGD with `momentum: 0.9`).
 */
export interface OptimizerEntry {
  /** Display name in tables and charts, e.g. `Momentum`. */
  readonly label: string
  readonly Optimizer: OptimizerConstructor
  /** Options a preset adds to the class's defaults. */
  readonly preset?: Readonly<Record<string, unknown>>
  /** How `descent bench` runs it: its learning rate, what its table says, its tfjs twin. */
  readonly bench?: { readonly lr: number; readonly settings: string; readonly tfjs?: TfjsEquivalent }
  /** How `descent trajectories` runs it: its lr from the test function's two, and `options` on top. */
  readonly path?: {
    readonly lr: (rates: PathRates) => number
    readonly options?: Readonly<Record<string, unknown>>
    /** The point as a 1×2 matrix rather than a vector (Muon takes matrices only). */
    readonly matrix?: boolean
  }
}

const entry = (e: OptimizerEntry) => e
// biome-ignore lint/suspicious/noExplicitAny: a table of optimizers with different option types
const cls = (C: OptimizerClass<any>) => C as unknown as OptimizerConstructor

/**
 * Every optimizer and preset, by the name the CLI flags, `OPTIMIZERS` and state dicts use: the
 * one table the others derive from. The tutorial's optimizers run with its learning rates in the
 * bench (SGD and Momentum 0.01, Adam and NAdam 1e-3, AdaFactor 1e-2); the others with descent's
 * (PyTorch's) defaults.
 */
export const OPTIMIZER_ENTRIES: Readonly<Record<string, OptimizerEntry>> = {
  sgd: entry({
    label: 'SGD',
    Optimizer: cls(SGD),
    bench: { lr: 0.01, settings: 'lr 0.01', tfjs: { name: 'sgd', args: [0.01] } },
    path: { lr: (r) => r.gd },
  }),
  momentum: entry({
    label: 'Momentum',
    Optimizer: cls(SGD),
    preset: { momentum: 0.9 },
    // PyTorch's momentum (v ← μv + g; θ ← θ − lr·v) and tfjs's agree.
    bench: { lr: 0.01, settings: 'SGD lr 0.01, momentum 0.9', tfjs: { name: 'momentum', args: [0.01, 0.9] } },
    path: { lr: (r) => r.gd },
  }),
  nesterov: entry({
    label: 'Nesterov',
    Optimizer: cls(SGD),
    preset: { momentum: 0.9, nesterov: true },
    path: { lr: (r) => r.gd },
  }),
  adagrad: entry({
    label: 'Adagrad',
    Optimizer: cls(Adagrad),
    bench: { lr: 1e-2, settings: 'lr 1e-2' },
    // Adagrad's steps shrink as squared gradients accumulate: a larger lr keeps it comparable.
    path: { lr: (r) => r.adaptive * 5 },
  }),
  rmsprop: entry({
    label: 'RMSprop',
    Optimizer: cls(RMSprop),
    bench: {
      lr: 1e-2,
      settings: 'lr 1e-2, alpha 0.99, eps 1e-8',
      tfjs: { name: 'rmsprop', args: [1e-2, 0.99, 0, 1e-8, false] },
    },
    // RMSprop's early steps are about lr/√(1 − alpha) = 10·lr long (no bias correction).
    path: { lr: (r) => r.adaptive / 5, options: { alpha: 0.99 } },
  }),
  adam: entry({
    label: 'Adam',
    Optimizer: cls(Adam),
    bench: {
      lr: 1e-3,
      settings: 'lr 1e-3, betas (0.9, 0.999), eps 1e-8',
      tfjs: { name: 'adam', args: [1e-3, 0.9, 0.999, 1e-8] },
    },
    path: { lr: (r) => r.adaptive },
  }),
  adamw: entry({
    label: 'AdamW',
    Optimizer: cls(AdamW),
    bench: { lr: 1e-3, settings: 'lr 1e-3, weightDecay 1e-2' },
    // Adam's path, pulled slightly toward the origin by the decoupled decay (default 1e-2).
    path: { lr: (r) => r.adaptive },
  }),
  nadam: entry({
    label: 'NAdam',
    Optimizer: cls(NAdam),
    bench: { lr: 1e-3, settings: 'lr 1e-3 (the tutorial’s), betas (0.9, 0.999)' },
    path: { lr: (r) => r.adaptive },
  }),
  radam: entry({ label: 'RAdam', Optimizer: cls(RAdam), bench: { lr: 1e-3, settings: 'lr 1e-3' } }),
  adamax: entry({
    label: 'Adamax',
    Optimizer: cls(Adamax),
    bench: { lr: 2e-3, settings: 'lr 2e-3', tfjs: { name: 'adamax', args: [2e-3, 0.9, 0.999, 1e-8, 0] } },
  }),
  adadelta: entry({
    label: 'Adadelta',
    Optimizer: cls(Adadelta),
    bench: { lr: 1, settings: 'lr 1, rho 0.9, eps 1e-6', tfjs: { name: 'adadelta', args: [1, 0.9, 1e-6] } },
  }),
  lion: entry({
    label: 'Lion',
    Optimizer: cls(Lion),
    bench: { lr: 1e-4, settings: 'lr 1e-4, weightDecay 1e-3' },
    // Lion moves every coordinate by exactly ±lr: half the Adam lr keeps its path as long.
    path: { lr: (r) => r.adaptive / 2, options: { weightDecay: 0 } },
  }),
  lamb: entry({
    label: 'LAMB',
    Optimizer: cls(LAMB),
    bench: { lr: 1e-3, settings: 'lr 1e-3' },
    // LAMB's step is lr·‖θ‖ long (the trust ratio), about 1.5 lr from the usual starts.
    path: { lr: (r) => r.adaptive },
  }),
  adafactor: entry({
    label: 'Adafactor',
    Optimizer: cls(Adafactor),
    bench: { lr: 1e-2, settings: 'lr 1e-2, beta2Decay -0.8' },
    // Adafactor's step is lr·max(eps2, RMS(θ)) long, relative to the parameter like LAMB's, and
    // without momentum it zigzags across narrow valleys: a tenth of the Adam lr keeps that narrow.
    path: { lr: (r) => r.adaptive / 10 },
  }),
  adafactorHf: entry({ label: 'AdafactorHF', Optimizer: cls(AdafactorHF) }),
  asgd: entry({
    label: 'ASGD',
    Optimizer: cls(ASGD),
    bench: { lr: 1e-2, settings: 'lr 1e-2, lambd 1e-4, alpha 0.75' },
    path: { lr: (r) => r.gd },
  }),
  adamwScheduleFree: entry({
    label: 'AdamW Schedule-Free',
    Optimizer: cls(AdamWScheduleFree),
    bench: { lr: 2.5e-3, settings: 'lr 2.5e-3, betas (0.9, 0.999)' },
    path: { lr: (r) => r.adaptive },
  }),
  sgdScheduleFree: entry({
    label: 'SGD Schedule-Free',
    Optimizer: cls(SGDScheduleFree),
    bench: { lr: 0.05, settings: 'lr 0.05, momentum 0.9' },
    path: { lr: (r) => r.gd },
  }),
  // 2-D weight matrices only, so not the bench's MLPs (their biases are vectors). On a path the
  // point is a 1×2 matrix, whose orthogonalisation is the momentum's direction scaled to ~0.7:
  // normalised-gradient descent with Nesterov momentum.
  muon: entry({
    label: 'Muon',
    Optimizer: cls(Muon),
    path: { lr: (r) => r.adaptive, options: { weightDecay: 0 }, matrix: true },
  }),
  rprop: entry({
    label: 'Rprop',
    Optimizer: cls(Rprop),
    bench: { lr: 1e-2, settings: 'lr 1e-2, etas (0.5, 1.2), stepSizes (1e-6, 50)' },
    // Full-batch gradients here, as Rprop wants; its steps start at lr and grow 1.2× while the sign holds.
    path: { lr: (r) => r.adaptive / 5 },
  }),
}

/** Every optimizer class by its state-dict name: the entries that are not presets. */
export const OPTIMIZERS: Readonly<Record<string, OptimizerConstructor>> = Object.fromEntries(
  Object.entries(OPTIMIZER_ENTRIES)
    .filter(([, e]) => e.preset === undefined)
    .map(([key, e]) => [key, e.Optimizer]),
)

/** Every update rule once (AdamW runs Adam's); the native side finds each by its name. */
export const RULES: readonly RuleDefinition<never>[] = (() => {
  const rules = new Map<string, RuleDefinition<never>>()
  for (const C of Object.values(OPTIMIZERS)) {
    if (!rules.has(C.rule.rule)) rules.set(C.rule.rule, C.rule as RuleDefinition<never>)
  }
  return [...rules.values()]
})()
