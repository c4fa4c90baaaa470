import test from 'ava'
import fc from 'fast-check'
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingWarmRestarts,
  CosineDecayRestarts,
  chainedScheduler,
  constantLR,
  cosineDecayRestarts,
  ExponentialLR,
  exponentialLR,
  LambdaLR,
  type LRScheduler,
  ReduceLROnPlateau,
  type SchedulableOptimizer,
  type Scheduler,
  type SchedulerStateDict,
  SequentialLR,
  StepLR,
  stepLR,
} from '../src/schedulers/index.js'
import { CLOSED_FORMS, fakeOptimizer, mismatch } from './schedulers-fixtures.js'

// Seeded, so a failure reproduces; fast-check prints the shrunk counterexample.
const RUNS = { seed: 42, numRuns: 200 }

/** A scheduler to build: its kind, its options and, for composites, its children. */
interface Spec {
  kind: string
  options: Record<string, unknown>
  children?: Spec[]
}

const num = (min: number, max: number) => fc.double({ min, max, noNaN: true })
// 0 or a normal float: with subnormal lrs, torch's cosine formula (from − to)/2·(1 + cos) rounds
// the halving, so OneCycleLR can land one subnormal step below 0.
const lrValue = fc.oneof(fc.constant(0), num(1e-300, 1))
const int = (min: number, max: number) => fc.integer({ min, max })
const spec = (kind: string) => (options: Record<string, unknown>) => ({ kind, options })

/** Every closed-form scheduler with arbitrary valid options, except OneCycleLR (bounded length). */
const unbounded: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({ stepSize: int(1, 20), gamma: num(1e-3, 2) }).map(spec('stepLR')),
  fc
    .record({ milestones: fc.array(int(0, 60), { minLength: 1, maxLength: 5 }), gamma: num(1e-3, 2) })
    .map(spec('multiStepLR')),
  fc.record({ gamma: num(1e-3, 1.2) }).map(spec('exponentialLR')),
  fc.record({ tMax: int(1, 50), etaMin: num(0, 1) }).map(spec('cosineAnnealingLR')),
  fc.record({ t0: int(1, 20), tMult: int(1, 4), etaMin: num(0, 1) }).map(spec('cosineAnnealingWarmRestarts')),
  fc
    .record({ startFactor: num(1e-6, 1), endFactor: num(0, 1), totalIters: int(1, 30) })
    .map(spec('linearLR')),
  fc.record({ factor: num(0, 1), totalIters: int(0, 30) }).map(spec('constantLR')),
  fc.record({ totalIters: int(1, 30), power: num(0.1, 5) }).map(spec('polynomialLR')),
  fc.record({ decay: num(0.5, 1) }).map(spec('lambdaLR')),
  fc.record({ drop: num(1e-3, 1), epochsDrop: num(0.5, 20) }).map(spec('stepDecay')),
  fc.record({ k: num(0, 2) }).map(spec('expDecay')),
  fc.record({ totalEpochs: num(1, 100) }).map(spec('cosineDecay')),
  fc.record({ warmupSteps: int(1, 50) }).map(spec('linearWarmup')),
  fc
    .record({ firstDecaySteps: num(0.5, 30), tMul: num(1, 3), mMul: num(0, 1.5), alpha: num(0, 1) })
    .map(spec('cosineDecayRestarts')),
)

const oneCycle: fc.Arbitrary<Spec> = fc
  .record({
    maxLr: lrValue,
    totalSteps: int(10, 120),
    pctStart: num(0.15, 0.45),
    annealStrategy: fc.constantFrom('cos', 'linear'),
    divFactor: num(1, 100),
    finalDivFactor: num(1, 1e5),
    threePhase: fc.boolean(),
  })
  .map(spec('oneCycleLR'))

const sequential: fc.Arbitrary<Spec> = fc.array(unbounded, { minLength: 1, maxLength: 3 }).chain((children) =>
  fc
    .uniqueArray(int(1, 60), { minLength: children.length - 1, maxLength: children.length - 1 })
    .map((milestones) => ({
      kind: 'sequentialLR',
      children,
      options: { milestones: milestones.sort((a, b) => a - b) },
    })),
)

const chained: fc.Arbitrary<Spec> = fc
  .array(unbounded, { minLength: 1, maxLength: 3 })
  .map((children) => ({ kind: 'chainedScheduler', children, options: {} }))

const plateau: fc.Arbitrary<Spec> = fc
  .record({
    mode: fc.constantFrom('min', 'max'),
    factor: num(0, 0.99),
    patience: int(0, 5),
    threshold: num(0, 0.5),
    thresholdMode: fc.constantFrom('rel', 'abs'),
    cooldown: int(0, 3),
    minLr: num(0, 0.01),
    eps: num(0, 1e-6),
  })
  .map(spec('reduceLROnPlateau'))

const anyScheduler = fc.oneof(unbounded, oneCycle, sequential, chained, plateau)

function build(s: Spec, optimizer: SchedulableOptimizer): Scheduler {
  const children = () => (s.children ?? []).map((c) => build(c, optimizer) as LRScheduler)
  switch (s.kind) {
    case 'reduceLROnPlateau':
      return new ReduceLROnPlateau(optimizer, s.options)
    case 'lambdaLR':
      return new LambdaLR(optimizer, { lrLambda: (step) => (s.options.decay as number) ** step })
    case 'sequentialLR':
      return new SequentialLR(optimizer, {
        schedulers: children(),
        milestones: s.options.milestones as number[],
      })
    case 'chainedScheduler':
      return new ChainedScheduler(optimizer, { schedulers: children() })
    default:
      return (CLOSED_FORMS[s.kind] as (typeof CLOSED_FORMS)[string]).make(optimizer, s.options)
  }
}

/** How many steps a run of `s` may take (OneCycleLR ends at totalSteps). */
function maxSteps(s: Spec): number {
  return s.kind === 'oneCycleLR' ? (s.options.totalSteps as number) : Number.POSITIVE_INFINITY
}

function advance(scheduler: Scheduler, metric: number): void {
  if (scheduler instanceof ReduceLROnPlateau) scheduler.step(metric)
  else (scheduler as LRScheduler).step()
}

const metrics = fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 80, maxLength: 80 })
const baseLr = lrValue

test('lr is never negative or NaN for valid options, in any param group', (t) => {
  fc.assert(
    fc.property(anyScheduler, baseLr, baseLr, metrics, (s, b0, b1, ms) => {
      const optimizer = fakeOptimizer(b0, b1)
      const scheduler = build(s, optimizer)
      const steps = Math.min(ms.length, maxSteps(s))
      for (let k = 0; k <= steps; k++) {
        if (k > 0) advance(scheduler, ms[k - 1] as number)
        for (const lr of scheduler.getLastLr()) if (!(Number.isFinite(lr) && lr >= 0)) return false
      }
      return true
    }),
    RUNS,
  )
  t.pass()
})

test('CosineAnnealingWarmRestarts is back at B exactly on the restart steps t0·(1 + tMult + …) and only there', (t) => {
  fc.assert(
    fc.property(int(1, 12), int(1, 4), num(0.01, 1), num(0, 0.5), (t0, tMult, b, etaFraction) => {
      const etaMin = b * etaFraction
      const restarts = new Set<number>()
      for (let r = 0, length = t0; r <= 400; r += length, length *= tMult) restarts.add(r)
      const scheduler = new CosineAnnealingWarmRestarts(fakeOptimizer(b), { t0, tMult, etaMin })
      for (let s = 0; s <= 400; s++) {
        const lr = scheduler.lrAt(s)[0] as number
        const atPeak = mismatch(lr, b) === undefined
        if (atPeak !== restarts.has(s)) return false
      }
      return true
    }),
    RUNS,
  )
  t.pass()
})

test('CosineDecayRestarts restarts at F·(tMul^i − 1)/(tMul − 1) with peak B·(alpha + (1 − alpha)·mMul^i)', (t) => {
  fc.assert(
    fc.property(
      int(1, 12),
      fc.constantFrom(1, 1.5, 2, 3),
      num(0.1, 1),
      num(0, 0.5),
      num(0.01, 1),
      (firstDecaySteps, tMul, mMul, alpha, b) => {
        const options = { firstDecaySteps, tMul, mMul, alpha }
        for (let i = 0; i < 40; i++) {
          // Geometric sum in closed form: exact for these dyadic tMul, independent of the implementation's walk.
          const restart = tMul === 1 ? i * firstDecaySteps : (firstDecaySteps * (tMul ** i - 1)) / (tMul - 1)
          if (restart > 2000) break
          if (!Number.isInteger(restart)) continue
          const peak = b * (alpha + (1 - alpha) * mMul ** i)
          if (mismatch(cosineDecayRestarts(restart, b, options), peak) !== undefined) return false
          // The step before a restart is late in the previous cycle, below that cycle's peak
          // (when that cycle is longer than one step and its cosine is not lost under the floor).
          const previousLength = firstDecaySteps * tMul ** (i - 1)
          const previousAmplitude = (1 - alpha) * mMul ** (i - 1)
          if (
            restart > 0 &&
            previousLength > 1 &&
            previousAmplitude > 1e-3 &&
            cosineDecayRestarts(restart - 1, b, options) >= b * (alpha + (1 - alpha) * mMul ** (i - 1))
          ) {
            return false
          }
        }
        return true
      },
    ),
    RUNS,
  )
  t.pass()
})

test('CosineDecayRestarts with tMul 1.5 restarts at 4, 10, 19 and not on the half step 32.5', (t) => {
  const options = { firstDecaySteps: 4, tMul: 1.5, mMul: 1, alpha: 0 }
  for (const restart of [0, 4, 10, 19]) t.is(cosineDecayRestarts(restart, 1, options), 1)
  // 32 is 13 steps into the 13.5-step cycle that starts at 19; 33 is half a step into the next.
  t.true(cosineDecayRestarts(32, 1, options) < 0.01)
  t.true(cosineDecayRestarts(33, 1, options) > 0.99)
})

test('ReduceLROnPlateau never goes below minLr and never raises the lr', (t) => {
  fc.assert(
    fc.property(
      plateau,
      num(0, 0.01),
      num(0, 1),
      fc.array(fc.oneof(fc.double(), fc.double({ min: 0, max: 1 })), { maxLength: 120 }),
      (s, minLr1, extra, ms) => {
        const minLrs = [s.options.minLr as number, minLr1]
        const optimizer = fakeOptimizer((minLrs[0] as number) + extra, minLr1 + extra)
        const scheduler = new ReduceLROnPlateau(optimizer, { ...s.options, minLr: minLrs })
        let previous = scheduler.getLastLr()
        for (const m of ms) {
          scheduler.step(m)
          const lrs = scheduler.getLastLr()
          for (const [g, lr] of lrs.entries()) {
            if (!(lr >= (minLrs[g] as number) && lr <= (previous[g] as number))) return false
          }
          previous = lrs
        }
        return true
      },
    ),
    RUNS,
  )
  t.pass()
})

/** Runs `steps` steps, snapshotting the lrs after each (index k = after k steps). */
function run(scheduler: Scheduler, ms: readonly number[], from: number, to: number): number[][] {
  const lrs: number[][] = []
  for (let k = from + 1; k <= to; k++) {
    advance(scheduler, ms[k - 1] as number)
    lrs.push(scheduler.getLastLr())
  }
  return lrs
}

for (const [how, roundTrip] of [
  ['JSON', (sd: SchedulerStateDict) => JSON.parse(JSON.stringify(sd)) as SchedulerStateDict],
  ['structuredClone', (sd: SchedulerStateDict) => structuredClone(sd)],
] as const) {
  test(`a schedule resumed from its stateDict (${how} round trip) matches an uninterrupted one`, (t) => {
    fc.assert(
      fc.property(anyScheduler, baseLr, baseLr, metrics, int(0, 80), (s, b0, b1, ms, at) => {
        const steps = Math.min(ms.length, maxSteps(s))
        const split = Math.min(at, steps)
        const uninterrupted = run(build(s, fakeOptimizer(b0, b1)), ms, 0, steps)

        const first = build(s, fakeOptimizer(b0, b1))
        run(first, ms, 0, split)
        const saved = roundTrip(first.stateDict())
        // A new process: a fresh optimizer at its initial lrs and a fresh scheduler, then the load.
        const optimizer = fakeOptimizer(b0, b1)
        const resumed = build(s, optimizer)
        resumed.loadStateDict(saved)
        if (resumed.lastEpoch !== split) return false
        const expectedNow = split === 0 ? first.getLastLr() : uninterrupted[split - 1]
        if (JSON.stringify(resumed.getLastLr()) !== JSON.stringify(expectedNow)) return false
        if (optimizer.paramGroups.some((g, i) => g.lr !== resumed.getLastLr()[i])) return false
        const rest = run(resumed, ms, split, steps)
        return rest.every((lrs, i) => lrs.every((lr, g) => lr === uninterrupted[split + i]?.[g]))
      }),
      RUNS,
    )
    t.pass()
  })
}

test('ReduceLROnPlateau state keeps an infinite best through JSON', (t) => {
  const scheduler = new ReduceLROnPlateau(fakeOptimizer(0.1))
  const saved = JSON.parse(JSON.stringify(scheduler.stateDict()))
  t.is(saved.best, 'Infinity')
  scheduler.step(Number.NEGATIVE_INFINITY)
  const again = new ReduceLROnPlateau(fakeOptimizer(0.1))
  again.loadStateDict(JSON.parse(JSON.stringify(scheduler.stateDict())))
  t.is(again.best, Number.NEGATIVE_INFINITY)
})

test('ChainedScheduler multiplies the factors of multiplicative schedules, in any order', (t) => {
  const b = 0.2
  const expected = (s: number) => b * (s < 3 ? 0.5 : 1) * 0.9 ** s * 0.5 ** Math.floor(s / 4)
  for (const order of [
    [0, 1, 2],
    [2, 0, 1],
  ]) {
    const optimizer = fakeOptimizer(b)
    const makers = [
      () => new ConstantLR(optimizer, { factor: 0.5, totalIters: 3 }),
      () => new ExponentialLR(optimizer, { gamma: 0.9 }),
      () => new StepLR(optimizer, { stepSize: 4, gamma: 0.5 }),
    ]
    const schedulers = order.map((i) => (makers[i] as () => LRScheduler)())
    const chain = new ChainedScheduler(optimizer, { schedulers })
    for (let s = 0; s <= 30; s++) {
      if (s > 0) chain.step()
      const bad = mismatch(chain.getLastLr()[0] as number, expected(s))
      if (bad) return t.fail(`order ${order}, step ${s}: ${bad}`)
      const pure = chainedScheduler(s, b, {
        schedules: [
          (k, lr) => constantLR(k, lr, { factor: 0.5, totalIters: 3 }),
          (k, lr) => exponentialLR(k, lr, { gamma: 0.9 }),
          (k, lr) => stepLR(k, lr, { stepSize: 4, gamma: 0.5 }),
        ],
      })
      t.is(mismatch(pure, expected(s)), undefined)
    }
  }
})

test('schedulers built one after another on one optimizer share its initial lr as base', (t) => {
  const optimizer = fakeOptimizer(0.1)
  const warmup = new ConstantLR(optimizer, { factor: 0.25 })
  t.is(optimizer.paramGroups[0]?.lr, 0.025)
  const decay = new CosineDecayRestarts(optimizer, { firstDecaySteps: 10 })
  t.deepEqual(warmup.baseLrs, [0.1])
  t.deepEqual(decay.baseLrs, [0.1])
  t.deepEqual(decay.lrAt(0), [0.1])
})
