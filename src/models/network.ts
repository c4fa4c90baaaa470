import type { DType, FloatArray } from '../parameter.js'

/** Hidden-layer activations; the index of each is its native code (crates/core/src/nn/activation.rs). */
export const ACTIVATIONS = ['identity', 'tanh', 'relu', 'sigmoid'] as const

/** A hidden-layer activation: `'tanh'`, `'relu'`, `'sigmoid'` or `'identity'`. */
export type Activation = (typeof ACTIVATIONS)[number]

/** Output layers; the index of each is its native code (crates/core/src/nn/loss.rs). */
export const OUTPUTS = ['softmax', 'identity'] as const

/**
 * A network's last layer and the loss that trains it: `'softmax'` (cross-entropy against
 * integer class labels) or `'identity'` (mean squared error against target values).
 */
export type Output = (typeof OUTPUTS)[number]

/** Where one parameter tensor sits in a network's flat buffer. */
export interface TensorSpec {
  /** PyTorch state_dict-style name, e.g. `layers.0.weight`. */
  readonly name: string
  readonly shape: readonly number[]
  readonly offset: number
  readonly length: number
}

/**
 * The shape of a network, as both backends read it: dense layers of widths `sizes` (inputs
 * first), one activation after every hidden layer, and an output. Parameters live in one flat
 * buffer, layer by layer: weight [out, in] then bias [out], as PyTorch's nn.Linear.
 */
export class NetworkSpec {
  readonly sizes: readonly number[]
  readonly activation: Activation
  readonly output: Output
  /** Parameter tensors in buffer order: weight, bias, weight, bias, … */
  readonly tensors: readonly TensorSpec[]
  /** Length of the flat parameter buffer. */
  readonly parameterCount: number
  /** `[count, ...sizes, activation code, output code]`, the packing the native addon decodes. */
  readonly layout: Uint32Array

  /** @param prefixes the name prefix of each layer's tensors (default `layers.<l>`) */
  constructor(
    sizes: readonly number[],
    activation: Activation,
    output: Output,
    prefixes?: readonly string[],
  ) {
    this.sizes = Object.freeze([...sizes])
    this.activation = activation
    this.output = output
    const tensors: TensorSpec[] = []
    let offset = 0
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inputs = sizes[l] as number
      const outputs = sizes[l + 1] as number
      const prefix = prefixes?.[l] ?? `layers.${l}`
      tensors.push({ name: `${prefix}.weight`, shape: [outputs, inputs], offset, length: outputs * inputs })
      offset += outputs * inputs
      tensors.push({ name: `${prefix}.bias`, shape: [outputs], offset, length: outputs })
      offset += outputs
    }
    this.tensors = Object.freeze(tensors)
    this.parameterCount = offset
    this.layout = Uint32Array.from([
      sizes.length,
      ...sizes,
      ACTIVATIONS.indexOf(activation),
      OUTPUTS.indexOf(output),
    ])
  }

  /** Width of an input row. */
  get inputs(): number {
    return this.sizes[0] as number
  }

  /** Width of an output row. */
  get outputs(): number {
    return this.sizes[this.sizes.length - 1] as number
  }

  /** Number of dense layers. */
  get layers(): number {
    return this.sizes.length - 1
  }
}

/** What a batch is compared with: class labels (softmax outputs) or target values (identity). */
export type Targets = { readonly labels: Int32Array } | { readonly values: FloatArray }

/** A new zero-filled buffer of `dtype`. */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length)
}
