import { resolveBackend } from '../backend/select.js'
import { NormPart } from '../backend/types.js'
import { rangeError, typeError } from '../errors.js'
import { checkParameter, type DType, type Parameter } from '../parameter.js'
import { checkBoolean, checkNumber, checkPlainObject, rejectUnknownKeys } from '../validate.js'
import type { CommonOptions } from './optimizer.js'

/** Options of `clipGradNorm` besides the norm. */
export interface ClipGradNormOptions extends Pick<CommonOptions, 'backend'> {
  /** Throw a RangeError when the total norm is NaN or ±Infinity, before touching any gradient (default false). */
  errorIfNonfinite?: boolean
}

/**
 * Scales every gradient in place so that their joint norm is at most `maxNorm`
 * (torch.nn.utils.clip_grad_norm_): with N the norm of all gradients together,
 * `g ← g · min(1, maxNorm / (N + 1e-6))`. Returns N, the norm before clipping.
 *
 * @param normType p of the p-norm: 2 (default), 1, any p > 0, or Infinity (max |g|)
 */
export function clipGradNorm(
  params: Iterable<Parameter>,
  maxNorm: number,
  normType: number = 2,
  options: ClipGradNormOptions = {},
): number {
  const where = 'clipGradNorm'
  if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
    throw typeError(where, 'params', 'an array of Parameters', params)
  }
  const list = [...params]
  let dtype: DType | undefined
  list.forEach((p, i) => {
    checkParameter(`${where}: params[${i}]`, p)
    if (dtype !== undefined && p.dtype !== dtype)
      throw new TypeError(`${where}: params[${i}] is ${p.dtype}, others ${dtype}`)
    dtype = p.dtype
    if (p.grad.length !== p.size) throw new TypeError(`${where}: params[${i}].grad is detached or resized`)
  })
  checkNumber(where, 'maxNorm', maxNorm)
  if (!(maxNorm >= 0) || Number.isNaN(maxNorm)) throw rangeError(where, 'maxNorm', 'a number >= 0', maxNorm)
  checkNumber(where, 'normType', normType)
  if (!(normType > 0)) throw rangeError(where, 'normType', 'a number > 0 or Infinity', normType)
  checkPlainObject(where, 'options', options)
  rejectUnknownKeys(where, options, new Set(['backend', 'errorIfNonfinite']))
  const errorIfNonfinite = options.errorIfNonfinite ?? false
  checkBoolean(where, 'errorIfNonfinite', errorIfNonfinite)
  const backend = resolveBackend(where, options.backend)
  if (list.length === 0) return 0

  const grads = list.map((p) => p.grad)
  let total: number
  if (normType === Number.POSITIVE_INFINITY) {
    total = backend.normParts(NormPart.maxAbs, grads).reduce((a, b) => (Number.isNaN(a) || b > a ? b : a), 0)
  } else if (normType === 2) {
    total = Math.sqrt(backend.normParts(NormPart.sumSquares, grads).reduce((a, b) => a + b, 0))
  } else if (normType === 1) {
    total = backend.normParts(NormPart.sumAbs, grads).reduce((a, b) => a + b, 0)
  } else {
    // A general p needs pow, which V8 and Rust's libm may round differently: compute it here,
    // once, so both backends see the same number.
    let sum = 0
    for (const g of grads) for (let i = 0; i < g.length; i++) sum += Math.abs(g[i] as number) ** normType
    total = sum ** (1 / normType)
  }
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(
      `${where}: the total norm of order ${normType} is ${total}; gradients were left as they were`,
    )
  }
  const coefficient = Math.min(1, maxNorm / (total + 1e-6))
  backend.scale(grads, coefficient)
  return total
}
