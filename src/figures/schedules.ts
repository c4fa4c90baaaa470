import type { Chart, Row } from '../report/chart.js'
import { lineChart } from '../report/charts/line-chart.js'
import type { Table } from '../report/table.js'
import {
  chainedScheduler,
  constantLR,
  cosineAnnealingLR,
  cosineAnnealingWarmRestarts,
  cosineDecay,
  cosineDecayRestarts,
  expDecay,
  exponentialLR,
  lambdaLR,
  linearLR,
  linearWarmup,
  multiStepLR,
  oneCycleLR,
  polynomialLR,
  ReduceLROnPlateau,
  sequentialLR,
  stepDecay,
  stepLR,
} from '../schedulers/index.js'
import { tutorialCosineDecayRestart } from '../tutorial/formulas.js'

/** A named schedule: a label with its options and lr(s) for s = 0, 1, … */
interface NamedSchedule {
  name: string
  settings: string
  lr: (step: number) => number
}

const B = 0.1
const STEPS = 100

/** The tutorial's LearningRateScheduler figure: its three decays over 100 epochs from lr0 0.1. */
export const TUTORIAL_DECAYS: readonly NamedSchedule[] = [
  { name: 'Step Decay', settings: 'StepDecay drop 0.5, epochsDrop 10', lr: (e) => stepDecay(e, B) },
  { name: 'Exp Decay', settings: 'ExpDecay k 0.1', lr: (e) => expDecay(e, B) },
  {
    name: 'Cosine Decay',
    settings: 'CosineDecay totalEpochs 100',
    lr: (e) => cosineDecay(e, B, { totalEpochs: 100 }),
  },
]

/** The restarts demo of ALGORITHMS.md §15: lr0 1e-3, minLr 1e-6 (alpha 1e-3), tMul 2, mMul 0.5, 20000 steps. */
export const RESTARTS_DEMO = {
  lr0: 1e-3,
  minLr: 1e-6,
  firstDecaySteps: 5000,
  tMul: 2,
  mMul: 0.5,
  warmupSteps: 1000,
  steps: 20000,
}

const demo = RESTARTS_DEMO
const restarts = (s: number, b: number) =>
  cosineDecayRestarts(s, b, {
    firstDecaySteps: demo.firstDecaySteps,
    tMul: demo.tMul,
    mMul: demo.mMul,
    alpha: demo.minLr / demo.lr0,
  })

/** The restarts figure's three curves: descent's warmup + restarts, restarts alone, and the tutorial's formula. */
export const RESTARTS_CURVES: readonly NamedSchedule[] = [
  {
    name: 'warmup + cosine restarts (descent)',
    settings:
      'SequentialLR [LinearWarmup 1000, CosineDecayRestarts 5000, tMul 2, mMul 0.5, alpha 1e-3], milestones [1000]',
    lr: (s) =>
      sequentialLR(s, demo.lr0, {
        schedules: [(k, b) => linearWarmup(k, b, { warmupSteps: demo.warmupSteps }), restarts],
        milestones: [demo.warmupSteps],
      }),
  },
  {
    name: 'cosine restarts, no warmup (Keras, what the tutorial meant)',
    settings: 'CosineDecayRestarts firstDecaySteps 5000, tMul 2, mMul 0.5, alpha 1e-3',
    lr: (s) => restarts(s, demo.lr0),
  },
  {
    name: "the tutorial's formula (wrong period)",
    settings: 'cosine_decay_restart as written in the tutorial',
    lr: (s) =>
      tutorialCosineDecayRestart(s, demo.lr0, demo.minLr, demo.firstDecaySteps, demo.tMul, demo.mMul),
  },
]

/** A plateauing metric for ReduceLROnPlateau: falls like 1/(1 + s/5), then stays at 0.2 from step 20. */
function plateauMetric(step: number): number {
  return Math.max(0.2, 1 / (1 + step / 5))
}

/** ReduceLROnPlateau fed plateauMetric: it has no closed form, so this replays it. */
function plateauCurve(): number[] {
  const optimizer = { paramGroups: [{ lr: B }] }
  const scheduler = new ReduceLROnPlateau(optimizer, { patience: 5, factor: 0.5 })
  const lrs: number[] = []
  for (let s = 0; s < STEPS; s++) {
    lrs.push((optimizer.paramGroups[0] as { lr: number }).lr)
    scheduler.step(plateauMetric(s))
  }
  return lrs
}

/** PyTorch's schedulers, one panel each, from B = 0.1 over 100 steps. */
export function pytorchSchedules(): NamedSchedule[] {
  const plateau = plateauCurve()
  return [
    { name: 'StepLR', settings: 'stepSize 30, gamma 0.1', lr: (s) => stepLR(s, B, { stepSize: 30 }) },
    {
      name: 'MultiStepLR',
      settings: 'milestones [30, 80]',
      lr: (s) => multiStepLR(s, B, { milestones: [30, 80] }),
    },
    { name: 'ExponentialLR', settings: 'gamma 0.95', lr: (s) => exponentialLR(s, B, { gamma: 0.95 }) },
    { name: 'CosineAnnealingLR', settings: 'tMax 100', lr: (s) => cosineAnnealingLR(s, B, { tMax: 100 }) },
    {
      name: 'CosineAnnealingWarmRestarts',
      settings: 't0 10, tMult 2',
      lr: (s) => cosineAnnealingWarmRestarts(s, B, { t0: 10, tMult: 2 }),
    },
    {
      name: 'LinearLR',
      settings: 'startFactor 0.1, totalIters 20',
      lr: (s) => linearLR(s, B, { startFactor: 0.1, totalIters: 20 }),
    },
    {
      name: 'ConstantLR',
      settings: 'factor 0.5, totalIters 20',
      lr: (s) => constantLR(s, B, { factor: 0.5, totalIters: 20 }),
    },
    {
      name: 'PolynomialLR',
      settings: 'totalIters 100, power 2',
      lr: (s) => polynomialLR(s, B, { totalIters: 100, power: 2 }),
    },
    {
      name: 'OneCycleLR',
      settings: 'maxLr 0.1, totalSteps 100',
      lr: (s) => oneCycleLR(s, { maxLr: B, totalSteps: STEPS }),
    },
    {
      name: 'LambdaLR',
      settings: 'lrLambda s => 1/(1 + 0.05 s)',
      lr: (s) => lambdaLR(s, B, { lrLambda: (k) => 1 / (1 + 0.05 * k) }),
    },
    {
      name: 'SequentialLR',
      settings:
        'LinearLR (startFactor 0.01, totalIters 10) then CosineAnnealingLR (tMax 90), milestones [10]',
      lr: (s) =>
        sequentialLR(s, B, {
          schedules: [
            (k, b) => linearLR(k, b, { startFactor: 0.01, totalIters: 10 }),
            (k, b) => cosineAnnealingLR(k, b, { tMax: 90 }),
          ],
          milestones: [10],
        }),
    },
    {
      name: 'ChainedScheduler',
      settings: 'ConstantLR (factor 0.5, totalIters 20) × ExponentialLR (gamma 0.97)',
      lr: (s) =>
        chainedScheduler(s, B, {
          schedules: [
            (k, b) => constantLR(k, b, { factor: 0.5, totalIters: 20 }),
            (k, b) => exponentialLR(k, b, { gamma: 0.97 }),
          ],
        }),
    },
    {
      name: 'ReduceLROnPlateau',
      settings: 'factor 0.5, patience 5; metric max(0.2, 1/(1 + s/5))',
      lr: (s) => plateau[s] as number,
    },
  ]
}

/** The tutorial's named schedules (descent's corrected versions), one panel each, B = 0.1 over 100 steps. */
export function tutorialSchedules(): NamedSchedule[] {
  return [
    { name: 'StepDecay', settings: 'drop 0.5, epochsDrop 10', lr: (s) => stepDecay(s, B) },
    { name: 'ExpDecay', settings: 'k 0.1', lr: (s) => expDecay(s, B) },
    { name: 'CosineDecay', settings: 'totalEpochs 100', lr: (s) => cosineDecay(s, B, { totalEpochs: 100 }) },
    { name: 'LinearWarmup', settings: 'warmupSteps 20', lr: (s) => linearWarmup(s, B, { warmupSteps: 20 }) },
    {
      name: 'CosineDecayRestarts',
      settings: 'firstDecaySteps 20, tMul 2, mMul 0.5, alpha 0.01',
      lr: (s) => cosineDecayRestarts(s, B, { firstDecaySteps: 20, tMul: 2, mMul: 0.5, alpha: 0.01 }),
    },
  ]
}

function curveRows(schedules: readonly NamedSchedule[], steps: readonly number[], stepField: string): Row[] {
  return schedules.flatMap((schedule) =>
    steps.map((s) => ({ schedule: schedule.name, [stepField]: s, lr: schedule.lr(s) })),
  )
}

const range = (n: number, stride = 1) => Array.from({ length: Math.ceil(n / stride) }, (_, i) => i * stride)

/** The tutorial's figure "Learning Rate Scheduling Strategies": step, exponential and cosine decay. */
export function tutorialDecaysChart(): Chart {
  return lineChart({
    id: 'schedules',
    title: 'Learning-rate schedules (the tutorial’s figure): step, exponential and cosine decay from lr0 0.1',
    caption:
      'StepDecay halves the lr every 10 epochs, one epoch earlier than StepLR would (first drop at epoch 9); ' +
      'ExpDecay is 0.1·exp(−0.1·e); CosineDecay reaches 0 at epoch 100.',
    data: curveRows(TUTORIAL_DECAYS, range(STEPS), 'epoch'),
    x: { field: 'epoch', title: 'epoch' },
    y: { field: 'lr', title: 'learning rate' },
    color: { field: 'schedule', title: 'schedule' },
    interpolate: 'step-after',
  })
}

/**
 * The tutorial's figure "Cosine Decay with Warm Restarts", redone: descent's warmup + restarts,
 * the restarts alone, and the tutorial's formula, sampled every 20 steps (restarts included).
 */
export function restartsChart(): Chart {
  return lineChart({
    id: 'cosine-restarts',
    title: 'Warmup + cosine decay with warm restarts over 20000 steps (lr0 1e-3, minLr 1e-6)',
    caption:
      'descent: linear warmup to step 1000, then Keras CosineDecayRestarts restarting at steps 1000, 6000 and 16000 ' +
      'with peaks halving. The tutorial’s formula divides by half the period, so each ' +
      'cycle goes down and back up, and its warmup_steps argument is never used.',
    data: curveRows(RESTARTS_CURVES, range(demo.steps, 20), 'step'),
    x: { field: 'step', title: 'training step' },
    y: { field: 'lr', title: 'learning rate' },
    color: { field: 'schedule', title: 'schedule' },
    width: 760,
  })
}

/** Every PyTorch scheduler, one small panel each. */
export function pytorchSchedulesChart(): Chart {
  return lineChart({
    id: 'schedules-pytorch',
    title: 'PyTorch’s schedulers in descent (base lr 0.1, 100 steps)',
    caption:
      'One panel per scheduler, computed with its pure function (ReduceLROnPlateau replayed on a metric that plateaus at step 20).',
    data: curveRows(pytorchSchedules(), range(STEPS), 'step'),
    x: { field: 'step', title: 'step' },
    y: { field: 'lr', title: 'lr' },
    facet: { field: 'schedule', title: 'scheduler', columns: 4 },
    interpolate: 'step-after',
    width: 200,
    height: 120,
  })
}

/** The tutorial's named schedules, one small panel each. */
export function tutorialSchedulesChart(): Chart {
  return lineChart({
    id: 'schedules-tutorial',
    title: 'The tutorial’s schedules, corrected (base lr 0.1, 100 steps)',
    caption:
      'StepDecay, ExpDecay, CosineDecay, LinearWarmup and Keras-style CosineDecayRestarts, as ALGORITHMS.md §12b defines them.',
    data: curveRows(tutorialSchedules(), range(STEPS), 'step'),
    x: { field: 'step', title: 'step' },
    y: { field: 'lr', title: 'lr' },
    facet: { field: 'schedule', title: 'schedule', columns: 5 },
    interpolate: 'step-after',
    width: 160,
    height: 120,
  })
}

/** lr at a few telling steps for each schedule, as a table. */
export function schedulesTable(
  id: string,
  title: string,
  schedules: readonly NamedSchedule[],
  steps: readonly number[],
): Table {
  return {
    id,
    title,
    columns: ['schedule', 'settings', ...steps.map((s) => `lr(${s})`)],
    rows: schedules.map((schedule) => [
      schedule.name,
      schedule.settings,
      ...steps.map((s) => schedule.lr(s)),
    ]),
  }
}
