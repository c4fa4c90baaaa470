import { Adadelta, adadeltaRule } from './adadelta.js'
import { Adafactor, adafactorRule } from './adafactor.js'
import { AdafactorHF, adafactorHFRule } from './adafactor-hf.js'
import { Adagrad, adagradRule } from './adagrad.js'
import { Adam, adamRule } from './adam.js'
import { Adamax, adamaxRule } from './adamax.js'
import { AdamW } from './adamw.js'
import { LAMB, lambRule } from './lamb.js'
import { Lion, lionRule } from './lion.js'
import { NAdam, nadamRule } from './nadam.js'
import type { CommonOptions, Optimizer } from './optimizer.js'
import { RAdam, radamRule } from './radam.js'
import { RMSprop, rmspropRule } from './rmsprop.js'
import type { RuleDefinition } from './rule.js'
import { SGD, sgdRule } from './sgd.js'

/**
 * Every update rule, one line each, in the order of crates/core/src/rules/mod.rs
 * (a test checks that both lists agree).
 */
export const RULES: readonly RuleDefinition<never>[] = [
  sgdRule,
  adamRule,
  adagradRule,
  rmspropRule,
  adamaxRule,
  adadeltaRule,
  nadamRule,
  radamRule,
  lionRule,
  lambRule,
  adafactorRule,
  adafactorHFRule,
] as unknown as readonly RuleDefinition<never>[]

/** A constructor of any optimizer, as the golden tests and benches build them by name. */
export type OptimizerConstructor = new (
  params: Iterable<import('../parameter.js').Parameter>,
  options?: Record<string, unknown> & CommonOptions,
) => Optimizer<{ lr: number }>

/** Every optimizer class by its state-dict name, one line each. */
export const OPTIMIZERS: Readonly<Record<string, OptimizerConstructor>> = {
  sgd: SGD,
  adam: Adam,
  adamw: AdamW,
  adagrad: Adagrad,
  rmsprop: RMSprop,
  adamax: Adamax,
  adadelta: Adadelta,
  nadam: NAdam,
  radam: RAdam,
  lion: Lion,
  lamb: LAMB,
  adafactor: Adafactor,
  adafactorHf: AdafactorHF,
} as unknown as Record<string, OptimizerConstructor>
