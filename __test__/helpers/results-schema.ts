import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv, { type ValidateFunction } from 'ajv'

/** The documented schema of results.json, from the source tree (it is not compiled). */
export const RESULTS_SCHEMA_PATH = join(
  __dirname,
  '..',
  '..',
  '..',
  'cli',
  'src',
  'report',
  'results.schema.json',
)

let validator: ValidateFunction | undefined

/** ajv's validator for results.json (strict mode: the schema itself must be well-formed). */
export function resultsValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true })
    validator = ajv.compile(JSON.parse(readFileSync(RESULTS_SCHEMA_PATH, 'utf8')))
  }
  return validator
}

/** The schema errors of `document`, as text; empty when valid. */
export function schemaErrors(document: unknown): string {
  const validate = resultsValidator()
  return validate(document) ? '' : JSON.stringify(validate.errors, null, 2)
}
