import type { BackendName } from '../backend/types.js'
import { typeError } from '../errors.js'
import type { Model } from '../models/model.js'
import { checkPlainObject, rejectUnknownKeys } from '../validate.js'
import { CheckpointError } from './checkpoint-error.js'
import { corrupt, readHeader } from './header.js'
import { readCheckpointFile } from './read-file.js'
import { planRestore } from './restore.js'
import { decodeSafetensors } from './safetensors.js'
import { checkPath, readTarget } from './target.js'

/** Options of `MLP.fromCheckpoint` and `LinearRegression.fromCheckpoint`. */
export interface FromCheckpointOptions {
  /** Where the model runs (default as for `new MLP`); the dtype comes from the file. */
  backend?: BackendName
}

/**
 * Builds the model a checkpoint describes (its recorded architecture) and loads its weights.
 * `source` is a file path or the file's bytes (a Buffer read from a database, say).
 */
export async function modelFromCheckpoint<M extends Model>(
  className: string,
  source: string | Uint8Array,
  options: FromCheckpointOptions,
  build: (options: Record<string, unknown>) => M,
): Promise<M> {
  const where = `${className}.fromCheckpoint`
  if (typeof source === 'string') checkPath(where, source)
  else if (!(source instanceof Uint8Array)) {
    throw typeError(where, 'source', "a checkpoint's file path or its bytes (a Uint8Array)", source)
  }
  checkPlainObject(where, 'options', options)
  rejectUnknownKeys(where, options, new Set(['backend']))
  const bytes = source instanceof Uint8Array ? source : await readCheckpointFile(where, source)
  const decoded = decodeSafetensors(where, bytes)
  const header = readHeader(where, decoded)
  const section = header.model
  if (!section) {
    throw new CheckpointError(
      'CHECKPOINT_MISMATCH',
      `${where}: the checkpoint holds no model (it was saved without one)`,
    )
  }
  if (section.class !== className) {
    throw new CheckpointError(
      'CHECKPOINT_MISMATCH',
      `${where}: the checkpoint's model class is ${section.class}, not ${className}` +
        ` (use ${section.class}.fromCheckpoint, or build the model and call loadCheckpoint)`,
    )
  }
  if (!section.architecture) {
    throw new CheckpointError(
      'CHECKPOINT_MISMATCH',
      `${where}: the checkpoint (written by descent ${header.descentVersion}) does not record the ` +
        `${className}'s architecture: build the ${className} as it was saved and call ` +
        'loadCheckpoint(path, { model })',
    )
  }
  let model: M
  try {
    model = build({ ...section.architecture, ...options })
  } catch (error) {
    throw corrupt(where, `its ${className} architecture cannot be built: ${(error as Error).message}`)
  }
  planRestore(where, header, decoded.tensors, readTarget(where, { model }))()
  return model
}
