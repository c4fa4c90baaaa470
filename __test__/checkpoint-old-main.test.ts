/**
 * Checkpoints written by an older descent (commit 50e1484, before the named scalar layouts and
 * the shared gradient prelude; see fixtures/checkpoints/write.js) load into today's code, hold
 * exactly the state today's code reaches by the same training, and training on from them gives
 * exactly what an uninterrupted run of today's code gives.
 *
 * On the native backend "exactly" held until the dense layers moved to the gemm crate's kernels
 * (issue 14): its products round differently from matrixmultiply's, so a model trained today
 * differs from the old run in the last bits. There the test checks that the old checkpoint loads
 * and agrees with today's training to 1e-4, and that training on from it gives, bit for bit, what
 * training on from the same state written by today's code gives. The optimizer rules themselves
 * are unchanged: the JS backend and the optimizer tests on plain parameters still hold exactly.
 */
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import {
  Adafactor,
  Adam,
  data,
  Lion,
  loadCheckpoint,
  MLP,
  NAdam,
  type Optimizer,
  RMSprop,
  SGD,
  StepLR,
  saveCheckpoint,
} from '../src/index.js'
import { BACKENDS, observe } from './helpers/models.js'

// biome-ignore lint/suspicious/noExplicitAny: any optimizer
type Make = (p: ReturnType<MLP['parameters']>) => Optimizer<any>

/** The cases of fixtures/checkpoints/write.js, with the same settings. */
const CASES: Record<string, Make> = {
  adam: (p) => new Adam(p, { lr: 0.01, weightDecay: 0.01, amsgrad: true }),
  sgd: (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
  rmsprop: (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5, weightDecay: 1e-3 }),
  nadam: (p) => new NAdam(p, { lr: 0.01 }),
  lion: (p) => new Lion(p, { lr: 1e-3, weightDecay: 0.1 }),
  adafactor: (p) => new Adafactor(p, { lr: 0.01 }),
}
const FIXTURES = join(__dirname, '..', '..', '__test__', 'fixtures', 'checkpoints')
const { x, y } = data.blobs({ samples: 96, features: 5, centers: 3, seed: 9 })

function setup(make: Make, backend: 'native' | 'js') {
  const model = new MLP({ sizes: [5, 7, 3], seed: 4, backend })
  const optimizer = make(model.parameters())
  const scheduler = new StepLR(optimizer, { stepSize: 3, gamma: 0.7 })
  const fit = (epochs: number, seed: number) =>
    model.fit(x, y, { optimizer, scheduler, schedulerStep: 'batch', batchSize: 16, epochs, seed })
  // Checkpoints hold no gradients: compare everything else.
  const state = () => {
    const { grad: _, ...rest } = observe(model, optimizer)
    return { ...rest, scheduler: scheduler.stateDict() }
  }
  return { model, optimizer, scheduler, fit, state }
}

/** Whether two observed states agree: the same structure and integers, floats within `tolerance`. */
function close(a: unknown, b: unknown, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return Number.isInteger(a) && Number.isInteger(b)
      ? a === b
      : Math.abs(a - b) <= tolerance * (1 + Math.abs(b))
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b))
    return close(Array.from(a as Float64Array), Array.from(b as Float64Array), tolerance)
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => close(v, b[i], tolerance))
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) =>
        close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tolerance),
      )
    )
  }
  return Object.is(a, b)
}

for (const [name, make] of Object.entries(CASES)) {
  for (const backend of BACKENDS) {
    test(`${name}, ${backend}: a checkpoint from the older main resumes exactly`, async (t) => {
      const straight = setup(make, backend)
      straight.fit(2, 1)
      const resumed = setup(make, backend)
      const { model, optimizer, scheduler } = resumed
      await loadCheckpoint(join(FIXTURES, `${name}-${backend}.safetensors`), { model, optimizer, scheduler })
      if (backend === 'js') {
        t.deepEqual(resumed.state(), straight.state(), 'the old checkpoint holds what today’s code trains')
        straight.fit(2, 2)
        resumed.fit(2, 2)
        t.deepEqual(resumed.state(), straight.state())
        return
      }
      t.true(
        close(resumed.state(), straight.state(), 1e-4),
        'the old checkpoint holds what today’s code trains, to 1e-4',
      )
      // Today's code resumes the old state exactly: as from the same state written today.
      const path = join(tmpdir(), `descent-old-main-${name}-${process.pid}.safetensors`)
      await saveCheckpoint(path, { model, optimizer, scheduler })
      const again = setup(make, backend)
      await loadCheckpoint(path, {
        model: again.model,
        optimizer: again.optimizer,
        scheduler: again.scheduler,
      })
      rmSync(path, { force: true })
      resumed.fit(2, 2)
      again.fit(2, 2)
      t.deepEqual(again.state(), resumed.state())
    })
  }
}
