import { Adam, MLP, tensor } from '../../src/index.js'
import { CLASSES, INPUTS, type ServerConfig } from './config.js'
import type { Inputs, LabelledInputs, ModelShape } from './validate.js'

/** What `POST /train` answers once its batch has been applied. */
export interface TrainResult {
  /** Optimizer steps taken since the server started, up to and including this batch's. */
  readonly step: number
  /**
   * Mean cross-entropy, measured before each step, over the batches trained in the same fitAsync
   * call as this one (`batches` of them: this one alone unless others were waiting).
   */
  readonly loss: number
  /** Batches trained in that call. */
  readonly batches: number
}

/**
 * The model the server keeps learning: an MLP (INPUTS → HIDDEN → CLASSES, tanh, softmax) and its
 * Adam optimizer. Training runs off the event loop (`fitAsync`, never two calls at once: the
 * queue sees to that). Predictions meanwhile use the weights from before the call on the native
 * backend (it trains copies), those of the last finished slice on the JS one (it trains in place).
 */
export class Learner {
  readonly model: MLP
  readonly optimizer: Adam
  readonly shape: ModelShape = { inputs: INPUTS, classes: CLASSES }
  readonly #minibatch: number | undefined
  #steps = 0
  #samples = 0
  #lastLoss: number | undefined

  constructor(config: ServerConfig) {
    this.model = new MLP({ sizes: config.sizes, seed: config.seed, backend: config.backend })
    this.optimizer = new Adam(this.model.parameters(), { lr: config.lr })
    this.#minibatch = config.minibatch
  }

  /** Optimizer steps taken so far. */
  get steps(): number {
    return this.#steps
  }

  /** Training rows seen so far. */
  get samples(): number {
    return this.#samples
  }

  /** Loss of the last training call, if any. */
  get lastLoss(): number | undefined {
    return this.#lastLoss
  }

  /** The optimizer's learning rate. */
  get lr(): number {
    return this.optimizer.lr
  }

  /** Rows per optimizer step for a batch of `rows`: all of them, or `MINIBATCH`. */
  #batchSize(rows: number): number {
    return Math.min(this.#minibatch ?? rows, rows)
  }

  /**
   * Whether `next` can be trained in one fitAsync call with `group` and still get exactly the
   * steps it would get alone: batches of one size, made of whole minibatches.
   */
  joins(group: readonly LabelledInputs[], next: LabelledInputs): boolean {
    const rows = group[0]?.rows
    return next.rows === rows && rows % this.#batchSize(rows) === 0
  }

  /**
   * One epoch over the batches, in order, in one fitAsync call: one optimizer step per batch, or
   * one per `MINIBATCH` rows. Resolves when the new weights are in the model.
   */
  async train(batches: readonly LabelledInputs[]): Promise<TrainResult[]> {
    const first = batches[0]
    if (first === undefined || batches.some((b, i) => i > 0 && !this.joins(batches.slice(0, i), b)))
      throw new Error('Learner.train: expects one or more batches that join (see joins)')
    const batchSize = this.#batchSize(first.rows)
    const rows = first.rows * batches.length
    const x =
      batches.length === 1
        ? first.x
        : concat(
            Float32Array,
            batches.map((b) => b.x),
          )
    const y =
      batches.length === 1
        ? first.y
        : concat(
            Int32Array,
            batches.map((b) => b.y),
          )
    const history = await this.model.fitAsync(tensor(x, [rows, this.shape.inputs]), tensor(y, [rows]), {
      optimizer: this.optimizer,
      epochs: 1,
      batchSize,
      shuffle: false,
    })
    const loss = history.loss[0] as number
    const stepsEach = Math.ceil(first.rows / batchSize)
    const before = this.#steps
    this.#steps += stepsEach * batches.length
    this.#samples += rows
    this.#lastLoss = loss
    return batches.map((_, i) => ({ step: before + stepsEach * (i + 1), loss, batches: batches.length }))
  }

  /** The most probable class of each row, from the latest weights. */
  predict({ rows, x }: Inputs): number[] {
    const probabilities = this.model.predict(tensor(x, [rows, this.shape.inputs])).data
    const classes = this.shape.classes
    const best: number[] = []
    for (let r = 0; r < rows; r++) {
      let argmax = 0
      for (let c = 1; c < classes; c++) {
        if ((probabilities[r * classes + c] as number) > (probabilities[r * classes + argmax] as number))
          argmax = c
      }
      best.push(argmax)
    }
    return best
  }
}

/** The arrays one after the other, in one new array. */
function concat<A extends Float32Array | Int32Array>(
  Kind: { new (length: number): A },
  parts: readonly A[],
): A {
  const all = new Kind(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    all.set(part, at)
    at += part.length
  }
  return all
}
