import test from 'ava'
import {
  ChainedScheduler,
  ConstantLR,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  CosineDecay,
  CosineDecayRestarts,
  ExpDecay,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  LinearWarmup,
  MultiStepLR,
  OneCycleLR,
  oneCycleLR,
  PolynomialLR,
  ReduceLROnPlateau,
  type SchedulableOptimizer,
  SequentialLR,
  StepDecay,
  StepLR,
  sequentialLR,
  stepLR,
} from '../src/schedulers/index.js'
import { fakeOptimizer } from './schedulers-fixtures.js'

type ErrorClass = typeof TypeError | typeof RangeError

/** Values the option types forbid, passed on purpose: `never` is assignable to every parameter. */
type Loose = never

const opt = () => fakeOptimizer(0.1)

/** [what is wrong, code that must throw, error class, message pattern]. */
const CASES: [string, (o: SchedulableOptimizer) => unknown, ErrorClass, RegExp][] = [
  // The optimizer argument.
  [
    'no optimizer',
    () => new StepLR(undefined as Loose, { stepSize: 1 }),
    TypeError,
    /optimizer must be an object with a paramGroups array/,
  ],
  ['optimizer without paramGroups', () => new StepLR({} as Loose, { stepSize: 1 }), TypeError, /paramGroups/],
  [
    'optimizer with no groups',
    () => new StepLR({ paramGroups: [] }, { stepSize: 1 }),
    RangeError,
    /paramGroups must not be empty/,
  ],
  [
    'a group lr that is NaN',
    () => new StepLR(fakeOptimizer(Number.NaN), { stepSize: 1 }),
    RangeError,
    /paramGroups\[0\]\.lr/,
  ],
  [
    'a group lr that is a string',
    () => new StepLR({ paramGroups: [{ lr: '0.1' as Loose }] }, { stepSize: 1 }),
    TypeError,
    /paramGroups\[0\]\.lr/,
  ],
  // Options objects and names.
  [
    'options not an object',
    (o) => new StepLR(o, 7 as Loose),
    TypeError,
    /StepLR: options must be a plain object, got 7/,
  ],
  [
    'torch spelling step_size',
    (o) => new StepLR(o, { step_size: 7 } as Loose),
    TypeError,
    /StepLR: unknown option 'step_size'/,
  ],
  [
    'unknown option on an all-defaults scheduler',
    (o) => new LinearLR(o, { warmup: 3 } as Loose),
    TypeError,
    /unknown option 'warmup'/,
  ],
  [
    'missing required option',
    (o) => new StepLR(o, {} as Loose),
    TypeError,
    /StepLR: option 'stepSize' is required \(an integer >= 1\)/,
  ],
  [
    'null as an option value',
    (o) => new StepLR(o, { stepSize: 3, gamma: null } as Loose),
    TypeError,
    /option 'gamma'/,
  ],
  // StepLR, MultiStepLR, ExponentialLR.
  [
    'negative gamma',
    (o) => new StepLR(o, { stepSize: 3, gamma: -1 }),
    RangeError,
    /^StepLR: option 'gamma' must be a finite number > 0, got -1$/,
  ],
  [
    'gamma 0',
    (o) => new StepLR(o, { stepSize: 3, gamma: 0 }),
    RangeError,
    /option 'gamma' must be a finite number > 0, got 0/,
  ],
  [
    'gamma as a string',
    (o) => new StepLR(o, { stepSize: 3, gamma: '0.5' } as Loose),
    TypeError,
    /option 'gamma' must be a finite number > 0, got "0.5"/,
  ],
  [
    'negative stepSize',
    (o) => new StepLR(o, { stepSize: -3 }),
    RangeError,
    /option 'stepSize' must be an integer >= 1, got -3/,
  ],
  [
    'fractional stepSize',
    (o) => new StepLR(o, { stepSize: 2.5 }),
    RangeError,
    /option 'stepSize' must be an integer >= 1/,
  ],
  [
    'empty milestones',
    (o) => new MultiStepLR(o, { milestones: [] }),
    RangeError,
    /MultiStepLR: option 'milestones' must not be empty/,
  ],
  [
    'negative milestone',
    (o) => new MultiStepLR(o, { milestones: [3, -1] }),
    RangeError,
    /option 'milestones\[1\]' must be an integer >= 0, got -1/,
  ],
  [
    'milestones not an array',
    (o) => new MultiStepLR(o, { milestones: 5 } as Loose),
    TypeError,
    /option 'milestones'/,
  ],
  [
    'missing gamma for ExponentialLR',
    (o) => new ExponentialLR(o, {} as Loose),
    TypeError,
    /ExponentialLR: option 'gamma' is required/,
  ],
  ['infinite gamma', (o) => new ExponentialLR(o, { gamma: Number.POSITIVE_INFINITY }), RangeError, /gamma/],
  // Cosine schedules.
  [
    'tMax 0',
    (o) => new CosineAnnealingLR(o, { tMax: 0 }),
    RangeError,
    /option 'tMax' must be an integer >= 1, got 0/,
  ],
  [
    'negative etaMin',
    (o) => new CosineAnnealingLR(o, { tMax: 5, etaMin: -1e-3 }),
    RangeError,
    /option 'etaMin' must be a finite number >= 0/,
  ],
  [
    'tMult < 1',
    (o) => new CosineAnnealingWarmRestarts(o, { t0: 5, tMult: 0.5 }),
    RangeError,
    /option 'tMult' must be an integer >= 1, got 0.5/,
  ],
  [
    'non-integer tMult',
    (o) => new CosineAnnealingWarmRestarts(o, { t0: 5, tMult: 1.5 }),
    RangeError,
    /option 'tMult' must be an integer >= 1/,
  ],
  [
    'non-integer t0',
    (o) => new CosineAnnealingWarmRestarts(o, { t0: 2.5 }),
    RangeError,
    /option 't0' must be an integer >= 1/,
  ],
  [
    'torch spelling T_0',
    (o) => new CosineAnnealingWarmRestarts(o, { T_0: 5 } as Loose),
    TypeError,
    /unknown option 'T_0'/,
  ],
  // LinearLR, ConstantLR, PolynomialLR.
  [
    'startFactor 0',
    (o) => new LinearLR(o, { startFactor: 0 }),
    RangeError,
    /option 'startFactor' must be a number in \(0, 1\], got 0/,
  ],
  [
    'endFactor > 1',
    (o) => new LinearLR(o, { endFactor: 1.5 }),
    RangeError,
    /option 'endFactor' must be a number in \[0, 1\]/,
  ],
  [
    'totalIters 0 for LinearLR',
    (o) => new LinearLR(o, { totalIters: 0 }),
    RangeError,
    /option 'totalIters' must be an integer >= 1/,
  ],
  [
    'ConstantLR factor > 1',
    (o) => new ConstantLR(o, { factor: 2 }),
    RangeError,
    /option 'factor' must be a number in \[0, 1\]/,
  ],
  [
    'negative totalIters for ConstantLR',
    (o) => new ConstantLR(o, { totalIters: -1 }),
    RangeError,
    /option 'totalIters' must be an integer >= 0/,
  ],
  [
    'power 0',
    (o) => new PolynomialLR(o, { power: 0 }),
    RangeError,
    /option 'power' must be a finite number > 0/,
  ],
  // OneCycleLR.
  [
    'no cycle length',
    (o) => new OneCycleLR(o, { maxLr: 0.1 }),
    TypeError,
    /OneCycleLR: option 'totalSteps' is required/,
  ],
  [
    'epochs without stepsPerEpoch',
    (o) => new OneCycleLR(o, { maxLr: 0.1, epochs: 3 }),
    TypeError,
    /'epochs' and 'stepsPerEpoch'/,
  ],
  [
    'totalSteps disagreeing with epochs',
    (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, epochs: 2, stepsPerEpoch: 3 }),
    RangeError,
    /disagrees/,
  ],
  [
    'totalSteps 0',
    (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 0 }),
    RangeError,
    /option 'totalSteps' must be an integer >= 1, got 0/,
  ],
  [
    'pctStart > 1',
    (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 50, pctStart: 1.5 }),
    RangeError,
    /option 'pctStart' must be a number in \[0, 1\]/,
  ],
  [
    'an empty first phase',
    (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, pctStart: 0.1 }),
    RangeError,
    /leave phase 1 without steps/,
  ],
  [
    'an empty last phase',
    (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, pctStart: 0.6, threePhase: true }),
    RangeError,
    /leave phase 3 without steps/,
  ],
  [
    'unknown annealStrategy',
    (o) => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, annealStrategy: 'cosine' } as Loose),
    TypeError,
    /option 'annealStrategy' must be one of 'cos', 'linear', got "cosine"/,
  ],
  [
    'maxLr per group of the wrong length',
    (o) => new OneCycleLR(o, { maxLr: [0.1, 0.2], totalSteps: 10 }),
    RangeError,
    /option 'maxLr' must have one entry per param group \(1\)/,
  ],
  [
    'negative maxLr',
    (o) => new OneCycleLR(o, { maxLr: -0.1, totalSteps: 10 }),
    RangeError,
    /option 'maxLr' must be a finite number >= 0/,
  ],
  // LambdaLR.
  [
    'lrLambda not a function',
    (o) => new LambdaLR(o, { lrLambda: 0.5 } as Loose),
    TypeError,
    /option 'lrLambda' must be a function/,
  ],
  [
    'one lrLambda too many',
    (o) => new LambdaLR(o, { lrLambda: [() => 1, () => 1] }),
    RangeError,
    /one function per param group \(1\)/,
  ],
  [
    'lrLambda returning NaN',
    (o) => new LambdaLR(o, { lrLambda: () => Number.NaN }),
    RangeError,
    /LambdaLR: lrLambda\(0\) must be a finite number >= 0, got NaN/,
  ],
  [
    'lrLambda returning a negative factor',
    (o) => new LambdaLR(o, { lrLambda: () => -1 }),
    RangeError,
    /lrLambda\(0\)/,
  ],
  // ReduceLROnPlateau.
  [
    'plateau factor 1',
    (o) => new ReduceLROnPlateau(o, { factor: 1 }),
    RangeError,
    /ReduceLROnPlateau: option 'factor' must be a number in \[0, 1\), got 1/,
  ],
  ['plateau factor > 1', (o) => new ReduceLROnPlateau(o, { factor: 1.5 }), RangeError, /option 'factor'/],
  [
    'unknown mode',
    (o) => new ReduceLROnPlateau(o, { mode: 'minimum' } as Loose),
    TypeError,
    /option 'mode' must be one of 'min', 'max'/,
  ],
  [
    'negative patience',
    (o) => new ReduceLROnPlateau(o, { patience: -1 }),
    RangeError,
    /option 'patience' must be an integer >= 0/,
  ],
  [
    'relative threshold 1',
    (o) => new ReduceLROnPlateau(o, { threshold: 1 }),
    RangeError,
    /option 'threshold' must be a number in \[0, 1\)/,
  ],
  [
    'minLr per group of the wrong length',
    (o) => new ReduceLROnPlateau(o, { minLr: [0, 0] }),
    RangeError,
    /option 'minLr' must have one entry per param group/,
  ],
  ['negative minLr', (o) => new ReduceLROnPlateau(o, { minLr: -1 }), RangeError, /option 'minLr'/],
  [
    'a metric that is not a number',
    (o) => new ReduceLROnPlateau(o).step('0.5' as Loose),
    TypeError,
    /ReduceLROnPlateau.step: metric must be a number, got "0.5"/,
  ],
  // SequentialLR and ChainedScheduler.
  [
    'ReduceLROnPlateau inside SequentialLR',
    (o) => new SequentialLR(o, { schedulers: [new ReduceLROnPlateau(o) as Loose], milestones: [] }),
    TypeError,
    /metric-driven/,
  ],
  [
    'ReduceLROnPlateau inside ChainedScheduler',
    (o) => new ChainedScheduler(o, { schedulers: [new ReduceLROnPlateau(o) as Loose] }),
    TypeError,
    /metric-driven/,
  ],
  [
    'a child on another optimizer',
    (o) => new SequentialLR(o, { schedulers: [new StepLR(opt(), { stepSize: 2 })], milestones: [] }),
    RangeError,
    /schedulers\[0\]' drives a different optimizer/,
  ],
  [
    'no schedulers',
    (o) => new SequentialLR(o, { schedulers: [], milestones: [] }),
    RangeError,
    /option 'schedulers' must not be empty/,
  ],
  [
    'milestones count',
    (o) => new SequentialLR(o, { schedulers: [new ConstantLR(o), new ConstantLR(o)], milestones: [] }),
    RangeError,
    /one entry fewer than the schedules \(1\), got 0/,
  ],
  [
    'milestone 0',
    (o) => new SequentialLR(o, { schedulers: [new ConstantLR(o), new ConstantLR(o)], milestones: [0] }),
    RangeError,
    /milestones\[0\]' must be an integer >= 1/,
  ],
  [
    'milestones not increasing',
    (o) =>
      new SequentialLR(o, {
        schedulers: [new ConstantLR(o), new ConstantLR(o), new ConstantLR(o)],
        milestones: [5, 5],
      }),
    RangeError,
    /strictly increasing, got \[5, 5\]/,
  ],
  [
    'a child that is not a scheduler',
    (o) => new ChainedScheduler(o, { schedulers: [{ step() {} } as Loose] }),
    TypeError,
    /schedulers\[0\]' must be a closed-form scheduler/,
  ],
  ['empty chain', (o) => new ChainedScheduler(o, { schedulers: [] }), RangeError, /must not be empty/],
  // The tutorial's variants.
  [
    'StepDecay drop 0',
    (o) => new StepDecay(o, { drop: 0 }),
    RangeError,
    /StepDecay: option 'drop' must be a finite number > 0/,
  ],
  [
    'StepDecay negative epochsDrop',
    (o) => new StepDecay(o, { epochsDrop: -10 }),
    RangeError,
    /option 'epochsDrop'/,
  ],
  [
    'ExpDecay negative k',
    (o) => new ExpDecay(o, { k: -0.1 }),
    RangeError,
    /ExpDecay: option 'k' must be a finite number >= 0/,
  ],
  [
    'CosineDecay without totalEpochs',
    (o) => new CosineDecay(o, {} as Loose),
    TypeError,
    /option 'totalEpochs' is required/,
  ],
  [
    'LinearWarmup fractional warmupSteps',
    (o) => new LinearWarmup(o, { warmupSteps: 1.5 }),
    RangeError,
    /option 'warmupSteps' must be an integer >= 1/,
  ],
  [
    'CosineDecayRestarts tMul < 1',
    (o) => new CosineDecayRestarts(o, { firstDecaySteps: 10, tMul: 0.5 }),
    RangeError,
    /option 'tMul' must be a finite number >= 1, got 0.5/,
  ],
  [
    'CosineDecayRestarts alpha > 1',
    (o) => new CosineDecayRestarts(o, { firstDecaySteps: 10, alpha: 2 }),
    RangeError,
    /option 'alpha' must be a number in \[0, 1\]/,
  ],
  [
    'CosineDecayRestarts torch-style name',
    (o) => new CosineDecayRestarts(o, { firstDecaySteps: 10, t_mul: 2 } as Loose),
    TypeError,
    /unknown option 't_mul'/,
  ],
  // Pure functions and lrAt.
  [
    'negative step',
    () => stepLR(-1, 0.1, { stepSize: 2 }),
    RangeError,
    /stepLR: step must be an integer >= 0, got -1/,
  ],
  [
    'fractional step',
    (o) => new StepLR(o, { stepSize: 2 }).lrAt(1.5),
    RangeError,
    /StepLR.lrAt: step must be an integer >= 0, got 1.5/,
  ],
  [
    'negative base lr',
    () => stepLR(0, -0.1, { stepSize: 2 }),
    RangeError,
    /stepLR: baseLr must be a finite number >= 0/,
  ],
  [
    'bad options to a pure function',
    () => stepLR(0, 0.1, { stepSize: 2, gamma: 0 }),
    RangeError,
    /stepLR: option 'gamma'/,
  ],
  [
    'oneCycleLR past totalSteps',
    () => oneCycleLR(11, { maxLr: 0.1, totalSteps: 10 }),
    RangeError,
    /oneCycleLR: step 11 is past the end of the cycle \(totalSteps 10\)/,
  ],
  [
    'sequentialLR without functions',
    () => sequentialLR(0, 0.1, { schedules: [1 as Loose], milestones: [] }),
    TypeError,
    /option 'schedules'/,
  ],
]

for (const [what, run, ErrorClass, message] of CASES) {
  test(`${what} → ${ErrorClass.name}`, (t) => {
    const optimizer = opt()
    t.throws(() => run(optimizer), { instanceOf: ErrorClass, message })
  })
}

test('a constructor that throws has not touched the lr', (t) => {
  const optimizer = opt()
  t.throws(() => new StepLR(optimizer, { stepSize: 2, gamma: -1 }))
  t.throws(() => new LinearLR(optimizer, { startFactor: 2 }))
  t.throws(() => new OneCycleLR(optimizer, { maxLr: 1, totalSteps: 10, pctStart: 0.05 }))
  t.throws(() => new LambdaLR(optimizer, { lrLambda: () => Number.NaN }))
  t.is(optimizer.paramGroups[0]?.lr, 0.1)
  // Nor recorded a base lr: the first scheduler that succeeds takes the lr it finds.
  ;(optimizer.paramGroups[0] as { lr: number }).lr = 0.3
  t.deepEqual(new StepLR(optimizer, { stepSize: 2 }).baseLrs, [0.3])
})

test('stepping OneCycleLR past totalSteps throws and changes nothing', (t) => {
  const optimizer = opt()
  const scheduler = new OneCycleLR(optimizer, { maxLr: 1, totalSteps: 10 })
  for (let k = 0; k < 10; k++) scheduler.step()
  t.is(scheduler.lastEpoch, 10)
  const before = optimizer.paramGroups[0]?.lr
  t.is(before, 1 / 25 / 1e4, 'step totalSteps holds the final lr')
  t.throws(() => scheduler.step(), { instanceOf: RangeError, message: /OneCycleLR: step 11 is past the end/ })
  t.is(scheduler.lastEpoch, 10)
  t.is(optimizer.paramGroups[0]?.lr, before)
  t.throws(() => scheduler.lrAt(11), { instanceOf: RangeError })
})

test('a param group added after construction is reported, not silently skipped', (t) => {
  const optimizer = fakeOptimizer(0.1)
  const scheduler = new StepLR(optimizer, { stepSize: 1 })
  optimizer.paramGroups.push({ lr: 0.5 })
  t.throws(() => scheduler.step(), {
    instanceOf: RangeError,
    message: /the optimizer has 2 param groups but this scheduler was built for 1/,
  })
  t.is(scheduler.lastEpoch, 0)
})

test('loadStateDict validates everything before changing anything', (t) => {
  const optimizer = fakeOptimizer(0.1)
  const scheduler = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 })
  scheduler.step()
  scheduler.step()
  const good = scheduler.stateDict()
  const bad: [unknown, ErrorClass, RegExp][] = [
    [null, TypeError, /state must be a plain object/],
    [
      { ...good, scheduler: 'ExponentialLR' },
      TypeError,
      /state dict is from "ExponentialLR", expected 'StepLR'/,
    ],
    [{ ...good, lastEpoch: -1 }, RangeError, /lastEpoch must be an integer >= 0/],
    [{ ...good, lastEpoch: 2.5 }, RangeError, /lastEpoch/],
    [{ ...good, baseLrs: [0.1, 0.1] }, RangeError, /baseLrs must have one entry per param group \(1\)/],
    [{ ...good, baseLrs: [Number.NaN] }, RangeError, /baseLrs\[0\]/],
    [{ ...good, lastLr: 'x' }, TypeError, /lastLr must be an array/],
  ]
  for (const [state, ErrorClass, message] of bad) {
    t.throws(() => scheduler.loadStateDict(state as Loose), { instanceOf: ErrorClass, message })
    t.is(scheduler.lastEpoch, 2)
    t.is(optimizer.paramGroups[0]?.lr, 0.05)
  }
  const plateau = new ReduceLROnPlateau(optimizer)
  t.throws(() => plateau.loadStateDict({ ...plateau.stateDict(), best: null } as Loose), {
    instanceOf: TypeError,
    message: /best must be a finite number, got null/,
  })
  t.throws(() => plateau.loadStateDict({ ...plateau.stateDict(), numBadEpochs: -1 }), {
    instanceOf: RangeError,
  })
  const cycle = new OneCycleLR(fakeOptimizer(0.1), { maxLr: 1, totalSteps: 10 })
  t.throws(() => cycle.loadStateDict({ ...cycle.stateDict(), lastEpoch: 11 }), { instanceOf: RangeError })
  t.is(cycle.lastEpoch, 0)
})
