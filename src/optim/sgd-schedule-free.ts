import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'
import { checkBoolean, checkLearningRate, checkNonNegative, checkUnitInterval } from '../validate.js'
import { optimizerClass } from './define.js'
import { lerp } from './lerp.js'
import type { StepPlan } from './optimizer.js'
import { PRELUDE_SCALARS, preprocess, readPrelude } from './prelude.js'
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

/** The per-step scalars (crates/core/src/rules/sgd_schedule_free.rs: `Scalars`). */
const SCALARS = [...PRELUDE_SCALARS, 'ckp1', 'adaptiveYLr', 'lr'] as const
const S = scalarIndex(SCALARS)

/** SGDScheduleFree hyperparameters (facebookresearch/schedule_free); all can differ per param group. */
export interface SGDScheduleFreeOptions extends ScheduleFreeOptions {
  /** Learning rate (default 1). */
  lr: number
  /** The interpolation between x and z, in (0, 1) (default 0.9). */
  momentum: number
  /** L2 weight decay, taken at y (default 0). */
  weightDecay: number
}

/** Mirror of crates/core/src/rules/sgd_schedule_free.rs. */
const kernel: JsKernel = (y, g, [z], s, _shape, r) => {
  const zs = z as typeof y
  const prelude = readPrelude(s, r)
  const ckp1 = r(s[S.ckp1] as number)
  const adaptive = r(s[S.adaptiveYLr] as number)
  const lr = r(s[S.lr] as number)
  for (let i = 0; i < y.length; i++) {
    const yi = y[i] as number
    const gi = preprocess(prelude, yi, g[i] as number, r)
    const zi = zs[i] as number
    y[i] = r(lerp(yi, zi, ckp1, r) + r(adaptive * gi))
    zs[i] = r(zi - r(lr * gi))
  }
}

/**
 * SGD Schedule-Free (Defazio et al. 2024) with the reference's numerics (sgd_schedulefree.py):
 * ```
 * g ← g + λy;  c = w / Σw (as AdamWScheduleFree)
 * y ← lerp(y, z, c) + lr·(μ(1−c) − 1)·g;  z ← z − lr·g
 * ```
 * Train and eval modes as AdamWScheduleFree's.
 */
export const sgdScheduleFreeRule: RuleDefinition<SGDScheduleFreeOptions> = {
  rule: 'sgd_schedule_free',
  elementwise: true,
  scalars: SCALARS,
  defaults: { ...SCHEDULE_FREE_DEFAULTS, lr: 1, momentum: 0.9 },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkUnitInterval(where, 'momentum', o.momentum)
    if (!(o.momentum > 0)) throw new RangeError(`${where}: momentum must be in (0, 1), got ${o.momentum}`)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkNonNegative(where, 'warmupSteps', o.warmupSteps)
    checkNonNegative(where, 'r', o.r)
    checkNonNegative(where, 'weightLrPower', o.weightLrPower)
    checkBoolean(where, 'trainMode', o.trainMode)
  },
  stateTensors(_o, p: Parameter) {
    return [{ name: 'z', length: p.size, copyOfParam: true }]
  },
  initialScalars: scheduleFreeScalars,
  plan(o, state) {
    const { lr, ckp1, next } = scheduleFreeWeights(o, state)
    return {
      scalars: packScalars(SCALARS, {
        maximize: 0,
        coupledWeightDecay: o.weightDecay,
        ckp1,
        adaptiveYLr: lr * (o.momentum * (1 - ckp1) - 1),
        lr,
      }),
      next,
    }
  },
  kernel,
}

/** SGD Schedule-Free. See `sgdScheduleFreeRule`. */
export class SGDScheduleFree extends optimizerClass('sgdScheduleFree', sgdScheduleFreeRule) {
  /** A group's β of the mode switch (its momentum); a trainer's predictions use it too. */
  static readonly momentum = (group: ScheduleFreeOptions) => (group as SGDScheduleFreeOptions).momentum

  /** Moves the parameters to y, where training takes gradients (a no-op in train mode). */
  train(): void {
    switchMode(this, true, SGDScheduleFree.momentum)
  }

  /** Moves the parameters to x, the average to evaluate (a no-op in eval mode). */
  eval(): void {
    switchMode(this, false, SGDScheduleFree.momentum)
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
