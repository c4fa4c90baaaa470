import type { Engine } from '../engine.js'
import { evaluate, lossAndGrad, predict } from './network.js'
import { jsSession } from './session.js'
import { trainEpoch } from './train.js'

/** The pure-JavaScript network engine: plain loops, no native code. */
export const jsEngine: Engine = {
  name: 'js',
  predict,
  lossAndGrad,
  evaluate,
  trainEpoch: (network, params, grads, plan, _slots, x, targets, batches) =>
    trainEpoch(network, params, grads, plan, x, targets, batches),
  startSession: jsSession,
}
