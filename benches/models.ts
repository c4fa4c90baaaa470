/**
 * Model training speed (issue 4, "Speed"): native fit vs the JS backend vs NumPy, on the same
 * data from the same initial weights, and the native GEMM's throughput vs NumPy's (OpenBLAS).
 *
 *   npm run bench:models -- [--rounds 3] [--sections simplenn,mnist,gemm] [--json FILE]
 *
 * (a) the tutorial's SimpleNN: 20→64→3 (and 100→200→3) on data.classification 1000×20 (×100),
 *     batch 32, 50 epochs, Adam lr 1e-3, no shuffling; (b) the MNIST net 784→128 ReLU→10 on
 *     data.mnist's 8000 training digits: one epoch at batch 64, evaluating the 2000 test digits,
 *     and the time to 95% test accuracy (an evaluation after every epoch), also with Muon (+AdamW
 *     for the biases) and Schedule-Free AdamW beside Adam; (c) float32 GEMM
 *     GFLOP/s for the 784→256→10 net's products.
 * After a warm-up, each round runs every implementation (five native fits, one JS fit, one
 * NumPy process timing two or three runs, fed the same .npz of data and initial weights through
 * benches/python/run.sh), so drifts in machine load hit them alike; medians over all runs are
 * reported, minima too, with the load average. Timed: `model.fit` (NumPy: its training loop),
 * not data loading or model construction. NumPy needs `bash benches/python/run.sh --setup`;
 * without it the tables say "not available".
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { addon } from '../src/backend/native.js'
import {
  Adam,
  AdamW,
  AdamWScheduleFree,
  data,
  MLP,
  Muon,
  nativeAvailable,
  type Tensor,
  tensor,
} from '../src/index.js'
import { flops, gemmCases, timeNativeGemm } from './gemm.js'
import { table, writeJson } from './harness.js'
import { writeNpz } from './npz.js'
import { numpyUnavailable, runNumpy } from './numpy.js'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    sections: { type: 'string', default: 'simplenn,mnist,gemm' },
    json: { type: 'string', default: 'bench-results/models.json' },
  },
})
const rounds = Number(values.rounds)
if (!Number.isSafeInteger(rounds) || rounds < 1)
  throw new RangeError(`--rounds must be an integer >= 1, got ${values.rounds}`)
const sections = new Set(values.sections.split(','))
const RESULTS = join(__dirname, '..', '..', 'bench-results')

type Impl = 'native' | 'js' | 'numpy'

/** One training configuration, run by every implementation. */
interface TrainingCase {
  readonly name: string
  readonly sizes: number[]
  readonly x: Tensor<Float32Array>
  readonly y: Tensor<Int32Array>
  readonly batchSize: number
  readonly epochs: number
  readonly lr: number
  /** Seed of the initial weights (descent's Rng; NumPy reads them from the .npz). */
  readonly seed: number
  /** Hidden activation (default tanh, the tutorial's). */
  readonly activation?: 'tanh' | 'relu'
}

/** One timed training run. */
interface Run {
  readonly seconds: number
  /** Loss over all training rows after training (untimed). */
  readonly finalLoss: number
  /** The last epoch's mean minibatch loss, as fit's history.loss records it. */
  readonly lastEpochLoss: number
}

interface NumpyTraining {
  runs: number[]
  finalLoss: number
  epochLoss: number[]
  loadavg1m: number
  blas?: { architecture?: string; threads?: number }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

function load1m(): number {
  return Number((loadavg()[0] as number).toFixed(2))
}

function model(c: TrainingCase, backend: 'native' | 'js'): MLP {
  return new MLP({
    sizes: c.sizes,
    activation: c.activation ?? 'tanh',
    output: 'softmax',
    seed: c.seed,
    backend,
  })
}

function fitOnce(c: TrainingCase, backend: 'native' | 'js'): Run {
  const m = model(c, backend)
  const optimizer = new Adam(m.parameters(), { lr: c.lr })
  const start = process.hrtime.bigint()
  const history = m.fit(c.x, c.y, { optimizer, epochs: c.epochs, batchSize: c.batchSize, shuffle: false })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return { seconds, finalLoss: m.evaluate(c.x, c.y).loss, lastEpochLoss: history.loss.at(-1) as number }
}

/** The case's data and the model's initial weights (`w0, b0, …`, torch layout) as an .npz for NumPy. */
function writeCaseData(c: TrainingCase, file: string): string {
  const path = join(RESULTS, file)
  const arrays: Parameters<typeof writeNpz>[1] = { x: c.x, y: c.y }
  model(c, 'native')
    .parameters()
    .forEach((p, i) => {
      arrays[`${i % 2 ? 'b' : 'w'}${i >> 1}`] = { data: p.data as Float32Array, shape: p.shape }
    })
  writeNpz(path, arrays)
  return path
}

/**
 * Warms up, then runs the case in `rounds` interleaved rounds, each of five native fits, one
 * JS fit and one NumPy invocation that times its training loop two or three times.
 */
function compare(c: TrainingCase, npz: string) {
  const runs: Record<Impl, Run[]> = { native: [], js: [], numpy: [] }
  const loadBefore = load1m()
  // V8 keeps compiling fit's JavaScript (validation, planning, the loop) on a background thread
  // for the first ~0.5 s of native fits, slowing them by up to 2× on a 2-core machine; time
  // steady state, as NumPy's untimed first epoch does for it.
  const start = Date.now()
  for (let i = 0; i < 5 || Date.now() - start < 1500; i++) fitOnce(c, 'native')
  fitOnce(c, 'js')
  let numpyInfo: NumpyTraining | undefined
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 5; i++) runs.native.push(fitOnce(c, 'native'))
    runs.js.push(fitOnce(c, 'js'))
    const numpy = runNumpy<NumpyTraining>('simplenn_numpy.py', [
      ...['--sizes', c.sizes.join(','), '--batch', c.batchSize, '--epochs', c.epochs, '--lr', c.lr],
      ...['--repeats', c.epochs > 1 ? 3 : 2, '--seed', c.seed, '--data', npz],
      ...['--activation', c.activation ?? 'tanh'],
    ])
    if (numpy) {
      numpyInfo = numpy
      const lastEpochLoss = numpy.epochLoss.at(-1) as number
      for (const seconds of numpy.runs)
        runs.numpy.push({ seconds, finalLoss: numpy.finalLoss, lastEpochLoss })
    }
  }
  const summary = (impl: Impl) => {
    const list = runs[impl]
    if (list.length === 0) return null
    const seconds = list.map((r) => r.seconds)
    return {
      runs: list.length,
      medianSeconds: median(seconds),
      minSeconds: Math.min(...seconds),
      finalLoss: (list.at(-1) as Run).finalLoss,
      lastEpochLoss: (list.at(-1) as Run).lastEpochLoss,
      seconds,
    }
  }
  const steps = c.epochs * Math.ceil(c.x.shape[0] / c.batchSize)
  return {
    case: c.name,
    sizes: c.sizes,
    rows: c.x.shape[0],
    batchSize: c.batchSize,
    epochs: c.epochs,
    lr: c.lr,
    steps,
    native: summary('native'),
    js: summary('js'),
    numpy: summary('numpy'),
    numpyBlas: numpyInfo?.blas ?? null,
    loadavg1m: { before: loadBefore, after: load1m() },
  }
}

type Comparison = ReturnType<typeof compare>

function ms(seconds: number): string {
  return (seconds * 1e3).toFixed(seconds < 1 ? 1 : 0)
}

/** Rows of a comparison: one per implementation, with native's speed-up over it. */
function comparisonRows(r: Comparison): (string | number)[][] {
  const native = r.native?.medianSeconds as number
  const nativeBest = r.native?.minSeconds as number
  return (['native', 'js', 'numpy'] as const).map((impl) => {
    const s = r[impl]
    if (!s) return [`${impl}${impl === 'numpy' ? ' (not available)' : ''}`, '', '', '', '', '', '', '']
    return [
      impl,
      s.runs,
      ms(s.medianSeconds),
      ms(s.minSeconds),
      ((s.medianSeconds / r.steps) * 1e6).toFixed(1),
      impl === 'native'
        ? ''
        : `${(s.medianSeconds / native).toFixed(1)}× (${(s.minSeconds / nativeBest).toFixed(1)}×)`,
      s.finalLoss.toFixed(6),
      s.lastEpochLoss.toFixed(6),
    ]
  })
}

const TRAINING_HEADERS = [
  'impl',
  'runs',
  'median ms',
  'min ms',
  'µs/step',
  'native faster by (min)',
  'final loss',
  'last epoch loss',
]

function verdict(ratio: number | undefined, target: number, what: string): string {
  if (ratio === undefined) return `${what}: not measured`
  return `${what}: ${ratio.toFixed(1)}× (target ≥ ${target}×: ${ratio >= target ? 'met' : 'MISSED'})`
}

/** The tutorial's SimpleNN and a wider one, with native's targets over NumPy (issue 14). */
const SIMPLE_NETS = [
  { sizes: [20, 64, 3], numpyTarget: 10 },
  { sizes: [100, 200, 3], numpyTarget: 6 },
] as const

function simpleNN() {
  return SIMPLE_NETS.map(({ sizes, numpyTarget }) => {
    const features = sizes[0]
    const { x, y } = data.classification({ samples: 1000, features, classes: 3, seed: 42 })
    const c: TrainingCase = {
      name: `SimpleNN ${sizes.join('→')}`,
      sizes: [...sizes],
      x: x as Tensor<Float32Array>,
      y,
      batchSize: 32,
      epochs: 50,
      lr: 1e-3,
      seed: 42,
    }
    const result = compare(c, writeCaseData(c, `simplenn-${sizes.join('-')}.npz`))
    const native = result.native?.medianSeconds as number
    console.log(
      `\n### (a) ${c.name}: data.classification 1000×${features} (seed 42), batch 32, 50 epochs, Adam lr 1e-3, shuffle false` +
        ` — load average ${result.loadavg1m.before} → ${result.loadavg1m.after}\n`,
    )
    console.log(table(TRAINING_HEADERS, comparisonRows(result)))
    const vsJs = result.js ? result.js.medianSeconds / native : undefined
    const vsNumpy = result.numpy ? result.numpy.medianSeconds / native : undefined
    console.log(`\n${verdict(vsJs, 10, 'native vs JS')}; ${verdict(vsNumpy, numpyTarget, 'native vs NumPy')}`)
    if (!result.numpy) console.log(`numpy: not available (${numpyUnavailable})`)
    return { ...result, nativeOverJs: vsJs ?? null, nativeOverNumpy: vsNumpy ?? null }
  })
}

interface NumpyMnist extends NumpyTraining {
  evalSeconds: number
  evalMinSeconds: number
  secondsToTarget: number | null
  epochsToTarget: number
  finalAccuracy: number
}

/** The MNIST digits net of issue 14: 784→128 ReLU→10, Adam 1e-3, batch 64, 8000 training rows. */
function mnistNet() {
  const { train, test } = data.mnist({ train: 8000, test: 2000, seed: 2 })
  const c: TrainingCase = {
    name: 'MNIST 784→128 ReLU→10, batch 64',
    sizes: [784, 128, 10],
    activation: 'relu',
    x: train.x as Tensor<Float32Array>,
    y: train.y,
    batchSize: 64,
    epochs: 1,
    lr: 1e-3,
    seed: 42,
  }
  const npz = writeCaseData(c, 'mnist.npz')
  const testNpz = join(RESULTS, 'mnist-test.npz')
  writeNpz(testNpz, { x: test.x as Tensor<Float32Array>, y: test.y })
  const epoch = compare(c, npz)
  console.log(
    `\n### (b) ${c.name}: data.mnist 8000 training digits (seed 2), 1 epoch, Adam lr 1e-3, shuffle false` +
      ` — load average ${epoch.loadavg1m.before} → ${epoch.loadavg1m.after}\n`,
  )
  console.log(table(TRAINING_HEADERS, comparisonRows(epoch)))
  console.log(`\none epoch of fit, native: ${ms(epoch.native?.medianSeconds as number)} ms (target ≤ 40 ms)`)

  // Evaluation of the 2000 test digits, and the time to 95% test accuracy (an evaluation after
  // every epoch, both timed), native and NumPy in the same run.
  const trained = model(c, 'native')
  trained.fit(c.x, c.y, {
    optimizer: new Adam(trained.parameters(), { lr: c.lr }),
    epochs: 1,
    batchSize: 64,
    shuffle: false,
  })
  for (let i = 0; i < 5; i++) trained.evaluate(test.x, test.y)
  const evalSamples = Array.from({ length: 20 }, () => {
    const start = process.hrtime.bigint()
    trained.evaluate(test.x, test.y)
    return Number(process.hrtime.bigint() - start) / 1e9
  })
  const target = 0.95
  const maxEpochs = 30
  const toTarget = (() => {
    const m = model(c, 'native')
    const optimizer = new Adam(m.parameters(), { lr: c.lr })
    const start = process.hrtime.bigint()
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      m.fit(c.x, c.y, { optimizer, epochs: 1, batchSize: 64, shuffle: false })
      const accuracy = m.evaluate(test.x, test.y).accuracy as number
      if (accuracy >= target)
        return { seconds: Number(process.hrtime.bigint() - start) / 1e9, epochs: epoch, accuracy }
    }
    return { seconds: null, epochs: maxEpochs, accuracy: m.evaluate(test.x, test.y).accuracy as number }
  })()
  const numpy = runNumpy<NumpyMnist>('simplenn_numpy.py', [
    ...['--sizes', c.sizes.join(','), '--batch', 64, '--epochs', maxEpochs, '--lr', c.lr, '--repeats', 1],
    ...[
      '--seed',
      c.seed,
      '--data',
      npz,
      '--activation',
      'relu',
      '--test',
      testNpz,
      '--target-accuracy',
      target,
    ],
  ])
  const nativeEval = median(evalSamples)
  console.log(`\n### (b) evaluate the 2000 test digits, and time to ${target * 100}% test accuracy\n`)
  console.log(
    table(
      ['impl', 'evaluate median ms', 'evaluate min ms', `time to ${target * 100}% s`, 'epochs', 'accuracy'],
      [
        [
          'native',
          (nativeEval * 1e3).toFixed(2),
          (Math.min(...evalSamples) * 1e3).toFixed(2),
          toTarget.seconds === null ? 'not reached' : toTarget.seconds.toFixed(3),
          toTarget.epochs,
          toTarget.accuracy.toFixed(4),
        ],
        numpy
          ? [
              'numpy',
              (numpy.evalSeconds * 1e3).toFixed(2),
              (numpy.evalMinSeconds * 1e3).toFixed(2),
              numpy.secondsToTarget === null ? 'not reached' : numpy.secondsToTarget.toFixed(3),
              numpy.epochsToTarget,
              numpy.finalAccuracy.toFixed(4),
            ]
          : ['numpy (not available)', '', '', '', '', ''],
      ],
    ),
  )
  console.log(`\nevaluate, native: ${(nativeEval * 1e3).toFixed(2)} ms (target ≤ 2.5 ms)`)
  const byOptimizer = timeToTargetByOptimizer(c, test, target, maxEpochs)
  return {
    byOptimizer,
    epoch,
    evaluate: { nativeSeconds: nativeEval, numpySeconds: numpy?.evalSeconds ?? null },
    timeToTarget: {
      target,
      native: toTarget,
      numpy: numpy ? { seconds: numpy.secondsToTarget, epochs: numpy.epochsToTarget } : null,
    },
  }
}

/** One epoch's batches of `rows` rows, in order (views, no copies). */
function batchesOf(x: Tensor<Float32Array>, y: Tensor<Int32Array>, rows: number): [Tensor, Tensor][] {
  const n = x.shape[0] as number
  const width = x.data.length / n
  const out: [Tensor, Tensor][] = []
  for (let at = 0; at < n; at += rows) {
    const end = Math.min(at + rows, n)
    out.push([
      tensor(x.data.subarray(at * width, end * width), [end - at, width]),
      tensor(y.data.subarray(at, end), [end - at]),
    ])
  }
  return out
}

/**
 * Time to the target test accuracy on the native backend with Adam, Muon (+AdamW for the biases)
 * and Schedule-Free AdamW. Muon needs two optimizers, so it runs in a hand-written loop
 * (forwardBackward, then both steps); Adam runs in the same loop too, to separate the rule's
 * effect from fit's native epoch loop. An evaluation after every epoch, timed with the training.
 */
function timeToTargetByOptimizer(
  c: TrainingCase,
  test: { x: Tensor; y: Tensor },
  target: number,
  maxEpochs: number,
) {
  const batches = batchesOf(c.x, c.y, c.batchSize)
  const contenders: { name: string; settings: string; epoch: (m: MLP) => () => void }[] = [
    {
      name: 'Adam (fit)',
      settings: 'lr 1e-3',
      epoch: (m) => {
        const optimizer = new Adam(m.parameters(), { lr: 1e-3 })
        return () => m.fit(c.x, c.y, { optimizer, epochs: 1, batchSize: c.batchSize, shuffle: false })
      },
    },
    {
      name: 'Adam (loop)',
      settings: 'lr 1e-3',
      epoch: (m) => {
        const optimizer = new Adam(m.parameters(), { lr: 1e-3 })
        return () => {
          for (const [xb, yb] of batches) {
            m.forwardBackward(xb, yb)
            optimizer.step()
          }
        }
      },
    },
    {
      name: 'Muon + AdamW (loop)',
      settings: 'Muon lr 0.02 on the weights, AdamW lr 1e-3 on the biases',
      epoch: (m) => {
        const params = m.parameters()
        const muon = new Muon(
          params.filter((p) => p.shape.length === 2),
          { lr: 0.02 },
        )
        const adamw = new AdamW(
          params.filter((p) => p.shape.length !== 2),
          { lr: 1e-3 },
        )
        return () => {
          for (const [xb, yb] of batches) {
            m.forwardBackward(xb, yb)
            muon.step()
            adamw.step()
          }
        }
      },
    },
    {
      name: 'AdamW Schedule-Free (fit)',
      settings: 'lr 2.5e-3 (evaluated at x: fit switches modes)',
      epoch: (m) => {
        const optimizer = new AdamWScheduleFree(m.parameters(), { lr: 2.5e-3 })
        return () => m.fit(c.x, c.y, { optimizer, epochs: 1, batchSize: c.batchSize, shuffle: false })
      },
    },
  ]
  const results = contenders.map((contender) => {
    const m = model(c, 'native')
    const epoch = contender.epoch(m)
    const start = process.hrtime.bigint()
    let accuracy = 0
    for (let e = 1; e <= maxEpochs; e++) {
      epoch()
      accuracy = m.evaluate(test.x, test.y).accuracy as number
      if (accuracy >= target)
        return { ...contender, seconds: Number(process.hrtime.bigint() - start) / 1e9, epochs: e, accuracy }
    }
    return { ...contender, seconds: null, epochs: maxEpochs, accuracy }
  })
  console.log(`\n### (b) time to ${target * 100}% test accuracy by optimizer, native\n`)
  console.log(
    table(
      ['optimizer', 'settings', `time to ${target * 100}% s`, 'epochs', 'accuracy'],
      results.map((r) => [
        r.name,
        r.settings,
        r.seconds === null ? 'not reached' : r.seconds.toFixed(3),
        r.epochs,
        r.accuracy.toFixed(4),
      ]),
    ),
  )
  return results.map(({ name, settings, seconds, epochs, accuracy }) => ({
    name,
    settings,
    seconds,
    epochs,
    accuracy,
  }))
}

interface NumpyGemm {
  results: { name: string; secondsPerCall: number; samples: number[] }[]
  blas?: { architecture?: string; threads?: number }
}

/** Seconds per product of one implementation: median and fastest sample. */
interface GemmSeconds {
  readonly median: number
  readonly best: number
}

function numpySeconds(run: NumpyGemm | undefined, name: string): GemmSeconds | undefined {
  const r = run?.results.find((x) => x.name === name)
  return r && { median: r.secondsPerCall, best: Math.min(...r.samples) }
}

/** Over several rounds: the median of the rounds' medians and the fastest sample of all. */
function combine(rounds: (GemmSeconds | undefined)[]): GemmSeconds | undefined {
  if (rounds.length === 0 || rounds.some((r) => r === undefined)) return undefined
  const all = rounds as GemmSeconds[]
  return { median: median(all.map((r) => r.median)), best: Math.min(...all.map((r) => r.best)) }
}

/** Total flops over total seconds, or undefined when any part is missing. */
function throughput(parts: { flops: number; seconds: number | undefined }[]): number | undefined {
  if (parts.some((p) => p.seconds === undefined)) return undefined
  const total = (f: (p: (typeof parts)[number]) => number) => parts.reduce((s, p) => s + f(p), 0)
  return total((p) => p.flops) / total((p) => p.seconds as number) / 1e9
}

function gemm() {
  const loadBefore = load1m()
  const args = ['--batches', '256,32', '--sizes', '784,256,10', '--square', 1024]
  const shapes = gemmCases([784, 256, 10], [256, 32], 1024)
  const timings = shapes.map(() => ({
    native: [] as GemmSeconds[],
    numpy: [] as (GemmSeconds | undefined)[],
    numpy1: [] as (GemmSeconds | undefined)[],
  }))
  let blas: NumpyGemm['blas']
  // Interleaved rounds, as for training: NumPy (all BLAS threads), native, NumPy on one thread.
  for (let r = 0; r < rounds; r++) {
    const numpy = runNumpy<NumpyGemm>('matmul_numpy.py', args)
    blas = numpy?.blas ?? blas
    shapes.forEach((c, i) => {
      const t = timeNativeGemm(c, 7, 0.05)
      timings[i]?.native.push({ median: t.secondsPerCall, best: t.bestSecondsPerCall })
      timings[i]?.numpy.push(numpySeconds(numpy, c.name))
    })
    const numpy1 = runNumpy<NumpyGemm>('matmul_numpy.py', [...args, '--threads', 1])
    shapes.forEach((c, i) => timings[i]?.numpy1.push(numpySeconds(numpy1, c.name)))
  }
  const cases = shapes.map((c, i) => {
    const t = timings[i] as (typeof timings)[number]
    return {
      ...c,
      native: combine(t.native) as GemmSeconds,
      numpy: combine(t.numpy),
      numpy1: combine(t.numpy1),
    }
  })
  const loadAfter = load1m()
  const groups = [
    ...cases.map((c) => ({ name: c.name, shape: `${c.m}×${c.n}×${c.k}`, parts: [c] })),
    ...[256, 32].map((batch) => {
      const parts = cases.filter((c) => c.batch === batch)
      return { name: `B${batch} step (${parts.length} GEMMs)`, shape: '', parts }
    }),
  ]
  const records = groups.map(({ name, shape, parts }) => {
    const rate = (seconds: (c: (typeof cases)[number]) => number | undefined) =>
      throughput(parts.map((c) => ({ flops: flops(c), seconds: seconds(c) })))
    const record = {
      name,
      parts: parts.map((c) => ({ name: c.name, m: c.m, n: c.n, k: c.k })),
      nativeGflops: rate((c) => c.native.median) as number,
      nativeBestGflops: rate((c) => c.native.best) as number,
      numpyGflops: rate((c) => c.numpy?.median),
      numpyBestGflops: rate((c) => c.numpy?.best),
      numpy1ThreadGflops: rate((c) => c.numpy1?.median),
    }
    return { shape, ...record }
  })
  const fixed = (x: number | undefined, digits = 1) => (x === undefined ? 'n/a' : x.toFixed(digits))
  const ratio = (a: number, b: number | undefined) => (b === undefined ? undefined : a / b)
  console.log(
    "\n### (c) float32 GEMM GFLOP/s for the MNIST net's products (native: matmulF32, the dense layers' GEMM; " +
      `${addon?.nativeInfo().rayonThreads} rayon threads; NumPy: OpenBLAS ${blas?.architecture ?? '?'}, ${blas?.threads ?? '?'} threads)` +
      ` — load average ${loadBefore} → ${loadAfter}\n`,
  )
  console.log(
    table(
      ['product', 'm×n×k', 'native', 'NumPy', 'NumPy 1 thread', 'native/NumPy', 'best native/best NumPy'],
      records.map((r) => [
        r.name,
        r.shape,
        fixed(r.nativeGflops),
        fixed(r.numpyGflops),
        fixed(r.numpy1ThreadGflops),
        fixed(ratio(r.nativeGflops, r.numpyGflops), 2),
        fixed(ratio(r.nativeBestGflops, r.numpyBestGflops), 2),
      ]),
    ),
  )
  const steps = records.filter((r) => r.shape === '')
  if (blas) {
    const worst = (pick: (r: (typeof steps)[number]) => number) => Math.min(...steps.map(pick))
    const medians = worst((r) => r.nativeGflops / (r.numpyGflops as number))
    const bests = worst((r) => r.nativeBestGflops / (r.numpyBestGflops as number))
    const met = (x: number) => (x >= 0.5 ? 'met' : 'MISSED')
    console.log(
      `\nnative/NumPy GEMM throughput over a training step's products, worse batch size: ${medians.toFixed(2)} ` +
        `from medians (${met(medians)}), ${bests.toFixed(2)} from the fastest samples (${met(bests)}); target within 2×, i.e. ≥ 0.5`,
    )
  } else console.log(`numpy: not available (${numpyUnavailable})`)
  return { records, numpyBlas: blas ?? null, loadavg1m: { before: loadBefore, after: loadAfter } }
}

function main() {
  if (!nativeAvailable()) throw new Error('the native addon did not load: run npm run build:native first')
  const os = require('node:os') as typeof import('node:os')
  const result: Record<string, unknown> = {
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      node: process.version,
      loadavg1m: load1m(),
    },
    rounds,
  }
  if (sections.has('simplenn')) result.simpleNN = simpleNN()
  if (sections.has('mnist')) result.mnist = mnistNet()
  if (sections.has('gemm')) result.gemm = gemm()
  if (numpyUnavailable) result.numpy = `not available: ${numpyUnavailable}`
  writeJson(values.json, result)
  console.log(`\nwrote ${values.json}`)
}

main()
