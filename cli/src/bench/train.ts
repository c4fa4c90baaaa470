import { type BackendName, type LabelledData, MLP } from 'descent-optim'
import type { BenchOptimizer, TrainingSettings } from './optimizers.js'
import type { TfjsModule, TfjsTensor } from './tfjs.js'

/** What the benchmark trains: the tutorial's SimpleNN(inputs, hidden, classes), tanh + softmax. */
export interface Network {
  sizes: [number, number, number]
  /** Seed of the initial weights (every backend starts from the same ones). */
  seed: number
}

/** One timed training run. */
export interface TrainingRun {
  /** Mean training loss of each epoch. */
  loss: number[]
  /** Wall time of the training call(s) only, in milliseconds. */
  timeMs: number
}

export type { TrainingSettings }

/**
 * Trains a fresh MLP with descent on `backend`: the whole training is timed (through `fit`, on
 * the native backend one call into Rust per epoch; Muon + AdamW and L-BFGS run loops of their own). Rows are visited in order (no shuffling), as in
 * the tutorial, so every backend sees the same batches.
 */
export function trainDescent(
  set: LabelledData,
  network: Network,
  optimizer: BenchOptimizer,
  backend: BackendName,
  settings: TrainingSettings,
): TrainingRun {
  const model = new MLP({ sizes: network.sizes, seed: network.seed, backend })
  const start = performance.now()
  const loss = optimizer.start(model).epochs(set, settings)
  return { loss, timeMs: performance.now() - start }
}

/** A weight [out, in] (PyTorch's layout, descent's) as a Keras kernel [in, out]. */
function transpose(data: Float32Array | Float64Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols)
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number
  return out
}

/**
 * Trains the same network in TensorFlow.js, from descent's initial weights (copied into the
 * Keras layers), on the same rows in the same order, with the same optimizer settings. Only
 * `model.fit` is timed; tensors are created before and disposed after.
 */
export async function trainTfjs(
  tf: TfjsModule,
  set: LabelledData,
  network: Network,
  optimizer: BenchOptimizer,
  settings: TrainingSettings,
): Promise<TrainingRun> {
  if (!optimizer.tfjs) throw new Error(`${optimizer.label} has no TensorFlow.js counterpart`)
  const [inputs, hidden, classes] = network.sizes
  const init = new MLP({ sizes: network.sizes, seed: network.seed, backend: 'js' }).parameters()
  const [w1, b1, w2, b2] = init.map((p) => p.data)
  const model = tf.sequential()
  model.add(tf.layers.dense({ units: hidden, activation: 'tanh', inputShape: [inputs] }))
  model.add(tf.layers.dense({ units: classes, activation: 'softmax' }))
  const weights: TfjsTensor[][] = [
    [
      tf.tensor2d(transpose(w1 as Float32Array, hidden, inputs), [inputs, hidden]),
      tf.tensor1d(Float32Array.from(b1 as Float32Array)),
    ],
    [
      tf.tensor2d(transpose(w2 as Float32Array, classes, hidden), [hidden, classes]),
      tf.tensor1d(Float32Array.from(b2 as Float32Array)),
    ],
  ]
  model.layers.forEach((layer, i) => layer.setWeights(weights[i] as TfjsTensor[]))
  model.compile({ optimizer: optimizer.tfjs(tf), loss: 'sparseCategoricalCrossentropy' })
  const rows = set.y.data.length
  const x = tf.tensor2d(Float32Array.from(set.x.data), [rows, inputs])
  const y = tf.tensor1d(Float32Array.from(set.y.data), 'float32')
  try {
    const start = performance.now()
    const history = await model.fit(x, y, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      shuffle: false,
      verbose: 0,
    })
    return { loss: history.history.loss.map(Number), timeMs: performance.now() - start }
  } finally {
    for (const t of [x, y, ...weights.flat()]) t.dispose()
    model.dispose()
  }
}
