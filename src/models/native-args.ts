import { type addon, ruleIndex } from '../backend/native.js'
import type { StepPlan } from '../optim/optimizer.js'
import type { FloatArray } from '../parameter.js'
import type { EpochBatches } from './engine.js'
import type { Targets } from './network.js'

type Addon = NonNullable<typeof addon>

const noLabels = new Int32Array(0)

/** The labels and values arguments of the native calls: the unused one is empty. */
export function targetArgs(targets: Targets, params: FloatArray): [Int32Array, FloatArray] {
  const empty = params instanceof Float32Array ? new Float32Array(0) : new Float64Array(0)
  return 'labels' in targets ? [targets.labels, empty] : [noLabels, targets.values]
}

/** A run's plan and batches, packed as `trainEpochF32` and `TrainingJobF32.run` take them. */
export function runArgs(
  a: Addon,
  plan: StepPlan,
  slots: readonly number[],
  batches: EpochBatches,
): { rule: number; state: FloatArray[]; slots: Uint32Array; batches: Uint32Array } {
  return {
    rule: ruleIndex(a, plan.rule),
    state: plan.state.flat(),
    // Per optimizer parameter: [network tensor index, state tensor count, scalar count].
    slots: Uint32Array.from(
      plan.params.flatMap((_, i) => [
        slots[i] as number,
        (plan.state[i] as FloatArray[]).length,
        plan.scalarCounts[i] as number,
      ]),
    ),
    batches: Uint32Array.of(batches.batchSize, batches.first, batches.count, +batches.checkNonFinite),
  }
}
