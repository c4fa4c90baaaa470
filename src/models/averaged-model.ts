import { typeError } from '../errors.js'
import { Parameter } from '../parameter.js'
import type { Tensor } from '../tensor.js'
import { checkPlainObject, rejectUnknownKeys } from '../validate.js'
import { Model, type ModelArchitecture } from './model.js'

/** Options of `AveragedModel`. */
export interface AveragedModelOptions {
  /**
   * An exponential moving average with this decay, in [0, 1) (torch's `get_ema_multi_avg_fn`);
   * without it, the equal-weight average of every update (SWA, torch's default).
   */
  decay?: number
}

type ModelClass = new (options: Record<string, unknown>) => Model

/** torch's `lerp`: start + w·(end − start) for w < ½, else end − (end − start)·(1 − w). */
function lerp(start: number, end: number, w: number, r: (x: number) => number): number {
  const d = r(end - start)
  return w < 0.5 ? r(start + r(w * d)) : r(end - r(d * (1 - w)))
}

/** A TypeError unless every parameter's buffer holds its whole shape (a transfer detaches it). */
function checkWhole(where: string, owner: string, params: readonly Parameter[]): void {
  params.forEach((p, i) => {
    if (p.data.length !== p.elements)
      throw new TypeError(
        `${where}: ${owner}.parameters()[${i}] (${p.name}) holds ${p.data.length} elements, expected ${p.elements} (was its buffer detached?)`,
      )
  })
}

/**
 * An average of a model's weights over training (torch.optim.swa_utils.AveragedModel): an
 * equal-weight average of the weights at each `update()` (stochastic weight averaging, with
 * `SWALR`), or an exponential moving average with `decay`. It owns a copy of the model
 * (`module`), which `predict` and `evaluate` use; the training model is untouched.
 *
 * ```ts
 * const swa = new AveragedModel(model)                  // or new AveragedModel(model, { decay: 0.999 })
 * for (let epoch = 0; epoch < 20; epoch++) {
 *   model.fit(x, y, { optimizer, epochs: 1, seed: epoch })
 *   if (epoch >= 10) { swa.update(); swaScheduler.step() }
 * }
 * swa.evaluate(xTest, yTest)
 * ```
 *
 * In checkpoints it is a model of its own: its parameters are named `module.<name>` plus
 * `n_averaged`, as torch's state_dict, so `saveCheckpoint(path, { model: swa })` and
 * `loadCheckpoint(path, { model: swa })` keep the average and its count.
 */
export class AveragedModel {
  /** The averaged copy of the model: the weights `predict` and `evaluate` use. */
  readonly module: Model
  /** The EMA decay, or undefined for the equal-weight (SWA) average. */
  readonly decay: number | undefined
  readonly #source: Model
  readonly #named: readonly Parameter[]
  readonly #count: Parameter<Float64Array>

  constructor(model: Model, options: AveragedModelOptions = {}) {
    const where = 'AveragedModel'
    if (!(model instanceof Model))
      throw typeError(where, 'model', 'a descent model (MLP, LinearRegression)', model)
    checkPlainObject(where, 'options', options)
    rejectUnknownKeys(where, options, new Set(['decay']))
    const { decay } = options
    if (decay !== undefined && !(typeof decay === 'number' && decay >= 0 && decay < 1))
      throw new RangeError(`${where}: decay must be a number in [0, 1), got ${String(decay)}`)
    this.decay = decay
    this.#source = model
    const Class = model.constructor as ModelClass
    checkWhole(where, 'model', model.parameters())
    this.module = new Class({ ...model.architecture(), backend: model.backend })
    const own = this.module.parameters()
    model.parameters().forEach((p, i) => (own[i] as Parameter).data.set(p.data))
    this.#named = own.map((p) => new Parameter(p.data, p.shape, `module.${p.name}`, p.grad))
    this.#count = new Parameter(new Float64Array(1), [1], 'n_averaged')
  }

  /** How many times `update()` has averaged the model in (torch's `n_averaged`). */
  get nAveraged(): number {
    return this.#count.data[0] as number
  }

  /**
   * Averages the model's current weights in: the first update copies them; later ones move the
   * average by (θ − avg)/(n + 1) (SWA) or by lerp(avg, θ, 1 − decay) (EMA), in the weights' dtype.
   */
  update(): void {
    checkWhole('AveragedModel.update', 'model', this.#source.parameters())
    checkWhole('AveragedModel.update', 'module', this.module.parameters())
    const n = this.nAveraged
    const f32 = this.module.dtype === 'float32'
    const r = f32 ? Math.fround : (x: number) => x
    const source = this.#source.parameters()
    this.module.parameters().forEach((average, i) => {
      const current = (source[i] as Parameter).data
      const avg = average.data
      if (n === 0) {
        avg.set(current)
        return
      }
      for (let j = 0; j < avg.length; j++) {
        const a = avg[j] as number
        const c = current[j] as number
        avg[j] = this.decay === undefined ? r(a + r(r(c - a) / (n + 1))) : lerp(a, c, 1 - this.decay, r)
      }
    })
    this.#count.data[0] = n + 1
  }

  /** The averaged model's outputs (see `Model.predict`). */
  predict(x: Tensor) {
    return this.module.predict(x)
  }

  /** The averaged model's loss (and accuracy) on x, y (see `Model.evaluate`). */
  evaluate(x: Tensor, y: Tensor) {
    return this.module.evaluate(x, y)
  }

  /** The averaged weights, named `module.<name>`, then `n_averaged` (what checkpoints hold). */
  parameters(): Parameter[] {
    return [...this.#named, this.#count]
  }

  /** The averaged model's architecture and how it averages. */
  architecture(): ModelArchitecture {
    return {
      ...this.module.architecture(),
      averaging: this.decay === undefined ? 'swa' : 'ema',
      ...(this.decay === undefined ? {} : { decay: this.decay }),
    }
  }
}
