import type { Stats } from 'node:fs'
import { constants } from 'node:fs'
import { type FileHandle, open, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CheckpointError } from './checkpoint-error.js'
import { corrupt } from './header.js'

/** safetensors' own limit on the JSON header, so a damaged length cannot ask for gigabytes. */
const HEADER_LIMIT = 100_000_000

/**
 * Reads a checkpoint file: a regular file only (a device such as /dev/zero, a FIFO or a socket
 * would be read without end), and never more bytes than its safetensors header declares. A file
 * longer than its header says is damaged and refused; a shorter one is left to the decoder,
 * which names the truncation.
 */
export async function readCheckpointFile(where: string, path: string): Promise<Uint8Array> {
  let handle: FileHandle
  try {
    // Looked at before opening, since a socket cannot be opened at all; and opened non-blocking
    // because opening a FIFO for reading would otherwise wait for a writer forever.
    const first = await stat(resolve(path))
    if (!first.isFile()) throw cannotRead(where, path, `it is ${kindOf(first)}, not a regular file`)
    handle = await open(resolve(path), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  } catch (error) {
    if (error instanceof CheckpointError) throw error
    throw cannotRead(where, path, (error as Error).message, error)
  }
  try {
    const stats = await handle.stat() // again: the path may have been replaced meanwhile
    if (!stats.isFile()) throw cannotRead(where, path, `it is ${kindOf(stats)}, not a regular file`)
    const size = stats.size
    const prefix = await readAt(handle, 0, Math.min(8, size))
    if (prefix.length < 8) return prefix
    const headerLength = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true)
    if (headerLength > BigInt(Math.min(HEADER_LIMIT, size - 8))) {
      throw new CheckpointError(
        'CHECKPOINT_CORRUPT',
        `${where}: not a complete safetensors file (truncated or damaged?): its header declares ` +
          `${headerLength} bytes of metadata, but the file has ${size} bytes in all`,
      )
    }
    const dataStart = 8 + Number(headerLength)
    const header = await readAt(handle, 8, dataStart - 8)
    const declared = dataStart + declaredDataLength(header)
    if (Number.isNaN(declared)) return concat(prefix, header) // the decoder names what is wrong
    if (size > declared) {
      throw corrupt(where, `the file has ${size} bytes, ${size - declared} more than its header declares`)
    }
    return concat(prefix, header, await readAt(handle, dataStart, declared - dataStart))
  } finally {
    await handle.close()
  }
}

/** The end of the last tensor's bytes, as the JSON header declares it (NaN if it cannot be read). */
function declaredDataLength(header: Uint8Array): number {
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder().decode(header))
  } catch {
    return Number.NaN
  }
  if (typeof parsed !== 'object' || parsed === null) return Number.NaN
  let end = 0
  for (const [name, entry] of Object.entries(parsed)) {
    if (name === '__metadata__') continue
    const offsets = (entry as { data_offsets?: unknown } | null)?.data_offsets
    if (!Array.isArray(offsets) || !Number.isSafeInteger(offsets[1])) return Number.NaN
    end = Math.max(end, offsets[1] as number)
  }
  return end
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length)
  let filled = 0
  while (filled < length) {
    const { bytesRead } = await handle.read(bytes, filled, length - filled, position + filled)
    if (bytesRead === 0) break // the file shrank meanwhile: the decoder reports the truncation
    filled += bytesRead
  }
  return bytes.subarray(0, filled)
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    whole.set(part, offset)
    offset += part.length
  }
  return whole
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isSocket()) return 'a socket'
  return 'not a file'
}

function cannotRead(where: string, path: string, reason: string, cause?: unknown): CheckpointError {
  return new CheckpointError(
    'CHECKPOINT_IO',
    `${where}: cannot read path '${path}': ${reason}`,
    cause === undefined ? undefined : { cause },
  )
}
