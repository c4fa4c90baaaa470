import { type FromCheckpointOptions, modelFromCheckpoint } from '../checkpoint/from-checkpoint.js'
import { rangeError } from '../errors.js'
import { checkPlainObject, rejectUnknownKeys } from '../validate.js'
import { Model, type ModelArchitecture, type ModelOptions } from './model.js'
import { NetworkSpec } from './network.js'

/** Options of `LinearRegression`. */
export interface LinearRegressionOptions extends ModelOptions {
  /** Input features per row (an integer >= 1). */
  features: number
  /** Outputs per row (an integer >= 1; default 1). */
  outputs?: number
}

const KEYS = new Set(['features', 'outputs', 'seed', 'dtype', 'backend'])

function positiveInteger(what: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) >= 2 ** 32)
    throw rangeError('LinearRegression', what, 'an integer >= 1', value)
  return value as number
}

/**
 * Linear regression ŷ = x·Wᵀ + b trained on the mean squared error: one dense layer with
 * parameters `linear.weight` [outputs, features] and `linear.bias` [outputs].
 *
 * ```ts
 * const model = new LinearRegression({ features: 1, seed: 5 })
 * model.fit(x, y, { optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 200, batchSize: 100 })
 * model.parameters()[0].data // ≈ [3] for y = 4 + 3x + noise
 * ```
 */
export class LinearRegression extends Model {
  /** Input features per row. */
  readonly features: number
  /** Outputs per row. */
  readonly outputs: number

  constructor(options: LinearRegressionOptions) {
    checkPlainObject('LinearRegression', 'options', options)
    rejectUnknownKeys('LinearRegression', options, KEYS)
    const features = positiveInteger('features', options.features)
    const outputs = positiveInteger('outputs', options.outputs ?? 1)
    super(
      'LinearRegression',
      new NetworkSpec([features, outputs], 'identity', 'identity', ['linear']),
      options,
    )
    this.features = features
    this.outputs = outputs
  }

  /**
   * The LinearRegression a checkpoint holds: built as it was saved (its recorded architecture and dtype),
   * with the saved weights. `source` is the file's path or its bytes.
   *
   * ```ts
   * const model = await LinearRegression.fromCheckpoint('model.safetensors')
   * ```
   */
  static fromCheckpoint(
    source: string | Uint8Array,
    options: FromCheckpointOptions = {},
  ): Promise<LinearRegression> {
    return modelFromCheckpoint(
      'LinearRegression',
      source,
      options,
      (o) => new LinearRegression(o as unknown as LinearRegressionOptions),
    )
  }

  architecture(): ModelArchitecture {
    return { features: this.features, outputs: this.outputs, dtype: this.dtype }
  }
}
