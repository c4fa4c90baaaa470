import { AdamWScheduleFree } from '../optim/adamw-schedule-free.js'
import { lerpInPlace, type ScheduleFreeOptions, towardsAverage } from '../optim/schedule-free.js'
import { SGDScheduleFree } from '../optim/sgd-schedule-free.js'
import type { FloatArray } from '../parameter.js'
import type { AnyOptimizer } from './fit.js'

/**
 * One range of a model's flat weights that predictions read at another point: weights ←
 * lerp(weights, state[stateIndex], weight). The Rust trainer takes the same parts
 * (crates/core/src/online/trainer.rs `EvalLerp`).
 */
export interface EvalPointPart {
  readonly offset: number
  readonly length: number
  readonly stateIndex: number
  readonly weight: number
}

/** β of a Schedule-Free optimizer's param groups, as its own train() and eval() read it. */
function momentumOf(optimizer: AnyOptimizer): ((group: ScheduleFreeOptions) => number) | undefined {
  if (optimizer instanceof AdamWScheduleFree) return AdamWScheduleFree.momentum
  if (optimizer instanceof SGDScheduleFree) return SGDScheduleFree.momentum
  return undefined
}

/**
 * For a trainer: where its predictions should read the weights. A Schedule-Free optimizer trains
 * at y and is evaluated at its average x = lerp(y, z, 1 − 1/β), exactly as its `eval()` moves
 * the parameters; other optimizers are evaluated where they train (no parts). `flat` holds the
 * model's weights (each parameter a view of it) and `state` the optimizer's state tensors in
 * the trainer's order, z among them.
 */
export function evalPointParts(
  optimizer: AnyOptimizer,
  flat: FloatArray,
  state: readonly FloatArray[],
): EvalPointPart[] {
  const momentum = momentumOf(optimizer)
  if (!momentum) return []
  return optimizer.paramGroups.flatMap((group) =>
    group.params.map((p) => {
      const z = optimizer.stateOf(p)?.tensors.z
      const stateIndex = z === undefined ? -1 : state.indexOf(z)
      if (stateIndex < 0 || p.data.buffer !== flat.buffer)
        throw new Error(`Trainer: internal: no z state or weight view for ${p.label}`)
      return {
        offset: (p.data.byteOffset - flat.byteOffset) / flat.BYTES_PER_ELEMENT,
        length: p.data.length,
        stateIndex,
        weight: towardsAverage(momentum(group as unknown as ScheduleFreeOptions)),
      }
    }),
  )
}

/** A copy of `flat` moved to the eval point (the same bits as the optimizer's `eval()` gives). */
export function atEvalPoint(
  flat: FloatArray,
  state: readonly FloatArray[],
  parts: readonly EvalPointPart[],
): FloatArray {
  const point = flat.slice()
  for (const part of parts)
    lerpInPlace(
      point.subarray(part.offset, part.offset + part.length),
      state[part.stateIndex] as FloatArray,
      part.weight,
    )
  return point
}
