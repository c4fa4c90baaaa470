import {
  CosineAnnealingWarmRestarts,
  LinearLR,
  OneCycleLR,
  OPTIMIZERS,
  type Optimizer,
  Parameter,
  ReduceLROnPlateau,
  Rng,
  type Scheduler,
  SequentialLR,
  StepLR,
} from '../../src/index.js'

/**
 * Manual training loops over plain Parameters, one per optimizer, with options that give each
 * its full state (AMSGrad, momentum, centering, factored second moments, skipped steps), a
 * scheduler per case, and gradients that depend on the parameters, so a resumed run that
 * restored anything wrongly drifts away from the uninterrupted one.
 */
export interface TrainingCase {
  readonly name: string
  readonly dtype: 'float32' | 'float64'
  readonly optimizer: string
  readonly options: Record<string, unknown>
  // biome-ignore lint/suspicious/noExplicitAny: any optimizer
  readonly scheduler?: (optimizer: Optimizer<any>) => Scheduler
  /** Steps whose gradient holds a NaN (with `onNonFinite: 'skip'`, they count in skippedSteps). */
  readonly nanSteps?: readonly number[]
}

const SHAPES = [[4, 3], [3], [2, 2, 5]] as const
/** The same sizes as matrices, for rules that take 2-D parameters only (Muon). */
const MATRIX_SHAPES = [
  [4, 3],
  [3, 1],
  [4, 5],
] as const

/** A shape as a matrix rule takes it: [rows, columns] from the first two dimensions (1 if absent). */
export function asMatrix(shape: readonly number[]): number[] {
  return [shape[0] ?? 1, shape.slice(1).reduce((a, b) => a * b, 1)]
}

/** Whether the registered optimizer takes 2-D parameters only. */
export function matrixOnly(optimizer: string): boolean {
  return OPTIMIZERS[optimizer]?.rule.matrixOnly === true
}

const CHOSEN_CASES: readonly TrainingCase[] = [
  {
    name: 'sgd',
    dtype: 'float32',
    optimizer: 'sgd',
    options: { lr: 0.05, momentum: 0.9, nesterov: true },
    scheduler: (o) => new StepLR(o, { stepSize: 3, gamma: 0.5 }),
  },
  {
    name: 'adam',
    dtype: 'float32',
    optimizer: 'adam',
    options: { lr: 0.01, amsgrad: true, weightDecay: 0.01 },
    scheduler: (o) => new OneCycleLR(o, { maxLr: 0.02, totalSteps: 40 }),
  },
  {
    name: 'adamw-f64',
    dtype: 'float64',
    optimizer: 'adamw',
    options: { lr: 0.01 },
    scheduler: (o) => new CosineAnnealingWarmRestarts(o, { t0: 4, tMult: 2 }),
  },
  {
    name: 'adagrad',
    dtype: 'float32',
    optimizer: 'adagrad',
    options: { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 },
  },
  {
    name: 'rmsprop',
    dtype: 'float32',
    optimizer: 'rmsprop',
    options: { lr: 0.01, momentum: 0.5, centered: true },
    scheduler: (o) => new ReduceLROnPlateau(o, { patience: 1, factor: 0.5 }),
  },
  { name: 'adamax', dtype: 'float64', optimizer: 'adamax', options: { lr: 0.01 } },
  { name: 'adadelta', dtype: 'float32', optimizer: 'adadelta', options: { lr: 1 } },
  {
    name: 'nadam',
    dtype: 'float32',
    optimizer: 'nadam',
    options: { lr: 0.01, decoupledWeightDecay: true, weightDecay: 0.1 },
  },
  {
    name: 'radam',
    dtype: 'float32',
    optimizer: 'radam',
    options: { lr: 0.01 },
    scheduler: (o) =>
      new SequentialLR(o, {
        schedulers: [new LinearLR(o, { startFactor: 0.1, totalIters: 3 }), new StepLR(o, { stepSize: 2 })],
        milestones: [3],
      }),
  },
  {
    name: 'lion',
    dtype: 'float32',
    optimizer: 'lion',
    options: { lr: 1e-3, onNonFinite: 'skip' },
    nanSteps: [2, 9],
  },
  { name: 'lamb', dtype: 'float64', optimizer: 'lamb', options: { lr: 0.01, weightDecay: 0.01 } },
  { name: 'adafactor', dtype: 'float32', optimizer: 'adafactor', options: { lr: 0.01 } },
  { name: 'adafactorHf', dtype: 'float32', optimizer: 'adafactorHf', options: { beta1: 0.9 } },
]

/** The chosen cases, and every other registered optimizer with its defaults (a new rule is covered at once). */
export const TRAINING_CASES: readonly TrainingCase[] = [
  ...CHOSEN_CASES,
  ...Object.keys(OPTIMIZERS)
    .filter((key) => !CHOSEN_CASES.some((c) => c.optimizer === key))
    .map((key): TrainingCase => ({ name: key, dtype: 'float32', optimizer: key, options: {} })),
]

/** A run of one case: its parameters (a "model" holding them), optimizer and scheduler. */
export interface TrainingRun {
  readonly params: Parameter[]
  readonly model: { parameters(): Parameter[] }
  // biome-ignore lint/suspicious/noExplicitAny: any optimizer
  readonly optimizer: Optimizer<any>
  readonly scheduler?: Scheduler
  /** Gradient of global step k (from the parameters), one optimizer step, one scheduler step. */
  step(k: number): void
}

/**
 * Builds a run. `seed` sets the initial values; `fresh` builds it as a resumed process would
 * before loading: other initial values and the optimizer's default options, so that only a
 * correct restore can reproduce the uninterrupted run.
 */
export function buildRun(c: TrainingCase, backend: 'native' | 'js', fresh = false): TrainingRun {
  const rng = new Rng(fresh ? 999 : 7)
  const Float = c.dtype === 'float32' ? Float32Array : Float64Array
  const shapes: readonly (readonly number[])[] = matrixOnly(c.optimizer) ? MATRIX_SHAPES : SHAPES
  const params = shapes.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1)
    const data = new Float(size)
    for (let i = 0; i < size; i++) data[i] = rng.uniform() * 2 - 1
    return new Parameter(data, shape, `layer.${i}`)
  })
  const Optimizer = OPTIMIZERS[c.optimizer]
  if (!Optimizer) throw new Error(`no optimizer '${c.optimizer}'`)
  const options = fresh ? { onNonFinite: c.options.onNonFinite } : c.options
  const optimizer = new Optimizer(params, { ...options, backend })
  const scheduler = c.scheduler?.(optimizer)
  return {
    params,
    model: { parameters: () => params },
    optimizer,
    ...(scheduler ? { scheduler } : {}),
    step(k) {
      const noise = new Rng(1000 + k)
      let metric = 0
      for (const p of params) {
        for (let i = 0; i < p.size; i++) {
          const theta = p.data[i] as number
          p.grad[i] = Math.sin(3 * theta + k) * 0.5 + theta * 0.1 + (noise.uniform() - 0.5) * 0.01
          metric += theta * theta
        }
      }
      if (c.nanSteps?.includes(k)) (params[1] as Parameter).grad[0] = Number.NaN
      optimizer.step()
      if (scheduler instanceof ReduceLROnPlateau) scheduler.step(Math.round(metric * 4) / 4)
      else (scheduler as { step?: () => void } | undefined)?.step?.()
    },
  }
}
