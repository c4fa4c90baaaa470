import type { FloatArray } from '../../parameter.js'
import type { NetworkSpec, Targets } from '../network.js'

/**
 * Training bodies for the JS backend's trainer, checked as the native intake thread checks them
 * (crates/core/src/online/body.rs), with the same messages: typed arrays, the binary layout and
 * JSON. Returns the batch, or the error kind and message naming the field at fault.
 */
export type ParsedBody =
  | { readonly ok: true; readonly rows: number; readonly x: FloatArray; readonly targets: Targets }
  | { readonly ok: false; readonly kind: 'type' | 'range'; readonly message: string }

const HEADER_BYTES = 8

function refuse(kind: 'type' | 'range', message: string): ParsedBody {
  return { ok: false, kind, message }
}

function firstNonFinite(field: string, values: ArrayLike<number>, width: number): string | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    if (!Number.isFinite(v))
      return `${field}[${Math.floor(i / width)}][${i % width}]: expected a finite number, got ${v}`
  }
  return undefined
}

/** Checks typed-array rows and targets as the intake does. */
export function checkTensorBody(network: NetworkSpec, x: FloatArray, targets: Targets): ParsedBody {
  const { inputs, outputs } = network
  if (x.length === 0 || x.length % inputs !== 0)
    return refuse('range', `x: expected rows of ${inputs} values (at least one row), got ${x.length} values`)
  const rows = x.length / inputs
  const bad = firstNonFinite('x', x, inputs)
  if (bad) return refuse('range', bad)
  if ('labels' in targets) {
    const labels = targets.labels
    if (labels.length !== rows)
      return refuse('range', `y: expected ${rows} labels (one per row of x), got ${labels.length}`)
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i] as number
      if (l < 0 || l >= outputs)
        return refuse('range', `y[${i}]: expected a class label in [0, ${outputs}), got ${l}`)
    }
  } else {
    if (targets.values.length !== rows * outputs)
      return refuse(
        'range',
        `y: expected ${rows} rows of ${outputs} values, got ${targets.values.length} values`,
      )
    const badY = firstNonFinite('y', targets.values, outputs)
    if (badY) return refuse('range', badY)
  }
  return { ok: true, rows, x, targets }
}

function floats(dtype: 'float32' | 'float64', n: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n)
}

/** The binary layout: rows u32, cols u32, rows·cols f32 x, then rows i32 labels or rows·outputs f32 values. */
export function parseBinaryBody(
  network: NetworkSpec,
  dtype: 'float32' | 'float64',
  bytes: Uint8Array,
): ParsedBody {
  const { inputs, outputs } = network
  const softmax = network.output === 'softmax'
  const layout = softmax
    ? 'rows·cols f32 x, then rows i32 labels'
    : 'rows·cols f32 x, then rows·outputs f32 y'
  if (bytes.length === 0)
    return refuse('range', `body: empty; expected the binary layout (8-byte header, ${layout})`)
  if (bytes.length < HEADER_BYTES)
    return refuse(
      'range',
      `header: expected 8 bytes (rows u32, cols u32, little-endian), got ${bytes.length} bytes`,
    )
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const rows = view.getUint32(0, true)
  const cols = view.getUint32(4, true)
  if (cols !== inputs)
    return refuse('range', `header.cols: expected ${inputs} (the model's inputs), got ${cols}`)
  if (rows === 0) return refuse('range', 'header.rows: expected at least 1 row, got 0')
  const xBytes = 4 * rows * cols
  const expected = HEADER_BYTES + xBytes + 4 * rows * (softmax ? 1 : outputs)
  if (bytes.length !== expected)
    return refuse(
      'range',
      `body: the header says ${rows} rows × ${cols} cols, so the body must be ${expected} bytes (header, ${layout}), got ${bytes.length}`,
    )
  const x = floats(dtype, rows * cols)
  for (let i = 0; i < x.length; i++) x[i] = view.getFloat32(HEADER_BYTES + 4 * i, true)
  const at = HEADER_BYTES + xBytes
  if (softmax) {
    const labels = new Int32Array(rows)
    for (let i = 0; i < rows; i++) labels[i] = view.getInt32(at + 4 * i, true)
    return checkTensorBody(network, x, { labels })
  }
  const values = floats(dtype, rows * outputs)
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(at + 4 * i, true)
  return checkTensorBody(network, x, { values })
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'boolean') return 'a boolean'
  return 'a number'
}

class Refusal extends Error {
  constructor(
    readonly kind: 'type' | 'range',
    message: string,
  ) {
    super(message)
  }
}

/** Rows of `width` numbers (or plain numbers when `flatOk`), appended to `out` rounded to the dtype. */
function readRows(
  field: string,
  value: unknown,
  width: number,
  flatOk: boolean,
  out: number[],
  round: (v: number) => number,
): void {
  if (!Array.isArray(value))
    throw new Refusal('type', `${field}: expected an array of rows of ${width} numbers, got ${kindOf(value)}`)
  if (value.length === 0) throw new Refusal('range', `${field}: expected at least one row, got []`)
  const number = (name: string, v: unknown) => {
    if (typeof v !== 'number') throw new Refusal('type', `${name}: expected a number, got ${kindOf(v)}`)
    const r = round(v)
    if (!Number.isFinite(r))
      throw new Refusal('range', `${name}: expected a finite number of the model's type, got ${v}`)
    out.push(r)
  }
  value.forEach((row: unknown, r) => {
    if (flatOk) return number(`${field}[${r}]`, row)
    if (!Array.isArray(row))
      throw new Refusal('type', `${field}[${r}]: expected an array of ${width} numbers, got ${kindOf(row)}`)
    for (let c = 0; c < Math.min(row.length, width); c++) number(`${field}[${r}][${c}]`, row[c])
    if (row.length < width)
      throw new Refusal('range', `${field}[${r}]: expected ${width} numbers, got ${row.length}`)
    if (row.length > width) throw new Refusal('range', `${field}[${r}]: expected ${width} numbers, got more`)
  })
}

/** A JSON body `{"x": [[...]], "y": [...]}`. */
export function parseJsonBody(
  network: NetworkSpec,
  dtype: 'float32' | 'float64',
  bytes: Uint8Array,
): ParsedBody {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
  if (text.trim() === '')
    return refuse('type', 'body: empty; expected a JSON object {"x": [[...]], "y": [...]}')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return refuse('type', `body: not valid JSON (${(error as Error).message})`)
  }
  const round = dtype === 'float32' ? Math.fround : (v: number) => v
  try {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Refusal(
        'type',
        `body: expected a JSON object {"x": [[...]], "y": [...]}, got ${kindOf(value)}`,
      )
    const unknown = Object.keys(value).find((k) => k !== 'x' && k !== 'y')
    if (unknown !== undefined)
      throw new Refusal('type', `body: unknown field ${JSON.stringify(unknown)} (expected "x" and "y")`)
    const body = value as { x?: unknown; y?: unknown }
    const xs: number[] = []
    if (body.x !== undefined) readRows('x', body.x, network.inputs, false, xs, round)
    const ys: number[] = []
    if (body.y !== undefined) {
      if (network.output === 'softmax') {
        if (!Array.isArray(body.y))
          throw new Refusal('type', `y: expected an array of class labels, got ${kindOf(body.y)}`)
        body.y.forEach((l: unknown, i) => {
          if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= network.outputs)
            throw new Refusal(
              typeof l === 'number' ? 'range' : 'type',
              `y[${i}]: expected a class label (an integer in [0, ${network.outputs})), got ${JSON.stringify(l)}`,
            )
          ys.push(l)
        })
      } else readRows('y', body.y, network.outputs, network.outputs === 1, ys, round)
    }
    if (body.x === undefined) throw new Refusal('type', 'x: missing; expected an array of rows')
    if (body.y === undefined) throw new Refusal('type', 'y: missing; expected one target per row of x')
    const x = floats(dtype, xs.length)
    x.set(xs)
    if (network.output === 'softmax') return checkTensorBody(network, x, { labels: Int32Array.from(ys) })
    const values = floats(dtype, ys.length)
    values.set(ys)
    return checkTensorBody(network, x, { values })
  } catch (error) {
    if (error instanceof Refusal) return refuse(error.kind, error.message)
    throw error
  }
}
