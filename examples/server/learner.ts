import { Adam, AdamWScheduleFree, MLP, type Trainer } from '../../src/index.js'
import type { ServerConfig } from './config.js'

/** Rows per step when each posted batch is one step: more than any body can hold. */
const WHOLE_BATCH = 2 ** 30

/**
 * The model the server keeps learning, its optimizer (Adam, or AdamW Schedule-Free) and the
 * trainer that owns them while the server runs: an MLP (784 → HIDDEN → 10, tanh, softmax),
 * trained one optimizer step per posted batch (or per `MINIBATCH` rows), in the order the
 * batches arrive. With Schedule-Free, predictions read its average x while training moves y.
 */
export interface Learner {
  readonly model: MLP
  readonly trainer: Trainer
  readonly queueLimit: number
}

export function startLearner(config: ServerConfig): Learner {
  const model = new MLP({ sizes: config.sizes, seed: config.seed, backend: config.backend })
  const optimizer =
    config.optimizer === 'adamwScheduleFree'
      ? new AdamWScheduleFree(model.parameters(), { lr: config.lr })
      : new Adam(model.parameters(), { lr: config.lr })
  const trainer = model.trainer({
    optimizer,
    batchSize: config.minibatch ?? WHOLE_BATCH,
    queueLimit: config.queueLimit,
    ...(config.trainThreads === undefined ? {} : { threads: config.trainThreads }),
  })
  return { model, trainer, queueLimit: config.queueLimit }
}
