/**
 * Load on the online-learning server (examples/server), from this process over loopback, with
 * the server in a child process: `/predict` throughput and latency with no training and while
 * `/train` is kept busy with batches of 256 MNIST digits (binary bodies), and the training
 * throughput in the server beside `fit` and `fitAsync` on the same model (784→256→10, Adam)
 * outside it. Once per backend, so the JS rows show what native buys.
 *
 *   npm run build:ts && node dist/benches/server-load.js [--seconds 10] [--connections 8] [--rate 1000]
 *     [--train-clients 8] [--train-threads CORES] [--backends native,js] [--json FILE]
 *
 * `/predict` load is autocannon, one MNIST digit per request as JSON, either flat out (closed
 * loop: `connections` requests always in flight, which measures throughput; latency is then
 * mostly queueing, connections / throughput) or at a fixed `rate` well below capacity, which
 * measures how long a request waits when the server is not saturated — the comparison the
 * target is about. Latencies are recorded here in microseconds (autocannon's own histogram keeps
 * whole milliseconds). `train-clients` clients each keep one batch in flight, so batches are
 * always waiting while one trains. Each scenario runs on a fresh server; every loop is bounded
 * by `seconds` and by a request count.
 */
import { availableParallelism, loadavg } from 'node:os'
import { createHistogram } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { encodeBatch } from '../examples/server/binary.js'
import { type LaunchedServer, launch } from '../examples/server/launch.js'
import { Adam, data, MLP, nativeAvailable } from '../src/index.js'
import { table, writeJson } from './harness.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    'train-clients': { type: 'string', default: '8' },
    rate: { type: 'string', default: '1000' },
    'train-threads': { type: 'string', default: String(availableParallelism()) },
    backends: { type: 'string', default: nativeAvailable() ? 'native,js' : 'js' },
    json: { type: 'string', default: 'bench-results/server-load.json' },
  },
})
const SECONDS = Number(values.seconds)
const CONNECTIONS = Number(values.connections)
/** /predict requests per second in the latency scenarios (well below what the server can take). */
const RATE = Number(values.rate)
/**
 * Threads of the native matrix products, in the server (its TRAIN_THREADS) and in the `fit`
 * references here, so that both train with the same cores. Rayon reads the variable when its
 * pool starts, at the first native training below.
 */
const TRAIN_THREADS = values['train-threads']
process.env.RAYON_NUM_THREADS = TRAIN_THREADS
const BATCH = 256
const INPUTS = 784
const HIDDEN = 256
const LR = 1e-3
/** Training clients, each with one batch in flight: the queue always holds batches to coalesce. */
const TRAIN_CLIENTS = Number(values['train-clients'])
/** Upper bound on the training requests of one run, whatever the time. */
const MAX_TRAIN_REQUESTS = 100_000

const digits = data.mnist({ train: 8192, test: 100, seed: 1 })
const batches = Array.from({ length: 8192 / BATCH }, (_, b) =>
  encodeBatch(
    digits.train.x.data.subarray(b * BATCH * INPUTS, (b + 1) * BATCH * INPUTS) as Float32Array,
    BATCH,
    INPUTS,
    digits.train.y.data.subarray(b * BATCH, (b + 1) * BATCH),
  ),
)
const predictBody = JSON.stringify({ x: [Array.from(digits.test.x.data.subarray(0, INPUTS))] })

interface PredictLoad {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
}

/**
 * autocannon on POST /predict for SECONDS, as fast as CONNECTIONS connections go, or at `rate`
 * requests per second; latencies recorded here in microseconds.
 */
async function predictLoad(server: LaunchedServer, rate: number | undefined): Promise<PredictLoad> {
  const latencies = createHistogram()
  let instance: autocannon.Instance | undefined
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: `${server.url}/predict`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: predictBody,
        connections: CONNECTIONS,
        duration: SECONDS,
        ...(rate === undefined ? {} : { overallRate: rate }),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    )
  })
  instance?.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) =>
    latencies.record(Math.max(1, Math.round(ms * 1000))),
  )
  const result = await finished
  return {
    requestsPerSecond: result.requests.total / (result.duration || SECONDS),
    p50Ms: latencies.percentile(50) / 1000,
    p99Ms: latencies.percentile(99) / 1000,
    errors: result.errors + result.timeouts + result.non2xx,
  }
}

interface TrainLoad {
  samplesPerSecond: number
  refused: number
}

/** TRAIN_CLIENTS loops posting binary 256-row batches until `until` resolves (or the bounds). */
async function trainLoad(server: LaunchedServer, until: Promise<unknown>): Promise<TrainLoad> {
  let done = false
  void until.then(() => {
    done = true
  })
  const deadline = Date.now() + (SECONDS + 30) * 1000
  let next = 0
  let applied = 0
  let refused = 0
  const started = performance.now()
  const client = async () => {
    while (!done && Date.now() < deadline && next < MAX_TRAIN_REQUESTS) {
      const body = batches[next++ % batches.length] as Buffer
      const response = await fetch(`${server.url}/train`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body,
      })
      await response.arrayBuffer()
      if (response.status === 200) applied++
      else refused++
    }
  }
  await Promise.all(Array.from({ length: TRAIN_CLIENTS }, client))
  const seconds = (performance.now() - started) / 1000
  return { samplesPerSecond: (applied * BATCH) / seconds, refused }
}

async function serverMetrics(server: LaunchedServer): Promise<{ eventLoopDelayP99Ms: number }> {
  return (await (await fetch(`${server.url}/metrics`)).json()) as { eventLoopDelayP99Ms: number }
}

/** Ways to train the same model outside any server: batches of 256 rows per call, and fit or fitAsync. */
const REFERENCES = [
  { name: 'fit, one epoch of 32 batches per call', batchesPerCall: 32, async: false },
  { name: 'fitAsync, one batch per call', batchesPerCall: 1, async: true },
  { name: 'fitAsync, 4 batches per call', batchesPerCall: 4, async: true },
] as const

/** Samples per second of each of REFERENCES, each on a fresh model for SECONDS / 3. */
async function references(backend: 'native' | 'js'): Promise<Record<string, number>> {
  const measured: Record<string, number> = {}
  for (const { name, batchesPerCall, async } of REFERENCES) {
    const model = new MLP({ sizes: [INPUTS, HIDDEN, 10], backend })
    const options = { optimizer: new Adam(model.parameters(), { lr: LR }), batchSize: BATCH, shuffle: false }
    const rows = BATCH * batchesPerCall
    const calls = digits.train.y.data.length / rows
    const started = performance.now()
    let done = 0
    while (performance.now() - started < (SECONDS * 1000) / 3 && done < MAX_TRAIN_REQUESTS) {
      const at = (done++ % calls) * rows
      const x = {
        data: digits.train.x.data.subarray(at * INPUTS, (at + rows) * INPUTS),
        shape: [rows, INPUTS],
      }
      const y = { data: digits.train.y.data.subarray(at, at + rows), shape: [rows] }
      if (async) await model.fitAsync(x, y, options)
      else model.fit(x, y, options)
    }
    measured[name] = (done * rows) / ((performance.now() - started) / 1000)
  }
  return measured
}

/** What a scenario drives. */
interface Load {
  /** /predict load: none, as fast as it goes, or at RATE requests per second. */
  readonly predict: 'none' | 'max' | 'rate'
  readonly train: boolean
  /** Server settings beyond the backend and the model. */
  readonly env?: Record<string, string>
}

/** One scenario on a fresh server (killed if the scenario fails). */
async function scenario(backend: string, load: Load) {
  const server = await launch({
    BACKEND: backend,
    HIDDEN: String(HIDDEN),
    LR: String(LR),
    TRAIN_THREADS,
    ...load.env,
  })
  let outcome: Awaited<ReturnType<typeof measure>>
  try {
    outcome = await measure(server, load)
  } catch (error) {
    server.child.kill('SIGKILL')
    throw error
  }
  const code = await server.stop()
  if (code !== 0) throw new Error(`the ${backend} server exited with code ${code} after SIGTERM`)
  return outcome
}

async function measure(server: LaunchedServer, load: Load) {
  for (let i = 0; i < 50; i++)
    await (await fetch(`${server.url}/predict`, { method: 'POST', body: predictBody })).json()
  const timer = new Promise((resolve) => setTimeout(resolve, SECONDS * 1000))
  const predict =
    load.predict === 'none' ? undefined : predictLoad(server, load.predict === 'rate' ? RATE : undefined)
  const train = load.train ? trainLoad(server, predict ?? timer) : undefined
  const [p, t] = await Promise.all([predict, train])
  return { predict: p, train: t, eventLoopDelayP99Ms: (await serverMetrics(server)).eventLoopDelayP99Ms }
}

/** The scenarios, each on a fresh server. */
const SCENARIOS: Readonly<Record<string, Load>> = {
  '/predict flat out, no training': { predict: 'max', train: false },
  '/predict flat out, /train busy': { predict: 'max', train: true },
  [`/predict at ${RATE}/s, no training`]: { predict: 'rate', train: false },
  [`/predict at ${RATE}/s, /train busy`]: { predict: 'rate', train: true },
  '/train only': { predict: 'none', train: true },
  '/train only, one fitAsync per batch': { predict: 'none', train: true, env: { COALESCE: '1' } },
}

async function main() {
  const loadBefore = loadavg()[0] as number
  const rows: (string | number)[][] = []
  const results: Record<string, unknown> = {}
  const f = (x: number | undefined, digits = 2) => (x === undefined ? '' : x.toFixed(digits))
  for (const backend of values.backends.split(',') as ('native' | 'js')[]) {
    const ref = await references(backend)
    const fit = ref[REFERENCES[0].name] as number
    const measured: Record<string, Awaited<ReturnType<typeof scenario>>> = {}
    for (const [name, load] of Object.entries(SCENARIOS)) {
      const r = await scenario(backend, load)
      measured[name] = r
      rows.push([
        backend,
        name,
        f(r.predict?.requestsPerSecond, 0),
        f(r.predict?.p50Ms),
        f(r.predict?.p99Ms),
        f(r.train?.samplesPerSecond, 0),
        f(r.eventLoopDelayP99Ms),
      ])
    }
    for (const [name, samplesPerSecond] of Object.entries(ref))
      rows.push([backend, `no server: ${name}`, '', '', '', f(samplesPerSecond, 0), ''])
    results[backend] = { reference: ref, scenarios: measured }
    const idle = measured[`/predict at ${RATE}/s, no training`]
    const busy = measured[`/predict at ${RATE}/s, /train busy`]
    const p99Ratio = (busy?.predict?.p99Ms ?? Number.NaN) / (idle?.predict?.p99Ms ?? Number.NaN)
    const percentOfFit = (name: string) =>
      ((100 * (measured[name]?.train?.samplesPerSecond ?? Number.NaN)) / fit).toFixed(0)
    console.error(
      `${backend}: /predict p99 while training = ${p99Ratio.toFixed(2)}× idle (target ≤ 2); training in the server = ${percentOfFit('/train only')}% of fit alone, ${percentOfFit(`/predict at ${RATE}/s, /train busy`)}% beside /predict at ${RATE}/s (target ≥ 80%)`,
    )
  }
  const loadAfter = loadavg()[0] as number
  console.error(
    `${availableParallelism()} cores, training on ${TRAIN_THREADS} thread(s); 1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
  )
  console.log(
    table(
      ['backend', 'scenario', '/predict req/s', 'p50 ms', 'p99 ms', 'train samples/s', 'event-loop p99 ms'],
      rows,
    ),
  )
  writeJson(values.json, {
    seconds: SECONDS,
    connections: CONNECTIONS,
    trainClients: TRAIN_CLIENTS,
    trainThreads: TRAIN_THREADS,
    cores: availableParallelism(),
    loadAverage: { before: loadBefore, after: loadAfter },
    rate: RATE,
    batch: BATCH,
    hidden: HIDDEN,
    results,
  })
}

void main()
