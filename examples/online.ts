/**
 * Online training with a Trainer, runnable as it is: `node dist/examples/online.js`.
 * Batches arrive one by one (here from a loop; in a server, from requests), train in order off
 * the event loop, and predictions answer meanwhile from the latest published weights.
 */
import { AdamW, data, MLP, OneCycleLR, tensor } from '../src/index.js'

async function main(): Promise<void> {
  const { x: X, y: Y } = data.blobs({ samples: 2400, features: 8, centers: 4, std: 2, seed: 7 })
  const test = { x: tensor(X.data.slice(1800 * 8), [600, 8]), y: tensor(Y.data.slice(1800)) }
  const model = new MLP({ sizes: [8, 32, 4], activation: 'relu', seed: 1 })
  const optimizer = new AdamW(model.parameters(), { lr: 1e-3 })
  const scheduler = new OneCycleLR(optimizer, { maxLr: 1e-2, totalSteps: 60 })
  const trainer = model.trainer({ optimizer, scheduler, batchSize: 30, queueLimit: 16 })

  const accuracy = () => trainer.evaluate(test.x, test.y).accuracy ?? 0
  console.log(`held-out accuracy before: ${accuracy().toFixed(3)}`)
  const rows = 180 // one "request" of rows: 6 optimizer steps
  const pending = []
  for (let at = 0; at + rows <= 1800; at += rows) {
    const x = tensor(X.data.slice(at * 8, (at + rows) * 8), [rows, 8])
    const y = tensor(Y.data.slice(at, at + rows))
    // The same batch could arrive as JSON bytes: trainer.trainJson(JSON.stringify({ x: [[...]], y: [...] })).
    pending.push(trainer.train(x, y))
  }
  const results = await Promise.all(pending)
  console.log(
    `trained ${results.length} batches, ${results.at(-1)?.step} steps, last loss ${results.at(-1)?.loss.toFixed(3)}`,
  )
  console.log(`held-out accuracy after: ${accuracy().toFixed(3)}`)
  await trainer.close() // writes the weights and optimizer state back into model and optimizer
}

void main()
