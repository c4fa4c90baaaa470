import { describe, rangeError, typeError } from '../errors.js'
import type { DType, FloatArray, Parameter } from '../parameter.js'
import { checkLearningRate, checkPlainObject, rejectUnknownKeys } from '../validate.js'
import { cloneOptions, type ParamGroup, pick } from './param-groups.js'
import type { RuleDefinition, ScalarState } from './rule.js'
import type { ParamState } from './step-plan.js'

/** A parameter's state in a state dict: its scalars and copies of its tensors. */
export type ParamStateDict = Record<string, number | FloatArray>

/** `optimizer.stateDict()`: plain numbers, arrays and typed arrays (structured-clone-able). */
export interface OptimizerStateDict {
  /** Which optimizer wrote it (`'adam'`, `'sgd'`, …). */
  readonly optimizer: string
  readonly dtype: DType
  /** State by parameter index (parameters numbered across groups in order). */
  readonly state: Record<number, ParamStateDict>
  /** Hyperparameters of each group, with `params` as parameter indices. */
  readonly paramGroups: ReadonlyArray<Record<string, unknown> & { params: number[] }>
  readonly skippedSteps: number
}

/** What writing or reading a state dict needs of an optimizer. */
export interface StateDictOwner<O extends object> {
  /** Which optimizer it is (`'adam'`, …), written into and checked against state dicts. */
  readonly kind: string
  readonly dtype: DType
  readonly rule: RuleDefinition<O>
  readonly defaults: O
  readonly paramGroups: readonly ParamGroup<O>[]
  stateOf(param: Parameter): ParamState | undefined
  readonly skippedSteps: number
}

/** A copy of all state and hyperparameters, as plain data (structured-clone-able). */
export function writeStateDict<O extends object & { lr: number }>(
  owner: StateDictOwner<O>,
): OptimizerStateDict {
  const state: Record<number, ParamStateDict> = {}
  const paramGroups: (Record<string, unknown> & { params: number[] })[] = []
  let index = 0
  for (const group of owner.paramGroups) {
    const { params, ...options } = group
    const indices: number[] = []
    for (const p of params) {
      const s = owner.stateOf(p)
      if (s) {
        const entry: ParamStateDict = { ...s.scalars }
        for (const [name, t] of Object.entries(s.tensors)) entry[name] = t.slice()
        state[index] = entry
      }
      indices.push(index++)
    }
    paramGroups.push({ ...cloneOptions(options as object), params: indices })
  }
  return { optimizer: owner.kind, dtype: owner.dtype, state, paramGroups, skippedSteps: owner.skippedSteps }
}

/**
 * Checks `stateDict` against the optimizer (kind, dtype, groups, every option and state tensor)
 * and returns what to apply; throws, naming the field, before anything changes.
 */
export function readStateDict<O extends object & { lr: number }>(
  where: string,
  owner: StateDictOwner<O>,
  stateDict: OptimizerStateDict,
): { options: O[]; state: Map<Parameter, ParamState>; skipped: number } {
  checkPlainObject(where, 'stateDict', stateDict)
  if (stateDict.optimizer !== owner.kind) {
    throw new TypeError(
      `${where}: state dict is from ${describe(stateDict.optimizer)}, expected '${owner.kind}'`,
    )
  }
  if (stateDict.dtype !== owner.dtype) {
    throw new TypeError(
      `${where}: state dict holds ${describe(stateDict.dtype)} state, expected '${owner.dtype}'`,
    )
  }
  const groups = stateDict.paramGroups
  if (!Array.isArray(groups) || groups.length !== owner.paramGroups.length) {
    throw new RangeError(
      `${where}: expected ${owner.paramGroups.length} param groups, got ${describe(groups)}`,
    )
  }
  const skipped = stateDict.skippedSteps
  if (!Number.isSafeInteger(skipped) || skipped < 0) {
    throw rangeError(where, 'skippedSteps', 'an integer >= 0', skipped)
  }
  const optionKeys = Object.keys(owner.rule.defaults)
  const newOptions: O[] = []
  const newState = new Map<Parameter, ParamState>()
  let index = 0
  owner.paramGroups.forEach((group, gi) => {
    const gw = `${where}: paramGroups[${gi}]`
    const saved = groups[gi] as Record<string, unknown> & { params: unknown }
    checkPlainObject(gw, 'group', saved)
    rejectUnknownKeys(gw, saved, new Set([...optionKeys, 'params']))
    const options = { ...cloneOptions(owner.defaults), ...pick<O>(saved, optionKeys) }
    owner.rule.validate(gw, options)
    checkLearningRate(gw, options.lr)
    const expected = group.params.map((_, k) => index + k)
    if (!Array.isArray(saved.params) || saved.params.join() !== expected.join()) {
      throw new RangeError(`${gw}: params must be [${expected.join(', ')}], got ${describe(saved.params)}`)
    }
    for (const p of group.params) {
      const entry = stateDict.state?.[index]
      if (entry !== undefined)
        newState.set(p, readParamState(`${where}: state[${index}]`, owner.rule, options, p, entry))
      index++
    }
    newOptions.push(options)
  })
  const extra = Object.keys(stateDict.state ?? {}).find((k) => !(Number(k) >= 0 && Number(k) < index))
  if (extra !== undefined) throw new RangeError(`${where}: state has entry '${extra}' for no parameter`)
  return { options: newOptions, state: newState, skipped }
}

function readParamState<O extends object>(
  where: string,
  rule: RuleDefinition<O>,
  options: O,
  p: Parameter,
  entry: ParamStateDict,
): ParamState {
  checkPlainObject(where, 'entry', entry)
  const specs = rule.stateTensors(options, p)
  const tensorNames = new Set(specs.map((s) => s.name))
  const scalarNames = Object.keys(rule.initialScalars?.(options) ?? { step: 0 })
  rejectUnknownKeys(where, entry, new Set([...tensorNames, ...scalarNames]))
  const scalars: Record<string, number> = {}
  for (const name of scalarNames) {
    const v = entry[name]
    if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(where, name, 'a finite number', v)
    scalars[name] = v
  }
  if (!Number.isSafeInteger(scalars.step) || (scalars.step as number) < 0) {
    throw rangeError(where, 'step', 'an integer >= 0', scalars.step)
  }
  const tensors: Record<string, FloatArray> = {}
  for (const spec of specs) {
    const t = entry[spec.name]
    if (t?.constructor !== p.data.constructor) {
      throw typeError(where, spec.name, `a ${p.data.constructor.name}`, t)
    }
    if ((t as FloatArray).length !== spec.length) {
      throw rangeError(where, `${spec.name}.length`, String(spec.length), (t as FloatArray).length)
    }
    try {
      tensors[spec.name] = (t as FloatArray).slice()
    } catch {
      throw typeError(where, spec.name, `a ${p.data.constructor.name} whose buffer is not detached`, t)
    }
  }
  return { scalars: scalars as ScalarState, tensors }
}
