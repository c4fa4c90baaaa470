import { addon, callNative, ruleIndex } from '../backend/native.js'
import type { FloatArray } from '../parameter.js'
import type { Engine } from './engine.js'
import type { Targets } from './network.js'

type Addon = NonNullable<typeof addon>

const noLabels = new Int32Array(0)

/** The labels and values arguments of the native calls: the unused one is empty. */
function split(targets: Targets, params: FloatArray): [Int32Array, FloatArray] {
  const empty = params instanceof Float32Array ? new Float32Array(0) : new Float64Array(0)
  return 'labels' in targets ? [targets.labels, empty] : [noLabels, targets.values]
}

/** The network engine over the native addon (crates/node/src/models.rs). */
export function nativeEngine(a: Addon): Engine {
  return {
    name: 'native',
    predict(network, params, x) {
      return callNative(() =>
        params instanceof Float32Array
          ? a.predictF32(network.layout, params, x as Float32Array)
          : a.predictF64(network.layout, params, x as Float64Array),
      )
    },
    lossAndGrad(network, params, grads, x, targets) {
      const [labels, values] = split(targets, params)
      return callNative(() =>
        params instanceof Float32Array
          ? a.lossAndGradF32(
              network.layout,
              params,
              grads as Float32Array,
              x as Float32Array,
              labels,
              values as Float32Array,
            )
          : a.lossAndGradF64(
              network.layout,
              params,
              grads as Float64Array,
              x as Float64Array,
              labels,
              values as Float64Array,
            ),
      )
    },
    evaluate(network, params, x, targets) {
      const [labels, values] = split(targets, params)
      return callNative(() =>
        params instanceof Float32Array
          ? a.evaluateF32(network.layout, params, x as Float32Array, labels, values as Float32Array)
          : a.evaluateF64(network.layout, params, x as Float64Array, labels, values as Float64Array),
      )
    },
    trainEpoch(network, params, grads, plan, slots, x, targets, batches) {
      const [labels, values] = split(targets, params)
      const slotLayout = Uint32Array.from(
        plan.params.flatMap((_, i) => [
          slots[i] as number,
          (plan.state[i] as FloatArray[]).length,
          plan.scalarCounts[i] as number,
        ]),
      )
      const batchArgs = Uint32Array.of(
        batches.batchSize,
        batches.first,
        batches.count,
        +batches.checkNonFinite,
      )
      const rule = ruleIndex(a, plan.rule)
      const state = plan.state.flat()
      return callNative(() =>
        params instanceof Float32Array
          ? a.trainEpochF32(
              network.layout,
              params,
              grads as Float32Array,
              rule,
              state as Float32Array[],
              slotLayout,
              plan.scalars,
              x as Float32Array,
              labels,
              values as Float32Array,
              batches.order,
              batchArgs,
            )
          : a.trainEpochF64(
              network.layout,
              params,
              grads as Float64Array,
              rule,
              state as Float64Array[],
              slotLayout,
              plan.scalars,
              x as Float64Array,
              labels,
              values as Float64Array,
              batches.order,
              batchArgs,
            ),
      )
    },
  }
}

/** The native engine when the addon loaded. */
export const loadedNativeEngine: Engine | undefined = addon ? nativeEngine(addon) : undefined
