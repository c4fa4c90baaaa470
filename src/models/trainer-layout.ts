import type { StepPlan } from '../optim/optimizer.js'
import type { FloatArray } from '../parameter.js'
import type { AnyOptimizer } from './fit.js'

/** How an optimizer's state and per-step scalars line up, fixed for a trainer's life. */
export interface TrainerLayout {
  readonly rule: string
  /** Every parameter's state tensors, in order (the optimizer's own, live). */
  readonly state: FloatArray[]
  readonly stateCounts: number[]
  readonly scalarCounts: number[]
  /** Throws unless `plan` has this layout (an option that adds state, such as amsgrad, was turned on). */
  check(plan: StepPlan): void
}

/** Creates every state tensor the optimizer's next step needs (as its first step would) and reads the layout. */
export function trainerLayout(optimizer: AnyOptimizer): TrainerLayout {
  const probe = optimizer.planSteps(1)
  probe.commit(0)
  const stateCounts = probe.state.map((s) => s.length)
  const scalarCounts = [...probe.scalarCounts]
  const state = probe.state.flat()
  return {
    rule: probe.rule,
    state,
    stateCounts,
    scalarCounts,
    check(plan) {
      const planned = plan.state.flat()
      const same =
        plan.rule === probe.rule &&
        plan.scalarCounts.every((n, i) => n === scalarCounts[i]) &&
        planned.length === state.length &&
        planned.every((t, i) => t === state[i])
      if (!same)
        throw new TypeError(
          `Trainer: the optimizer's state layout changed while the trainer is open (an option such as amsgrad was changed); close the trainer first`,
        )
    },
  }
}
