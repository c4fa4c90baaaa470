import { resolve } from 'node:path'
import { packageVersion } from '../info.js'
import { trainerOf } from '../models/trainer.js'
import type { FloatArray } from '../parameter.js'
import { writeFileAtomic } from './atomic-write.js'
import { CheckpointError } from './checkpoint-error.js'
import { CHECKSUM_KEY, checkpointChecksum } from './checksum.js'
import { FORMAT_NAME, FORMAT_VERSION, METADATA, type OptimizerSection } from './format.js'
import { checkJsonData, stringifyExact } from './json.js'
import { optimizerStateTensorName, snakeKeys } from './names.js'
import { dtypeName, encodeSafetensors, type TensorToWrite } from './safetensors.js'
import {
  type CheckpointParts,
  checkAttached,
  checkPath,
  optimizerParams,
  readTarget,
  type Target,
} from './target.js'

/** What `saveCheckpoint` takes: the parts to save, and optional JSON data of your own. */
export interface SaveCheckpointOptions extends CheckpointParts {
  /** Your own JSON data (epoch, best metric, …), given back by `loadCheckpoint`. */
  extra?: unknown
}

/**
 * Saves a model's parameters, an optimizer's state and a scheduler's position to a
 * safetensors file that Python's `safetensors` can read too (see docs/checkpoints.md).
 *
 * The state is captured synchronously, when you call it, so training may go on while the
 * file is written. The write is atomic: a temp file in the same folder, fsynced, renamed over
 * `path`; a crash at any moment leaves the previous checkpoint whole.
 *
 * ```ts
 * await saveCheckpoint('run.safetensors', { model, optimizer, scheduler, extra: { epoch } })
 * ```
 */
export async function saveCheckpoint(path: string, parts: SaveCheckpointOptions): Promise<void> {
  const where = 'saveCheckpoint'
  checkPath(where, path, parts)
  const target = readTarget(where, parts, ['extra'])
  const extra = (parts as SaveCheckpointOptions).extra
  if (extra !== undefined) checkJsonData(where, 'extra', extra)
  // An open trainer owns the state: capture it at a point between two steps.
  const trainer = [parts.model, parts.optimizer, parts.scheduler].map(trainerOf).find((t) => t !== undefined)
  const file = trainer
    ? trainer.withConsistentState(() => encodeCheckpoint(where, target, extra))
    : encodeCheckpoint(where, target, extra)
  try {
    await writeFileAtomic(resolve(path), file)
  } catch (error) {
    throw new CheckpointError(
      'CHECKPOINT_IO',
      `${where}: cannot write path '${path}': ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
}

/** The file image of a checkpoint of `target` (exported for tests that craft files). */
export function encodeCheckpoint(
  where: string,
  target: Target,
  extra: unknown,
  overrides: Readonly<Record<string, string>> = {},
): Uint8Array {
  const tensors: TensorToWrite[] = []
  const metadata: Record<string, string> = {
    [METADATA.format]: FORMAT_NAME,
    [METADATA.formatVersion]: String(FORMAT_VERSION),
    [METADATA.descentVersion]: packageVersion(),
  }
  if (target.model) {
    for (const { name, param } of target.model.params) {
      checkAttached(where, `parameter '${name}'`, param)
      tensors.push({ name, shape: param.shape, data: param.data })
    }
    metadata[METADATA.model] = stringifyExact({
      class: target.model.className,
      parameters: target.model.params.map((p) => p.name),
      ...(target.model.architecture === undefined ? {} : { architecture: target.model.architecture }),
    })
  }
  if (target.optimizer) {
    const { section, stateTensors } = captureOptimizer(target)
    tensors.push(...stateTensors)
    metadata[METADATA.optimizer] = stringifyExact(section)
  }
  if (target.scheduler) {
    metadata[METADATA.scheduler] = stringifyExact({
      class: target.scheduler.constructor.name,
      state: target.scheduler.stateDict(),
    })
  }
  if (extra !== undefined) metadata[METADATA.extra] = stringifyExact(extra)
  Object.assign(metadata, overrides)
  metadata[CHECKSUM_KEY] = checkpointChecksum(
    metadata,
    tensors.map((t) => ({ name: t.name, dtype: dtypeName(t.data), shape: t.shape, bytes: t.data })),
  )
  return encodeSafetensors(where, tensors, metadata)
}

function captureOptimizer(target: Target): { section: OptimizerSection; stateTensors: TensorToWrite[] } {
  const optimizer = target.optimizer as NonNullable<Target['optimizer']>
  const params = optimizerParams(optimizer)
  const names = new Map(target.model?.params.map((p) => [p.param, p.name]))
  const dict = optimizer.stateDict()
  const stateTensors: TensorToWrite[] = []
  const state: Record<string, Record<string, unknown>> = {}
  for (const [index, entry] of Object.entries(dict.state)) {
    const scalars: Record<string, number> = {}
    const param = params[Number(index)]
    for (const [key, value] of Object.entries(entry)) {
      if (typeof value === 'number') {
        scalars[key] = value
      } else {
        // A state tensor shaped like its parameter gets the parameter's shape (as torch's do);
        // factored ones (Adafactor's row and column statistics) stay flat.
        const shape = param && value.length === param.size ? param.shape : [value.length]
        stateTensors.push({
          name: optimizerStateTensorName(Number(index), key),
          shape,
          data: value as FloatArray,
        })
      }
    }
    state[index] = snakeKeys(scalars)
  }
  return {
    section: {
      class: optimizer.constructor.name,
      type: dict.optimizer,
      dtype: dict.dtype,
      param_groups: dict.paramGroups.map((g) => snakeKeys(g)),
      state,
      skipped_steps: dict.skippedSteps,
      param_names: params.map((p) => names.get(p) ?? null),
    },
    stateTensors,
  }
}
