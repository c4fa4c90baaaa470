import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import test from 'ava'
import fc from 'fast-check'
import { encodeSafetensors } from '../src/checkpoint/safetensors.js'
import { encodeCheckpoint } from '../src/checkpoint/save.js'
import { readTarget } from '../src/checkpoint/target.js'
import {
  CheckpointError,
  type CheckpointErrorCode,
  type CheckpointParts,
  loadCheckpoint,
  MLP,
  saveCheckpoint,
} from '../src/index.js'
import { trainingFingerprint } from './helpers/fingerprint.js'
import { budget, expectCleanFailureAsync, summary, weird, weirdNumber } from './helpers/fuzz.js'
import { buildRun, TRAINING_CASES, type TrainingRun } from './helpers/training-cases.js'

// Property tests over saveCheckpoint and loadCheckpoint: any argument, any file (random bytes,
// damaged checkpoints, well-formed safetensors with any metadata, checkpoints whose checksum
// is right but whose sections hold anything), and round trips of any optimizer, dtype and
// value (NaN, -0, ±Infinity kept bit for bit). A failure is a TypeError, RangeError or
// CheckpointError naming the argument or the problem, and a failed load changed nothing.
// Special files (/dev/zero, a FIFO, a socket, a directory) and headers that lie about sizes are
// refused without reading past what the header declares. Budget: 3 properties, 1,500 cases.

const folder = mkdtempSync(join(tmpdir(), 'descent-fuzz-checkpoints-'))
test.after.always(() => rmSync(folder, { recursive: true, force: true }))
let counter = 0
const nextPath = () => join(folder, `f${counter++}.safetensors`)

function partsOf(run: TrainingRun): CheckpointParts {
  return {
    model: run.model,
    optimizer: run.optimizer,
    ...(run.scheduler ? { scheduler: run.scheduler } : {}),
  }
}

function observe(run: TrainingRun, withGrads = true) {
  return () =>
    trainingFingerprint({ params: run.params, optimizer: run.optimizer, scheduler: run.scheduler }, withGrads)
}

const caseArb = fc.constantFrom(...TRAINING_CASES)

test('arguments: any path, parts and extra save and load, or throw naming the argument, writing and changing nothing', async (t) => {
  let threw = 0
  await fc.assert(
    fc.asyncProperty(
      caseArb,
      fc.constantFrom(
        'path',
        'parts',
        'model',
        'model.parameters',
        'optimizer',
        'scheduler',
        'extra',
        'unknown',
        'none',
      ),
      weird,
      fc.boolean(),
      async (c, what, value, load) => {
        const run = buildRun(c, 'js')
        run.step(0)
        const valid = nextPath()
        await saveCheckpoint(valid, partsOf(run))
        // A weird string path stays inside the test folder ('' is the folder itself), so a save
        // that accepts it cannot litter the working directory.
        const weirdPath = typeof value === 'string' ? join(folder, value) : value
        const path = what === 'path' ? weirdPath : load ? valid : nextPath()
        const parts: Record<string, unknown> = { ...partsOf(run) }
        if (what === 'parts') {
          const call = () =>
            load
              ? loadCheckpoint(path as string, value as never)
              : saveCheckpoint(path as string, value as never)
          const names = ['the second argument', 'give at least one', 'unknown option']
          if (await expectCleanFailureAsync(call, observe(run), names)) threw++
          return
        }
        if (what === 'model') parts.model = value
        if (what === 'model.parameters') parts.model = { parameters: () => value }
        if (what === 'optimizer' || what === 'scheduler') parts[what] = value
        if (what === 'extra') parts.extra = value
        if (what === 'unknown') parts.bogus = value
        const names = [
          what === 'unknown' ? 'bogus' : what,
          'give at least one',
          'scheduler drives',
          'this model',
        ]
        const call = () =>
          load ? loadCheckpoint(path as string, parts) : saveCheckpoint(path as string, parts)
        const existed = typeof path === 'string' && existsSync(path)
        const failed = await expectCleanFailureAsync(call, observe(run), names)
        if (failed) {
          threw++
          if (!load && typeof path === 'string' && !existed && existsSync(path)) {
            throw new Error('a save that threw wrote the file')
          }
        }
      },
    ),
    budget(41, 400),
  )
  t.log(summary(400, threw))
  t.pass()
})

/** Any file a reader might be handed: random bytes, a damaged checkpoint, or foreign safetensors. */
const fileArb = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 200 }) }),
  fc.record({
    kind: fc.constant('header' as const),
    length: fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(2 ** 32, 2 ** 53, 99_999_999)),
    json: fc.oneof(fc.json(), fc.string({ maxLength: 40 })),
  }),
  fc.record({
    kind: fc.constant('damaged' as const),
    edits: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
    cut: fc.option(fc.nat(), { freq: 3 }),
  }),
  fc.record({
    kind: fc.constant('foreign' as const),
    metadata: fc.dictionary(
      fc.constantFrom('format', 'format_version', 'sha256', 'model', 'x'),
      fc.string({ maxLength: 12 }),
    ),
    names: fc.uniqueArray(
      fc.constantFrom('layer.0', 'layer.1', 'optimizer.state.0.exp_avg', 'w', 'optimizer.state.9.x'),
      {
        maxLength: 3,
      },
    ),
  }),
  fc.record({
    kind: fc.constant('sections' as const),
    key: fc.constantFrom(
      'model',
      'optimizer',
      'scheduler',
      'extra',
      'format_version',
      'descent_version',
      'format',
    ),
    value: fc.oneof(fc.json(), fc.string({ maxLength: 12 })),
  }),
  fc.record({
    kind: fc.constant('section field' as const),
    key: fc.constantFrom('model', 'optimizer', 'scheduler'),
    field: fc.constantFrom(
      'class',
      'parameters',
      'type',
      'dtype',
      'param_groups',
      'state',
      'skipped_steps',
      'param_names',
    ),
    value: fc.oneof(fc.jsonValue(), weirdNumber),
  }),
)

test('loading any file either restores a whole checkpoint or throws a CheckpointError, changing nothing', async (t) => {
  let threw = 0
  const codes = new Map<string, number>()
  const source = buildRun(TRAINING_CASES[1] as (typeof TRAINING_CASES)[number], 'js')
  for (let k = 0; k < 3; k++) source.step(k)
  const reference = Buffer.from(encodeCheckpoint('test', readTarget('test', partsOf(source)), { epoch: 3 }))
  await fc.assert(
    fc.asyncProperty(fileArb, async (f) => {
      let bytes: Uint8Array
      if (f.kind === 'bytes') bytes = f.bytes
      else if (f.kind === 'header') {
        const json = Buffer.from(f.json)
        const head = Buffer.alloc(8)
        head.writeBigUInt64LE(BigInt(f.length))
        bytes = Buffer.concat([head, json, Buffer.alloc(16)])
      } else if (f.kind === 'damaged') {
        const copy = Buffer.from(reference)
        for (const e of f.edits) copy[e.at % copy.length] = e.value
        bytes = f.cut === null ? copy : copy.subarray(0, f.cut % copy.length)
      } else if (f.kind === 'foreign') {
        bytes = encodeSafetensors(
          'test',
          f.names.map((name) => ({ name, shape: [2], data: new Float32Array(2) })),
          f.metadata,
        )
      } else if (f.kind === 'sections') {
        const value = typeof f.value === 'string' ? f.value : JSON.stringify(f.value)
        bytes = encodeCheckpoint('test', readTarget('test', partsOf(source)), undefined, { [f.key]: value })
      } else {
        const good = JSON.parse(
          JSON.parse(`"${/"optimizer":"((?:[^"\\]|\\.)*)"/.exec(reference.toString('latin1'))?.[1] ?? ''}"`),
        )
        const sections: Record<string, Record<string, unknown>> = {
          model: { class: 'Object', parameters: source.params.map((p) => p.name) },
          optimizer: good,
          scheduler: { class: source.scheduler?.constructor.name, state: source.scheduler?.stateDict() },
        }
        const section = sections[f.key] as Record<string, unknown>
        section[f.field] = f.value
        bytes = encodeCheckpoint('test', readTarget('test', partsOf(source)), undefined, {
          [f.key]: JSON.stringify(section),
        })
      }
      const path = nextPath()
      writeFileSync(path, bytes)
      const victim = buildRun(TRAINING_CASES[1] as (typeof TRAINING_CASES)[number], 'js', true)
      victim.step(0)
      const before = observe(victim)()
      try {
        await loadCheckpoint(path, partsOf(victim))
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw new Error(`not a CheckpointError: ${String(error)}`)
        if (!/^loadCheckpoint: /.test(error.message)) throw new Error(`unclear message: ${error.message}`)
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1)
        threw++
        if (observe(victim)() !== before) throw new Error('changed')
        return
      }
      // Loaded: only an edit that left the meaning intact (JSON whitespace) or a section
      // override that is itself valid gets here; the state must then be a consistent one.
      victim.step(1)
    }),
    budget(42, 700),
  )
  t.log(summary(700, threw, ` (${[...codes].map(([c, n]) => `${c} ×${n}`).join(', ')})`))
  t.pass()
})

test('special files and lying sizes are refused without reading past what the header declares', async (t) => {
  const fifo = join(folder, 'pipe.safetensors')
  execFileSync('mkfifo', [fifo])
  const socketPath = join(folder, 'socket.safetensors')
  const server = createServer().listen(socketPath)
  await once(server, 'listening')
  const head = (length: bigint, json: string, tail: number) => {
    const prefix = Buffer.alloc(8)
    prefix.writeBigUInt64LE(length)
    return Buffer.concat([prefix, Buffer.from(json), Buffer.alloc(tail)])
  }
  const written = (bytes: Uint8Array) => {
    const path = nextPath()
    writeFileSync(path, bytes)
    return path
  }
  const tensor = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
  const cases: [string, CheckpointErrorCode, RegExp][] = [
    ['/dev/zero', 'CHECKPOINT_IO', /'\/dev\/zero': it is a character device, not a regular file/],
    ['/dev/urandom', 'CHECKPOINT_IO', /character device/],
    [fifo, 'CHECKPOINT_IO', /it is a FIFO \(named pipe\), not a regular file/],
    [socketPath, 'CHECKPOINT_IO', /it is a socket/],
    [folder, 'CHECKPOINT_IO', /it is a directory/],
    [
      written(head(2n ** 62n, '{}', 0)),
      'CHECKPOINT_CORRUPT',
      /declares \d+ bytes of metadata, but the file has 10 bytes/,
    ],
    [
      written(head(BigInt(tensor.length), tensor, 8 + 5)),
      'CHECKPOINT_CORRUPT',
      /5 more than its header declares/,
    ],
    [
      written(head(BigInt(tensor.length), tensor.replace('[0,8]', '[0,8000000000000]'), 8)),
      'CHECKPOINT_CORRUPT',
      /not a complete safetensors file/,
    ],
  ]
  try {
    for (const [path, code, message] of cases) {
      const model = buildRun(TRAINING_CASES[0] as (typeof TRAINING_CASES)[number], 'js').model
      for (const load of [() => loadCheckpoint(path, { model }), () => MLP.fromCheckpoint(path)]) {
        const error = await t.throwsAsync(load(), { instanceOf: CheckpointError }, path)
        t.is(error?.code, code, path)
        t.regex(error?.message ?? '', message)
      }
    }
  } finally {
    server.close()
  }
})

test('round trips: any optimizer, dtype and values (NaN, -0, ±Infinity, subnormals) come back bit for bit', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      caseArb,
      fc.constantFrom('native', 'js'),
      fc.integer({ min: 0, max: 5 }),
      fc.array(weirdNumber, { minLength: 1, maxLength: 6 }),
      fc.option(fc.jsonValue(), { freq: 2 }),
      async (c, backend, steps, values, extra) => {
        const run = buildRun(c, backend)
        for (let k = 0; k < steps; k++) run.step(k)
        for (const [i, v] of values.entries()) {
          const p = run.params[i % run.params.length]
          if (p) p.data[(i * 5) % p.size] = v
        }
        const path = nextPath()
        await saveCheckpoint(path, { ...partsOf(run), ...(extra === null ? {} : { extra }) })
        const copy = buildRun(c, backend, true)
        const info = await loadCheckpoint(path, partsOf(copy))
        if (observe(copy, false)() !== observe(run, false)()) throw new Error('the loaded state differs')
        if (JSON.stringify(info.extra) !== JSON.stringify(extra === null ? undefined : extra)) {
          throw new Error(`extra came back as ${JSON.stringify(info.extra)}`)
        }
      },
    ),
    budget(43, 400),
  )
  t.log(summary(400, 0))
  t.pass()
})
