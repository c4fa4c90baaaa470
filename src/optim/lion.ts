import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'
import { checkBetas, checkBoolean, checkLearningRate, checkNonNegative } from '../validate.js'
import { optimizerClass } from './define.js'
import { PRELUDE_SCALARS, preprocess, readPrelude } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars, in the order the kernels read them (crates/core/src/rules/lion.rs: `Scalars`). */
const SCALARS = [
  ...PRELUDE_SCALARS,
  'beta1',
  'oneMinusBeta1',
  'beta2',
  'oneMinusBeta2',
  'weightDecay',
  'lr',
] as const
const S = scalarIndex(SCALARS)

/** Lion hyperparameters (optax.lion); all can differ per param group. */
export interface LionOptions {
  /**
   * Learning rate γ (default 1e-4; optax has no default). Lion's sign update has a larger norm
   * than Adam's, so its lr is typically 3–10× smaller than AdamW's.
   */
  lr: number
  /** β₁ interpolates the update direction, β₂ decays the momentum (default [0.9, 0.99]). */
  betas: readonly [number, number]
  /** Decoupled weight decay λ, multiplied by lr as in optax (default 1e-3). */
  weightDecay: number
  /** Ascend instead of descend (default false; optax has no such option). */
  maximize: boolean
}

/**
 * Lion, EvoLved Sign Momentum (Chen et al. 2023), with optax.lion's numerics:
 * ```
 * g ← maximize ? −g : g
 * c = β₁m + (1−β₁)g
 * θ ← θ − γ(sign(c) + λθ)          sign(0) = 0
 * m ← β₂m + (1−β₂)g                 after c is formed
 * ```
 * Every coordinate moves by exactly γ (plus decay) whatever the gradient's scale.
 */
export const lionRule: RuleDefinition<LionOptions> = {
  rule: 'lion',
  elementwise: true,
  scalars: SCALARS,
  defaults: { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 1e-3, maximize: false },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkBetas(where, o.betas)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkBoolean(where, 'maximize', o.maximize)
  },
  stateTensors(_o, p: Parameter) {
    return [{ name: 'expAvg', length: p.size }]
  },
  plan(o, state) {
    const [beta1, beta2] = o.betas
    return {
      scalars: packScalars(SCALARS, {
        maximize: +o.maximize,
        coupledWeightDecay: 0,
        beta1,
        oneMinusBeta1: 1 - beta1,
        beta2,
        oneMinusBeta2: 1 - beta2,
        weightDecay: o.weightDecay,
        lr: o.lr,
      }),
      next: { step: state.step + 1 },
    }
  },
  kernel: ((p, g, [m], s, _shape, r) => {
    const prelude = readPrelude(s, r)
    const beta1 = r(s[S.beta1] as number)
    const oneMinusBeta1 = r(s[S.oneMinusBeta1] as number)
    const beta2 = r(s[S.beta2] as number)
    const oneMinusBeta2 = r(s[S.oneMinusBeta2] as number)
    const weightDecay = r(s[S.weightDecay] as number)
    const lr = r(s[S.lr] as number)
    const expAvg = m as typeof p
    for (let i = 0; i < p.length; i++) {
      const pi = p[i] as number
      const gi = preprocess(prelude, pi, g[i] as number, r)
      const mi = expAvg[i] as number
      const c = r(r(beta1 * mi) + r(oneMinusBeta1 * gi))
      // real.rs' sign: sign(0) = 0 and NaN stays NaN.
      const sign = c > 0 ? 1 : c < 0 ? -1 : c
      p[i] = r(pi - r(lr * r(sign + r(weightDecay * pi))))
      expAvg[i] = r(r(beta2 * mi) + r(oneMinusBeta2 * gi))
    }
  }) satisfies JsKernel,
}

/** Lion: sign-of-momentum updates with decoupled weight decay. See `lionRule`. */
export class Lion extends optimizerClass('lion', lionRule) {}
