import test from 'ava'
import { Parameter, Rprop } from '../src/index.js'

// Rprop's own rules beyond the golden cases: its options, its state, and lr as the initial step
// size only (torch: a scheduler changing lr later has no effect).

test('options are checked, naming the option and the rule', (t) => {
  const p = () => [new Parameter(new Float32Array(2), [2])]
  const cases: [object, RegExp][] = [
    [{ etas: [0.5] }, /etas must be an array \[etaMinus, etaPlus\]/],
    [{ etas: [1.5, 1.2] }, /0 < etaMinus < 1 < etaPlus, got \[1.5, 1.2\]/],
    [{ etas: [0.5, 0.9] }, /0 < etaMinus < 1 < etaPlus/],
    [{ etas: [0, 1.2] }, /etas\[0\]/],
    [{ stepSizes: [1, 0.5] }, /stepSizes must be \[min, max\] with min <= max/],
    [{ stepSizes: [-1, 5] }, /stepSizes\[0\]/],
    [{ lr: -1 }, /lr/],
    [{ maximize: 1 }, /maximize must be a boolean/],
    [{ weightDecay: 0.1 }, /unknown option 'weightDecay'/],
  ]
  for (const [options, message] of cases)
    t.throws(() => new Rprop(p(), options), { message }, JSON.stringify(options))
})

for (const backend of ['native', 'js'] as const) {
  test(`${backend}: state is prev and stepSize; lr sets the first step size only`, (t) => {
    const w = new Parameter(new Float64Array([1, 1]), [2])
    const rprop = new Rprop([w], { lr: 0.1, backend })
    w.grad.set([1, -1])
    rprop.step()
    t.deepEqual(Array.from(w.data), [0.9, 1.1])
    rprop.lr = 10 // ignored from here on, as in torch
    w.grad.set([1, 1])
    rprop.step()
    // Element 0 kept its sign (0.1·1.2); element 1 flipped: its size halves and it stays.
    t.deepEqual(Array.from(w.data), [0.9 - 0.1 * 1.2, 1.1])
    const state = rprop.stateDict().state[0] as Record<string, unknown>
    t.deepEqual(Object.keys(state).sort(), ['prev', 'step', 'stepSize'])
    t.deepEqual(Array.from(state.stepSize as Float64Array), [0.1 * 1.2, 0.05])
    t.deepEqual(Array.from(state.prev as Float64Array), [1, 0])
  })
}
