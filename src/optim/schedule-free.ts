import { DescentError } from '../errors.js'
import type { FloatArray } from '../parameter.js'
import { lerp } from './lerp.js'
import type { Optimizer } from './optimizer.js'
import type { ScalarState } from './rule.js'

/**
 * What the two Schedule-Free optimizers share (Defazio et al. 2024; facebookresearch/schedule_free):
 * the step's weighting of the average, and the switch between the parameters' two roles. In
 * training the parameters hold y, the point gradients are taken at; for evaluation they must hold
 * x, the average: `optimizer.eval()` moves them there and `optimizer.train()` back, through the
 * base sequence z in each parameter's state. `fit` calls both for you.
 */

/** The options both share. */
export interface ScheduleFreeOptions {
  lr: number
  weightDecay: number
  /** Steps of linear warmup of the lr (default 0). */
  warmupSteps: number
  /** Power of the step count in each iterate's weight, (t + 1)^r (default 0). */
  r: number
  /** Power of the largest lr so far in each iterate's weight (default 2). */
  weightLrPower: number
  /** Whether the parameters hold y (training) or x (evaluation); set by train() and eval(), saved in state dicts. */
  trainMode: boolean
}

export const SCHEDULE_FREE_DEFAULTS = {
  weightDecay: 0,
  warmupSteps: 0,
  r: 0,
  weightLrPower: 2,
  trainMode: true,
}

/** Per-parameter scalar state: the step count k, the largest lr so far and the sum of weights. */
export const scheduleFreeScalars = (): ScalarState => ({ step: 0, lrMax: -1, weightSum: 0 })

/**
 * The step's lr (after warmup), c = weight/weightSum (`ckp1`), and the next scalar state; the
 * reference's order of operations.
 */
export function scheduleFreeWeights(o: ScheduleFreeOptions, state: ScalarState) {
  const k = state.step
  const sched = k < o.warmupSteps ? (k + 1) / o.warmupSteps : 1
  const lr = o.lr * sched
  const lrMax = Math.max(lr, state.lrMax as number)
  const weight = (k + 1) ** o.r * lrMax ** o.weightLrPower
  const weightSum = (state.weightSum as number) + weight
  const ckp1 = weightSum === 0 ? 0 : weight / weightSum
  return { k, lr, ckp1, next: { step: k + 1, lrMax, weightSum } }
}

/** torch's `lerp_` of one array towards another, rounded per element type. */
export function lerpInPlace(values: FloatArray, end: FloatArray, weight: number): void {
  const r = values instanceof Float32Array ? Math.fround : (x: number) => x
  const w = r(weight)
  for (let i = 0; i < values.length; i++) values[i] = lerp(values[i] as number, end[i] as number, w, r)
}

/** How far eval() moves y towards z: x = lerp(y, z, 1 − 1/β) (train() goes back by 1 − β). */
export function towardsAverage(momentum: number): number {
  return 1 - 1 / momentum
}

/** The mode switch of a Schedule-Free optimizer: `momentum` is β₁ (AdamW) or the momentum (SGD). */
export function switchMode(
  optimizer: Optimizer<ScheduleFreeOptions>,
  toTrain: boolean,
  momentum: (group: ScheduleFreeOptions) => number,
): void {
  for (const group of optimizer.paramGroups) {
    if (group.trainMode === toTrain) continue
    const m = momentum(group)
    const weight = toTrain ? 1 - m : towardsAverage(m)
    for (const p of group.params) {
      const z = optimizer.stateOf(p)?.tensors.z
      if (z) lerpInPlace(p.data, z, weight)
    }
    group.trainMode = toTrain
  }
}

/** The error for a step taken while the parameters hold x. */
export function evalModeError(name: string): DescentError {
  return new DescentError(
    'DESCENT_EVAL_MODE',
    `${name}.step: the optimizer is in eval mode (trainMode false: the parameters hold the average x); call optimizer.train() before training`,
  )
}

/** Whether any group is in eval mode. */
export function inEvalMode(optimizer: Optimizer<ScheduleFreeOptions>): boolean {
  return optimizer.paramGroups.some((g) => !g.trainMode)
}

/** A Schedule-Free optimizer's mode switch, when `optimizer` is one. */
interface Switchable {
  train(): void
  eval(): void
}

/**
 * For `fit`: moves a Schedule-Free optimizer's parameters to y for training and returns what to
 * call when training ends, which moves them to the average x (so that predict and evaluate see
 * it); for other optimizers, does nothing.
 */
export function trainForFit(optimizer: object): () => void {
  const groups = (optimizer as { paramGroups?: { trainMode?: unknown }[] }).paramGroups ?? []
  const switchable = optimizer as Partial<Switchable>
  if (!groups.some((g) => typeof g.trainMode === 'boolean') || typeof switchable.train !== 'function')
    return () => {}
  switchable.train()
  return () => (switchable as Switchable).eval()
}
