import { createHash } from 'node:crypto'
import type { TensorArray } from './safetensors.js'
import { bytesOf } from './safetensors.js'

/** The metadata key holding the checksum; it is not part of what it covers. */
export const CHECKSUM_KEY = 'sha256'

/** A tensor as the checksum sees it: name, dtype name, shape and bytes. */
export interface ChecksummedTensor {
  readonly name: string
  readonly dtype: string
  readonly shape: readonly number[]
  readonly bytes: Uint8Array | TensorArray
}

/**
 * SHA-256 over everything a checkpoint means: each metadata entry (but the checksum's own) and
 * each tensor's name, dtype, shape and bytes, in name order, so it does not depend on where the
 * safetensors writer placed them. Each entry is framed as a JSON line, so no two different
 * checkpoints hash the same byte stream. A flipped byte anywhere that still parses is caught here.
 */
export function checkpointChecksum(
  metadata: Readonly<Record<string, string>>,
  tensors: Iterable<ChecksummedTensor>,
): string {
  const hash = createHash('sha256')
  for (const key of Object.keys(metadata).sort()) {
    if (key !== CHECKSUM_KEY) hash.update(`${JSON.stringify(['metadata', key, metadata[key]])}\n`)
  }
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const t of sorted) {
    hash.update(`${JSON.stringify(['tensor', t.name, t.dtype, t.shape])}\n`)
    hash.update(t.bytes instanceof Uint8Array ? t.bytes : bytesOf(t.bytes))
  }
  return hash.digest('hex')
}
