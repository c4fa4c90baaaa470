import type { JsKernel } from '../backend/types.js'
import type { FloatArray, Parameter } from '../parameter.js'
import { checkBoolean, checkLearningRate, checkNonNegative } from '../validate.js'
import { optimizerClass } from './define.js'
import { PRELUDE_SCALARS, preprocess, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/asgd.rs: `Scalars`). */
const SCALARS = [...PRELUDE_SCALARS, 'decay', 'eta', 'mu'] as const
const S = scalarIndex(SCALARS)

/** ASGD hyperparameters (torch.optim.ASGD); all can differ per param group. */
export interface ASGDOptions {
  /** Learning rate γ, the first step's η (default 1e-2). */
  lr: number
  /** Decay term λ: the parameter is scaled by 1 − λη each step, and η decays with it (default 1e-4). */
  lambd: number
  /** Power α of η's decay (default 0.75). */
  alpha: number
  /** The step after which averaging starts (default 1e6). */
  t0: number
  /** L2 penalty added to the gradient, g + wθ (default 0). */
  weightDecay: number
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

/** Mirror of crates/core/src/rules/asgd.rs. */
const asgdKernel: JsKernel = (p, g, [ax], s, _shape, r) => {
  const average = ax as typeof p
  const prelude = readPrelude(s, r)
  const decay = r(s[S.decay] as number)
  const eta = r(s[S.eta] as number)
  const mu = r(s[S.mu] as number)
  const copy = s[S.mu] === 1
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number
    const gi = preprocess(prelude, pi, g[i] as number, r)
    const next = r(r(pi * decay) - r(eta * gi))
    p[i] = next
    const ai = average[i] as number
    average[i] = copy ? next : r(ai + r(r(next - ai) * mu))
  }
}

/**
 * ASGD (Polyak & Juditsky 1992; Bottou's step schedule) with PyTorch's numerics
 * (`_single_tensor_asgd`):
 * ```
 * g ← (maximize ? −g : g) + wθ
 * θ ← θ·(1 − λη) − η·g
 * ax ← μ = 1 ? θ : ax + (θ − ax)·μ
 * η ← γ / (1 + λγt)^α;  μ ← 1 / max(1, t − t0)      (η₀ = γ, μ₀ = 1)
 * ```
 * η and μ are per-parameter scalar state kept in f64, like every per-step scalar in descent
 * (torch keeps them as float32 tensors by default). The average is `averaged(param)`.
 */
export const asgdRule: RuleDefinition<ASGDOptions> = {
  rule: 'asgd',
  elementwise: true,
  scalars: SCALARS,
  defaults: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkNonNegative(where, 'lambd', o.lambd)
    checkNonNegative(where, 'alpha', o.alpha)
    checkNonNegative(where, 't0', o.t0)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkBoolean(where, 'maximize', o.maximize)
  },
  stateTensors(_o, p: Parameter) {
    return [{ name: 'ax', length: p.size, fill: 0 }]
  },
  initialScalars: (o) => ({ step: 0, eta: o.lr, mu: 1 }),
  plan(o, state) {
    const t = state.step + 1
    const eta = state.eta as number
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: o.weightDecay,
        decay: 1 - o.lambd * eta,
        eta,
        mu: state.mu as number,
      }),
      next: { step: t, eta: o.lr / (1 + o.lambd * o.lr * t) ** o.alpha, mu: 1 / Math.max(1, t - o.t0) },
    }
  },
  kernel: asgdKernel,
}

/** ASGD: SGD with a decaying step and an average of the iterates. See `asgdRule`. */
export class ASGD extends optimizerClass('asgd', asgdRule) {
  /**
   * The averaged parameter (torch's `state['ax']`), as a copy: what to evaluate or deploy once
   * averaging has started (step > t0); before the first step, a copy of the parameter itself.
   */
  averaged(param: Parameter): FloatArray {
    const held = this.paramGroups.some((g) => g.params.includes(param))
    if (!held) throw new RangeError("ASGD.averaged: the parameter is not one of this optimizer's")
    const ax = this.stateOf(param)?.tensors.ax
    return (ax ?? param.data).slice()
  }
}
