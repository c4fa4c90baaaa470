import type { DType, FloatArray } from '../parameter.js'
import { Rng } from '../random.js'
import { allocate, type NetworkSpec, type TensorSpec } from './network.js'

/**
 * A network's initial parameters from `seed`: PyTorch's default nn.Linear initialisation,
 * weight and bias each drawn from U(−1/√in, 1/√in), in buffer order from one `Rng(seed)`
 * stream (two draws per value, `uniform()`), rounded to f32 (Math.fround, by the typed array)
 * for float32 models.
 *
 * Why PyTorch's and not the tutorial's `0.01·randn`: the scale 1/√in keeps a layer's outputs
 * of order one whatever its width, where a fixed 0.01 leaves a tanh network almost linear and
 * slow to start; and it needs only uniforms and a square root (correctly rounded in IEEE
 * arithmetic), no transcendental functions, so the same seed gives the same bits in every
 * language. Both backends start from these same values.
 */
export function initialParameters(network: NetworkSpec, seed: number, dtype: DType): FloatArray {
  const rng = new Rng(seed)
  const params = allocate(dtype, network.parameterCount)
  for (let l = 0; l < network.layers; l++) {
    const bound = 1 / Math.sqrt(network.sizes[l] as number)
    const weight = network.tensors[2 * l] as TensorSpec
    const bias = network.tensors[2 * l + 1] as TensorSpec
    for (let i = weight.offset; i < bias.offset + bias.length; i++)
      params[i] = (2 * rng.uniform() - 1) * bound
  }
  return params
}
