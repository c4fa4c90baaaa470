import type { OptimizerStateDict, ParamStateDict } from '../optim/optimizer.js'
import type { DType, FloatArray, Parameter } from '../parameter.js'
import { CheckpointError } from './checkpoint-error.js'
import { corrupt, type Header } from './header.js'
import { camelKeys, OPTIMIZER_STATE_PREFIX, parseOptimizerStateTensorName } from './names.js'
import { bytesOf, type TensorRead } from './safetensors.js'
import { checkAttached, optimizerParams, type Target } from './target.js'

const DTYPES: Readonly<Record<DType, string>> = { float32: 'F32', float64: 'F64' }
const DTYPE_NAMES: Readonly<Record<string, DType>> = { F32: 'float32', F64: 'float64' }

function mismatch(where: string, message: string, cause?: unknown): CheckpointError {
  return new CheckpointError(
    'CHECKPOINT_MISMATCH',
    `${where}: ${message}`,
    cause === undefined ? undefined : { cause },
  )
}

function dtypeLabel(dtype: string): string {
  return DTYPE_NAMES[dtype] ?? dtype
}

function shapeLabel(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`
}

function few(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => `'${n}'`)
  return names.length > 5 ? `${shown.join(', ')} and ${names.length - 5} more` : shown.join(', ')
}

/**
 * Makes every check a restore needs, changing nothing, and returns the function that applies
 * it. The apply step can only fail inside `optimizer.loadStateDict` or `scheduler.loadStateDict`,
 * both of which check before they change anything; it restores the scheduler (and the lrs it
 * wrote) if the optimizer then refuses, so a failed load leaves every part as it was.
 */
export function planRestore(
  where: string,
  header: Header,
  tensors: ReadonlyMap<string, TensorRead>,
  target: Target,
): () => void {
  checkTensorNames(where, header, tensors)
  if (target.model?.training()) {
    // fitAsync trains on copies and would overwrite what we restore (and the optimizer refuses).
    throw new RangeError(`${where}: the model is training (a fit or fitAsync is running); load between fits`)
  }
  const copies = target.model ? planModel(where, header, tensors, target) : []
  const optimizerState = target.optimizer ? planOptimizer(where, header, tensors, target) : undefined
  const schedulerState = target.scheduler ? planScheduler(where, header, target) : undefined
  return () => {
    const scheduler = target.scheduler
    const groups = scheduler?.optimizer.paramGroups ?? []
    const lrsBefore = groups.map((g) => g.lr)
    const schedulerBefore = scheduler?.stateDict()
    if (scheduler && schedulerState) {
      try {
        scheduler.loadStateDict(schedulerState)
      } catch (error) {
        throw mismatch(
          where,
          `the scheduler refused the checkpoint's state: ${(error as Error).message}`,
          error,
        )
      }
    }
    if (target.optimizer && optimizerState) {
      try {
        target.optimizer.loadStateDict(optimizerState)
      } catch (error) {
        if (scheduler && schedulerBefore) {
          scheduler.loadStateDict(schedulerBefore)
          groups.forEach((g, i) => {
            ;(g as { lr: number }).lr = lrsBefore[i] as number
          })
        }
        throw mismatch(
          where,
          `the optimizer refused the checkpoint's state: ${(error as Error).message}`,
          error,
        )
      }
    }
    for (const [param, bytes] of copies) bytesOf(param.data).set(bytes)
  }
}

/** Every tensor belongs to the model section or to the optimizer's state, and every model tensor is there. */
function checkTensorNames(where: string, header: Header, tensors: ReadonlyMap<string, TensorRead>): void {
  const modelNames = new Set(header.model?.parameters)
  for (const name of modelNames) if (!tensors.has(name)) throw corrupt(where, `tensor '${name}' is missing`)
  for (const name of tensors.keys()) {
    if (modelNames.has(name)) continue
    if (!(name.startsWith(OPTIMIZER_STATE_PREFIX) && header.optimizer)) {
      throw corrupt(where, `tensor '${name}' belongs to no model parameter and no optimizer state`)
    }
  }
}

function planModel(
  where: string,
  header: Header,
  tensors: ReadonlyMap<string, TensorRead>,
  target: Target,
): [Parameter, Uint8Array][] {
  const model = target.model as NonNullable<Target['model']>
  const section = header.model
  if (!section)
    throw mismatch(where, 'the checkpoint holds no model parameters (it was saved without a model)')
  checkArchitecture(where, section, model)
  const saved = new Set(section.parameters)
  const here = new Set(model.params.map((p) => p.name))
  const lacking = model.params.map((p) => p.name).filter((n) => !saved.has(n))
  const extra = section.parameters.filter((n) => !here.has(n))
  if (lacking.length > 0 || extra.length > 0) {
    const parts = [
      lacking.length > 0 ? `this ${model.className} has ${few(lacking)}, which the checkpoint lacks` : '',
      extra.length > 0
        ? `the checkpoint (saved from ${section.class}) has ${few(extra)}, which this model lacks`
        : '',
    ]
    throw mismatch(where, `the checkpoint does not fit this model: ${parts.filter(Boolean).join('; ')}`)
  }
  return model.params.map(({ name, param }) => {
    checkAttached(where, `model parameter '${name}'`, param)
    const t = tensors.get(name) as TensorRead
    if (t.dtype !== DTYPES[param.dtype]) {
      throw mismatch(
        where,
        `parameter '${name}' is ${dtypeLabel(t.dtype)} in the checkpoint but ${param.dtype} in this model`,
      )
    }
    if (shapeLabel(t.shape) !== shapeLabel(param.shape)) {
      throw mismatch(
        where,
        `parameter '${name}' has shape ${shapeLabel(t.shape)} in the checkpoint but ${shapeLabel(param.shape)} in this model`,
      )
    }
    return [param, t.bytes]
  })
}

/**
 * Weights only mean what they meant with the function they were trained in: when both the file
 * and the model describe their architecture, every field must agree (a tanh MLP would otherwise
 * take relu weights of the same shapes and silently predict worse).
 */
function checkArchitecture(
  where: string,
  section: NonNullable<Header['model']>,
  model: NonNullable<Target['model']>,
): void {
  const saved = section.architecture
  const here = model.architecture
  if (saved === undefined || here === undefined) return
  if (section.class !== model.className) {
    throw mismatch(where, `the checkpoint's model class is ${section.class}, this model's ${model.className}`)
  }
  const fields = [...new Set([...Object.keys(saved), ...Object.keys(here)])]
  const differences = fields
    .filter((f) => JSON.stringify(saved[f]) !== JSON.stringify(here[f]))
    .map((f) => `${f} ${valueLabel(saved[f])} in the checkpoint but ${valueLabel(here[f])} in this model`)
  if (differences.length > 0) {
    throw mismatch(
      where,
      `the checkpoint's ${section.class} differs from this one: ${differences.join('; ')} ` +
        `(build the model as it was saved, or let ${section.class}.fromCheckpoint build it)`,
    )
  }
}

function valueLabel(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value).replaceAll(',', ', ')
}

function planOptimizer(
  where: string,
  header: Header,
  tensors: ReadonlyMap<string, TensorRead>,
  target: Target,
): OptimizerStateDict {
  const optimizer = target.optimizer as NonNullable<Target['optimizer']>
  const section = header.optimizer
  if (!section)
    throw mismatch(where, 'the checkpoint holds no optimizer state (it was saved without an optimizer)')
  const name = optimizer.constructor.name
  if (section.class !== name)
    throw mismatch(where, `the checkpoint holds ${section.class} state, not ${name} state`)
  if (section.dtype !== optimizer.dtype) {
    throw mismatch(
      where,
      `the checkpoint's optimizer state is ${section.dtype} but this ${name} is ${optimizer.dtype}`,
    )
  }
  const params = optimizerParams(optimizer)
  if (section.param_names.length !== params.length) {
    throw mismatch(
      where,
      `the checkpoint holds ${name} state for ${section.param_names.length} parameters, this ${name} has ${params.length}`,
    )
  }
  if (section.param_groups.length !== optimizer.paramGroups.length) {
    throw mismatch(
      where,
      `the checkpoint's ${name} has ${section.param_groups.length} param groups, this one ${optimizer.paramGroups.length}`,
    )
  }
  if (target.model) {
    const names = new Map(target.model.params.map((p) => [p.param, p.name]))
    section.param_names.forEach((saved, i) => {
      const here = names.get(params[i] as Parameter) ?? null
      if (saved !== null && here !== saved) {
        throw mismatch(
          where,
          `the optimizer's parameter ${i} is '${saved}' in the checkpoint but ${here === null ? 'not a model parameter' : `'${here}'`} here: ` +
            'build the optimizer over model.parameters() in the same order as when saving',
        )
      }
    })
  }
  const state: Record<number, ParamStateDict> = {}
  for (const [index, scalars] of Object.entries(section.state)) {
    if (!/^(0|[1-9][0-9]*)$/.test(index)) throw corrupt(where, `optimizer state for parameter '${index}'`)
    state[Number(index)] = camelKeys(scalars) as ParamStateDict
  }
  const StateArray = section.dtype === 'float32' ? Float32Array : Float64Array
  for (const t of tensors.values()) {
    if (!t.name.startsWith(OPTIMIZER_STATE_PREFIX)) continue
    const parsed = parseOptimizerStateTensorName(t.name)
    const entry = parsed && state[parsed.index]
    if (!parsed || !entry) throw corrupt(where, `tensor '${t.name}' is the state of no parameter`)
    if (t.dtype !== DTYPES[section.dtype]) {
      throw corrupt(
        where,
        `tensor '${t.name}' is ${dtypeLabel(t.dtype)}, the optimizer's state ${section.dtype}`,
      )
    }
    const copy: FloatArray = new StateArray(t.bytes.byteLength / StateArray.BYTES_PER_ELEMENT)
    bytesOf(copy).set(t.bytes)
    entry[parsed.state] = copy
  }
  return {
    optimizer: section.type,
    dtype: section.dtype,
    state,
    paramGroups: section.param_groups.map(
      (g) => camelKeys(g) as Record<string, unknown> & { params: number[] },
    ),
    skippedSteps: section.skipped_steps,
  }
}

function planScheduler(where: string, header: Header, target: Target) {
  const scheduler = target.scheduler as NonNullable<Target['scheduler']>
  const section = header.scheduler
  if (!section)
    throw mismatch(where, 'the checkpoint holds no scheduler state (it was saved without a scheduler)')
  const name = scheduler.constructor.name
  if (section.class !== name)
    throw mismatch(where, `the checkpoint holds ${section.class} state, not ${name} state`)
  return section.state
}
