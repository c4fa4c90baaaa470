import test from 'ava'
import { Adam, Parameter } from '../src/index.js'
import {
  CosineDecayRestarts,
  cosineDecayRestarts,
  LinearWarmup,
  linearWarmup,
  SequentialLR,
  StepDecay,
  sequentialLR,
  stepDecay,
} from '../src/schedulers/index.js'
import { mismatch } from './schedulers-fixtures.js'

// The tutorial's two scheduler demos (ALGORITHMS.md §15) on a real Adam, in the usual loop
// `optimizer.step(); scheduler.step()`: optimizer step k (1-based) runs with lr(k − 1).

/** A one-parameter Adam minimising (w − 3)², with the lr each step ran with. */
function train(lr: number, attach: (adam: Adam) => { step(): void }, steps: number): number[] {
  const w = new Parameter(new Float64Array([0]))
  const adam = new Adam([w], { lr, backend: 'js' })
  const scheduler = attach(adam)
  const used: number[] = []
  for (let k = 0; k < steps; k++) {
    w.grad[0] = 2 * ((w.data[0] as number) - 3)
    used.push(adam.lr)
    adam.step()
    scheduler.step()
  }
  return used
}

test('demo (a): Adam with the tutorial step decay, lr0 0.1 over 100 epochs', (t) => {
  const used = train(0.1, (adam) => new StepDecay(adam, { drop: 0.5, epochsDrop: 10 }), 100)
  used.forEach((lr, epoch) => {
    t.is(lr, stepDecay(epoch, 0.1, { drop: 0.5, epochsDrop: 10 }))
    t.is(mismatch(lr, 0.1 * 0.5 ** Math.floor((1 + epoch) / 10)), undefined)
  })
  // The tutorial's `1 + epoch`: the first drop is at epoch 9, not 10.
  t.is(used[8], 0.1)
  t.is(used[9], 0.05)
  t.is(used[99], 0.1 * 0.5 ** 10)
})

test('demo (b): Adam with linear warmup then cosine decay with restarts over 20000 steps', (t) => {
  const restarts = { firstDecaySteps: 5000, tMul: 2, mMul: 0.5, alpha: 1e-3 }
  const used = train(
    1e-3,
    (adam) =>
      new SequentialLR(adam, {
        schedulers: [new LinearWarmup(adam, { warmupSteps: 1000 }), new CosineDecayRestarts(adam, restarts)],
        milestones: [1000],
      }),
    20000,
  )
  t.is(used.length, 20000)
  const pure = (s: number) =>
    sequentialLR(s, 1e-3, {
      schedules: [
        (k, b) => linearWarmup(k, b, { warmupSteps: 1000 }),
        (k, b) => cosineDecayRestarts(k, b, restarts),
      ],
      milestones: [1000],
    })
  for (const [s, lr] of used.entries()) {
    if (lr !== pure(s)) return t.fail(`step ${s}: ${lr} vs pure ${pure(s)}`)
    // minLr 1e-6 = alpha·lr0 is the floor once the warmup is over.
    if (s >= 1000 && !(lr >= 1e-6 - 1e-18 && lr <= 1e-3))
      return t.fail(`step ${s}: lr ${lr} outside [1e-6, 1e-3]`)
  }
  t.is(used[0], 0)
  t.is(used[500], 5e-4)
  // Restarts 1000 + 0, 5000, 15000 (cycles of 5000, 10000, 20000), peaks 1e-6 + (1e-3 − 1e-6)·0.5^i.
  for (const [i, s] of [1000, 6000, 16000].entries()) {
    t.is(mismatch(used[s] as number, 1e-3 * (1e-3 + (1 - 1e-3) * 0.5 ** i)), undefined, `peak of cycle ${i}`)
    if (i > 0) t.true((used[s - 1] as number) < 1.01e-6, `end of cycle ${i - 1}`)
  }
})
