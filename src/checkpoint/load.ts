import { warnOnce } from '../errors.js'
import { readHeader } from './header.js'
import { readCheckpointFile } from './read-file.js'
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
  const decoded = decodeSafetensors(where, await readCheckpointFile(where, path))
  const header = readHeader(where, decoded)
  planRestore(where, header, decoded.tensors, target)()
  if (target.model?.architecture && header.model && !header.model.architecture) {
    warnUnknownArchitecture(header.descentVersion)
  }
  return { formatVersion: header.formatVersion, descentVersion: header.descentVersion, extra: header.extra }
}

/** Says once per process that an old checkpoint's weights were loaded without checking the architecture. */
function warnUnknownArchitecture(writtenBy: string): void {
  warnOnce(
    'DESCENT_CHECKPOINT_NO_ARCHITECTURE',
    `loadCheckpoint: this checkpoint (written by descent ${writtenBy}) does not record its model's ` +
      'architecture, so only the parameter shapes were checked, not the activation or output: make ' +
      'sure the model is built as it was when saved. Saving it again records the architecture.',
  )
}
