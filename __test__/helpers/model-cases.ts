import {
  Adam,
  data,
  LinearRegression,
  MLP,
  type Model,
  OneCycleLR,
  type Optimizer,
  ReduceLROnPlateau,
  RMSprop,
  type Scheduler,
  SGD,
  StepLR,
  type Tensor,
} from '../../src/index.js'

/**
 * Models trained with `fit`, for the exact-resume test: fit for some epochs, checkpoint, fit
 * for the rest in another process. Each case says how to train epochs [from, to).
 */
export interface ModelCase {
  readonly name: string
  build(backend: 'native' | 'js', fresh: boolean): ModelRun
}

export interface ModelRun {
  readonly model: Model
  // biome-ignore lint/suspicious/noExplicitAny: any optimizer
  readonly optimizer: Optimizer<any>
  readonly scheduler?: Scheduler
  /** Trains epochs [from, to) with fit. */
  train(from: number, to: number): void
}

const classes = (dtype: 'float32' | 'float64') =>
  data.blobs({ samples: 120, features: 4, centers: 3, std: 3, seed: 5, dtype }) as { x: Tensor; y: Tensor }

export const MODEL_CASES: readonly ModelCase[] = [
  {
    name: 'MLP + Adam + StepLR per epoch, no shuffle',
    build(backend, fresh) {
      const { x, y } = classes('float32')
      const model = new MLP({ sizes: [4, 16, 3], seed: fresh ? 99 : 1, backend })
      const optimizer = new Adam(model.parameters(), { lr: 0.01, backend })
      const scheduler = new StepLR(optimizer, { stepSize: 2, gamma: 0.5 })
      return {
        model,
        optimizer,
        scheduler,
        train: (from, to) =>
          void model.fit(x, y, { optimizer, scheduler, epochs: to - from, batchSize: 16, shuffle: false }),
      }
    },
  },
  {
    name: 'MLP float64 + SGD momentum + OneCycleLR per batch, shuffled with one seed per epoch',
    build(backend, fresh) {
      const { x, y } = classes('float64')
      const model = new MLP({ sizes: [4, 8, 8, 3], dtype: 'float64', seed: fresh ? 98 : 2, backend })
      const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9, backend })
      const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 100 })
      return {
        model,
        optimizer,
        scheduler,
        // fit seeds its shuffling Rng anew each call, so a resumable run fits one epoch per call
        // with the epoch as the seed.
        train(from, to) {
          for (let e = from; e < to; e++) {
            model.fit(x, y, {
              optimizer,
              scheduler,
              schedulerStep: 'batch',
              epochs: 1,
              batchSize: 10,
              seed: e,
            })
          }
        },
      }
    },
  },
  {
    name: 'LinearRegression + RMSprop + ReduceLROnPlateau',
    build(backend, fresh) {
      const { x, y } = data.regression({ samples: 100, seed: 3 }) as { x: Tensor; y: Tensor }
      const model = new LinearRegression({ features: 1, seed: fresh ? 97 : 4, backend })
      const optimizer = new RMSprop(model.parameters(), { lr: 0.05, centered: true, momentum: 0.3, backend })
      const scheduler = new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.7 })
      return {
        model,
        optimizer,
        scheduler,
        train: (from, to) =>
          void model.fit(x, y, { optimizer, scheduler, epochs: to - from, batchSize: 20, shuffle: false }),
      }
    },
  },
]
