import { describe, typeError } from '../errors.js'
import { LBFGS } from '../optim/lbfgs.js'
import { Optimizer } from '../optim/optimizer.js'
import { Parameter } from '../parameter.js'
import { Scheduler } from '../schedulers/scheduler.js'
import { checkPlainObject, rejectUnknownKeys } from '../validate.js'
import { OPTIMIZER_STATE_PREFIX } from './names.js'

/**
 * What a checkpoint can hold the parameters of: any object with `parameters()`, such as descent's
 * models or `{ parameters: () => [w, b] }` around plain Parameters. Each Parameter is stored
 * under its `name` (`layers.0.weight`), or `params.<i>` when it has none.
 */
export interface CheckpointModel {
  parameters(): Iterable<Parameter>
  /** What defines the model besides its weights (descent's models have it); recorded and checked when present. */
  architecture?(): Readonly<Record<string, unknown>>
}

/** What `saveCheckpoint` writes and `loadCheckpoint` restores in place; each part is optional. */
export interface CheckpointParts {
  model?: CheckpointModel
  // biome-ignore lint/suspicious/noExplicitAny: any optimizer, whatever its hyperparameters
  optimizer?: Optimizer<any> | LBFGS
  scheduler?: Scheduler
}

/** A model parameter and the name it has in the checkpoint. */
export interface NamedParameter {
  readonly name: string
  readonly param: Parameter
}

/** The parts, checked, with the model's parameters named. */
export interface Target {
  readonly model?: {
    readonly className: string
    readonly params: readonly NamedParameter[]
    /** The model's `architecture()`, when it has one. */
    readonly architecture?: Readonly<Record<string, unknown>>
    /** Whether the model says a fit is running (descent models' `training`). */
    training(): boolean
  }
  // biome-ignore lint/suspicious/noExplicitAny: see CheckpointParts
  readonly optimizer?: Optimizer<any> | LBFGS
  readonly scheduler?: Scheduler
}

/** The call this function expects, for messages about its arguments. */
function expectedCall(where: string): string {
  return `${where}(path, { model, optimizer, scheduler })`
}

/** Whether `value` is a model, an optimizer or a scheduler itself rather than `{ model, … }`. */
function isPart(value: unknown): boolean {
  return (
    value instanceof Optimizer ||
    value instanceof Scheduler ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { parameters?: unknown }).parameters === 'function')
  )
}

/**
 * A TypeError unless `path` is a non-empty string. Swapped arguments, or a model (optimizer,
 * scheduler) passed where the parts object goes, are named with the call that was meant.
 */
export function checkPath(where: string, path: unknown, parts?: unknown): asserts path is string {
  if (typeof path !== 'string' && typeof parts === 'string') {
    throw new TypeError(`${where}: the arguments are swapped: call ${expectedCall(where)}, path first`)
  }
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw typeError(where, 'path', 'a non-empty file path string', path)
  }
  if (isPart(parts)) {
    const key = parts instanceof Optimizer ? 'optimizer' : parts instanceof Scheduler ? 'scheduler' : 'model'
    throw new TypeError(
      `${where}: the second argument must be { model, optimizer, scheduler }, got ${describe(parts)}: call ${where}(path, { ${key} })`,
    )
  }
}

/** Checks the parts argument (`keys`: the options this function takes besides the parts). */
export function readTarget(where: string, parts: unknown, keys: readonly string[] = []): Target {
  checkPlainObject(where, 'the second argument', parts)
  rejectUnknownKeys(where, parts, new Set(['model', 'optimizer', 'scheduler', ...keys]))
  const { model, optimizer, scheduler } = parts as Record<string, unknown>
  if (model === undefined && optimizer === undefined && scheduler === undefined) {
    throw new TypeError(`${where}: give at least one of model, optimizer and scheduler`)
  }
  if (optimizer !== undefined && !(optimizer instanceof Optimizer || optimizer instanceof LBFGS)) {
    throw typeError(where, 'optimizer', 'a descent optimizer (Adam, SGD, LBFGS, …)', optimizer)
  }
  if (scheduler !== undefined && !(scheduler instanceof Scheduler)) {
    throw typeError(where, 'scheduler', 'a descent scheduler (StepLR, OneCycleLR, …)', scheduler)
  }
  if (scheduler !== undefined && optimizer !== undefined && scheduler.optimizer !== optimizer) {
    throw new RangeError(`${where}: scheduler drives another optimizer than the one given`)
  }
  return {
    ...(model === undefined ? {} : { model: readModel(where, model) }),
    ...(optimizer === undefined ? {} : { optimizer }),
    ...(scheduler === undefined ? {} : { scheduler }),
  }
}

function readModel(where: string, model: unknown): NonNullable<Target['model']> {
  const parameters =
    typeof model === 'object' && model !== null ? Reflect.get(model, 'parameters') : undefined
  if (typeof parameters !== 'function') {
    throw typeError(where, 'model', 'a model (an object with a parameters() method)', model)
  }
  const list: unknown = parameters.call(model)
  if (list === null || typeof list !== 'object' || !(Symbol.iterator in list)) {
    throw typeError(where, 'model.parameters()', 'an iterable of Parameters', list)
  }
  const params: NamedParameter[] = []
  const byName = new Map<string, number>()
  for (const param of list as Iterable<unknown>) {
    const i = params.length
    if (!(param instanceof Parameter))
      throw typeError(where, `model.parameters()[${i}]`, 'a Parameter', param)
    const name = param.name || `params.${i}`
    const first = byName.get(name)
    if (first !== undefined) {
      throw new RangeError(
        `${where}: model.parameters()[${i}] is named ${describe(name)} like model.parameters()[${first}]; names must be unique`,
      )
    }
    if (name.startsWith(OPTIMIZER_STATE_PREFIX) || name === '__metadata__') {
      throw new RangeError(`${where}: model.parameters()[${i}] has the reserved name ${describe(name)}`)
    }
    byName.set(name, i)
    params.push({ name, param })
  }
  const architecture = readArchitecture(where, model as object)
  return {
    className: (model as object).constructor?.name ?? 'Object',
    params,
    ...(architecture === undefined ? {} : { architecture }),
    training: () => Reflect.get(model as object, 'training') === true,
  }
}

function readArchitecture(where: string, model: object): Record<string, unknown> | undefined {
  const method = Reflect.get(model, 'architecture')
  if (method === undefined) return undefined
  if (typeof method !== 'function') {
    throw typeError(where, 'model.architecture', 'a method returning a plain object', method)
  }
  const architecture: unknown = method.call(model)
  checkPlainObject(where, 'model.architecture()', architecture)
  return architecture as Record<string, unknown>
}

/** The optimizer's parameters, numbered across groups as in its state dict. */
// biome-ignore lint/suspicious/noExplicitAny: see CheckpointParts
export function optimizerParams(optimizer: Optimizer<any> | LBFGS): Parameter[] {
  return optimizer.paramGroups.flatMap((g) => [...g.params])
}

/** A TypeError unless the parameter's buffers still hold `shape`'s element count (not detached). */
export function checkAttached(where: string, what: string, param: Parameter): void {
  const n = param.shape.reduce((a, b) => a * b, 1)
  if (param.data.length !== n) {
    throw new TypeError(
      `${where}: ${what}.data has length ${param.data.length}, expected ${n} (detached buffer?)`,
    )
  }
}
