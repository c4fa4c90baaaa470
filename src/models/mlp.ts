import { type FromCheckpointOptions, modelFromCheckpoint } from '../checkpoint/from-checkpoint.js'
import { rangeError, typeError } from '../errors.js'
import { checkOneOf, checkPlainObject, rejectUnknownKeys } from '../validate.js'
import { Model, type ModelArchitecture, type ModelOptions } from './model.js'
import { ACTIVATIONS, type Activation, NetworkSpec, OUTPUTS, type Output } from './network.js'

/** Options of `MLP`. */
export interface MLPOptions extends ModelOptions {
  /** Layer widths, inputs first, outputs last: `[20, 64, 3]` is one hidden layer of 64. At least two, each an integer >= 1. */
  sizes: readonly number[]
  /** Activation after every hidden layer (default `'tanh'`). */
  activation?: Activation
  /**
   * Output layer and loss (default `'softmax'`): `'softmax'` gives class probabilities, trained
   * with cross-entropy against integer labels; `'identity'` gives values, trained with the mean
   * squared error.
   */
  output?: Output
}

const KEYS = new Set(['sizes', 'activation', 'output', 'seed', 'dtype', 'backend'])

function network(options: MLPOptions): NetworkSpec {
  const where = 'MLP'
  checkPlainObject(where, 'options', options)
  rejectUnknownKeys(where, options, KEYS)
  const { sizes } = options
  if (!Array.isArray(sizes))
    throw typeError(where, 'sizes', 'an array of layer widths like [20, 64, 3]', sizes)
  if (sizes.length < 2) throw rangeError(where, 'sizes', 'at least 2 widths (inputs and outputs)', sizes)
  sizes.forEach((s, i) => {
    if (!Number.isSafeInteger(s) || s < 1 || s >= 2 ** 32)
      throw rangeError(where, `sizes[${i}]`, 'an integer >= 1', s)
  })
  const activation = options.activation ?? 'tanh'
  checkOneOf(where, 'activation', activation, ACTIVATIONS)
  const output = options.output ?? 'softmax'
  checkOneOf(where, 'output', output, OUTPUTS)
  if (output === 'softmax' && (sizes[sizes.length - 1] as number) < 2)
    throw rangeError(
      where,
      `sizes[${sizes.length - 1}]`,
      'at least 2 classes for a softmax output',
      sizes.at(-1),
    )
  return new NetworkSpec(sizes, activation, output)
}

/**
 * A multilayer perceptron: dense layers (PyTorch's nn.Linear layout and initialisation), one
 * activation after each hidden layer, and a softmax or identity output. The tutorial's
 * SimpleNN is `new MLP({ sizes: [inputs, hidden, classes] })` (tanh hidden, softmax output).
 *
 * ```ts
 * const model = new MLP({ sizes: [20, 64, 3], activation: 'tanh', output: 'softmax', seed: 42 })
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
 * const history = model.fit(x, y, { optimizer, epochs: 50, batchSize: 32 })
 * model.evaluate(x, y) // { loss, accuracy }
 * ```
 */
export class MLP extends Model {
  /** Layer widths, inputs first. */
  readonly sizes: readonly number[]
  /** The hidden layers' activation. */
  readonly activation: Activation
  /** The output layer (and so the loss). */
  readonly output: Output

  constructor(options: MLPOptions) {
    const spec = network(options)
    super('MLP', spec, options)
    this.sizes = spec.sizes
    this.activation = spec.activation
    this.output = spec.output
  }

  /**
   * The MLP a checkpoint holds: built as it was saved (its recorded architecture and dtype),
   * with the saved weights. `source` is the file's path or its bytes.
   *
   * ```ts
   * const model = await MLP.fromCheckpoint('model.safetensors')
   * ```
   */
  static fromCheckpoint(source: string | Uint8Array, options: FromCheckpointOptions = {}): Promise<MLP> {
    return modelFromCheckpoint('MLP', source, options, (o) => new MLP(o as unknown as MLPOptions))
  }

  architecture(): ModelArchitecture {
    return { sizes: this.sizes, activation: this.activation, output: this.output, dtype: this.dtype }
  }
}
