import type { DType } from '../parameter.js'
import type { SchedulerStateDict } from '../schedulers/types.js'

/**
 * The checkpoint format. A checkpoint is a safetensors file whose tensors are the model's
 * parameters (`layers.0.weight`) and the optimizer's state tensors
 * (`optimizer.state.<i>.exp_avg`), and whose header `__metadata__` (a string → string map)
 * holds, each as JSON written by `stringifyExact`:
 *
 * | key               | value                                                               |
 * | ----------------- | ------------------------------------------------------------------- |
 * | `format`          | `descent-checkpoint` (plain string)                                 |
 * | `format_version`  | `1` (plain string)                                                   |
 * | `descent_version` | the descent that wrote it (plain string)                             |
 * | `model`           | `ModelSection`: the model's class, parameter names and architecture |
 * | `optimizer`       | `OptimizerSection`: hyperparameters, step counts and other scalars  |
 * | `scheduler`       | `SchedulerSection`: the scheduler's class and state dict            |
 * | `extra`           | the caller's own JSON data (`extra` option), if any                  |
 * | `sha256`          | checksum of everything else (see `checkpointChecksum`)              |
 *
 * Readers accept any version up to `FORMAT_VERSION`; a later one is refused with
 * `CHECKPOINT_VERSION`. Every later version keeps `format`, `format_version` and `sha256` as
 * they are here.
 */
export const FORMAT_NAME = 'descent-checkpoint'

/** The format version this descent writes, and the newest it reads. */
export const FORMAT_VERSION = 1

/** Metadata keys, as written. */
export const METADATA = {
  format: 'format',
  formatVersion: 'format_version',
  descentVersion: 'descent_version',
  model: 'model',
  optimizer: 'optimizer',
  scheduler: 'scheduler',
  extra: 'extra',
} as const

/**
 * `model` metadata: which model class wrote the parameters, their names in order, and the
 * model's `architecture()` (sizes, activation, …; absent in files written before checkpoints recorded it, and
 * for models without one).
 */
export interface ModelSection {
  readonly class: string
  readonly parameters: readonly string[]
  readonly architecture?: Readonly<Record<string, unknown>>
}

/**
 * `optimizer` metadata, laid out like torch's `optimizer.state_dict()` minus its tensors (which
 * are `optimizer.state.<i>.<name>` tensors), keys in torch's snake_case.
 */
export interface OptimizerSection {
  /** The optimizer's class (`'Adam'`) and state-dict kind (`'adam'`). */
  readonly class: string
  readonly type: string
  readonly dtype: DType
  /** Hyperparameters of each group, with `params` as parameter indices (torch `param_groups`). */
  readonly param_groups: readonly Record<string, unknown>[]
  /** Scalar state by parameter index: `step`, NAdam's `mu_product`, … (torch `state`). */
  readonly state: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  /** Steps skipped for non-finite gradients (`onNonFinite: 'skip'`). */
  readonly skipped_steps: number
  /** The model's name of each optimizer parameter, or null for one the model does not hold. */
  readonly param_names: readonly (string | null)[]
}

/** `scheduler` metadata: its class and `stateDict()`. */
export interface SchedulerSection {
  readonly class: string
  readonly state: SchedulerStateDict
}
