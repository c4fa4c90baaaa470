import type { StepPlan } from '../optim/optimizer.js'
import type { FloatArray } from '../parameter.js'
import type { EpochBatches } from './engine.js'
import type { Targets } from './network.js'

type RunPlan = import('../../native/index.js').RunPlan
type BatchRange = import('../../native/index.js').BatchRange

const noLabels = new Int32Array(0)

/** The labels and values arguments of the native calls: the unused one is empty. */
export function targetArgs(targets: Targets, params: FloatArray): [Int32Array, FloatArray] {
  const empty = params instanceof Float32Array ? new Float32Array(0) : new Float64Array(0)
  return 'labels' in targets ? [targets.labels, empty] : [noLabels, targets.values]
}

/** A run's plan and batches, as `trainEpochF32` and `TrainingJobF32.run` take them (crates/node/src/layout.rs). */
export function runArgs(
  plan: StepPlan,
  slots: readonly number[],
  batches: EpochBatches,
): { plan: RunPlan; state: FloatArray[]; batches: BatchRange } {
  return {
    plan: {
      rule: plan.rule,
      slots: [...slots],
      stateCounts: plan.state.map((s) => s.length),
      scalarCounts: [...plan.scalarCounts],
    },
    state: plan.state.flat(),
    batches: {
      batchSize: batches.batchSize,
      first: batches.first,
      count: batches.count,
      checkNonFinite: batches.checkNonFinite,
    },
  }
}
