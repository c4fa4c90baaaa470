import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CheckpointError } from './checkpoint-error.js'
import { readHeader } from './header.js'
import { planRestore } from './restore.js'
import { decodeSafetensors } from './safetensors.js'
import { type CheckpointParts, checkPath, readTarget } from './target.js'

/** What `loadCheckpoint` tells about the file it restored. */
export interface CheckpointInfo {
  /** The format version of the file. */
  readonly formatVersion: number
  /** The descent version that wrote it. */
  readonly descentVersion: string
  /** The `extra` data given to `saveCheckpoint`, or undefined. */
  readonly extra: unknown
}

/**
 * Restores, in place, what `saveCheckpoint` saved: parameter values into the model, state and
 * hyperparameters into the optimizer, the position into the scheduler. Give the parts to
 * restore, built as when saving (same model architecture, optimizer class over
 * `model.parameters()` in the same order, scheduler class); parts the file holds but you leave
 * out are ignored.
 *
 * Everything is checked before anything changes: a missing, truncated, damaged, future-version
 * or mismatched file throws a `CheckpointError` (see its `code`) and leaves the model,
 * optimizer and scheduler exactly as they were.
 *
 * ```ts
 * const { extra } = await loadCheckpoint('run.safetensors', { model, optimizer, scheduler })
 * ```
 */
export async function loadCheckpoint(path: string, parts: CheckpointParts): Promise<CheckpointInfo> {
  const where = 'loadCheckpoint'
  checkPath(where, path, parts)
  const target = readTarget(where, parts)
  let file: Buffer
  try {
    file = await readFile(resolve(path))
  } catch (error) {
    throw new CheckpointError(
      'CHECKPOINT_IO',
      `${where}: cannot read path '${path}': ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
  const decoded = decodeSafetensors(where, file)
  const header = readHeader(where, decoded)
  planRestore(where, header, decoded.tensors, target)()
  return { formatVersion: header.formatVersion, descentVersion: header.descentVersion, extra: header.extra }
}
