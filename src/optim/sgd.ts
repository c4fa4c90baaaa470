import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'
import { checkBoolean, checkLearningRate, checkNonNegative } from '../validate.js'
import { optimizerClass } from './define.js'
import { PRELUDE_SCALARS, preprocess, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/sgd.rs: `Scalars`). */
const SCALARS = [...PRELUDE_SCALARS, 'momentum', 'oneMinusDampening', 'nesterov', 'lr', 'firstStep'] as const
const S = scalarIndex(SCALARS)

/** SGD hyperparameters (torch.optim.SGD); all can differ per param group. */
export interface SGDOptions {
  /** Learning rate γ (default 1e-3). */
  lr: number
  /** Momentum factor μ (default 0: plain gradient descent). */
  momentum: number
  /** Dampening of the gradient in the momentum buffer (default 0). */
  dampening: number
  /** L2 penalty λ added to the gradient, g + λθ (default 0). */
  weightDecay: number
  /** Nesterov momentum; needs momentum > 0 and dampening 0 (default false). */
  nesterov: boolean
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

/**
 * Stochastic gradient descent with momentum (torch.optim.SGD):
 * ```
 * g ← (maximize ? −g : g) + λθ
 * b ← g at the first step, else μb + (1 − dampening)g;   g ← nesterov ? g + μb : b
 * θ ← θ − γg
 * ```
 * Plain gradient descent and the tutorial's Momentum are SGD with momentum 0 and > 0.
 */
export const sgdRule: RuleDefinition<SGDOptions> = {
  rule: 'sgd',
  elementwise: true,
  scalars: SCALARS,
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkNonNegative(where, 'momentum', o.momentum)
    checkNonNegative(where, 'dampening', o.dampening)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkBoolean(where, 'nesterov', o.nesterov)
    checkBoolean(where, 'maximize', o.maximize)
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(`${where}: nesterov needs momentum > 0 and dampening 0`)
    }
  },
  stateTensors(o, p: Parameter) {
    return o.momentum !== 0 ? [{ name: 'momentumBuffer', length: p.size }] : []
  },
  plan(o, state) {
    const first = state.step === 0 ? 1 : 0
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: o.weightDecay,
        momentum: o.momentum,
        oneMinusDampening: 1 - o.dampening,
        nesterov: +o.nesterov,
        lr: o.lr,
        firstStep: first,
      }),
      next: { step: state.step + 1 },
    }
  },
  kernel: ((p, g, [b], s, _shape, r) => {
    const prelude = readPrelude(s, r)
    const momentum = r(s[S.momentum] as number)
    const oneMinusDampening = r(s[S.oneMinusDampening] as number)
    const nesterov = s[S.nesterov] !== 0
    const lr = r(s[S.lr] as number)
    const first = s[S.firstStep] !== 0
    for (let i = 0; i < p.length; i++) {
      const pi = p[i] as number
      let gi = preprocess(prelude, pi, g[i] as number, r)
      if (b !== undefined && s[S.momentum] !== 0) {
        const bi = first ? gi : r(r(momentum * (b[i] as number)) + r(oneMinusDampening * gi))
        b[i] = bi
        gi = nesterov ? r(gi + r(momentum * bi)) : bi
      }
      p[i] = r(pi - r(lr * gi))
    }
  }) satisfies JsKernel,
}

/** Stochastic gradient descent, with optional momentum, Nesterov, dampening and L2 decay. See `sgdRule`. */
export class SGD extends optimizerClass('sgd', sgdRule) {}
