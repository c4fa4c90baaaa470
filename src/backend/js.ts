import type { FloatArray } from '../parameter.js'
import { maxAbs, sumByIndex, sumOfAbs, sumOfSquares } from './reduce.js'
import { type Backend, type JsKernel, NormPart, roundingFor, type StepEntry } from './types.js'

function hasNonFinite(x: FloatArray): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return true
  return false
}

/** The pure-JavaScript backend: every kernel mirrored in TypeScript, bit-identical to native. */
export const jsBackend: Backend = {
  name: 'js',
  step(_rule: string, kernel: JsKernel, entries: readonly StepEntry[]): void {
    for (const e of entries) kernel(e.param, e.grad, e.state, e.scalars, e.shape, roundingFor(e.param))
  },
  firstNonFinite(tensors) {
    return tensors.findIndex(hasNonFinite)
  },
  normParts(part, tensors) {
    const reduce = part === NormPart.sumSquares ? sumOfSquares : part === NormPart.sumAbs ? sumOfAbs : maxAbs
    return Float64Array.from(tensors, reduce)
  },
  scale(tensors, coefficient) {
    for (const t of tensors) {
      const r = roundingFor(t)
      const c = r(coefficient)
      for (let i = 0; i < t.length; i++) t[i] = r((t[i] as number) * c)
    }
  },
  dot(a, b) {
    checkSameLength(a, b)
    return sumByIndex(a.length, (i) => (a[i] as number) * (b[i] as number))
  },
  addScaled(y, alpha, x) {
    checkSameLength(y, x)
    // The typed-array store rounds a Float32Array's element once, as the native T::of does.
    for (let i = 0; i < y.length; i++) y[i] = (y[i] as number) + alpha * (x[i] as number)
  },
}

/** The native side checks the same (crates/node/src/lib.rs `dot_f64`, `add_scaled`). */
function checkSameLength(a: FloatArray, b: FloatArray): void {
  if (a.length !== b.length)
    throw new RangeError(`vectors of ${a.length} and ${b.length} elements: expected equal lengths`)
}
