/**
 * A dependency-free `.npz` writer (an uncompressed zip of `.npy` files, as `numpy.savez`
 * writes), so the NumPy benchmarks read exactly the data and initial weights Node trained on.
 * The layout is described in benches/python/README.md; `zlib.crc32` needs Node >= 20.15.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { crc32 } from 'node:zlib'

/** One array to store: its elements (row-major) and shape. */
export interface NpyArray {
  readonly data: Float32Array | Int32Array
  readonly shape: readonly number[]
}

/** The `.npy` bytes of one array: magic, version 1.0, a header padded to 64 bytes, the data. */
function npy({ data, shape }: NpyArray): Buffer {
  const descr = data instanceof Float32Array ? '<f4' : '<i4'
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${dims}, }`
  header += `${' '.repeat(63 - ((10 + header.length) % 64))}\n` // 10 + header: a multiple of 64
  const prefix = Buffer.alloc(10)
  prefix.write('\x93NUMPY', 0, 'latin1')
  prefix.writeUInt8(1, 6)
  prefix.writeUInt16LE(header.length, 8)
  // Typed arrays are little-endian on every host Node supports here (x64, arm64).
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), body])
}

/** Writes `arrays` (name → array) to `path` as an uncompressed `.npz` (no zip64: < 4 GiB each). */
export function writeNpz(path: string, arrays: Record<string, NpyArray>): void {
  const local: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const [name, array] of Object.entries(arrays)) {
    const body = npy(array)
    const file = Buffer.from(`${name}.npy`)
    const crc = crc32(body)
    const localHeader = Buffer.alloc(30)
    localHeader.writeUInt32LE(0x04034b50, 0)
    localHeader.writeUInt16LE(20, 4) // version needed
    localHeader.writeUInt16LE(33, 12) // date 1980-01-01; flags, method 0 (stored), time 0
    localHeader.writeUInt32LE(crc, 14)
    localHeader.writeUInt32LE(body.length, 18)
    localHeader.writeUInt32LE(body.length, 22)
    localHeader.writeUInt16LE(file.length, 26)
    const entry = Buffer.alloc(46)
    entry.writeUInt32LE(0x02014b50, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(20, 6)
    entry.writeUInt16LE(33, 14)
    entry.writeUInt32LE(crc, 16)
    entry.writeUInt32LE(body.length, 20)
    entry.writeUInt32LE(body.length, 24)
    entry.writeUInt16LE(file.length, 28)
    entry.writeUInt32LE(offset, 42)
    local.push(localHeader, file, body)
    central.push(entry, file)
    offset += localHeader.length + file.length + body.length
  }
  const directory = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(central.length / 2, 8)
  end.writeUInt16LE(central.length / 2, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, Buffer.concat([...local, directory, end]))
}
