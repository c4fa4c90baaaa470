import { DescentError } from '../errors.js'

/**
 * Why `loadCheckpoint` or `saveCheckpoint` failed, as `error.code`:
 * - `'CHECKPOINT_IO'`: the file could not be read or written (`error.cause` is Node's error,
 *   e.g. `cause.code === 'ENOENT'` when there is no checkpoint yet);
 * - `'CHECKPOINT_CORRUPT'`: not a complete, intact descent checkpoint (truncated, flipped
 *   bytes, checksum mismatch, not safetensors);
 * - `'CHECKPOINT_VERSION'`: written by a newer descent in a format this one cannot read;
 * - `'CHECKPOINT_MISMATCH'`: intact, but for another model, optimizer, scheduler or dtype;
 * - `'CHECKPOINT_NO_NATIVE'`: the native addon, which reads and writes safetensors, did not load.
 *
 * Whatever the code, a failed `loadCheckpoint` has changed nothing.
 */
export type CheckpointErrorCode =
  | 'CHECKPOINT_IO'
  | 'CHECKPOINT_CORRUPT'
  | 'CHECKPOINT_VERSION'
  | 'CHECKPOINT_MISMATCH'
  | 'CHECKPOINT_NO_NATIVE'

/** A checkpoint that cannot be written or read; see `CheckpointErrorCode` for the reasons. */
export class CheckpointError extends DescentError {
  declare readonly code: CheckpointErrorCode
  constructor(code: CheckpointErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message)
    this.name = 'CheckpointError'
    if (options && 'cause' in options) this.cause = options.cause
  }
}
