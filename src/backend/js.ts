import type { FloatArray } from '../parameter.js'
import { maxAbs, sumOfAbs, sumOfSquares } from './reduce.js'
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
}
