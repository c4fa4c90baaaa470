import type { StepEntry } from '../backend/types.js'
import type { FloatArray, Parameter } from '../parameter.js'
import { type FusedEntry, fuseEntries } from './fused-step.js'
import type { Plan, ScalarState } from './rule.js'
import { type ParamState, type Planning, readStates, reusedPlan, stateTensor } from './step-plan.js'

/**
 * One parameter's part of a step, kept from step to step while its group's options and its
 * state stay the same objects (then its state tensors are the same too). Only the buffers and
 * the scalars are refreshed each step.
 */
interface StepSlot {
  param: FloatArray
  grad: FloatArray
  readonly state: readonly FloatArray[]
  readonly shape: readonly number[]
  scalars: readonly number[]
  readonly options: object
  readonly paramState: ParamState
}

/** What one step needs of an optimizer beyond planning: an object that changes with a group's options. */
export interface SingleStep<O extends object> extends Planning<O> {
  /** Identifies the group's options as validated (a new object after any change). */
  optionsKey(group: O): object
}

/** The slots of an optimizer's parameters and the lists one step fills, reused by `stepOnce`. */
export class StepSlots {
  readonly byParam = new Map<Parameter, StepSlot>()
  readonly entries: StepSlot[] = []
  readonly next: ScalarState[] = []
  readonly plans: Plan[] = []
  readonly states: ParamState[] = []
  readonly fresh: boolean[] = []
  /** The last fused entry (its views are reused while the buffers stay where they are). */
  readonly fused: FusedEntry = {
    sources: [],
    lengths: [],
    param: undefined,
    grad: undefined,
    state: [],
    shape: [],
    scalars: [],
  }
  readonly fusedList: StepEntry[] = []
}

/**
 * One step, as `buildStepPlan(planning, 1)` then `entries(0)` and `commit(1)` would run it, without
 * their per-step bookkeeping: the fixed cost of `optimizer.step()` at small sizes. `run` gets the
 * entries; nothing is committed if it throws.
 */
export function stepOnce<O extends object & { lr: number }>(
  planning: SingleStep<O>,
  slots: StepSlots,
  run: (entries: readonly StepEntry[]) => void,
): void {
  const { rule, params, groups } = planning
  const { entries, next, plans, states, fresh } = slots
  entries.length = next.length = plans.length = params.length
  readStates(planning, states, fresh)
  for (let i = 0; i < params.length; i++) {
    const p = params[i] as Parameter
    const group = groups[i] as O
    const state = states[i] as ParamState
    const options = planning.optionsKey(group)
    let slot = slots.byParam.get(p)
    if (slot === undefined || slot.options !== options || slot.paramState !== state) {
      const ps = state
      const tensors = rule.stateTensors(group, p).map((spec) => stateTensor(ps, spec, p))
      slot = {
        param: p.data,
        grad: p.grad,
        state: tensors,
        shape: p.shape,
        scalars: [],
        options,
        paramState: ps,
      }
      slots.byParam.set(p, slot)
    }
    slot.param = p.data
    slot.grad = p.grad
    // Parameters of one group at one scalar state get the same scalars: plan them once.
    const plan =
      reusedPlan(rule, group, state.scalars, groups[i - 1], states[i - 1]?.scalars, plans[i - 1]) ??
      rule.plan(group, state.scalars, p)
    plans[i] = plan
    slot.scalars = plan.scalars
    next[i] = plan.next
    entries[i] = slot
  }
  const fused = rule.elementwise ? fuseEntries(entries, slots.fused) : undefined
  if (fused !== undefined) slots.fusedList[0] = fused
  run(fused !== undefined ? slots.fusedList : entries)
  for (let i = 0; i < params.length; i++) {
    const state = (entries[i] as StepSlot).paramState
    state.scalars = next[i] as ScalarState
    if (fresh[i]) planning.keepState(params[i] as Parameter, state)
  }
}
