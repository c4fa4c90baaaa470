/**
 * Load on the online-learning server (examples/server, a thin HTTP layer over `Trainer`), from
 * this process over loopback, with the server in a child process: `/predict` latency with no
 * training and while `/train` is kept busy with batches of 256 MNIST digits (binary bodies, or
 * JSON bodies with pixels to 3 decimals), training throughput in the server, and, outside any
 * server, `fit`, `fitAsync` and `trainer.train` on the same model (784→256→10, Adam).
 *
 *   npm run build:ts && node dist/benches/server-load.js [--seconds 10] [--connections 8] [--rate 1000]
 *     [--train-clients 8] [--json-clients 2] [--backends native,js] [--json FILE]
 *
 * `/predict` load is autocannon, one digit per request as JSON, flat out (closed loop:
 * `connections` requests always in flight) or at a fixed `rate` well below capacity, which
 * measures how long a request waits when the server is not saturated. Latencies are recorded
 * here in microseconds. Each training client (an autocannon connection) keeps one batch in flight. Each scenario runs on a
 * fresh server; every loop is bounded by `seconds` and by a request count.
 *
 * CPU split: for each scenario, the CPU time of the server's threads (from /proc/<pid>/task:
 * the event loop is the main thread; `descent-trainer*` the training thread and its pool;
 * `descent-intake` the body parser; the rest libuv and V8 helpers) and of this process (the
 * load generator), as a share of one core over the scenario.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { createHistogram } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { encodeBatch } from '../examples/server/binary.js'
import { type LaunchedServer, launch } from '../examples/server/launch.js'
import { Adam, data, MLP, nativeAvailable, tensor } from '../src/index.js'
import { table, writeJson } from './harness.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    'train-clients': { type: 'string', default: '8' },
    'json-clients': { type: 'string', default: '2' },
    rate: { type: 'string', default: '1000' },
    backends: { type: 'string', default: nativeAvailable() ? 'native,js' : 'js' },
    json: { type: 'string', default: 'bench-results/server-load.json' },
  },
})
const SECONDS = Number(values.seconds)
const CONNECTIONS = Number(values.connections)
/** /predict requests per second in the latency scenarios (well below what the server can take). */
const RATE = Number(values.rate)
const BATCH = 256
const INPUTS = 784
const HIDDEN = 256
const LR = 1e-3
const TRAIN_CLIENTS = Number(values['train-clients'])
const JSON_CLIENTS = Number(values['json-clients'])
/** Upper bound on the training requests of one run, whatever the time. */
const MAX_TRAIN_REQUESTS = 100_000
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS = 100

const digits = data.mnist({ train: 8192, test: 100, seed: 1 })
const slices = Array.from({ length: 8192 / BATCH }, (_, b) => ({
  x: digits.train.x.data.subarray(b * BATCH * INPUTS, (b + 1) * BATCH * INPUTS) as Float32Array,
  y: digits.train.y.data.subarray(b * BATCH, (b + 1) * BATCH) as Int32Array,
}))
const binaryBodies = slices.map((s) => encodeBatch(s.x, BATCH, INPUTS, s.y))
/** JSON as clients send it: pixels to 3 decimals (about 1 MB a batch). */
const jsonBodies = slices.map((s) =>
  Buffer.from(
    JSON.stringify({
      x: Array.from({ length: BATCH }, (_, r) =>
        Array.from(s.x.subarray(r * INPUTS, (r + 1) * INPUTS), (v) => Math.round(v * 1000) / 1000),
      ),
      y: Array.from(s.y),
    }),
  ),
)
const predictBody = JSON.stringify({ x: [Array.from(digits.test.x.data.subarray(0, INPUTS))] })

interface PredictLoad {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
}

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

/**
 * `clients` autocannon connections posting batches (binary or JSON, rotating through the data
 * set) for SECONDS; autocannon rather than fetch, so the load generator takes less of the cores.
 */
async function trainLoad(
  server: LaunchedServer,
  format: 'binary' | 'json',
  clients: number,
): Promise<TrainLoad> {
  const bodies = format === 'binary' ? binaryBodies : jsonBodies
  const type = format === 'binary' ? 'application/octet-stream' : 'application/json'
  let next = 0
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: `${server.url}/train`,
        connections: clients,
        duration: SECONDS,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': type },
            setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] as Buffer }),
          },
        ],
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    )
  })
  return { samplesPerSecond: (result['2xx'] * BATCH) / (result.duration || SECONDS), refused: result.non2xx }
}

/** CPU ticks of the server's threads, by role. */
function threadTicks(pid: number): Record<string, number> {
  const ticks: Record<string, number> = { eventLoop: 0, training: 0, intake: 0, other: 0 }
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    } catch {
      continue // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const used = Number(fields[11]) + Number(fields[12]) // utime + stime
    const role =
      tid === String(pid)
        ? 'eventLoop'
        : name.startsWith('descent-train')
          ? 'training'
          : name === 'descent-intake'
            ? 'intake'
            : 'other'
    ticks[role] = (ticks[role] ?? 0) + used
  }
  return ticks
}

/** Share of one core each role used between two readings `seconds` apart, in %. */
function split(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): Record<string, number> {
  const out: Record<string, number> = {}
  for (const role of Object.keys(after))
    out[role] = (100 * ((after[role] ?? 0) - (before[role] ?? 0))) / TICKS / seconds
  return out
}

async function serverMetrics(server: LaunchedServer): Promise<{ eventLoopDelayP99Ms: number }> {
  return (await (await fetch(`${server.url}/metrics`)).json()) as { eventLoopDelayP99Ms: number }
}

/** Ways to train the same model outside any server, 256-row batches. */
const REFERENCES = [
  { name: 'fit, one epoch of 32 batches per call', how: 'fit' },
  { name: 'fitAsync, one batch per call', how: 'fitAsync' },
  { name: 'trainer.train, one batch per call, awaited', how: 'trainer' },
  { name: 'trainer.train, 8 batches in flight', how: 'trainer8' },
] as const

/** Samples per second of each of REFERENCES, each on a fresh model for SECONDS / 3. */
async function references(backend: 'native' | 'js'): Promise<Record<string, number>> {
  const measured: Record<string, number> = {}
  for (const { name, how } of REFERENCES) {
    const model = new MLP({ sizes: [INPUTS, HIDDEN, 10], backend })
    const optimizer = new Adam(model.parameters(), { lr: LR })
    const options = { optimizer, batchSize: BATCH, shuffle: false }
    const budgetMs = (SECONDS * 1000) / 3
    const started = performance.now()
    let rows = 0
    const body = (i: number) => {
      const s = slices[i % slices.length] as (typeof slices)[0]
      return { x: tensor(s.x, [BATCH, INPUTS]), y: tensor(s.y) }
    }
    if (how === 'fit') {
      const x = tensor(digits.train.x.data, [8192, INPUTS])
      const y = tensor(digits.train.y.data)
      while (performance.now() - started < budgetMs) {
        model.fit(x, y, options)
        rows += 8192
      }
    } else if (how === 'fitAsync') {
      for (let i = 0; performance.now() - started < budgetMs && i < MAX_TRAIN_REQUESTS; i++) {
        const b = body(i)
        await model.fitAsync(b.x, b.y, options)
        rows += BATCH
      }
    } else {
      const trainer = model.trainer({ optimizer, batchSize: BATCH })
      const inFlight = how === 'trainer8' ? 8 : 1
      let i = 0
      const client = async () => {
        while (performance.now() - started < budgetMs && i < MAX_TRAIN_REQUESTS) {
          const b = body(i++)
          const result = await trainer.train(b.x, b.y)
          rows += result.rows // not `rows += await …`, which would read rows before the await
        }
      }
      await Promise.all(Array.from({ length: inFlight }, client))
      await trainer.close()
    }
    measured[name] = rows / ((performance.now() - started) / 1000)
  }
  return measured
}

/** What a scenario drives. */
interface Load {
  /** /predict load: none, as fast as it goes, or at RATE requests per second. */
  readonly predict: 'none' | 'max' | 'rate'
  readonly train: 'none' | 'binary' | 'json'
}

async function scenario(backend: string, load: Load) {
  const server = await launch({ BACKEND: backend, HIDDEN: String(HIDDEN), LR: String(LR), QUEUE_LIMIT: '32' })
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
  const pid = server.child.pid as number
  const ticksBefore = threadTicks(pid)
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const predict =
    load.predict === 'none' ? undefined : predictLoad(server, load.predict === 'rate' ? RATE : undefined)
  const train =
    load.train === 'none'
      ? undefined
      : trainLoad(server, load.train, load.train === 'json' ? JSON_CLIENTS : TRAIN_CLIENTS)
  const [p, t] = await Promise.all([predict, train])
  const seconds = (performance.now() - started) / 1000
  const cpu = split(ticksBefore, threadTicks(pid), seconds)
  const own = process.cpuUsage(cpuBefore)
  cpu.loadGenerator = (100 * (own.user + own.system)) / 1e6 / seconds
  return { predict: p, train: t, cpu, eventLoopDelayP99Ms: (await serverMetrics(server)).eventLoopDelayP99Ms }
}

const IDLE = `/predict at ${RATE}/s, no training`
const BUSY_BINARY = `/predict at ${RATE}/s, /train busy (binary, ${TRAIN_CLIENTS} clients)`
const BUSY_JSON = `/predict at ${RATE}/s, /train busy (JSON, ${JSON_CLIENTS} clients)`
const TRAIN_BINARY = '/train only (binary)'
const SCENARIOS: Readonly<Record<string, Load>> = {
  '/predict flat out, no training': { predict: 'max', train: 'none' },
  '/predict flat out, /train busy (binary)': { predict: 'max', train: 'binary' },
  [IDLE]: { predict: 'rate', train: 'none' },
  [BUSY_BINARY]: { predict: 'rate', train: 'binary' },
  [BUSY_JSON]: { predict: 'rate', train: 'json' },
  [TRAIN_BINARY]: { predict: 'none', train: 'binary' },
  '/train only (JSON)': { predict: 'none', train: 'json' },
}

async function main() {
  const loadBefore = loadavg()[0] as number
  const rows: (string | number)[][] = []
  const results: Record<string, unknown> = {}
  const f = (x: number | undefined, digits = 2) => (x === undefined ? '' : x.toFixed(digits))
  const summary: string[] = []
  for (const backend of values.backends.split(',') as ('native' | 'js')[]) {
    const ref = await references(backend)
    const fit = ref[REFERENCES[0].name] as number
    const measured: Record<string, Awaited<ReturnType<typeof scenario>>> = {}
    for (const [name, load] of Object.entries(SCENARIOS)) {
      const r = await scenario(backend, load)
      measured[name] = r
      const c = r.cpu
      rows.push([
        backend,
        name,
        f(r.predict?.requestsPerSecond, 0),
        f(r.predict?.p50Ms),
        f(r.predict?.p99Ms),
        f(r.train?.samplesPerSecond, 0),
        f(r.eventLoopDelayP99Ms),
        `${f(c.eventLoop, 0)} / ${f(c.training, 0)} / ${f(c.intake, 0)} / ${f(c.other, 0)} / ${f(c.loadGenerator, 0)}`,
      ])
    }
    for (const [name, samplesPerSecond] of Object.entries(ref))
      rows.push([backend, `no server: ${name}`, '', '', '', f(samplesPerSecond, 0), '', ''])
    results[backend] = { reference: ref, scenarios: measured }
    const p99 = (name: string) => measured[name]?.predict?.p99Ms ?? Number.NaN
    const percent = (x: number | undefined) => `${((100 * (x ?? Number.NaN)) / fit).toFixed(0)}%`
    summary.push(
      `${backend}: training in the server (binary) = ${percent(measured[TRAIN_BINARY]?.train?.samplesPerSecond)} of fit (target ≥ 90%); ` +
        `trainer one batch per call = ${percent(ref[REFERENCES[2].name])}; fitAsync one batch per call = ${percent(ref[REFERENCES[1].name])} (target ≥ 90%); ` +
        `/predict p99 busy/idle = ${(p99(BUSY_BINARY) / p99(IDLE)).toFixed(2)}× binary (target ≤ 1.5), ${(p99(BUSY_JSON) / p99(IDLE)).toFixed(2)}× JSON (target ≤ 2); ` +
        `event-loop p99 while training ${f(measured[TRAIN_BINARY]?.eventLoopDelayP99Ms)} ms binary, ${f(measured[BUSY_JSON]?.eventLoopDelayP99Ms)} ms JSON (target ≤ 3)`,
    )
  }
  const loadAfter = loadavg()[0] as number
  for (const line of summary) console.error(line)
  console.error(
    `${availableParallelism()} cores; 1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
  )
  console.log(
    table(
      [
        'backend',
        'scenario',
        '/predict req/s',
        'p50 ms',
        'p99 ms',
        'train samples/s',
        'event-loop p99 ms',
        'CPU % of a core: loop / training / intake / other / load gen',
      ],
      rows,
    ),
  )
  writeJson(values.json, {
    seconds: SECONDS,
    connections: CONNECTIONS,
    trainClients: TRAIN_CLIENTS,
    jsonClients: JSON_CLIENTS,
    cores: availableParallelism(),
    loadAverage: { before: loadBefore, after: loadAfter },
    rate: RATE,
    batch: BATCH,
    hidden: HIDDEN,
    results,
  })
}

void main()
