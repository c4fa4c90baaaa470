import { addon, callNative, typedExports } from '../backend/native.js'
import type { FloatArray } from '../parameter.js'
import type { Engine } from './engine.js'
import { runArgs, targetArgs } from './native-args.js'
import { nativeSession } from './native-session.js'

type Addon = NonNullable<typeof addon>

/** The network engine over the native addon (crates/node/src/models.rs). */
export function nativeEngine(a: Addon): Engine {
  return {
    name: 'native',
    predict(network, params, x) {
      const Float = params.constructor as new (n: number) => FloatArray
      const out = new Float((x.length / network.inputs) * network.outputs)
      callNative(() => typedExports(a, params).predict(network.layout, params, x, out))
      return out
    },
    lossAndGrad(network, params, grads, x, targets) {
      const [labels, values] = targetArgs(targets, params)
      return callNative(() =>
        typedExports(a, params).lossAndGrad(network.layout, params, grads, x, labels, values),
      )
    },
    evaluate(network, params, x, targets) {
      const [labels, values] = targetArgs(targets, params)
      return callNative(() => typedExports(a, params).evaluate(network.layout, params, x, labels, values))
    },
    trainEpoch(network, params, grads, plan, slots, x, targets, batches) {
      const [labels, values] = targetArgs(targets, params)
      const run = runArgs(plan, slots, batches)
      return callNative(() =>
        typedExports(a, params).trainEpoch(
          network.layout,
          params,
          grads,
          run.plan,
          run.state,
          plan.scalars,
          x,
          labels,
          values,
          batches.order,
          run.batches,
        ),
      )
    },
    startSession: (network, dtype) => nativeSession(a, network, dtype),
  }
}

/** The native engine when the addon loaded. */
export const loadedNativeEngine: Engine | undefined = addon ? nativeEngine(addon) : undefined
