import { endianness } from 'node:os'
import { badRequest } from './http-error.js'

/**
 * The binary body of `POST /train` and `POST /predict` (`Content-Type: application/octet-stream`),
 * for clients that send many rows: no number formatting or parsing, 4 bytes per value. All
 * little-endian:
 *
 * | bytes | content |
 * |---|---|
 * | 0–3 | rows, u32 |
 * | 4–7 | cols, u32 (must be the model's inputs, 784) |
 * | 8 … | x: rows·cols f32, row-major |
 * | then | y (`/train` only): rows i32 class labels |
 */
export const HEADER_BYTES = 8

/** The rows of a binary body (unchecked values: `validate.ts` checks them like JSON ones); x and y may be views of the body. */
export interface DecodedBatch {
  readonly rows: number
  readonly cols: number
  readonly x: Float32Array
  /** The labels, when the body has them. */
  readonly y: Int32Array | undefined
}

const littleEndianHost = endianness() === 'LE'

/**
 * The `count` little-endian 4-byte values of `bytes` from `offset`: a view of the body itself
 * when the host is little-endian and the values are 4-byte aligned (a large body from
 * Buffer.concat is), so a batch is not copied once more; a copy otherwise.
 */
function readLittleEndian<A extends Float32Array | Int32Array>(
  Kind: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): A; new (length: number): A },
  bytes: Buffer,
  offset: number,
  count: number,
): A {
  const at = bytes.byteOffset + offset
  if (littleEndianHost && at % 4 === 0) return new Kind(bytes.buffer, at, count)
  const values = new Kind(count)
  const view = new DataView(bytes.buffer, at, 4 * count)
  for (let i = 0; i < count; i++)
    values[i] = values instanceof Float32Array ? view.getFloat32(4 * i, true) : view.getInt32(4 * i, true)
  return values
}

/** Writes `values` into `bytes` at `offset` as little-endian 4-byte values. */
function writeLittleEndian(values: Float32Array | Int32Array, bytes: Buffer, offset: number): void {
  if (littleEndianHost) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset)
    return
  }
  const write =
    values instanceof Float32Array ? bytes.writeFloatLE.bind(bytes) : bytes.writeInt32LE.bind(bytes)
  for (let i = 0; i < values.length; i++) write(values[i] as number, offset + 4 * i)
}

/** Encodes a batch as the binary body (what a client does; used by the bench and the tests). */
export function encodeBatch(x: Float32Array, rows: number, cols: number, y?: Int32Array): Buffer {
  if (x.length !== rows * cols)
    throw new RangeError(`encodeBatch: x has ${x.length} values, not ${rows}×${cols}`)
  if (y !== undefined && y.length !== rows)
    throw new RangeError(`encodeBatch: y has ${y.length} labels, not ${rows}`)
  const body = Buffer.alloc(HEADER_BYTES + x.byteLength + (y ? y.byteLength : 0))
  body.writeUInt32LE(rows, 0)
  body.writeUInt32LE(cols, 4)
  writeLittleEndian(x, body, HEADER_BYTES)
  if (y) writeLittleEndian(y, body, HEADER_BYTES + x.byteLength)
  return body
}

/**
 * Splits a binary body into its header, x and (when `labels`) y; a 400 naming the header field
 * that is wrong (`cols` against `inputs` when given, then the length `rows` implies), worded as
 * the trainer words the same faults in `/train` bodies.
 */
export function decodeBatch(where: string, body: Buffer, labels: boolean, inputs?: number): DecodedBatch {
  const layout = labels ? 'rows·cols f32 x, then rows i32 labels' : 'rows·cols f32 x'
  if (body.length === 0)
    throw badRequest(`${where}: body: empty; expected the binary layout (8-byte header, ${layout})`)
  if (body.length < HEADER_BYTES)
    throw badRequest(
      `${where}: header: expected 8 bytes (rows u32, cols u32, little-endian), got ${body.length} bytes`,
    )
  const rows = body.readUInt32LE(0)
  const cols = body.readUInt32LE(4)
  if (inputs !== undefined && cols !== inputs)
    throw badRequest(`${where}: header.cols: expected ${inputs} (the model's inputs), got ${cols}`)
  if (rows === 0) throw badRequest(`${where}: header.rows: expected at least 1 row, got 0`)
  const values = rows * cols
  const expected = HEADER_BYTES + 4 * values + (labels ? 4 * rows : 0)
  if (body.length !== expected) {
    throw badRequest(
      `${where}: body: the header says ${rows} rows × ${cols} cols, so the body must be ${expected} bytes (header, ${layout}), got ${body.length}`,
    )
  }
  const x = readLittleEndian(Float32Array, body, HEADER_BYTES, values)
  const y = labels ? readLittleEndian(Int32Array, body, HEADER_BYTES + 4 * values, rows) : undefined
  return { rows, cols, x, y }
}
