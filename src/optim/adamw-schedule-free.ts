import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'
import { checkBetas, checkBoolean, checkLearningRate, checkNonNegative } from '../validate.js'
import { optimizerClass } from './define.js'
import { lerp } from './lerp.js'
import type { StepPlan } from './optimizer.js'
import { PRELUDE_SCALARS } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'
import {
  evalModeError,
  inEvalMode,
  SCHEDULE_FREE_DEFAULTS,
  type ScheduleFreeOptions,
  scheduleFreeScalars,
  scheduleFreeWeights,
  switchMode,
} from './schedule-free.js'

/** The per-step scalars (crates/core/src/rules/adamw_schedule_free.rs: `Scalars`). */
const SCALARS = [
  ...PRELUDE_SCALARS,
  'beta2',
  'oneMinusBeta2',
  'biasCorrection2',
  'eps',
  'weightDecay',
  'ckp1',
  'adaptiveYLr',
  'lr',
] as const
const S = scalarIndex(SCALARS)

/** AdamWScheduleFree hyperparameters (facebookresearch/schedule_free); all can differ per param group. */
export interface AdamWScheduleFreeOptions extends ScheduleFreeOptions {
  /** Learning rate (default 0.0025). */
  lr: number
  /** `[β₁, β₂]`: β₁ is the interpolation between x and z, β₂ the second-moment decay (default [0.9, 0.999]). */
  betas: readonly [number, number]
  /** Added to the root of the second moment (default 1e-8). */
  eps: number
  /** Weight decay, taken at y on the normalised gradient (default 0). */
  weightDecay: number
}

/** Mirror of crates/core/src/rules/adamw_schedule_free.rs. */
const kernel: JsKernel = (y, g, [z, v], s, _shape, r) => {
  const zs = z as typeof y
  const vs = v as typeof y
  const beta2 = r(s[S.beta2] as number)
  const oneMinusBeta2 = r(s[S.oneMinusBeta2] as number)
  const bc2 = r(s[S.biasCorrection2] as number)
  const eps = r(s[S.eps] as number)
  const decay = r(s[S.weightDecay] as number)
  const decayed = s[S.weightDecay] !== 0
  const ckp1 = r(s[S.ckp1] as number)
  const adaptive = r(s[S.adaptiveYLr] as number)
  const lr = r(s[S.lr] as number)
  for (let i = 0; i < y.length; i++) {
    const gi = g[i] as number
    const vi = r(r(beta2 * (vs[i] as number)) + r(oneMinusBeta2 * r(gi * gi)))
    vs[i] = vi
    const denom = r(r(Math.sqrt(r(vi / bc2))) + eps)
    const yi = y[i] as number
    let normalised = r(gi / denom)
    if (decayed) normalised = r(normalised + r(decay * yi))
    const zi = zs[i] as number
    y[i] = r(lerp(yi, zi, ckp1, r) + r(adaptive * normalised))
    zs[i] = r(zi - r(lr * normalised))
  }
}

/**
 * AdamW Schedule-Free (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky 2024) with the
 * reference's numerics (facebookresearch/schedule_free, adamw_schedulefree.py), no schedule needed:
 * ```
 * lr = γ·min(1, (k+1)/warmup);  lrMax = max(lrMax, lr);  w = (k+1)^r·lrMax^weightLrPower
 * c = w / Σw;  v ← β₂v + (1−β₂)g²;  ĝ = g / (√(v/(1−β₂^{k+1})) + eps) + λy
 * y ← lerp(y, z, c) + lr·(β₁(1−c) − 1)·ĝ;  z ← z − lr·ĝ
 * ```
 * The parameters hold y while training; call `eval()` before evaluating or saving the model
 * for use (they then hold the average x) and `train()` before training again. `fit` does both.
 */
export const adamwScheduleFreeRule: RuleDefinition<AdamWScheduleFreeOptions> = {
  rule: 'adamw_schedule_free',
  elementwise: true,
  scalars: SCALARS,
  defaults: { ...SCHEDULE_FREE_DEFAULTS, lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8 },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkBetas(where, o.betas)
    checkNonNegative(where, 'eps', o.eps)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkNonNegative(where, 'warmupSteps', o.warmupSteps)
    checkNonNegative(where, 'r', o.r)
    checkNonNegative(where, 'weightLrPower', o.weightLrPower)
    checkBoolean(where, 'trainMode', o.trainMode)
  },
  stateTensors(_o, p: Parameter) {
    return [
      { name: 'z', length: p.size, copyOfParam: true },
      { name: 'expAvgSq', length: p.size },
    ]
  },
  initialScalars: scheduleFreeScalars,
  plan(o, state) {
    const { k, lr, ckp1, next } = scheduleFreeWeights(o, state)
    const [beta1, beta2] = o.betas
    return {
      scalars: packScalars(SCALARS, {
        maximize: 0,
        coupledWeightDecay: 0,
        beta2,
        oneMinusBeta2: 1 - beta2,
        biasCorrection2: 1 - beta2 ** (k + 1),
        eps: o.eps,
        weightDecay: o.weightDecay,
        ckp1,
        adaptiveYLr: lr * (beta1 * (1 - ckp1) - 1),
        lr,
      }),
      next,
    }
  },
  kernel,
}

/** AdamW Schedule-Free: no lr schedule, an average of the iterates built in. See `adamwScheduleFreeRule`. */
export class AdamWScheduleFree extends optimizerClass('adamwScheduleFree', adamwScheduleFreeRule) {
  /** A group's β of the mode switch (β₁); a trainer's predictions use it too. */
  static readonly momentum = (group: ScheduleFreeOptions) => (group as AdamWScheduleFreeOptions).betas[0]

  /** Moves the parameters to y, where training takes gradients (a no-op in train mode). */
  train(): void {
    switchMode(this, true, AdamWScheduleFree.momentum)
  }

  /** Moves the parameters to x, the average to evaluate (a no-op in eval mode). */
  eval(): void {
    switchMode(this, false, AdamWScheduleFree.momentum)
  }

  override step(): void {
    if (inEvalMode(this)) throw evalModeError(this.constructor.name)
    super.step()
  }

  override planSteps(steps: number, beforeStep?: (k: number) => void): StepPlan {
    if (inEvalMode(this)) throw evalModeError(this.constructor.name)
    return super.planSteps(steps, beforeStep)
  }
}
