import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'
import { checkBoolean, checkLearningRate, checkNonNegative, checkUnitInterval } from '../validate.js'
import { optimizerClass } from './define.js'
import { PRELUDE_SCALARS, preprocess, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/adadelta.rs: `Scalars`). */
const SCALARS = [...PRELUDE_SCALARS, 'rho', 'oneMinusRho', 'eps', 'lr'] as const
const S = scalarIndex(SCALARS)

/** Adadelta hyperparameters (torch.optim.Adadelta); all can differ per param group. */
export interface AdadeltaOptions {
  /** Learning rate γ scaling the final update (default 1.0, as in the paper, which has none). */
  lr: number
  /** Decay rate ρ of both running averages, in [0, 1) (default 0.9). */
  rho: number
  /** Added inside both roots (default 1e-6). */
  eps: number
  /** L2 penalty λ added to the gradient, g + λθ (default 0). */
  weightDecay: number
  /** Ascend instead of descend (default false). */
  maximize: boolean
}

/**
 * Adadelta (Zeiler 2012) with PyTorch's numerics:
 * ```
 * g ← (maximize ? −g : g) + λθ
 * E_g ← ρE_g + (1−ρ)g²
 * Δ = √(E_Δ + eps) / √(E_g + eps) · g       (the NEW E_g, the OLD E_Δ)
 * E_Δ ← ρE_Δ + (1−ρ)Δ²
 * θ ← θ − γΔ
 * ```
 * eps is inside both roots; in the numerator it is what lets the first steps move at all
 * (E_Δ starts at 0), so it sets the initial step size of about √eps.
 */
export const adadeltaRule: RuleDefinition<AdadeltaOptions> = {
  rule: 'adadelta',
  elementwise: true,
  scalars: SCALARS,
  defaults: { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkUnitInterval(where, 'rho', o.rho)
    checkNonNegative(where, 'eps', o.eps)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkBoolean(where, 'maximize', o.maximize)
  },
  stateTensors(_o, p: Parameter) {
    return [
      { name: 'squareAvg', length: p.size },
      { name: 'accDelta', length: p.size },
    ]
  },
  plan(o, state) {
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: o.weightDecay,
        rho: o.rho,
        oneMinusRho: 1 - o.rho,
        eps: o.eps,
        lr: o.lr,
      }),
      next: { step: state.step + 1 },
    }
  },
  /** Mirror of crates/core/src/rules/adadelta.rs. */
  kernel: ((p, g, [squareAvg, accDelta], s, _shape, r) => {
    const eg = squareAvg as typeof p
    const ed = accDelta as typeof p
    const prelude = readPrelude(s, r)
    const rho = r(s[S.rho] as number)
    const oneMinusRho = r(s[S.oneMinusRho] as number)
    const eps = r(s[S.eps] as number)
    const lr = r(s[S.lr] as number)
    for (let i = 0; i < p.length; i++) {
      const pi = p[i] as number
      const gi = preprocess(prelude, pi, g[i] as number, r)
      const egi = r(r(rho * (eg[i] as number)) + r(oneMinusRho * r(gi * gi)))
      eg[i] = egi
      const edOld = ed[i] as number
      const delta = r(r(r(Math.sqrt(r(edOld + eps))) / r(Math.sqrt(r(egi + eps)))) * gi)
      ed[i] = r(r(rho * edOld) + r(oneMinusRho * r(delta * delta)))
      p[i] = r(pi - r(lr * delta))
    }
  }) satisfies JsKernel,
}

/** Adadelta, with L2 weight decay. See `adadeltaRule`. */
export class Adadelta extends optimizerClass('adadelta', adadeltaRule) {}
