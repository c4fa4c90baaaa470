import type { Parameter } from '../parameter.js'
import { type CommonOptions, Optimizer } from './optimizer.js'
import type { ParamGroupInput } from './param-groups.js'
import type { RuleDefinition } from './rule.js'

/** What `new` on an optimizer class takes and gives, with the rule it runs and its state-dict name. */
export interface OptimizerClass<O extends object & { lr: number }> {
  new (
    params: Iterable<Parameter> | Iterable<ParamGroupInput<O>>,
    options?: Partial<O> & CommonOptions,
  ): Optimizer<O>
  /** The name written in state dicts and checkpoints (`stateDict().name`). */
  readonly key: string
  readonly rule: RuleDefinition<O>
}

/**
 * The base class of one optimizer: `class SGD extends optimizerClass('sgd', sgdRule) {}` is the
 * whole class, so a rule's file holds only what differs between rules. The return type is
 * spelled out so the emitted declarations name `OptimizerClass`, not an anonymous class.
 */
export function optimizerClass<O extends object & { lr: number }>(
  key: string,
  rule: RuleDefinition<O>,
): OptimizerClass<O> {
  return class extends Optimizer<O> {
    static readonly key = key
    static readonly rule = rule
    constructor(
      params: Iterable<Parameter> | Iterable<ParamGroupInput<O>>,
      options: Partial<O> & CommonOptions = {},
    ) {
      super(key, rule, params, options)
    }
  }
}
