import { addon } from '../backend/native.js'
import { resolveBackend } from '../backend/select.js'
import type { BackendName } from '../backend/types.js'
import { distributedFit } from '../distributed/fit.js'
import { Distributed } from '../distributed/world.js'
import { DescentError, typeError } from '../errors.js'
import { lendToTraining } from '../optim/optimizer.js'
import { type DType, type FloatArray, Parameter } from '../parameter.js'
import { checkSeed } from '../random.js'
import { type Tensor, tensor } from '../tensor.js'
import { checkOneOf } from '../validate.js'
import { checkInputs, checkTargets } from './check-data.js'
import type { Engine, TrainingSession } from './engine.js'
import {
  beginTraining,
  checkOwnership,
  checkScheduleLength,
  type FitHistory,
  type FitOptions,
  resolveFitOptions,
  runFit,
} from './fit.js'
import { checkSignal, FIT_ASYNC_KEYS, type FitAsyncOptions, runFitAsync } from './fit-async.js'
import { initialParameters } from './init.js'
import { jsEngine } from './js/engine.js'
import { jsTrainerCore } from './js/trainer-core.js'
import { loadedNativeEngine } from './native-engine.js'
import { nativeTrainerCore } from './native-trainer.js'
import { allocate, type NetworkSpec } from './network.js'
import { Trainer, type TrainerHost, type TrainerOptions } from './trainer.js'

/** Options every model takes. */
export interface ModelOptions {
  /** Seed of the initial weights (an integer in [0, 2³²); default 0). */
  seed?: number
  /** Element type of parameters and data (default `'float32'`). */
  dtype?: DType
  /**
   * Where forward, backward and training run: `'native'` (Rust) or `'js'`; default: native when
   * the addon loaded, else js (or `DESCENT_BACKEND`).
   */
  backend?: BackendName
}

/**
 * What defines a model's function besides its weights (`MLP`: sizes, activation, output and
 * dtype): checkpoints record it, `loadCheckpoint` refuses weights saved from a model that
 * differs, and `MLP.fromCheckpoint` builds the model it describes.
 */
export type ModelArchitecture = Readonly<Record<string, string | number | readonly number[]>>

/** What `evaluate` returns. */
export interface Evaluation {
  /** Mean loss over all rows (as fit reports it). */
  loss: number
  /** Share of rows whose most probable class is the label (softmax outputs only). */
  accuracy?: number
}

/**
 * What MLP and LinearRegression share: a network whose parameters live in one contiguous
 * buffer (each `Parameter` a view of it, gradients likewise), and the ways to use it:
 * `predict`, `evaluate`, `forwardBackward` for hand-written loops, and `fit`.
 */
export abstract class Model {
  /** Element type of parameters and data. */
  readonly dtype: DType
  /** Where the network computations run. */
  readonly backend: BackendName
  readonly #network: NetworkSpec
  readonly #params: FloatArray
  readonly #grads: FloatArray
  readonly #parameters: readonly Parameter[]
  readonly #engine: Engine
  #training = false
  /** fitAsync's training session, kept from one fitAsync to the next (its thread and buffers). */
  #session: TrainingSession | undefined
  /** The open trainer, if any: it owns the training state until it closes. */
  #trainer: Trainer | undefined

  protected constructor(where: string, network: NetworkSpec, options: ModelOptions) {
    const seed = options.seed ?? 0
    checkSeed(where, seed)
    const dtype = options.dtype ?? 'float32'
    checkOneOf(where, 'dtype', dtype, ['float32', 'float64'])
    this.backend = resolveBackend(where, options.backend).name
    this.#engine = this.backend === 'native' ? (loadedNativeEngine as Engine) : jsEngine
    this.dtype = dtype
    this.#network = network
    this.#params = initialParameters(network, seed, dtype)
    this.#grads = allocate(dtype, network.parameterCount)
    this.#parameters = Object.freeze(
      network.tensors.map(
        (t) =>
          new Parameter(
            this.#params.subarray(t.offset, t.offset + t.length),
            t.shape,
            t.name,
            this.#grads.subarray(t.offset, t.offset + t.length),
          ),
      ),
    )
  }

  /** The description checkpoints record: everything that defines the function besides the weights. */
  abstract architecture(): ModelArchitecture

  /** The parameters, in PyTorch state_dict order (`layers.0.weight`, `layers.0.bias`, …): pass them to an optimizer. */
  parameters(): Parameter[] {
    return [...this.#parameters]
  }

  /** Whether `fit` or `fitAsync` is running, or a trainer is open (a second fit, or forwardBackward, is refused meanwhile). */
  get training(): boolean {
    return this.#training || this.#trainer !== undefined
  }

  /**
   * Opens a persistent training session (see `Trainer` and docs/trainer.md): batches are queued
   * with `train`, `trainBuffer` or `trainJson` and trained in order off the event loop (on the
   * native backend, by one long-lived thread that owns copies of the parameters and optimizer
   * state), while `predict` answers from the latest published weights. Until `close()`, `fit`,
   * `fitAsync`, `forwardBackward`, `optimizer.step()` and `loadStateDict` throw `DESCENT_BUSY`.
   *
   * ```ts
   * const trainer = model.trainer({ optimizer, batchSize: 64, queueLimit: 32 })
   * const { step, loss, rows } = await trainer.train(x, y)
   * await trainer.close()
   * ```
   */
  trainer(options: TrainerOptions): Trainer {
    const where = `${this.constructor.name}.trainer`
    this.#checkIdle(where)
    this.#checkIntact(where)
    const network = this.#network
    const dtype = this.dtype
    const buffers = this.#buffers
    const host: TrainerHost = {
      where,
      inputs: network.inputs,
      outputs: network.outputs,
      softmax: network.output === 'softmax',
      dtype,
      checkBatch: (x, y) => {
        const w = 'Trainer.train'
        const { data, rows } = checkInputs(w, x, network, dtype, buffers, { finite: false, minRows: 1 })
        return { x: data, targets: checkTargets(w, y, network, dtype, buffers, rows) }
      },
      checkInputs: (x) => {
        const { data, rows } = checkInputs('Trainer.predict', x, network, dtype, buffers, {
          finite: false,
          minRows: 0,
        })
        return { x: data, rows }
      },
      checkEvaluate: (x, y) => {
        const w = 'Trainer.evaluate'
        const { data, rows } = checkInputs(w, x, network, dtype, buffers, { finite: true, minRows: 1 })
        return { x: data, targets: checkTargets(w, y, network, dtype, buffers, rows), rows }
      },
      startCore: (settings, onEvent) =>
        this.backend === 'native'
          ? nativeTrainerCore(
              addon as NonNullable<typeof addon>,
              network,
              this.#params,
              this.#grads,
              checkOwnership(where, settings.optimizer, this.#parameters),
              settings,
              onEvent,
            )
          : jsTrainerCore(network, this.#params, this.#grads, settings, onEvent),
      release: () => {
        if (this.#trainer === trainer) this.#trainer = undefined
      },
    }
    const trainer: Trainer = new Trainer(host, options, this.#parameters, this)
    this.#trainer = trainer
    return trainer
  }

  /**
   * The network's outputs for the rows of `x` ([n, inputs], the model's dtype): softmax
   * probabilities [n, classes] or values [n, outputs]. Non-finite inputs give non-finite rows.
   */
  predict(x: Tensor): Tensor<FloatArray> {
    const where = `${this.constructor.name}.predict`
    if (this.#trainer) return this.#trainer.predict(x)
    this.#checkIntact(where)
    const { data, rows } = checkInputs(where, x, this.#network, this.dtype, this.#buffers, {
      finite: false,
      minRows: 0,
    })
    return tensor(this.#engine.predict(this.#network, this.#params, data), [rows, this.#network.outputs])
  }

  /**
   * The most probable class of each row of `x`: an Int32Array tensor [n] (the first class on
   * ties; -1 for a row whose probabilities are NaN). Softmax models only.
   */
  predictClasses(x: Tensor): Tensor<Int32Array> {
    const where = `${this.constructor.name}.predictClasses`
    if (this.#network.output !== 'softmax') {
      throw new TypeError(
        `${where}: this model's output is ${this.#network.output}, not softmax; it has no classes (use predict)`,
      )
    }
    const probabilities = this.predict(x).data
    const classes = this.#network.outputs
    const rows = probabilities.length / classes
    const best = new Int32Array(rows)
    for (let r = 0; r < rows; r++) {
      let argmax = 0
      let top = probabilities[r * classes] as number
      for (let c = 1; c < classes && !Number.isNaN(top); c++) {
        const p = probabilities[r * classes + c] as number
        if (p > top || Number.isNaN(p)) [argmax, top] = [c, p]
      }
      best[r] = Number.isNaN(top) ? -1 : argmax
    }
    return tensor(best, [rows])
  }

  /**
   * Mean loss over the rows of `x` against `y` (labels for softmax outputs, values for identity
   * ones) and, for softmax outputs, the accuracy. Changes nothing.
   */
  evaluate(x: Tensor, y: Tensor): Evaluation {
    const where = `${this.constructor.name}.evaluate`
    if (this.#trainer) return this.#trainer.evaluate(x, y)
    this.#checkIntact(where)
    const { data, rows } = checkInputs(where, x, this.#network, this.dtype, this.#buffers, {
      finite: true,
      minRows: 1,
    })
    const targets = checkTargets(where, y, this.#network, this.dtype, this.#buffers, rows)
    const { loss, hits } = this.#engine.evaluate(this.#network, this.#params, data, targets)
    return this.#network.output === 'softmax' ? { loss, accuracy: hits / rows } : { loss }
  }

  /**
   * One forward and backward pass over all rows of `x` as one batch: returns the mean loss and
   * overwrites every `Parameter.grad` with its gradient (no `zeroGrad` needed; to accumulate
   * over several batches, add the gradients up yourself). For hand-written training loops:
   * ```ts
   * const loss = model.forwardBackward(xb, yb); optimizer.step(); scheduler.step()
   * ```
   */
  forwardBackward(x: Tensor, y: Tensor): number {
    const where = `${this.constructor.name}.forwardBackward`
    this.#checkIdle(where)
    this.#checkIntact(where)
    const { data, rows } = checkInputs(where, x, this.#network, this.dtype, this.#buffers, {
      finite: true,
      minRows: 1,
    })
    const targets = checkTargets(where, y, this.#network, this.dtype, this.#buffers, rows)
    return this.#engine.lossAndGrad(this.#network, this.#params, this.#grads, data, targets)
  }

  /**
   * Trains on `x` and `y` for `epochs` passes of mini-batches, one optimizer step per batch.
   * On the native backend each epoch runs in Rust in one call. Every argument is checked before
   * anything changes. See `FitOptions` for the options and their defaults.
   */
  fit(x: Tensor, y: Tensor, options: FitOptions): FitHistory {
    const where = `${this.constructor.name}.fit`
    this.#checkIdle(where)
    this.#checkIntact(where)
    const settings = resolveFitOptions(where, options, this.#parameters)
    const distributed = (options as FitOptions).distributed
    const { data, rows } = checkInputs(where, x, this.#network, this.dtype, this.#buffers, {
      finite: true,
      minRows: 1,
    })
    const targets = checkTargets(where, y, this.#network, this.dtype, this.#buffers, rows)
    checkScheduleLength(where, settings, rows)
    if (distributed !== undefined && !(distributed instanceof Distributed))
      throw typeError(where, 'distributed', "initDistributed()'s result", distributed)
    const endTraining = beginTraining(settings.optimizer)
    if (distributed !== undefined) {
      const trainee = {
        where,
        grads: this.#grads,
        forwardBackward: (xb: Tensor, yb: Tensor) => this.forwardBackward(xb, yb),
      }
      try {
        return distributedFit(trainee, x, y, settings, distributed)
      } finally {
        endTraining()
      }
    }
    this.#training = true
    try {
      const trainee = {
        where,
        network: this.#network,
        params: this.#params,
        grads: this.#grads,
        engine: this.#engine,
      }
      return runFit(trainee, data, targets, rows, settings)
    } finally {
      this.#training = false
      endTraining()
    }
  }

  /**
   * `fit` without blocking the event loop: the same loop, options and results (bit-identical
   * parameters, optimizer state, scheduler and losses), plus `signal`. On the native backend each
   * epoch trains on the model's own thread (kept from one fitAsync to the next) over copies of the buffers, copied back when the epoch
   * ends, so `predict`/`evaluate` meanwhile see the weights of the last finished epoch; on the JS
   * backend it trains in place in slices of a few ms. Arguments are checked before anything
   * changes (a rejected promise, like every failure). See docs/models.md, "fitAsync".
   */
  async fitAsync(x: Tensor, y: Tensor, options: FitAsyncOptions): Promise<FitHistory> {
    const where = `${this.constructor.name}.fitAsync`
    this.#checkIdle(where)
    this.#checkIntact(where)
    const settings = resolveFitOptions(where, options, this.#parameters, FIT_ASYNC_KEYS)
    if ((options as FitOptions).distributed !== undefined)
      throw new TypeError(
        `${where}: distributed training runs with fit, not fitAsync (its collectives block)`,
      )
    const signal = checkSignal(where, options.signal)
    const { data, rows } = checkInputs(where, x, this.#network, this.dtype, this.#buffers, {
      finite: true,
      minRows: 1,
    })
    const targets = checkTargets(where, y, this.#network, this.dtype, this.#buffers, rows)
    checkScheduleLength(where, settings, rows)
    signal?.throwIfAborted()
    const endTraining = beginTraining(settings.optimizer)
    this.#training = true
    lendToTraining(settings.optimizer, where)
    try {
      const trainee = {
        where,
        network: this.#network,
        params: this.#params,
        grads: this.#grads,
        engine: this.#engine,
      }
      if (!this.#session?.usable) this.#session = this.#engine.startSession(this.#network, this.dtype)
      return await runFitAsync(trainee, this.#session, data, targets, rows, settings, signal)
    } finally {
      if (this.#session && !this.#session.usable) {
        this.#session.close()
        this.#session = undefined
      }
      lendToTraining(settings.optimizer, undefined)
      this.#training = false
      endTraining()
    }
  }

  get #buffers() {
    return { params: this.#params, grads: this.#grads }
  }

  #checkIdle(where: string): void {
    if (this.#trainer)
      throw new DescentError(
        'DESCENT_BUSY',
        `${where}: this model has an open trainer; await trainer.close() first`,
      )
    if (this.#training)
      throw new DescentError(
        'DESCENT_BUSY',
        `${where}: this model is already training; wait for the running fit to finish`,
      )
  }

  /** The Parameters must still be views of the model's two buffers (a replaced grad is not seen by the kernels). */
  #checkIntact(where: string): void {
    if (
      this.#params.length !== this.#network.parameterCount ||
      this.#grads.length !== this.#network.parameterCount
    )
      throw new DescentError('DESCENT_DETACHED', `${where}: the model's buffers were detached (transferred?)`)
    for (const p of this.#parameters) {
      const g = p.grad
      const expected = this.#grads.byteOffset + (p.data.byteOffset - this.#params.byteOffset)
      if (g.buffer !== this.#grads.buffer || g.byteOffset !== expected) {
        throw new DescentError(
          'DESCENT_DETACHED',
          `${where}: ${p.label}.grad was replaced; a model's gradients must stay views of its gradient buffer (copy into p.grad instead)`,
        )
      }
    }
  }
}
