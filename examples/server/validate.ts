import { decodeBatch } from './binary.js'
import { badRequest } from './http-error.js'

/** The model's input and output widths, which every request is checked against. */
export interface ModelShape {
  readonly inputs: number
  readonly classes: number
}

/** Rows to predict: `x` is `rows × inputs` float32, row-major, every value finite. */
export interface Inputs {
  readonly rows: number
  readonly x: Float32Array
}

/** Rows to train on, with one class label in [0, classes) per row. */
export interface LabelledInputs extends Inputs {
  readonly y: Int32Array
}

/** Whether the body is the binary format (binary.ts); anything else is read as JSON. */
function isBinary(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/octet-stream'
}

/** A short description of a JSON value for error messages. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (value === null || typeof value !== 'object') return String(value)
  return 'an object'
}

/** The body's JSON object, with no fields but `allowed`. */
function parseObject(where: string, body: Buffer, allowed: readonly string[]): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch (error) {
    throw badRequest(`${where}: the body is not valid JSON (${(error as Error).message})`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`${where}: the body must be a JSON object like {"x": [[...]]}, got ${describe(value)}`)
  const unknown = Object.keys(value).find((key) => !allowed.includes(key))
  if (unknown !== undefined)
    throw badRequest(`${where}: unknown field ${JSON.stringify(unknown)} (expected ${allowed.join(', ')})`)
  return value as Record<string, unknown>
}

/** `x` of a JSON body: a non-empty array of rows of `inputs` finite numbers, as float32. */
function jsonInputs(where: string, x: unknown, inputs: number): Inputs {
  if (!Array.isArray(x) || x.length === 0)
    throw badRequest(`${where}: x must be a non-empty array of rows of ${inputs} numbers, got ${describe(x)}`)
  const values = new Float32Array(x.length * inputs)
  x.forEach((row: unknown, r) => {
    if (!Array.isArray(row) || row.length !== inputs)
      throw badRequest(`${where}: x[${r}] must be an array of ${inputs} numbers, got ${describe(row)}`)
    for (let c = 0; c < inputs; c++) {
      const v: unknown = row[c]
      if (typeof v !== 'number')
        throw badRequest(`${where}: x[${r}][${c}] must be a number, got ${describe(v)}`)
      const f = Math.fround(v)
      if (!Number.isFinite(f)) throw badRequest(`${where}: x[${r}][${c}] must be a finite float32, got ${v}`)
      values[r * inputs + c] = f
    }
  })
  return { rows: x.length, x: values }
}

/** `y` of a JSON body: one integer class label per row. */
function jsonLabels(where: string, y: unknown, rows: number, classes: number): Int32Array {
  if (!Array.isArray(y) || y.length !== rows)
    throw badRequest(
      `${where}: y must be an array of ${rows} class labels (one per row of x), got ${describe(y)}`,
    )
  const labels = new Int32Array(rows)
  y.forEach((label: unknown, i) => {
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0 || label >= classes)
      throw badRequest(
        `${where}: y[${i}] must be an integer label in [0, ${classes}), got ${describe(label)}`,
      )
    labels[i] = label
  })
  return labels
}

/**
 * Every value of a binary body finite (it may hold NaN or ±Infinity; jsonInputs checks JSON's
 * 1e999 as it reads): one such row would turn every weight into NaN at the next step.
 */
function checkFinite(where: string, { rows, x }: Inputs, inputs: number): void {
  for (let i = 0; i < rows * inputs; i++) {
    if (!Number.isFinite(x[i] as number)) {
      const r = Math.floor(i / inputs)
      throw badRequest(`${where}: x[${r}][${i - r * inputs}] must be a finite float32, got ${x[i]}`)
    }
  }
}

/** A binary body's rows, checked like JSON ones. */
function binaryInputs(where: string, body: Buffer, shape: ModelShape, labels: boolean): LabelledInputs {
  const { rows, cols, x, y } = decodeBatch(where, body, labels)
  if (rows === 0) throw badRequest(`${where}: a batch needs at least one row, got 0`)
  if (cols !== shape.inputs)
    throw badRequest(`${where}: rows must have ${shape.inputs} values, got cols = ${cols}`)
  checkFinite(where, { rows, x }, shape.inputs)
  const checked = y ?? new Int32Array(0)
  checked.forEach((label, i) => {
    if (label < 0 || label >= shape.classes)
      throw badRequest(`${where}: y[${i}] must be an integer label in [0, ${shape.classes}), got ${label}`)
  })
  return { rows, x, y: checked }
}

/** The rows and labels of a `POST /train` body (JSON `{x, y}` or binary); 400 with the reason otherwise. */
export function parseTrainBody(
  where: string,
  body: Buffer,
  contentType: string | undefined,
  shape: ModelShape,
): LabelledInputs {
  if (isBinary(contentType)) return binaryInputs(where, body, shape, true)
  const { x, y } = parseObject(where, body, ['x', 'y'])
  const inputs = jsonInputs(where, x, shape.inputs)
  return { ...inputs, y: jsonLabels(where, y, inputs.rows, shape.classes) }
}

/** The rows of a `POST /predict` body (JSON `{x}` or binary without labels); 400 with the reason otherwise. */
export function parsePredictBody(
  where: string,
  body: Buffer,
  contentType: string | undefined,
  shape: ModelShape,
): Inputs {
  if (isBinary(contentType)) {
    const { rows, x } = binaryInputs(where, body, shape, false)
    return { rows, x }
  }
  return jsonInputs(where, parseObject(where, body, ['x']).x, shape.inputs)
}
