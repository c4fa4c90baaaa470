import { decodeBatch } from './binary.js'
import { badRequest } from './http-error.js'

/** Rows to predict: `x` is `rows × inputs` float32, row-major, every value finite. */
export interface Inputs {
  readonly rows: number
  readonly x: Float32Array
}

/** Whether the body is the binary format (binary.ts); anything else is read as JSON. */
export function isBinary(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/octet-stream'
}

/** A short description of a JSON value for error messages. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of length ${value.length}`
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (value === null || typeof value !== 'object') return String(value)
  return 'an object'
}

function finite(where: string, field: string, v: unknown): number {
  if (typeof v !== 'number') throw badRequest(`${where}: ${field} must be a number, got ${describe(v)}`)
  const f = Math.fround(v)
  if (!Number.isFinite(f)) throw badRequest(`${where}: ${field} must be a finite float32, got ${v}`)
  return f
}

/**
 * The rows of a `POST /predict` body: JSON `{"x": [[...]]}` or binary without labels; 400 with
 * the reason otherwise. (Training bodies are parsed by the trainer, off the event loop; a
 * prediction is a few rows, read here.)
 */
export function parsePredictBody(
  where: string,
  body: Buffer,
  contentType: string | undefined,
  inputs: number,
): Inputs {
  if (isBinary(contentType)) {
    const { rows, x } = decodeBatch(where, body, false, inputs)
    x.forEach((v, i) => finite(where, `x[${Math.floor(i / inputs)}][${i % inputs}]`, v))
    return { rows, x }
  }
  if (body.length === 0) throw badRequest(`${where}: empty body; expected {"x": [[...]]}`)
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch (error) {
    throw badRequest(`${where}: the body is not valid JSON (${(error as Error).message})`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest(`${where}: the body must be a JSON object like {"x": [[...]]}, got ${describe(value)}`)
  const unknown = Object.keys(value).find((key) => key !== 'x')
  if (unknown !== undefined)
    throw badRequest(`${where}: unknown field ${JSON.stringify(unknown)} (expected x)`)
  const x = (value as { x?: unknown }).x
  if (!Array.isArray(x) || x.length === 0)
    throw badRequest(`${where}: x must be a non-empty array of rows of ${inputs} numbers, got ${describe(x)}`)
  const values = new Float32Array(x.length * inputs)
  x.forEach((row: unknown, r) => {
    if (!Array.isArray(row) || row.length !== inputs)
      throw badRequest(`${where}: x[${r}] must be an array of ${inputs} numbers, got ${describe(row)}`)
    for (let c = 0; c < inputs; c++) values[r * inputs + c] = finite(where, `x[${r}][${c}]`, row[c])
  })
  return { rows: x.length, x: values }
}
