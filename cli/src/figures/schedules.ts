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
} from 'descent-optim'
import type { Chart, Row } from '../report/chart.js'
import { lineChart } from '../report/charts/line-chart.js'
import { formatSettings, type Table } from '../report/table.js'
import { tutorialCosineDecayRestart } from '../tutorial/formulas.js'

/** A named schedule: a label with its options and lr(s) for s = 0, 1, … */
interface NamedSchedule {
  name: string
  settings: string
  lr: (step: number) => number
}

const B = 0.1
const STEPS = 100

/** A schedule whose pure function takes (step, base lr, options), labelled with those options, from B. */
function named<O extends object>(
  name: string,
  lr: (step: number, baseLr: number, options: O) => number,
  options: O,
): NamedSchedule {
  return { name, settings: formatSettings(options as Record<string, unknown>), lr: (s) => lr(s, B, options) }
}

/** The tutorial's LearningRateScheduler figure: its three decays over 100 epochs from lr0 0.1. */
export const TUTORIAL_DECAYS: readonly NamedSchedule[] = [
  named('Step Decay', stepDecay, { drop: 0.5, epochsDrop: 10 }),
  named('Exp Decay', expDecay, { k: 0.1 }),
  named('Cosine Decay', cosineDecay, { totalEpochs: 100 }),
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
    named('StepLR', stepLR, { stepSize: 30, gamma: 0.1 }),
    named('MultiStepLR', multiStepLR, { milestones: [30, 80] }),
    named('ExponentialLR', exponentialLR, { gamma: 0.95 }),
    named('CosineAnnealingLR', cosineAnnealingLR, { tMax: 100 }),
    named('CosineAnnealingWarmRestarts', cosineAnnealingWarmRestarts, { t0: 10, tMult: 2 }),
    named('LinearLR', linearLR, { startFactor: 0.1, totalIters: 20 }),
    named('ConstantLR', constantLR, { factor: 0.5, totalIters: 20 }),
    named('PolynomialLR', polynomialLR, { totalIters: 100, power: 2 }),
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
    named('StepDecay', stepDecay, { drop: 0.5, epochsDrop: 10 }),
    named('ExpDecay', expDecay, { k: 0.1 }),
    named('CosineDecay', cosineDecay, { totalEpochs: 100 }),
    named('LinearWarmup', linearWarmup, { warmupSteps: 20 }),
    named('CosineDecayRestarts', cosineDecayRestarts, {
      firstDecaySteps: 20,
      tMul: 2,
      mMul: 0.5,
      alpha: 0.01,
    }),
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
    legendBelow: true,
  })
}

/** Schedules as small panels, one per schedule, over 100 steps from B. */
function panelsChart(
  chart: { id: string; title: string; caption: string; facetTitle: string; columns: number; width: number },
  schedules: readonly NamedSchedule[],
): Chart {
  return lineChart({
    id: chart.id,
    title: chart.title,
    caption: chart.caption,
    data: curveRows(schedules, range(STEPS), 'step'),
    x: { field: 'step', title: 'step' },
    y: { field: 'lr', title: 'lr' },
    facet: { field: 'schedule', title: chart.facetTitle, columns: chart.columns },
    interpolate: 'step-after',
    width: chart.width,
    height: 120,
  })
}

/** Every PyTorch scheduler, one small panel each. */
export function pytorchSchedulesChart(): Chart {
  return panelsChart(
    {
      id: 'schedules-pytorch',
      title: 'PyTorch’s schedulers in descent (base lr 0.1, 100 steps)',
      caption:
        'One panel per scheduler, computed with its pure function (ReduceLROnPlateau replayed on a metric that plateaus at step 20).',
      facetTitle: 'scheduler',
      columns: 4,
      width: 200,
    },
    pytorchSchedules(),
  )
}

/** The tutorial's named schedules, one small panel each. */
export function tutorialSchedulesChart(): Chart {
  return panelsChart(
    {
      id: 'schedules-tutorial',
      title: 'The tutorial’s schedules, corrected (base lr 0.1, 100 steps)',
      caption:
        'StepDecay, ExpDecay, CosineDecay, LinearWarmup and Keras-style CosineDecayRestarts, as ALGORITHMS.md §12b defines them.',
      facetTitle: 'schedule',
      columns: 5,
      width: 160,
    },
    tutorialSchedules(),
  )
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
