import { roundingFor } from '../backend/types.js'
import { AdamWScheduleFree } from '../optim/adamw-schedule-free.js'
import { lerp } from '../optim/lerp.js'
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

/** β of a Schedule-Free optimizer's param group: what its eval() lerps y towards z by (1 − 1/β). */
function momentumOf(optimizer: AnyOptimizer): ((group: Record<string, unknown>) => number) | undefined {
  if (optimizer instanceof AdamWScheduleFree) return (g) => (g.betas as [number, number])[0]
  if (optimizer instanceof SGDScheduleFree) return (g) => g.momentum as number
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
        weight: 1 - 1 / momentum(group as unknown as Record<string, unknown>),
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
  const r = roundingFor(point)
  for (const part of parts) {
    const z = state[part.stateIndex] as FloatArray
    const w = r(part.weight)
    for (let i = 0; i < part.length; i++) {
      const at = part.offset + i
      point[at] = lerp(point[at] as number, z[i] as number, w, r)
    }
  }
  return point
}
