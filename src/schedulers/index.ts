/**
 * Learning-rate schedulers: torch.optim.lr_scheduler's set and the tutorial's named variants.
 * Each is a class driving an optimizer's param-group lrs and, where a closed form exists, a
 * pure function of (step, base lr) for plots and tests. Formulas: ALGORITHMS.md §12, §12b.
 */
export {
  type ChainedScheduleOptions,
  ChainedScheduler,
  type ChainedSchedulerOptions,
  chainedScheduler,
} from './chained-scheduler.js'
export { ConstantLR, type ConstantLROptions, constantLR } from './constant-lr.js'
export { CosineAnnealingLR, type CosineAnnealingLROptions, cosineAnnealingLR } from './cosine-annealing-lr.js'
export {
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
  cosineAnnealingWarmRestarts,
} from './cosine-annealing-warm-restarts.js'
export { CosineDecay, type CosineDecayOptions, cosineDecay } from './cosine-decay.js'
export {
  CosineDecayRestarts,
  type CosineDecayRestartsOptions,
  cosineDecayRestarts,
} from './cosine-decay-restarts.js'
export { ExpDecay, type ExpDecayOptions, expDecay } from './exp-decay.js'
export { ExponentialLR, type ExponentialLROptions, exponentialLR } from './exponential-lr.js'
export { LambdaLR, type LambdaLROptions, type LrLambda, lambdaLR } from './lambda-lr.js'
export { LinearLR, type LinearLROptions, linearLR } from './linear-lr.js'
export { LinearWarmup, type LinearWarmupOptions, linearWarmup } from './linear-warmup.js'
export {
  MultiStepLR,
  type MultiStepLROptions,
  type MultiStepLRSettings,
  multiStepLR,
} from './multi-step-lr.js'
export {
  type AnnealStrategy,
  OneCycleLR,
  type OneCycleLRForFitOptions,
  type OneCycleLROptions,
  type OneCycleLRSettings,
  oneCycleLR,
} from './one-cycle-lr.js'
export { PolynomialLR, type PolynomialLROptions, polynomialLR } from './polynomial-lr.js'
export {
  type EncodedBest,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  type ReduceLROnPlateauSettings,
  type ReduceLROnPlateauStateDict,
} from './reduce-lr-on-plateau.js'
export { LRScheduler, Scheduler, type SchedulerPosition } from './scheduler.js'
export {
  SequentialLR,
  type SequentialLROptions,
  type SequentialScheduleOptions,
  sequentialLR,
} from './sequential-lr.js'
export { StepDecay, type StepDecayOptions, stepDecay } from './step-decay.js'
export { StepLR, type StepLROptions, stepLR } from './step-lr.js'
export { type SWAAnnealStrategy, SWALR, type SWALROptions, type SWALRSettings, swaLR } from './swa-lr.js'
export type { SchedulableOptimizer, ScheduleFunction, SchedulerStateDict } from './types.js'
