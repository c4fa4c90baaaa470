/**
 * An HTTP service that keeps an MLP learning from its traffic while it answers predictions:
 * `npm run example:server` (README, "Training inside a server"). Prints one JSON line on stdout
 * when it listens — `{"event":"listening","host":"127.0.0.1","port":3000,"backend":"native",…}` —
 * and one when it has stopped; on SIGTERM or SIGINT it finishes the batch in flight and exits 0.
 */
import { HOST, readConfig } from './config.js'
import { startLearner } from './learner.js'
import { Metrics } from './metrics.js'
import { TrainingServer } from './server.js'

async function main(): Promise<void> {
  const config = readConfig()
  const learner = startLearner(config)
  const server = new TrainingServer({ learner, metrics: new Metrics(), maxBodyBytes: config.maxBodyBytes })
  const port = await server.listen(config.port, HOST)
  const event = (name: string, fields: object) => console.log(JSON.stringify({ event: name, ...fields }))

  let stopping = false
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    await server.stop()
    const { steps, rows } = learner.trainer.metrics()
    event('stopped', { signal, steps, samples: rows })
    process.exit(0)
  }
  // Before the `listening` line: a supervisor may signal as soon as it reads it.
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  const backend = learner.model.backend
  event('listening', {
    host: HOST,
    port,
    backend,
    sizes: config.sizes,
    optimizer: config.optimizer,
    lr: config.lr,
    // The JS backend trains on the event loop: it has no training threads to set.
    ...(backend === 'native' ? { trainThreads: config.trainThreads ?? 'one per core' } : {}),
  })
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
