import test from 'ava'
import { OPTIMIZERS, type OptimizerStateDict, Parameter } from '../src/index.js'
import { optimizerCases } from './helpers/golden.js'

// stateDict → loadStateDict mid-run (through structuredClone, as a worker or a checkpoint
// would carry it) continues bit-identically to an uninterrupted run.
for (const c of optimizerCases()) {
  for (const backend of ['native', 'js'] as const) {
    test(`${c.name} ${backend}: resumed from a state dict at step ${Math.floor(c.grads.length / 2)} matches an uninterrupted run`, (t) => {
      const Optimizer = OPTIMIZERS[c.optimizer]
      if (!Optimizer) return t.fail(`no optimizer '${c.optimizer}'`)
      const make = () => c.params.map((p) => new Parameter(Float32Array.from(p.data), p.shape))
      const straight = make()
      const resumed = make()
      const a = new Optimizer(straight, { ...c.options, backend })
      let b = new Optimizer(resumed, { ...c.options, backend })
      const half = Math.floor(c.grads.length / 2)
      for (const [k, grads] of c.grads.entries()) {
        if (k === half) {
          const saved = structuredClone(b.stateDict()) as OptimizerStateDict
          // A fresh optimizer (other defaults on purpose) over copies of the parameters.
          const copies = resumed.map((p) => new Parameter(p.data.slice(), p.shape))
          b = new Optimizer(copies, { backend })
          b.loadStateDict(saved)
          resumed.splice(0, resumed.length, ...copies)
        }
        for (const [params, opt] of [
          [straight, a],
          [resumed, b],
        ] as const) {
          if (c.lrPerStep) opt.lr = c.lrPerStep[k] as number
          for (const [j, p] of params.entries()) p.grad.set(grads[j] as number[])
          opt.step()
        }
      }
      for (const [j, p] of straight.entries()) t.deepEqual(resumed[j]?.data, p.data)
      t.deepEqual(b.stateDict(), a.stateDict())
    })
  }
}
