import type { FloatArray } from '../../parameter.js'
import type { Activation } from '../network.js'

const f = Math.fround
const CLAMP = f(7.905311)

/**
 * tanh for float32 networks: the rational function of crates/core/src/nn/activation.rs
 * (`tanh_f32`, Eigen's fast float tanh; relative error ≤ 4.2e-7), every operation rounded to
 * f32 as Rust's f32 arithmetic rounds it, so both backends get the same bits.
 */
export function tanhF32(a: number): number {
  const x = a > CLAMP ? CLAMP : a < -CLAMP ? -CLAMP : a
  const x2 = f(x * x)
  let p = f(f(x2 * f(-2.7607685e-16)) + f(2.000188e-13))
  p = f(f(x2 * p) + f(-8.604672e-11))
  p = f(f(x2 * p) + f(5.122297e-8))
  p = f(f(x2 * p) + f(1.4857224e-5))
  p = f(f(x2 * p) + f(6.3726193e-4))
  p = f(f(x2 * p) + f(4.8935246e-3))
  p = f(x * p)
  let q = f(f(x2 * f(1.1982584e-6)) + f(1.1853471e-4))
  q = f(f(x2 * q) + f(2.2684346e-3))
  q = f(f(x2 * q) + f(4.893525e-3))
  return Math.abs(a) < f(4e-4) ? a : f(p / q)
}

/** Replaces the first `length` values z by f(z). Mirror of crates/core/src/nn/activation.rs. */
export function activate(activation: Activation, z: FloatArray, length: number): void {
  switch (activation) {
    case 'identity':
      return
    case 'tanh':
      if (z instanceof Float32Array) for (let i = 0; i < length; i++) z[i] = tanhF32(z[i] as number)
      else for (let i = 0; i < length; i++) z[i] = Math.tanh(z[i] as number)
      return
    case 'relu':
      // z < 0 rather than max(z, 0): NaN stays NaN, so a diverged run is not hidden.
      for (let i = 0; i < length; i++) if ((z[i] as number) < 0) z[i] = 0
      return
    case 'sigmoid':
      for (let i = 0; i < length; i++) z[i] = 1 / (1 + Math.exp(-(z[i] as number)))
      return
  }
}

/**
 * Multiplies the first `length` upstream gradients by f'(z), given the outputs y = f(z): each
 * derivative here is a function of the output, so only outputs need to be kept.
 */
export function activationBackward(
  activation: Activation,
  outputs: FloatArray,
  delta: FloatArray,
  length: number,
): void {
  switch (activation) {
    case 'identity':
      return
    case 'tanh':
      for (let i = 0; i < length; i++) {
        const y = outputs[i] as number
        delta[i] = (delta[i] as number) * (1 - y * y)
      }
      return
    case 'relu':
      // At z = 0 the derivative is taken as 0, as PyTorch does.
      for (let i = 0; i < length; i++) if ((outputs[i] as number) <= 0) delta[i] = 0
      return
    case 'sigmoid':
      for (let i = 0; i < length; i++) {
        const y = outputs[i] as number
        delta[i] = (delta[i] as number) * (y * (1 - y))
      }
      return
  }
}
