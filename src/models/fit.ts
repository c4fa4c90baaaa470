import { typeError } from '../errors.js'
import { Optimizer, type StepPlan } from '../optim/optimizer.js'
import { trainForFit } from '../optim/schedule-free.js'
import type { FloatArray, Parameter } from '../parameter.js'
import { checkSeed, Rng } from '../random.js'
import { OneCycleLR } from '../schedulers/one-cycle-lr.js'
import { ReduceLROnPlateau } from '../schedulers/reduce-lr-on-plateau.js'
import { LRScheduler } from '../schedulers/scheduler.js'
import type { SchedulerStateDict } from '../schedulers/types.js'
import { checkBoolean, checkOneOf, checkPlainObject, integerOption, rejectUnknownKeys } from '../validate.js'
import type { Engine, EpochBatches, EpochOutcome } from './engine.js'
import type { NetworkSpec, Targets } from './network.js'

/** Any of descent's optimizers. */
export type AnyOptimizer = Optimizer<{ lr: number }>

/** Options of `model.fit`. */
export interface FitOptions {
  /** The optimizer that steps the model; it must hold exactly the model's `parameters()`. Required. */
  optimizer: AnyOptimizer
  /** Passes over the data (an integer >= 1; default 1). */
  epochs?: number
  /** Rows per optimizer step (an integer >= 1; default 32). The last batch of an epoch may be smaller. */
  batchSize?: number
  /** Visit the rows in a fresh random order each epoch (default true). */
  shuffle?: boolean
  /** Seed of the shuffling `Rng` (an integer in [0, 2³²); default 0). */
  seed?: number
  /** A learning-rate scheduler of the same optimizer, stepped by fit (see `schedulerStep`). */
  scheduler?: LRScheduler | ReduceLROnPlateau
  /**
   * When fit steps the scheduler: `'epoch'` (default; after each epoch, ReduceLROnPlateau with
   * the epoch's training loss) or `'batch'` (after each optimizer step, as a hand-written loop
   * calling `scheduler.step()` after `optimizer.step()` would; not for ReduceLROnPlateau).
   */
  schedulerStep?: 'epoch' | 'batch'
  /** Called after each epoch with its index (from 0) and mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void
  /** Log each epoch's loss with console.log (default false). */
  verbose?: boolean
  /**
   * Train across the ranks of an MPI job (`initDistributed()` from `descent-optim/distributed`):
   * each rank trains on its shard of every global batch of `batchSize` rows, gradients are
   * averaged across the ranks before every step, and every rank takes the same step. Every rank
   * passes the same `x`, `y` and options. `fit` only (not `fitAsync`).
   */
  distributed?: DistributedWorld
}

/** The MPI world of `descent-optim/distributed` (typed here without loading it). */
type DistributedWorld = import('../distributed/world.js').Distributed

/** What `fit` returns. */
export interface FitHistory {
  /**
   * Mean training loss of each epoch: the batch losses (measured before each step) averaged
   * with the batch sizes as weights; batches whose step was skipped for a non-finite gradient
   * do not count.
   */
  loss: number[]
}

const FIT_KEYS = new Set([
  'optimizer',
  'epochs',
  'batchSize',
  'shuffle',
  'seed',
  'scheduler',
  'schedulerStep',
  'onEpoch',
  'verbose',
  'distributed',
])

/** Fit options with defaults filled in, checked against the model. */
export interface FitSettings {
  readonly optimizer: AnyOptimizer
  readonly epochs: number
  readonly batchSize: number
  readonly shuffle: boolean
  readonly seed: number
  /** The scheduler to step after each optimizer step, if any. */
  readonly batchScheduler: LRScheduler | undefined
  /** The scheduler to step after each epoch, if any. */
  readonly epochScheduler: LRScheduler | ReduceLROnPlateau | undefined
  readonly onEpoch: ((epoch: number, loss: number) => void) | undefined
  readonly verbose: boolean
  /** For each of the optimizer's parameters, in its order, the model tensor index. */
  readonly slots: readonly number[]
}

/**
 * Checks every fit option (and that the optimizer holds exactly `parameters`), changing nothing;
 * `extraKeys` are further options the caller checks itself (fitAsync's `signal`).
 */
export function resolveFitOptions(
  where: string,
  options: unknown,
  parameters: readonly Parameter[],
  extraKeys: readonly string[] = [],
): FitSettings {
  checkPlainObject(where, 'options', options)
  rejectUnknownKeys(where, options, extraKeys.length > 0 ? new Set([...FIT_KEYS, ...extraKeys]) : FIT_KEYS)
  const o = options as Partial<FitOptions>
  const optimizer = o.optimizer
  if (!(optimizer instanceof Optimizer))
    throw typeError(where, 'optimizer', 'an Optimizer (Adam, SGD, …)', optimizer)
  const slots = checkOwnership(where, optimizer, parameters)
  const shuffle = o.shuffle ?? true
  checkBoolean(where, 'shuffle', shuffle)
  const seed = o.seed ?? 0
  checkSeed(where, seed)
  const scheduler = o.scheduler
  if (scheduler !== undefined) {
    if (!(scheduler instanceof LRScheduler || scheduler instanceof ReduceLROnPlateau))
      throw typeError(
        where,
        'scheduler',
        'a learning-rate scheduler (StepLR, ReduceLROnPlateau, …)',
        scheduler,
      )
    if (scheduler.optimizer !== optimizer)
      throw new RangeError(`${where}: scheduler must drive the same optimizer as fit's optimizer option`)
  }
  const schedulerStep = o.schedulerStep ?? 'epoch'
  checkOneOf(where, 'schedulerStep', schedulerStep, ['epoch', 'batch'])
  if (schedulerStep === 'batch' && scheduler instanceof ReduceLROnPlateau) {
    throw new RangeError(
      `${where}: ReduceLROnPlateau needs a metric, so it steps per epoch (schedulerStep: 'epoch'), not per batch`,
    )
  }
  if (o.onEpoch !== undefined && typeof o.onEpoch !== 'function')
    throw typeError(where, 'onEpoch', 'a function (epoch, loss) => void', o.onEpoch)
  const verbose = o.verbose ?? false
  checkBoolean(where, 'verbose', verbose)
  return {
    optimizer,
    epochs: integerOption(where, 'epochs', o.epochs, 1),
    batchSize: integerOption(where, 'batchSize', o.batchSize, 32),
    shuffle,
    seed,
    batchScheduler: schedulerStep === 'batch' ? (scheduler as LRScheduler | undefined) : undefined,
    epochScheduler: schedulerStep === 'epoch' ? scheduler : undefined,
    onEpoch: o.onEpoch,
    verbose,
    slots,
  }
}

/**
 * The optimizer's own checks (lrs, options) before a fit, changing nothing, with a Schedule-Free
 * optimizer moved to train mode first (and back if the checks fail). Returns what ends training:
 * a Schedule-Free optimizer's move to eval mode, else nothing.
 */
export function beginTraining(optimizer: AnyOptimizer): () => void {
  const endTraining = trainForFit(optimizer)
  try {
    optimizer.planSteps(0)
  } catch (error) {
    endTraining()
    throw error
  }
  return endTraining
}

const scheduleWarned = new WeakSet<LRScheduler>()

/**
 * A scheduler laid out for a fixed number of steps (OneCycleLR, CosineAnnealingLR, …) against
 * the steps this fit will take it, before anything changes. An error when the run is wrong for
 * certain: a OneCycleLR would throw past its end mid-run, or a schedule sized for per-batch
 * steps is stepped per epoch (fit's default), where it would stop near its start without a word.
 * A warning, once per scheduler, when the fit ends elsewhere than the schedule's end (fine when
 * fits are chained, e.g. one epoch per call).
 */
export function checkScheduleLength(where: string, settings: FitSettings, rows: number): void {
  const scheduler = settings.batchScheduler ?? settings.epochScheduler
  if (!(scheduler instanceof LRScheduler)) return
  const planned = scheduler.plannedSteps()
  if (planned === undefined) return
  const name = scheduler.constructor.name
  const { epochs } = settings
  const batches = Math.ceil(rows / settings.batchSize)
  const perBatch = settings.batchScheduler !== undefined
  const steps = perBatch ? epochs * batches : epochs
  const left = planned - scheduler.lastEpoch
  const stepping = perBatch
    ? `once per batch (schedulerStep: 'batch'): ${epochs} epochs × ${batches} batches = ${steps} steps`
    : `once per epoch (schedulerStep: 'epoch', the default): ${steps} steps`
  if (!perBatch && batches > 1 && left === epochs * batches) {
    throw new RangeError(
      `${where}: ${name} is laid out for ${left} more steps, ${epochs} epochs × ${batches} batches, but fit ` +
        `steps it ${stepping}, so it would stop near its start: pass schedulerStep: 'batch'`,
    )
  }
  if (steps > left && scheduler instanceof OneCycleLR) {
    throw new RangeError(
      `${where}: ${name} has ${left} steps left (totalSteps ${planned}), but fit steps it ${stepping}: ` +
        `build it for this fit with OneCycleLR.forFit(optimizer, { maxLr, epochs: ${epochs}, rows: ${rows}, batchSize: ${settings.batchSize} })`,
    )
  }
  if (steps !== left && !scheduleWarned.has(scheduler)) {
    scheduleWarned.add(scheduler)
    process.emitWarning(
      `${where}: ${name} is laid out for ${left} more steps, and fit steps it ${stepping}, so the ` +
        `schedule ${steps < left ? 'is not finished when the fit ends' : 'runs past its end'} ` +
        '(fine if you meant it, e.g. one fit per epoch).',
      { type: 'DescentWarning', code: 'DESCENT_SCHEDULE_LENGTH' },
    )
  }
}

/** The model tensor index of each of the optimizer's parameters; throws unless they are exactly the model's. */
export function checkOwnership(
  where: string,
  optimizer: AnyOptimizer,
  parameters: readonly Parameter[],
): number[] {
  const index = new Map(parameters.map((p, i) => [p, i]))
  const held = optimizer.paramGroups.flatMap((g) => g.params)
  const slots = held.map((p, i) => {
    const at = index.get(p)
    if (at === undefined)
      throw new RangeError(`${where}: the optimizer's params[${i}] (${p}) is not a parameter of this model`)
    return at
  })
  const missing = parameters.find((p) => !held.includes(p))
  if (missing !== undefined) {
    throw new RangeError(
      `${where}: the optimizer must hold all of this model's parameters; ${missing.label} is missing (pass model.parameters())`,
    )
  }
  return slots
}

/** What fit trains: the model's network, flat buffers and engine. */
export interface Trainee {
  readonly where: string
  readonly network: NetworkSpec
  readonly params: FloatArray
  readonly grads: FloatArray
  readonly engine: Engine
}

/** Steps `scheduler` `steps` times from the position `snapshot`. */
function replay(scheduler: LRScheduler, snapshot: SchedulerStateDict, steps: number): void {
  scheduler.loadStateDict(snapshot)
  for (let i = 0; i < steps; i++) scheduler.step()
}

/** A run of batches the training loop asks its driver to execute with the engine. */
export interface RunRequest {
  readonly plan: StepPlan
  readonly batches: EpochBatches
}

/** What a run did, as its driver reports it back to the training loop. */
export interface RunOutcome extends EpochOutcome {
  /** The fit was aborted: the run stopped after `steps` batches and training ends there. */
  readonly cancelled?: boolean
}

/**
 * The training loop, written once for `fit` and `fitAsync`: per epoch, one run per stretch of
 * batches (the whole epoch unless a non-finite gradient interrupts it), yielded to the driver,
 * which executes it (in this call, or on a training thread) and sends back what it did; a run
 * that failed is thrown into the loop. The optimizer plans each run's steps in advance; a
 * per-batch scheduler is stepped ahead while planning and rewound if the run stops early, so
 * the lrs, the optimizer state and the scheduler match a loop of `forwardBackward`,
 * `optimizer.step()` and `scheduler.step()`.
 */
export function* trainingLoop(
  where: string,
  rows: number,
  settings: FitSettings,
): Generator<RunRequest, FitHistory, RunOutcome> {
  const { optimizer, batchSize, batchScheduler, epochScheduler } = settings
  const rng = new Rng(settings.seed)
  const batchCount = Math.ceil(rows / batchSize)
  const sizeOf = (batch: number) => Math.min(batchSize, rows - batch * batchSize)
  const history: FitHistory = { loss: [] }
  const identity = Uint32Array.from({ length: rows }, (_, i) => i)
  const checkNonFinite = optimizer.onNonFinite !== 'ignore'
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const order = settings.shuffle ? rng.permutation(rows) : identity
    let weighted = 0
    let counted = 0
    let batch = 0
    while (batch < batchCount) {
      const count = batchCount - batch
      const snapshot = batchScheduler?.stateDict()
      let plan: StepPlan
      let outcome: RunOutcome
      try {
        plan = optimizer.planSteps(count, batchScheduler && ((k) => k > 0 && batchScheduler.step()))
        outcome = yield { plan, batches: { order, batchSize, first: batch, count, checkNonFinite } }
      } catch (error) {
        // Nothing was committed: put a scheduler stepped ahead for planning back where it was.
        if (batchScheduler) batchScheduler.loadStateDict(snapshot as SchedulerStateDict)
        throw error
      }
      plan.commit(outcome.steps)
      for (let j = 0; j < outcome.steps; j++) {
        weighted += (outcome.losses[j] as number) * sizeOf(batch + j)
        counted += sizeOf(batch + j)
      }
      if (outcome.cancelled) {
        // As a hand-written loop interrupted after those batches: the scheduler stepped once per step.
        if (batchScheduler) replay(batchScheduler, snapshot as SchedulerStateDict, outcome.steps)
        return history
      }
      if (outcome.nonFinite < 0) {
        batchScheduler?.step()
        batch += count
        continue
      }
      // Stopped before the step of batch `batch + outcome.steps`; a hand-written loop would have
      // stepped the scheduler after each batch done, and after the skipped one too.
      const skip = optimizer.onNonFinite === 'skip'
      if (batchScheduler)
        replay(batchScheduler, snapshot as SchedulerStateDict, outcome.steps + (skip ? 1 : 0))
      if (!skip) throw optimizer.nonFiniteError(outcome.nonFinite)
      optimizer.skippedSteps++
      batch += outcome.steps + 1
    }
    const loss = weighted / counted
    history.loss.push(loss)
    if (epochScheduler instanceof ReduceLROnPlateau) epochScheduler.step(loss)
    else epochScheduler?.step()
    if (settings.verbose) console.log(`${where}: epoch ${epoch + 1}/${settings.epochs}, loss ${loss}`)
    settings.onEpoch?.(epoch, loss)
  }
  return history
}

/** `fit`: drives the training loop with the engine's `trainEpoch`, one synchronous call per run. */
export function runFit(
  trainee: Trainee,
  x: FloatArray,
  targets: Targets,
  rows: number,
  settings: FitSettings,
): FitHistory {
  const loop = trainingLoop(trainee.where, rows, settings)
  let next = loop.next()
  while (!next.done) {
    const { plan, batches } = next.value
    let outcome: EpochOutcome
    try {
      outcome = trainee.engine.trainEpoch(
        trainee.network,
        trainee.params,
        trainee.grads,
        plan,
        settings.slots,
        x,
        targets,
        batches,
      )
    } catch (error) {
      next = loop.throw(error) // the loop rewinds what it stepped ahead, then rethrows
      continue
    }
    next = loop.next(outcome)
  }
  return next.value
}
