import { addon } from '../backend/native.js'
import { CheckpointError } from './checkpoint-error.js'

/**
 * The safetensors file image, through the native addon, which wraps Hugging Face's
 * `safetensors` crate (crates/core/src/checkpoint.rs). We looked for an npm implementation
 * first: the `safetensors` package is a 0.0.1 placeholder and `@huggingface/hub` only parses
 * remote headers, while the Rust crate is the reference implementation that the Python
 * package itself wraps, released with every format change and fuzzed upstream.
 */

/** Element types a checkpoint tensor may have, by safetensors name. */
export type SafetensorsDType = 'F32' | 'F64' | 'I32' | 'U32' | 'U8'

/** A typed array whose bytes go into the file as they are (little-endian on every target we build). */
export type TensorArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array

/** One tensor to write. */
export interface TensorToWrite {
  readonly name: string
  readonly shape: readonly number[]
  readonly data: TensorArray
}

/** One tensor as read: `bytes` is a view into the file buffer (copy before keeping it). */
export interface TensorRead {
  readonly name: string
  readonly dtype: string
  readonly shape: readonly number[]
  readonly bytes: Uint8Array
}

/** A parsed file. */
export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>
  readonly tensors: ReadonlyMap<string, TensorRead>
}

/** The safetensors dtype name of a typed array. */
export function dtypeName(data: TensorArray): SafetensorsDType {
  if (data instanceof Float32Array) return 'F32'
  if (data instanceof Float64Array) return 'F64'
  if (data instanceof Int32Array) return 'I32'
  if (data instanceof Uint32Array) return 'U32'
  return 'U8'
}

/** The bytes of a typed array, without copying. */
export function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

function nativeAddon(where: string): NonNullable<typeof addon> {
  if (addon === undefined) {
    throw new CheckpointError(
      'CHECKPOINT_NO_NATIVE',
      `${where}: checkpoints are read and written by the native addon, which did not load on ` +
        `${process.platform}-${process.arch} (see descent's info() for why)`,
    )
  }
  return addon
}

/** Serializes tensors and string metadata into one safetensors file image. */
export function encodeSafetensors(
  where: string,
  tensors: readonly TensorToWrite[],
  metadata: Readonly<Record<string, string>>,
): Uint8Array {
  const native = nativeAddon(where)
  const inputs = tensors.map((t) => ({
    name: t.name,
    dtype: dtypeName(t.data),
    shape: [...t.shape],
    bytes: bytesOf(t.data),
  }))
  try {
    return native.serializeSafetensors(inputs, { ...metadata })
  } catch (error) {
    // Only limits of the format get here (a header over 100 MB); names and sizes were checked.
    throw new RangeError(`${where}: cannot write this checkpoint: ${messageOf(error)}`, { cause: error })
  }
}

/** Parses and validates a file image; a CheckpointError (`CHECKPOINT_CORRUPT`) if it is not valid safetensors. */
export function decodeSafetensors(where: string, file: Uint8Array): SafetensorsFile {
  const native = nativeAddon(where)
  let contents: ReturnType<typeof native.deserializeSafetensors>
  try {
    contents = native.deserializeSafetensors(file)
  } catch (error) {
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `${where}: not a complete safetensors file (truncated or damaged?): ${messageOf(error)}`,
      { cause: error },
    )
  }
  const tensors = new Map<string, TensorRead>()
  for (const t of contents.tensors) {
    tensors.set(t.name, {
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      bytes: file.subarray(t.start, t.end),
    })
  }
  return { metadata: contents.metadata, tensors }
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/^DESCENT_[A-Z]+: /, '')
}
