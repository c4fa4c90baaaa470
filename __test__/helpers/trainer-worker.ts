/**
 * A worker thread for trainer-lifecycle.test.ts: builds a model, trains the bodies it is sent
 * through a trainer of its own, closes it and posts back the parameters and the losses.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Adam, MLP, tensor } from '../../src/index.js'

interface Job {
  readonly backend: 'native' | 'js'
  readonly seed: number
  readonly bodies: readonly { x: Float32Array; y: Int32Array }[]
}

async function main(): Promise<void> {
  const { backend, seed, bodies } = workerData as Job
  const model = new MLP({ sizes: [6, 16, 3], seed, backend })
  const optimizer = new Adam(model.parameters(), { lr: 0.01 })
  const trainer = model.trainer({ optimizer, batchSize: 8, threads: 1 })
  const results = await Promise.all(
    bodies.map((b) => trainer.train(tensor(b.x, [b.y.length, 6]), tensor(b.y))),
  )
  await trainer.close()
  parentPort?.postMessage({
    losses: results.map((r) => r.loss),
    params: model.parameters().map((p) => p.data.slice()),
  })
}

void main()
