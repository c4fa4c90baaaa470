import { addon, callNative } from '../backend/native.js'
import type { Engine } from './engine.js'
import { runArgs, targetArgs } from './native-args.js'
import { nativeSession } from './native-session.js'

type Addon = NonNullable<typeof addon>

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
      const [labels, values] = targetArgs(targets, params)
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
      const [labels, values] = targetArgs(targets, params)
      return callNative(() =>
        params instanceof Float32Array
          ? a.evaluateF32(network.layout, params, x as Float32Array, labels, values as Float32Array)
          : a.evaluateF64(network.layout, params, x as Float64Array, labels, values as Float64Array),
      )
    },
    trainEpoch(network, params, grads, plan, slots, x, targets, batches) {
      const [labels, values] = targetArgs(targets, params)
      const { rule, state, slots: slotLayout, batches: batchArgs } = runArgs(a, plan, slots, batches)
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
    startSession: (network, dtype) => nativeSession(a, network, dtype),
  }
}

/** The native engine when the addon loaded. */
export const loadedNativeEngine: Engine | undefined = addon ? nativeEngine(addon) : undefined
