import { resolveBackend } from '../backend/select.js'
import type { Backend, BackendName, StepCache, StepEntry } from '../backend/types.js'
import { DescentError, rangeError, typeError } from '../errors.js'
import { type DType, type FloatArray, Parameter } from '../parameter.js'
import { checkLearningRate, checkOneOf, checkPlainObject, rejectUnknownKeys } from '../validate.js'
import { lentTo } from './lending.js'
import { type SingleStep, StepSlots, stepOnce } from './one-step.js'
import {
  checkNoSharedMemory,
  cloneOptions,
  isGroupInput,
  type OptionsSnapshot,
  optionsUnchanged,
  type ParamGroup,
  type ParamGroupInput,
  pick,
  snapshotOptions,
} from './param-groups.js'
import type { RuleDefinition, ScalarState } from './rule.js'
import { type OptimizerStateDict, readStateDict, type StateDictOwner, writeStateDict } from './state-dict.js'
import { buildStepPlan, type ParamState, type StepPlan } from './step-plan.js'

export { lendToTraining } from './lending.js'
export type { ParamGroup, ParamGroupInput } from './param-groups.js'
export type { OptimizerStateDict, ParamStateDict } from './state-dict.js'
export type { ParamState, StepPlan } from './step-plan.js'

/** What to do when a gradient holds NaN or ±Infinity. */
export type OnNonFinite = 'ignore' | 'skip' | 'throw'

/** Options every optimizer takes besides its hyperparameters. */
export interface CommonOptions {
  /** `'native'` (Rust) or `'js'`; default: native when the addon loaded, else js (or `DESCENT_BACKEND`). */
  backend?: BackendName
  /**
   * Non-finite gradients: `'ignore'` (default, as PyTorch: they flow into params), `'skip'`
   * (leave params and state untouched, count it in `skippedSteps`) or `'throw'` (RangeError naming the parameter).
   */
  onNonFinite?: OnNonFinite
}

const COMMON_KEYS = ['backend', 'onNonFinite'] as const

/**
 * Where an optimizer's planning stands: each parameter's scalar state, each group's options,
 * the skipped-step count. A `Trainer` plans batches ahead and rewinds to one of these when a
 * batch does not run as planned.
 */
export interface OptimizerCursor {
  readonly scalars: ReadonlyMap<Parameter, ScalarState>
  readonly groups: readonly Record<string, unknown>[]
  readonly skipped: number
}

// biome-ignore lint/suspicious/noExplicitAny: any optimizer, whatever its hyperparameters
type AnyOptimizerBase = Optimizer<any>

/**
 * The driver every optimizer shares: param groups, lazily created per-parameter state,
 * validation before anything changes, one backend call per step, state dicts.
 * Subclasses only name their rule (see `RuleDefinition`).
 */
export abstract class Optimizer<O extends object & { lr: number }> {
  /** Param groups, as in PyTorch; schedulers set `paramGroups[i].lr`. */
  readonly paramGroups: ParamGroup<O>[] = []
  /** Which backend runs the kernels. */
  readonly backend: Backend
  /** Non-finite gradient policy. */
  readonly onNonFinite: OnNonFinite
  /** Steps skipped because a gradient was non-finite (`onNonFinite: 'skip'`). */
  skippedSteps = 0
  readonly #rule: RuleDefinition<O>
  readonly #kind: string
  readonly #defaults: O
  readonly #state = new Map<Parameter, ParamState>()
  #checkedGrads: FloatArray[] = []
  readonly #stepCache: StepCache = {}
  readonly #optionKeys: readonly string[]
  readonly #validated = new WeakMap<object, OptionsSnapshot>()
  readonly #stepSlots = new StepSlots()
  /** The parameters and their groups as the last `#checkBeforeStep` found them (reused lists). */
  readonly #stepParams: Parameter[] = []
  readonly #stepGroups: ParamGroup<O>[] = []
  #singleStep: SingleStep<O> | undefined
  readonly #runStep = (entries: readonly StepEntry[]): void =>
    this.backend.step(this.#rule.rule, this.#rule.kernel, entries, this.#stepCache)
  #dtype: DType | undefined

  protected constructor(
    kind: string,
    rule: RuleDefinition<O>,
    params: Iterable<Parameter> | Iterable<ParamGroupInput<O>>,
    options: Partial<O> & CommonOptions = {},
  ) {
    this.#kind = kind
    this.#rule = rule
    this.#optionKeys = Object.keys(rule.defaults)
    const where = this.constructor.name
    checkPlainObject(where, 'options', options)
    const optionKeys = Object.keys(rule.defaults)
    rejectUnknownKeys(where, options, new Set([...optionKeys, ...COMMON_KEYS]))
    this.backend = resolveBackend(where, options.backend)
    this.onNonFinite = options.onNonFinite ?? 'ignore'
    checkOneOf(where, 'onNonFinite', this.onNonFinite, ['ignore', 'skip', 'throw'])
    this.#defaults = { ...cloneOptions(rule.defaults as O), ...pick<O>(options, optionKeys) }
    rule.validate(where, this.#defaults)

    if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
      throw typeError(where, 'params', 'an array of Parameters or of param groups', params)
    }
    const list = [...(params as Iterable<unknown>)]
    if (list.length === 0) throw new RangeError(`${where}: params must not be empty`)
    const groups = isGroupInput(list[0]) ? list : [{ params: list }]
    for (const group of groups) this.addParamGroup(group as ParamGroupInput<O>)
  }

  /** Adds a param group; its options default to the constructor's. */
  addParamGroup(group: ParamGroupInput<O>): void {
    const where = `${this.constructor.name}: param group ${this.paramGroups.length}`
    if (!isGroupInput(group)) throw typeError(where, 'group', 'an object with params', group)
    rejectUnknownKeys(where, group, new Set([...Object.keys(this.#rule.defaults), 'params']))
    const options = { ...cloneOptions(this.#defaults), ...pick<O>(group, Object.keys(this.#rule.defaults)) }
    this.#rule.validate(where, options)
    const rawParams = group.params
    if (rawParams === null || typeof rawParams !== 'object' || !(Symbol.iterator in rawParams)) {
      throw typeError(where, 'params', 'an array of Parameters', rawParams)
    }
    const params = [...rawParams]
    if (params.length === 0) throw new RangeError(`${where}: params must not be empty`)
    const existing = this.paramGroups.flatMap((g) => g.params)
    const seen = new Set(existing)
    let dtype = this.#dtype
    params.forEach((p, i) => {
      if (!(p instanceof Parameter)) throw typeError(where, `params[${i}]`, 'a Parameter', p)
      if (seen.has(p)) throw new RangeError(`${where}: params[${i}] appears more than once in this optimizer`)
      seen.add(p)
      if (dtype !== undefined && p.dtype !== dtype) {
        throw new TypeError(
          `${where}: params[${i}] is ${p.dtype} but this optimizer's parameters are ${dtype}`,
        )
      }
      dtype = p.dtype
    })
    checkNoSharedMemory(where, [...existing, ...params])
    this.#dtype = dtype
    this.paramGroups.push(Object.assign(options, { params: Object.freeze(params) }) as ParamGroup<O>)
  }

  /** The element type of this optimizer's parameters. */
  get dtype(): DType {
    return this.#dtype as DType
  }

  /** The first group's learning rate. */
  get lr(): number {
    return (this.paramGroups[0] as ParamGroup<O>).lr
  }

  /** Sets every group's learning rate. */
  set lr(value: number) {
    this.#checkLr(`${this.constructor.name}.lr`, value)
    for (const g of this.paramGroups) g.lr = value
  }

  /** Zeroes every parameter's gradient. */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad.fill(0)
  }

  /** The state of one parameter (undefined before its first step). */
  stateOf(param: Parameter): Readonly<ParamState> | undefined {
    return this.#state.get(param)
  }

  #checkLr(where: string, lr: unknown): void {
    checkLearningRate(where, lr)
  }

  /**
   * Every check `step()` makes before it changes anything. A group's options are validated
   * again only when they changed since they last passed (see `optionsUnchanged`).
   */
  #checkBeforeStep(): Parameter[] {
    const params = this.#stepParams
    const stepGroups = this.#stepGroups
    params.length = 0
    stepGroups.length = 0
    const groups = this.paramGroups
    for (let gi = 0; gi < groups.length; gi++) {
      const group = groups[gi] as ParamGroup<O>
      const snapshot = this.#validated.get(group)
      if (snapshot === undefined || !optionsUnchanged(group, this.#optionKeys, snapshot)) {
        const where = `${this.constructor.name}.step: param group ${gi}`
        this.#checkLr(where, group.lr)
        this.#rule.validate(where, group)
        this.#validated.set(group, snapshotOptions(group, this.#optionKeys))
      }
      for (const p of group.params) {
        const i = params.length
        const n = p.elements
        if (p.data.length !== n || p.grad.length !== n) {
          const which = p.data.length !== n ? 'data' : 'grad'
          const length = p.data.length !== n ? p.data.length : p.grad.length
          throw new TypeError(
            `${this.constructor.name}.step: param group ${gi}: params[${i}].${which} has length ${length}, expected ${n} (detached buffer?)`,
          )
        }
        params.push(p)
        stepGroups.push(group)
      }
    }
    // A grad assigned since the last check may alias another parameter (the setter only
    // knows its own data): check again, which native would refuse and JS would not notice.
    let same = params.length === this.#checkedGrads.length
    for (let i = 0; same && i < params.length; i++)
      same = (params[i] as Parameter).grad === this.#checkedGrads[i]
    if (!same) {
      checkNoSharedMemory(`${this.constructor.name}.step`, params)
      this.#checkedGrads = params.map((p) => p.grad)
    }
    return params
  }

  /** Applies one update to every parameter, in place, with one call into the backend. */
  step(): void {
    this.#checkNotLent('step')
    const params = this.#checkBeforeStep()
    if (this.onNonFinite !== 'ignore') {
      const bad = this.backend.firstNonFinite(params.map((p) => p.grad))
      if (bad >= 0) {
        if (this.onNonFinite === 'throw') throw this.nonFiniteError(bad)
        this.skippedSteps++
        return
      }
    }
    this.#singleStep ??= this.#planning(this.#stepParams, this.#stepGroups)
    stepOnce(this.#singleStep, this.#stepSlots, this.#runStep)
  }

  #checkNotLent(method: string): void {
    const by = lentTo.get(this)
    if (by !== undefined)
      throw new DescentError(
        'DESCENT_BUSY',
        `${this.constructor.name}.${method}: this optimizer is training a model (${by}); wait for it to finish`,
      )
  }

  /** The RangeError `onNonFinite: 'throw'` raises for the parameter at `index`. */
  nonFiniteError(index: number): RangeError {
    const p = this.paramGroups.flatMap((g) => g.params)[index]
    const name = p?.name ? ` ('${p.name}')` : ''
    return new RangeError(`${this.constructor.name}.step: params[${index}]${name}.grad holds NaN or Infinity`)
  }

  /**
   * Plans the next `steps` steps at once, for engines that run many steps in one native call
   * (`model.fit`): every check of `step()`, then the per-step scalars of each step for each
   * parameter. `beforeStep(k)` runs before step k is planned, so a per-batch scheduler can set
   * the lr there. Nothing changes until `commit(stepsDone)`.
   */
  planSteps(steps: number, beforeStep?: (k: number) => void): StepPlan {
    if (!Number.isSafeInteger(steps) || steps < 0)
      throw rangeError(`${this.constructor.name}.planSteps`, 'steps', 'an integer >= 0', steps)
    return this.#plan(this.#checkBeforeStep(), steps, beforeStep)
  }

  #plan(params: Parameter[], steps: number, beforeStep?: (k: number) => void): StepPlan {
    // A plan outlives this call (fit runs it for an epoch): it gets its own copies of the lists.
    return buildStepPlan(this.#planning([...params], [...this.#stepGroups]), steps, beforeStep)
  }

  /** What planning reads of this optimizer; `params[i]` belongs to `groups[i]`. */
  #planning(params: Parameter[], groups: O[]): SingleStep<O> {
    const name = this.constructor.name
    return {
      rule: this.#rule,
      params,
      groups,
      stateOf: (p) => this.#state.get(p),
      keepState: (p, state) => this.#state.set(p, state),
      checkLr: (group) =>
        this.#checkLr(
          `${name}.step: param group ${this.paramGroups.indexOf(group as ParamGroup<O>)}`,
          group.lr,
        ),
      optionsKey: (group) => this.#validated.get(group) as object,
    }
  }

  /** The planning position of `optimizer` (see `OptimizerCursor`). */
  static cursorOf(optimizer: AnyOptimizerBase): OptimizerCursor {
    const scalars = new Map<Parameter, ScalarState>()
    for (const [p, s] of optimizer.#state) scalars.set(p, { ...s.scalars })
    const groups = optimizer.paramGroups.map(({ params: _, ...options }) => cloneOptions(options))
    return { scalars, groups, skipped: optimizer.skippedSteps }
  }

  /**
   * Forgets the state of those `params` that never stepped (step 0): state made ahead of a
   * first step that did not come (a trainer closed before training) is as if never made.
   */
  static forgetUnstepped(optimizer: AnyOptimizerBase, params: readonly Parameter[]): void {
    for (const p of params) if (optimizer.#state.get(p)?.scalars.step === 0) optimizer.#state.delete(p)
  }

  /** Puts `optimizer` back at `cursor` (taken from it by `cursorOf`). */
  static restoreCursor(optimizer: AnyOptimizerBase, cursor: OptimizerCursor): void {
    for (const [p, s] of optimizer.#state) {
      const saved = cursor.scalars.get(p)
      if (saved) s.scalars = { ...saved }
    }
    optimizer.paramGroups.forEach((g, i) => {
      Object.assign(g, cloneOptions(cursor.groups[i] as object))
    })
    optimizer.skippedSteps = cursor.skipped
  }

  /** A copy of all state and hyperparameters, as plain data (structured-clone-able). */
  stateDict(): OptimizerStateDict {
    return writeStateDict(this.#stateOwner())
  }

  /**
   * Restores a `stateDict()` from an optimizer of the same kind over parameters of the same
   * shapes. Everything is checked first: on error nothing changes.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const where = `${this.constructor.name}.loadStateDict`
    this.#checkNotLent('loadStateDict')
    const read = readStateDict(where, this.#stateOwner(), stateDict)
    // Everything checked: apply.
    for (const [gi, group] of this.paramGroups.entries()) Object.assign(group, read.options[gi])
    this.#state.clear()
    for (const [p, s] of read.state) this.#state.set(p, s)
    this.skippedSteps = read.skipped
  }

  #stateOwner(): StateDictOwner<O> {
    return {
      kind: this.#kind,
      dtype: this.dtype,
      rule: this.#rule,
      defaults: this.#defaults,
      paramGroups: this.paramGroups,
      stateOf: (p) => this.#state.get(p),
      skippedSteps: this.skippedSteps,
    }
  }
}
