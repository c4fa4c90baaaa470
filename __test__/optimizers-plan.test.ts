import test from 'ava'
import { Adam, CosineAnnealingLR, NAdam, Parameter } from '../src/index.js'

function setup(Optimizer: typeof Adam | typeof NAdam) {
  const params = [
    new Parameter(Float32Array.from([1, -2, 3]), [3]),
    new Parameter(Float32Array.from([0.5, 0.25]), [2]),
  ]
  const opt = new Optimizer(params, { lr: 0.1, backend: 'js' })
  const sched = new CosineAnnealingLR(opt, { tMax: 4 })
  const grads = (k: number) => params.map((p) => Array.from({ length: p.size }, (_, j) => Math.sin(k + j)))
  return { params, opt, sched, grads }
}

for (const Optimizer of [Adam, NAdam]) {
  test(`${Optimizer.name}: planned steps with a per-step scheduler replay step() exactly; commit is partial`, (t) => {
    const a = setup(Optimizer)
    for (let k = 0; k < 5; k++) {
      a.params.forEach((p, i) => p.grad.set(a.grads(k)[i] as number[]))
      a.opt.step()
      a.sched.step()
    }
    const b = setup(Optimizer)
    const plan = b.opt.planSteps(5, (k) => {
      if (k > 0) b.sched.step()
    })
    t.is(plan.scalars.length, 5 * plan.stride)
    t.is(b.opt.stateOf(b.params[0] as Parameter), undefined, 'nothing changes before commit')
    for (let k = 0; k < 3; k++) {
      b.params.forEach((p, i) => p.grad.set(b.grads(k)[i] as number[]))
      b.opt.backend.step(plan.rule, plan.kernel, plan.entries(k))
    }
    plan.commit(3)
    t.is(b.opt.stateOf(b.params[0] as Parameter)?.scalars.step, 3)
    // The rest through ordinary steps: the scheduler was advanced for the plan; rewind it.
    b.sched.loadStateDict({ ...b.sched.stateDict(), lastEpoch: 2 } as never)
    for (let k = 3; k < 5; k++) {
      b.sched.step()
      b.params.forEach((p, i) => p.grad.set(b.grads(k)[i] as number[]))
      b.opt.step()
    }
    a.params.forEach((p, i) => t.deepEqual(b.params[i]?.data, p.data))
    t.throws(() => plan.commit(9), { instanceOf: RangeError })
  })
}
