/**
 * The online-learning server example (examples/server/), end to end over HTTP: each test starts
 * the compiled server in a child process on a free port (PORT=0), talks to it on 127.0.0.1 and
 * stops it with SIGTERM, expecting exit code 0.
 */
import test, { type ExecutionContext } from 'ava'
import { decodeBatch, encodeBatch } from '../examples/server/binary.js'
import { readConfig } from '../examples/server/config.js'
import { type LaunchedServer, launch } from '../examples/server/launch.js'
import { data, nativeAvailable } from '../src/index.js'

const INPUTS = 784
const digits = data.mnist({ train: 2048, test: 500, seed: 3 })

/** Rows `from … from + count` of a split, as plain typed arrays. */
function slice(set: data.LabelledData, from: number, count: number) {
  const x = set.x.data.subarray(from * INPUTS, (from + count) * INPUTS) as Float32Array
  return { rows: count, x, y: set.y.data.subarray(from, from + count) }
}

/** Rows as a JSON body's `x`. */
function jsonRows(x: Float32Array, rows: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * INPUTS, (r + 1) * INPUTS)))
}

interface Answer {
  status: number
  headers: Headers
  body: Record<string, unknown>
}

async function post(
  server: LaunchedServer,
  path: string,
  body: string | Buffer,
  binary = false,
): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': binary ? 'application/octet-stream' : 'application/json' },
    body,
  })
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  }
}

async function metrics(server: LaunchedServer): Promise<Record<string, unknown>> {
  return (await (await fetch(`${server.url}/metrics`)).json()) as Record<string, unknown>
}

/** Share of the held-out digits the server classifies right (one binary /predict). */
async function accuracy(server: LaunchedServer): Promise<number> {
  const { rows, x, y } = slice(digits.test, 0, digits.test.y.data.length)
  const answer = await post(server, '/predict', encodeBatch(x, rows, INPUTS), true)
  const predicted = answer.body.y as number[]
  return predicted.filter((label, i) => label === y[i]).length / rows
}

/** Starts a server for one test (killed at the end if the test did not stop it). */
async function started(t: ExecutionContext, env: Record<string, string>): Promise<LaunchedServer> {
  const server = await launch(env)
  t.teardown(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL')
  })
  return server
}

/** SIGTERM, expecting a clean exit. */
async function stopped(t: ExecutionContext, server: LaunchedServer): Promise<void> {
  t.is(await server.stop(), 0, 'exit code after SIGTERM')
  t.like(server.events.at(-1), { event: 'stopped', signal: 'SIGTERM' })
}

const BACKENDS = nativeAvailable() ? (['native', 'js'] as const) : (['js'] as const)

for (const backend of BACKENDS) {
  test(`${backend}: batches posted to /train (binary and JSON) improve held-out accuracy`, async (t) => {
    const server = await started(t, { BACKEND: backend, HIDDEN: '64', LR: '0.003' })
    t.like(server.events[0], { event: 'listening', backend, sizes: [784, 64, 10] })
    const before = await accuracy(server)
    const steps: number[] = []
    for (let batch = 0; batch < 6; batch++) {
      const { rows, x, y } = slice(digits.train, batch * 256, 256)
      const answer =
        batch % 2 === 0
          ? await post(server, '/train', encodeBatch(x, rows, INPUTS, y), true)
          : await post(server, '/train', JSON.stringify({ x: jsonRows(x, rows), y: Array.from(y) }))
      t.is(answer.status, 200, JSON.stringify(answer.body))
      t.true(Number.isFinite(answer.body.loss), `loss ${answer.body.loss}`)
      steps.push(answer.body.step as number)
    }
    t.deepEqual(steps, [1, 2, 3, 4, 5, 6])
    const after = await accuracy(server)
    t.log(
      `${backend}: held-out accuracy ${before.toFixed(3)} before, ${after.toFixed(3)} after 6 batches of 256`,
    )
    t.true(after >= before + 0.3, `accuracy ${before} → ${after}`)
    t.like(await metrics(server), {
      backend,
      steps: 6,
      samples: 1536,
      queueDepth: 0,
      training: false,
      lr: 0.003,
    })
    await stopped(t, server)
  })
}

test('binary bodies decode to what was encoded, aligned or not', (t) => {
  const { rows, x, y } = slice(digits.train, 0, 3)
  const body = encodeBatch(x, rows, INPUTS, y)
  for (const shift of [0, 1, 2, 3]) {
    const shifted = Buffer.alloc(body.length + shift).fill(7)
    body.copy(shifted, shift)
    const decoded = decodeBatch('test', shifted.subarray(shift), true)
    t.deepEqual(decoded, { rows, cols: INPUTS, x: x.slice(), y: y.slice() }, `shifted by ${shift}`)
  }
})

const PIXEL = Array(INPUTS).fill(0.5)
const nanBatch = (() => {
  const { rows, x, y } = slice(digits.train, 0, 4)
  const copy = x.slice()
  copy[INPUTS + 7] = Number.NaN
  return encodeBatch(copy, rows, INPUTS, y)
})()
const fourRows = slice(digits.train, 0, 4)

/** Requests that must get a 400 naming the problem, and leave the model as it was. */
const BAD_REQUESTS: readonly {
  name: string
  path: string
  body: string | Buffer
  binary?: boolean
  message: RegExp
}[] = [
  { name: 'malformed JSON', path: '/train', body: '{"x": [[0.5', message: /not valid JSON/ },
  { name: 'not an object', path: '/predict', body: '[1, 2]', message: /must be a JSON object/ },
  { name: 'unknown field', path: '/predict', body: '{"X": [[1]]}', message: /unknown field "X"/ },
  { name: 'no rows', path: '/train', body: '{"x": [], "y": []}', message: /x: expected at least one row/ },
  {
    name: 'wrong width',
    path: '/train',
    body: JSON.stringify({ x: [PIXEL, PIXEL.slice(1)], y: [1, 2] }),
    message: /POST \/train: x\[1\]: expected 784 numbers, got 783/,
  },
  {
    name: 'a string pixel',
    path: '/predict',
    body: JSON.stringify({ x: [[...PIXEL.slice(1), 'a']] }),
    message: /x\[0\]\[783\] must be a number, got "a"/,
  },
  {
    name: 'an infinite pixel (1e999)',
    path: '/train',
    body: `{"x": [[${PIXEL.slice(1).join(',')},1e999]], "y": [0]}`,
    message: /x\[0\]\[783\]: expected a finite number/,
  },
  {
    name: 'NaN in a binary body',
    path: '/train',
    body: nanBatch,
    binary: true,
    message: /x\[1\]\[7\]: expected a finite number, got NaN/,
  },
  {
    name: 'label out of range',
    path: '/train',
    body: JSON.stringify({ x: [PIXEL, PIXEL], y: [3, 10] }),
    message: /y\[1\]: expected a class label \(an integer in \[0, 10\)\), got 10/,
  },
  {
    name: 'label out of range (binary)',
    path: '/train',
    body: encodeBatch(fourRows.x, 4, INPUTS, Int32Array.of(1, 2, -1, 4)),
    binary: true,
    message: /y\[2\]: expected a class label in \[0, 10\), got -1/,
  },
  {
    name: 'fractional label',
    path: '/train',
    body: JSON.stringify({ x: [PIXEL], y: [1.5] }),
    message: /y\[0\]: expected a class label/,
  },
  {
    name: 'y of the wrong length',
    path: '/train',
    body: JSON.stringify({ x: [PIXEL, PIXEL], y: [1] }),
    message: /y: expected 2 labels \(one per row of x\), got 1/,
  },
  {
    name: 'binary body shorter than its header says',
    path: '/train',
    body: encodeBatch(fourRows.x, 4, INPUTS, fourRows.y).subarray(0, 1000),
    binary: true,
    message: /the header says 4 rows × 784 cols, so the body must be 12568 bytes/,
  },
  {
    name: 'binary rows of the wrong width',
    path: '/predict',
    body: encodeBatch(new Float32Array(10), 2, 5),
    binary: true,
    message: /POST \/predict: header\.cols: expected 784 \(the model's inputs\), got 5/,
  },
  { name: 'empty body', path: '/train', body: '', message: /POST \/train: body: empty/ },
  { name: 'empty predict body', path: '/predict', body: '', message: /POST \/predict: empty body/ },
  {
    name: 'empty binary predict body',
    path: '/predict',
    body: '',
    binary: true,
    message: /POST \/predict: body: empty; expected the binary layout/,
  },
  {
    name: 'a garbage binary predict body',
    path: '/predict',
    body: Buffer.from('hello, world'),
    binary: true,
    message: /POST \/predict: header\.cols: expected 784 \(the model's inputs\), got 1998597231/,
  },
  {
    name: 'a binary predict body without rows',
    path: '/predict',
    body: encodeBatch(new Float32Array(0), 0, INPUTS),
    binary: true,
    message: /POST \/predict: header\.rows: expected at least 1 row, got 0/,
  },
  {
    name: 'a binary predict body shorter than its header says',
    path: '/predict',
    body: encodeBatch(fourRows.x, 4, INPUTS).subarray(0, 100),
    binary: true,
    message: /POST \/predict: body: the header says 4 rows × 784 cols, so the body must be 12552 bytes/,
  },
  {
    name: 'a garbage binary body',
    path: '/train',
    body: Buffer.from('hello, world'),
    binary: true,
    message: /POST \/train: header\.cols: expected 784 \(the model's inputs\), got 1998597231/,
  },
  {
    name: 'a binary body too short for its header',
    path: '/train',
    body: Buffer.from('hey'),
    binary: true,
    message: /header: expected 8 bytes \(rows u32, cols u32, little-endian\), got 3 bytes/,
  },
  {
    name: 'oversized body',
    path: '/train',
    body: encodeBatch(slice(digits.train, 0, 64).x, 64, INPUTS, slice(digits.train, 0, 64).y),
    binary: true,
    message: /the body is 200968 bytes; the limit is 65536 \(MAX_BODY_BYTES\)/,
  },
]

test('bad requests get 400 with the reason and leave the model untouched', async (t) => {
  const server = await started(t, { MAX_BODY_BYTES: '65536' })
  const probe = encodeBatch(slice(digits.test, 0, 20).x, 20, INPUTS)
  const trained = await post(server, '/train', encodeBatch(fourRows.x, 4, INPUTS, fourRows.y), true)
  t.is(trained.status, 200)
  const before = await post(server, '/predict', probe, true)
  for (const c of BAD_REQUESTS) {
    const answer = await post(server, c.path, c.body, c.binary)
    t.is(answer.status, 400, c.name)
    t.regex(answer.body.error as string, c.message, c.name)
  }
  t.deepEqual((await post(server, '/predict', probe, true)).body, before.body)
  t.like(await metrics(server), {
    steps: 1,
    samples: 4,
    refused: BAD_REQUESTS.filter((c) => c.path === '/train' && !c.name.startsWith('oversized')).length,
  })
  t.is((await fetch(`${server.url}/nowhere`)).status, 404)
  t.is((await fetch(`${server.url}/constructor`)).status, 404)
  const wrongMethod = await fetch(`${server.url}/train`)
  t.is(wrongMethod.status, 405)
  t.is(wrongMethod.headers.get('allow'), 'POST')
  await stopped(t, server)
})

test('a full training queue answers 429 with Retry-After; the accepted batches are all applied', async (t) => {
  // Batches of 1024 rows in minibatches of 8 (128 steps each): the others arrive while one trains.
  const server = await started(t, { QUEUE_LIMIT: '1', MINIBATCH: '8' })
  const { rows, x, y } = slice(digits.train, 0, 1024)
  const batch = encodeBatch(x, rows, INPUTS, y)
  const answers = await Promise.all(Array.from({ length: 12 }, () => post(server, '/train', batch, true)))
  const accepted = answers.filter((a) => a.status === 200)
  const refused = answers.filter((a) => a.status === 429)
  t.is(accepted.length + refused.length, answers.length, JSON.stringify(answers.map((a) => a.status)))
  t.true(refused.length >= 1, 'some requests refused')
  t.true(accepted.length >= 2, 'the batch in flight and the waiting one accepted')
  for (const answer of refused) {
    t.regex(answer.headers.get('retry-after') ?? '', /^[1-9]\d*$/)
    t.regex(answer.body.error as string, /training queue is full/)
  }
  t.deepEqual(
    accepted.map((a) => a.body.step).sort((a, b) => (a as number) - (b as number)),
    accepted.map((_, i) => 128 * (i + 1)),
  )
  const m = await metrics(server)
  t.like(m, { steps: 128 * accepted.length, samples: accepted.length * rows, queueDepth: 0 })
  t.like(m.responses, { 'POST /train 200': accepted.length, 'POST /train 429': refused.length })
  await stopped(t, server)
})

test('batches posted at once train one after another, each answered with its own step', async (t) => {
  // Batches of 512 rows in minibatches of 2 (256 steps each) take long enough for the other
  // requests to arrive while the first one trains.
  const server = await started(t, { MINIBATCH: '2', QUEUE_LIMIT: '8' })
  const posts = [0, 1, 2, 3].map((b) => {
    const { rows, x, y } = slice(digits.train, b * 512, 512)
    return post(server, '/train', encodeBatch(x, rows, INPUTS, y), true)
  })
  const answers = await Promise.all(posts)
  t.true(
    answers.every((a) => a.status === 200),
    JSON.stringify(answers.map((a) => a.body)),
  )
  t.deepEqual(
    answers.map((a) => a.body.step as number).sort((a, b) => a - b),
    [256, 512, 768, 1024],
  )
  t.true(answers.every((a) => a.body.rows === 512))
  t.like(await metrics(server), { steps: 1024, samples: 4 * 512 })
  await stopped(t, server)
})

/** Polls /metrics until `ready` holds (at most 20 s). */
async function until(server: LaunchedServer, ready: (m: Record<string, unknown>) => boolean): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!ready(await metrics(server)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
}

test('SIGTERM: the batch in flight is finished and answered, waiting ones get 503, exit code 0', async (t) => {
  // Batches that take a while: 2048 rows, one step per row.
  const server = await started(t, { MINIBATCH: '1' })
  const { rows, x, y } = slice(digits.train, 0, 2048)
  const batch = encodeBatch(x, rows, INPUTS, y)
  const inFlight = post(server, '/train', batch, true)
  await until(server, (m) => m.training === true)
  const waiting = post(server, '/train', batch, true)
  await until(server, (m) => m.queueDepth === 1)
  server.child.kill('SIGTERM')
  const [applied, dropped] = await Promise.all([inFlight, waiting])
  t.is(applied.status, 200)
  t.like(applied.body, { step: 2048 })
  t.is(dropped.status, 503)
  t.regex(dropped.body.error as string, /shutting down; the batch was not applied/)
  t.is(await server.exited, 0)
  t.like(server.events.at(-1), { event: 'stopped', signal: 'SIGTERM', steps: 2048, samples: 2048 })
})

test('BACKEND=js says nothing of training threads it does not have', async (t) => {
  const server = await started(t, { BACKEND: 'js', HIDDEN: '16', TRAIN_THREADS: '2' })
  t.false('trainThreads' in (server.events[0] as object))
  await stopped(t, server)
})

test('`npm run example:server` passes SIGTERM on to the server (the script execs node)', async (t) => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const server = await launch({}, [npm, 'run', '--silent', 'example:server'])
  t.teardown(() => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL')
  })
  t.is((await fetch(`${server.url}/metrics`)).status, 200)
  t.is(await server.stop(), 0)
  t.like(server.events.at(-1), { event: 'stopped', signal: 'SIGTERM' })
})

test('OPTIMIZER and LR: defaults per optimizer, and a bad name is refused by variable', (t) => {
  t.like(readConfig({}), { optimizer: 'adam', lr: 1e-3 })
  t.like(readConfig({ OPTIMIZER: 'adamwScheduleFree' }), { optimizer: 'adamwScheduleFree', lr: 2.5e-3 })
  t.like(readConfig({ OPTIMIZER: 'adamwScheduleFree', LR: '0.01' }), { lr: 0.01 })
  t.throws(() => readConfig({ OPTIMIZER: 'lion' }), {
    instanceOf: RangeError,
    message: /OPTIMIZER must be 'adam' or 'adamwScheduleFree', got "lion"/,
  })
})

test('OPTIMIZER=adamwScheduleFree: the server trains with Schedule-Free and learns (trainer.test checks that predictions read the average)', async (t) => {
  const server = await started(t, { OPTIMIZER: 'adamwScheduleFree', HIDDEN: '64' })
  t.like(server.events[0], { event: 'listening', optimizer: 'adamwScheduleFree', lr: 2.5e-3 })
  const before = await accuracy(server)
  for (let batch = 0; batch < 6; batch++) {
    const { rows, x, y } = slice(digits.train, batch * 256, 256)
    const answer = await post(server, '/train', encodeBatch(x, rows, INPUTS, y), true)
    t.is(answer.status, 200, JSON.stringify(answer.body))
  }
  const after = await accuracy(server)
  t.log(`Schedule-Free: held-out accuracy ${before.toFixed(3)} before, ${after.toFixed(3)} after 6 batches`)
  t.true(after >= before + 0.3, `accuracy ${before} → ${after}`)
  t.like(await metrics(server), { steps: 6, lr: 2.5e-3 })
  await stopped(t, server)
})
