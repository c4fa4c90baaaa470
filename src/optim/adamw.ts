import { type AdamOptions, adamKernel, adamPlan, adamRule, adamStateTensors, validateAdam } from './adam.js'
import { optimizerClass } from './define.js'
import type { RuleDefinition } from './rule.js'

/** AdamW hyperparameters: Adam's, with decoupled weight decay always on (default λ = 1e-2). */
export type AdamWOptions = Omit<AdamOptions, 'decoupledWeightDecay'>

/** AdamW (Loshchilov & Hutter 2019): the Adam rule with θ ← θ(1 − γλ) before the moment update. */
export const adamwRule: RuleDefinition<AdamWOptions> = {
  rule: 'adam',
  elementwise: true,
  scalars: adamRule.scalars,
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false },
  validate: validateAdam,
  stateTensors: adamStateTensors,
  plan: (o, state) => adamPlan(o, true, state),
  kernel: adamKernel,
}

/** Adam with decoupled weight decay. See `adamwRule`. */
export class AdamW extends optimizerClass('adamw', adamwRule) {}
