import { Adam, adamRule } from './adam.js'
import { AdamW } from './adamw.js'
import type { CommonOptions, Optimizer } from './optimizer.js'
import type { RuleDefinition } from './rule.js'
import { SGD, sgdRule } from './sgd.js'

/**
 * Every update rule, one line each, in the order of crates/core/src/rules/mod.rs
 * (a test checks that both lists agree).
 */
export const RULES: readonly RuleDefinition<never>[] = [
  sgdRule,
  adamRule,
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
} as unknown as Record<string, OptimizerConstructor>
