import type { JsKernel, StepEntry } from '../backend/types.js'
import { rangeError } from '../errors.js'
import type { FloatArray, Parameter } from '../parameter.js'
import { poolStateTensors } from './fused-step.js'
import {
  type Plan,
  type RuleDefinition,
  type ScalarState,
  type StateTensorSpec,
  sameScalars,
} from './rule.js'

/**
 * Steps planned in advance by `optimizer.planSteps`: the rule, the live buffers and the
 * per-step scalars. Step k's scalars for parameter i start at `k·stride + Σ_{j<i} scalarCounts[j]`.
 */
export interface StepPlan {
  readonly rule: string
  readonly kernel: JsKernel
  readonly params: readonly Parameter[]
  /** State tensors per parameter, in kernel order (live buffers, updated in place). */
  readonly state: readonly (readonly FloatArray[])[]
  readonly scalars: Float64Array
  readonly scalarCounts: readonly number[]
  readonly stride: number
  /** The backend entries of step k. */
  entries(k: number): StepEntry[]
  /** Records that the first `stepsDone` planned steps ran (scalar state: step counts, …). */
  commit(stepsDone: number): void
}

/** Per-parameter state: scalars (`step`, …) and the rule's tensors. */
export interface ParamState {
  scalars: ScalarState
  readonly tensors: Record<string, FloatArray>
}

/** What planning needs of an optimizer: its rule, parameters and groups, and its state. */
export interface Planning<O extends object> {
  readonly rule: RuleDefinition<O>
  readonly params: readonly Parameter[]
  /** The group of each parameter, in the same order. */
  readonly groups: readonly O[]
  stateOf(param: Parameter): ParamState | undefined
  /** Stores a parameter's state when a plan commits. */
  keepState(param: Parameter, state: ParamState): void
  /** Checks a group's lr before a step planned after a scheduler moved it. */
  checkLr(group: O): void
}

/**
 * Plans `steps` steps: the rule's per-step scalars for every parameter at every step (state
 * tensors created on first use), without changing anything until `commit`. `beforeStep(k)` runs
 * before step k is planned (a per-batch scheduler sets the lr there).
 */
export function buildStepPlan<O extends object & { lr: number }>(
  planning: Planning<O>,
  steps: number,
  beforeStep?: (k: number) => void,
): StepPlan {
  const { rule, params, groups } = planning
  const states: ParamState[] = []
  readStates(planning, states, [])
  const tensors = params.map((p, i) =>
    rule.stateTensors(groups[i] as O, p).map((spec) => stateTensor(states[i] as ParamState, spec, p)),
  )
  let current = states.map((s) => s.scalars)
  const history: ScalarState[][] = [current]
  const perStep: (readonly number[])[][] = []
  for (let k = 0; k < steps; k++) {
    beforeStep?.(k)
    const planned: Plan[] = []
    for (let i = 0; i < params.length; i++) {
      const group = groups[i] as O
      const scalars = current[i] as ScalarState
      const shared = reusedPlan(rule, group, scalars, groups[i - 1], current[i - 1], planned[i - 1])
      if (shared === undefined && (k > 0 || beforeStep)) planning.checkLr(group)
      planned.push(shared ?? rule.plan(group, scalars, params[i] as Parameter))
    }
    perStep.push(planned.map((x) => x.scalars))
    current = planned.map((x) => x.next)
    history.push(current)
  }
  const scalarCounts = (perStep[0] ?? params.map(() => [])).map((s) => s.length)
  const stride = scalarCounts.reduce((a, b) => a + b, 0)
  const scalars = new Float64Array(steps * stride)
  for (const [k, step] of perStep.entries()) {
    let at = k * stride
    for (const [i, values] of step.entries()) {
      if (values.length !== scalarCounts[i]) {
        throw new Error(
          `descent: rule '${rule.rule}' planned ${values.length} scalars, expected ${scalarCounts[i]}`,
        )
      }
      scalars.set(values, at)
      at += values.length
    }
  }
  return {
    rule: rule.rule,
    kernel: rule.kernel,
    params,
    state: tensors,
    scalars,
    scalarCounts,
    stride,
    entries: (k) => {
      let at = k * stride
      return params.map((p, i) => {
        const count = scalarCounts[i] as number
        const entry = {
          param: p.data,
          grad: p.grad,
          state: tensors[i] as FloatArray[],
          shape: p.shape,
          scalars: [...scalars.subarray(at, at + count)],
        }
        at += count
        return entry
      })
    },
    commit: (stepsDone) => {
      const after = history[stepsDone]
      if (after === undefined)
        throw rangeError('StepPlan.commit', 'stepsDone', `an integer in [0, ${steps}]`, stepsDone)
      params.forEach((p, i) => {
        const state = states[i] as ParamState
        state.scalars = after[i] as ScalarState
        planning.keepState(p, state)
      })
    },
  }
}

/**
 * Each parameter's state into `states`, a new one for a parameter that has none yet (then
 * `fresh[i]` is true). When all are new and the rule is element-wise, a model's state tensors
 * are laid out back to back, as its parameters are (see fused-step.ts).
 */
export function readStates<O extends object>(
  planning: Planning<O>,
  states: ParamState[],
  fresh: boolean[],
): void {
  const { rule, params, groups } = planning
  states.length = fresh.length = params.length
  let allFresh = params.length > 1
  for (let i = 0; i < params.length; i++) {
    const state = planning.stateOf(params[i] as Parameter)
    fresh[i] = state === undefined
    if (state !== undefined) allFresh = false
    states[i] = state ?? { scalars: rule.initialScalars?.(groups[i] as O) ?? { step: 0 }, tensors: {} }
  }
  if (allFresh && rule.elementwise) poolStateTensors(rule, params, groups, states)
}

/**
 * The previous parameter's plan when it can serve this one too: the same group at the same
 * scalar state, and a rule whose plan does not read the parameter. Otherwise undefined.
 */
export function reusedPlan<O extends object>(
  rule: RuleDefinition<O>,
  group: O,
  scalars: ScalarState,
  previousGroup: O | undefined,
  previousScalars: ScalarState | undefined,
  previousPlan: Plan | undefined,
): Plan | undefined {
  return previousPlan !== undefined &&
    !rule.planReadsParam &&
    group === previousGroup &&
    sameScalars(scalars, previousScalars as ScalarState)
    ? previousPlan
    : undefined
}

/** A state tensor, created on first use (also when an option such as `amsgrad` is turned on mid-run). */
export function stateTensor(state: ParamState, spec: StateTensorSpec, p: Parameter): FloatArray {
  let t = state.tensors[spec.name]
  if (t === undefined) {
    t = new (p.data.constructor as { new (n: number): FloatArray })(spec.length)
    if (spec.copyOfParam) t.set(p.data)
    else if (spec.fill) t.fill(spec.fill)
    state.tensors[spec.name] = t
  }
  return t
}
