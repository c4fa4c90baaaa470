import test from 'ava'
import { Parameter, SGD, SWALR, swaLR } from '../src/index.js'

// SWALR against torch.optim.swa_utils.SWALR's own recursion (get_lr, which inverts the previous
// step's lr each time), replayed here step by step in f64.
function torchSwalr(
  initialLr: number,
  swaLr: number,
  annealEpochs: number,
  strategy: 'cos' | 'linear',
  steps: number,
) {
  const anneal = (t: number) => (strategy === 'cos' ? (1 - Math.cos(Math.PI * t)) / 2 : t)
  const initial = (lr: number, alpha: number) => (alpha === 1 ? swaLr : (lr - alpha * swaLr) / (1 - alpha))
  let lr = initialLr
  const lrs: number[] = []
  for (let stepCount = 1; stepCount <= steps + 1; stepCount++) {
    let step = stepCount - 1
    if (annealEpochs === 0) step = Math.max(1, step)
    const prevT = Math.max(0, Math.min(1, (step - 1) / Math.max(1, annealEpochs)))
    const prevLr = initial(lr, anneal(prevT))
    const t = Math.max(0, Math.min(1, step / Math.max(1, annealEpochs)))
    const alpha = anneal(t)
    lr = swaLr * alpha + prevLr * (1 - alpha)
    lrs.push(lr)
  }
  return lrs
}

for (const strategy of ['cos', 'linear'] as const) {
  for (const annealEpochs of [0, 1, 5, 10]) {
    test(`SWALR ${strategy}, annealEpochs ${annealEpochs}: torch's lrs to 1e-12`, (t) => {
      const w = new Parameter(new Float32Array(1), [1])
      const optimizer = new SGD([w], { lr: 0.1 })
      const scheduler = new SWALR(optimizer, { swaLr: 0.02, annealEpochs, annealStrategy: strategy })
      const expected = torchSwalr(0.1, 0.02, annealEpochs, strategy, 15)
      const seen = [optimizer.lr]
      for (let k = 0; k < 15; k++) {
        scheduler.step()
        seen.push(optimizer.lr)
      }
      seen.forEach((lr, k) =>
        t.true(Math.abs(lr - (expected[k] as number)) <= 1e-12, `step ${k}: ${lr} vs ${expected[k]}`),
      )
      t.is(seen.at(-1), 0.02, 'holds swaLr exactly after the annealing')
      t.is(swaLR(3, 0.1, { swaLr: 0.02, annealEpochs, annealStrategy: strategy }), seen[3])
    })
  }
}

test('SWALR takes one swaLr per param group and checks its options', (t) => {
  const a = new Parameter(new Float32Array(1), [1])
  const b = new Parameter(new Float32Array(1), [1])
  const optimizer = new SGD([
    { params: [a], lr: 0.1 },
    { params: [b], lr: 0.2 },
  ])
  const scheduler = new SWALR(optimizer, { swaLr: [0.01, 0.05], annealEpochs: 2, annealStrategy: 'linear' })
  scheduler.step()
  t.deepEqual(scheduler.getLastLr(), [0.1 * 0.5 + 0.01 * 0.5, 0.2 * 0.5 + 0.05 * 0.5])
  t.throws(() => new SWALR(optimizer, { swaLr: -1 } as never), { message: /swaLr/ })
  t.throws(() => new SWALR(optimizer, { swaLr: 0.1, annealEpochs: 1.5 }), { message: /annealEpochs/ })
  t.throws(() => new SWALR(optimizer, { swaLr: 0.1, annealStrategy: 'exp' as never }), {
    message: /annealStrategy/,
  })
})
