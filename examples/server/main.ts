/**
 * An HTTP service that keeps an MLP learning from its traffic while it answers predictions:
 * `npm run example:server` (docs/server.md). Prints one JSON line on stdout when it listens —
 * `{"event":"listening","host":"127.0.0.1","port":3000,"backend":"native",…}` — and one when it
 * has stopped; on SIGTERM or SIGINT it finishes the training call in flight and exits 0.
 */
import { HOST, readConfig } from './config.js'
import { Learner, type TrainResult } from './learner.js'
import { Metrics } from './metrics.js'
import { BoundedQueue } from './queue.js'
import { TrainingServer } from './server.js'
import type { LabelledInputs } from './validate.js'

async function main(): Promise<void> {
  const config = readConfig()
  // Rayon sizes its pool from this variable when the first parallel kernel runs, which is later.
  if (config.trainThreads !== undefined) process.env.RAYON_NUM_THREADS = String(config.trainThreads)
  const learner = new Learner(config)
  const queue = new BoundedQueue<LabelledInputs, TrainResult>({
    limit: config.queueLimit,
    run: (batches) => learner.train(batches),
    maxGroup: config.coalesce,
    joins: (group, next) => learner.joins(group, next),
  })
  const server = new TrainingServer({
    learner,
    queue,
    metrics: new Metrics(),
    maxBodyBytes: config.maxBodyBytes,
  })
  const port = await server.listen(config.port, HOST)
  const event = (name: string, fields: object) => console.log(JSON.stringify({ event: name, ...fields }))
  event('listening', {
    host: HOST,
    port,
    backend: learner.model.backend,
    sizes: config.sizes,
    trainThreads: config.trainThreads ?? 'one per core',
  })

  let stopping = false
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    await server.stop()
    event('stopped', { signal, steps: learner.steps, samples: learner.samples })
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
