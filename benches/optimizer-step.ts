/**
 * Optimizer step throughput: native vs JS backend, f32, across parameter counts, beside a
 * plain JavaScript Adam loop and a C/OpenMP Adam loop (benches/c) measured in the same run.
 *
 * Then Muon on whole matrices, with the Newton–Schulz products' throughput, and L-BFGS's
 * vector work (its two-loop recursion over 10 curvature pairs) per iteration.
 *
 *   npm run bench -- [--sizes 1e3,1e6,1e7] [--optimizers adam,adam4,sgd,adafactor,rprop,asgd,...]
 *     [--muon-shapes 256x256,1024x1024,4096x1024] [--lbfgs-sizes 1e3,1e5,1e6] [--budget 1500] [--json FILE]
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { LBFGS, Muon, nativeAvailable, OPTIMIZERS, type Optimizer, Parameter } from '../src/index.js'
import { fillSeeded, medianNs, si, table, writeJson } from './harness.js'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1e3,1e5,1e6,1e7' },
    optimizers: {
      type: 'string',
      default: 'adam,adam4,sgd,adafactor,rprop,asgd,adamwScheduleFree,sgdScheduleFree',
    },
    'muon-shapes': { type: 'string', default: '256x256,1024x1024,4096x1024' },
    // The JS mirror runs the same products as plain loops: past this many elements a step takes minutes.
    'muon-js-max': { type: 'string', default: '65536' },
    'lbfgs-sizes': { type: 'string', default: '1e3,1e5,1e6' },
    budget: { type: 'string', default: '1500' },
    json: { type: 'string', default: 'bench-results/optimizer-step.json' },
    'no-c': { type: 'boolean', default: false },
  },
})

const sizes = values.sizes.split(',').map(Number)
const budget = Number(values.budget)
const ROOT = join(__dirname, '..', '..')

/** Each benchmarked optimizer: how to build it and how many state elements it reads and writes. */
const SETUPS: Record<
  string,
  { make: string; options: Record<string, unknown>; label: string; split?: readonly number[] }
> = {
  adam: { make: 'adam', options: { lr: 1e-3 }, label: 'Adam' },
  // A model's layers: the same N parameters as four tensors (N/2, N/4, N/8, N/8).
  adam4: {
    make: 'adam',
    options: { lr: 1e-3 },
    label: 'Adam ×4 tensors',
    split: [1 / 2, 1 / 4, 1 / 8, 1 / 8],
  },
  sgd: { make: 'sgd', options: { lr: 1e-2, momentum: 0.9 }, label: 'SGD-momentum' },
  adafactor: { make: 'adafactor', options: { lr: 1e-2 }, label: 'Adafactor' },
  rprop: { make: 'rprop', options: { lr: 1e-2 }, label: 'Rprop' },
  asgd: { make: 'asgd', options: { lr: 1e-2, t0: 0 }, label: 'ASGD (averaging)' },
  adamwScheduleFree: { make: 'adamwScheduleFree', options: { lr: 2.5e-3 }, label: 'AdamW Schedule-Free' },
  sgdScheduleFree: { make: 'sgdScheduleFree', options: { lr: 0.1 }, label: 'SGD Schedule-Free' },
  // One [N/1000, 1000] matrix (Newton–Schulz costs O(m²n) per iteration): see also --muon-shapes.
  muon: { make: 'muon', options: { lr: 0.02 }, label: 'Muon' },
}

function build(name: string, n: number, backend: 'native' | 'js') {
  const setup = SETUPS[name]
  const Ctor = setup ? OPTIMIZERS[setup.make] : undefined
  if (!setup || !Ctor) return undefined
  const params = (setup.split ?? [1]).map((fraction, i) => {
    const size = Math.round(n * fraction)
    // A matrix, so that Adafactor factors it; the element-wise rules do not care.
    const cols = size >= 1000 && size % 1000 === 0 ? 1000 : size
    const p = new Parameter(new Float32Array(size), [size / cols, cols])
    fillSeeded(p.data, 1 + 2 * i)
    fillSeeded(p.grad, 2 + 2 * i)
    return p
  })
  const opt: Optimizer<{ lr: number }> = new Ctor(params, { ...setup.options, backend })
  opt.step()
  const stateElements = params
    .flatMap((p) => Object.values(opt.stateOf(p)?.tensors ?? {}))
    .reduce((a, t) => a + t.length, 0)
  // Bytes touched per step: read p and g, write p, read and write the state.
  const bytes = 4 * (3 * n + 2 * stateElements)
  return { step: () => opt.step(), bytes }
}

/** The obvious Adam loop a JS user would write: the "plain JS" reference. */
function plainJsAdam(n: number) {
  const p = new Float32Array(n)
  const g = new Float32Array(n)
  const m = new Float32Array(n)
  const v = new Float32Array(n)
  fillSeeded(p, 1)
  fillSeeded(g, 2)
  let t = 0
  return () => {
    t++
    const b1 = 0.9
    const b2 = 0.999
    const stepSize = 1e-3 / (1 - b1 ** t)
    const bc2 = Math.sqrt(1 - b2 ** t)
    for (let i = 0; i < n; i++) {
      const gi = g[i] as number
      const mi = b1 * (m[i] as number) + (1 - b1) * gi
      const vi = b2 * (v[i] as number) + (1 - b2) * gi * gi
      m[i] = mi
      v[i] = vi
      p[i] = (p[i] as number) - (stepSize * mi) / (Math.sqrt(vi) / bc2 + 1e-8)
    }
  }
}

let cBinary: string | undefined

function cBaseline(n: number): { medianNs: number; threads: number } | undefined {
  if (values['no-c']) return undefined
  try {
    cBinary ??= execFileSync(
      'bash',
      [join(ROOT, 'benches/c/build.sh'), join(ROOT, 'bench-results/c-build')],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
      .trim()
      .split('\n')[0] as string
    const out = execFileSync(cBinary, [String(n), String(budget)], { encoding: 'utf8' })
    const parsed = JSON.parse(out.trim().split('\n').pop() as string) as { medianNs: number; threads: number }
    return parsed
  } catch {
    return undefined
  }
}

async function main() {
  if (!nativeAvailable()) throw new Error('the native addon did not load: run npm install first')
  const rows: (string | number)[][] = []
  const records: Record<string, unknown>[] = []
  for (const name of values.optimizers.split(',')) {
    for (const n of sizes) {
      const native = build(name, n, 'native')
      const js = build(name, n, 'js')
      if (!native || !js) {
        console.error(`skipping ${name}: not registered`)
        break
      }
      const nativeNs = await medianNs(`${name} native ${n}`, native.step, budget)
      const jsNs = await medianNs(`${name} js ${n}`, js.step, budget)
      // The references run Adam on one tensor of all N parameters.
      const isAdam = SETUPS[name]?.make === 'adam'
      const plainNs = isAdam ? await medianNs(`plain js adam ${n}`, plainJsAdam(n), budget) : undefined
      const c = isAdam ? cBaseline(n) : undefined
      const record = {
        optimizer: SETUPS[name]?.label,
        params: n,
        nativeMsPerStep: nativeNs / 1e6,
        jsMsPerStep: jsNs / 1e6,
        plainJsMsPerStep: plainNs === undefined ? null : plainNs / 1e6,
        cOpenMpMsPerStep: c ? c.medianNs / 1e6 : null,
        nativeParamsPerSec: n / (nativeNs / 1e9),
        nativeBytesPerSec: native.bytes / (nativeNs / 1e9),
        nativeOverJs: jsNs / nativeNs,
        nativeOverC: c ? c.medianNs / nativeNs : null,
      }
      records.push(record)
      rows.push([
        record.optimizer as string,
        si(n, 0),
        (nativeNs / 1e3).toFixed(1),
        (jsNs / 1e3).toFixed(1),
        plainNs === undefined ? '' : (plainNs / 1e3).toFixed(1),
        c ? (c.medianNs / 1e3).toFixed(1) : '',
        si(record.nativeParamsPerSec),
        `${si(record.nativeBytesPerSec)}B`,
        `${record.nativeOverJs.toFixed(1)}x`,
        record.nativeOverC === null ? '' : `${(100 * record.nativeOverC).toFixed(0)}%`,
      ])
      console.error(`done ${name} ${n}`)
    }
  }
  console.log(
    table(
      [
        'optimizer',
        'params',
        'native µs/step',
        'js µs/step',
        'plain JS µs',
        'C OpenMP µs',
        'native params/s',
        'native bytes/s',
        'native/js',
        'native vs C',
      ],
      rows,
    ),
  )
  const muon = await muonShapes()
  const lbfgs = await lbfgsIterations()
  writeJson(values.json, { machine: machine(), records, muon, lbfgs })
}

/**
 * One L-BFGS iteration (maxIter 1, no line search) once 10 curvature pairs are held: a closure
 * that only copies a stored gradient (so the table shows the optimizer's own work: the
 * gradient gather, about 45 dots and axpys of the two-loop recursion, and θ ← θ + t·d).
 */
async function lbfgsIterations() {
  const sizes = values['lbfgs-sizes'].split(',').filter(Boolean).map(Number)
  const records: Record<string, unknown>[] = []
  const rows: string[][] = []
  for (const n of sizes) {
    const stepFor = (backend: 'native' | 'js') => {
      const p = new Parameter(new Float32Array(n), [n])
      fillSeeded(p.data, 1)
      const gradients = [3, 4].map((seed) => {
        const g = new Float32Array(n)
        fillSeeded(g, seed)
        return g
      })
      let calls = 0
      const lbfgs = new LBFGS([p], { maxIter: 1, historySize: 10, lr: 1e-3, backend })
      // Alternating gradients keep yᵀs away from 0 often enough to fill the history.
      const closure = () => {
        p.grad.set(gradients[calls++ % 2] as Float32Array)
        return 0
      }
      for (let k = 0; k < 30; k++) lbfgs.step(closure)
      return () => lbfgs.step(closure)
    }
    const nativeNs = await medianNs(`lbfgs native ${n}`, stepFor('native'), budget)
    const jsNs = await medianNs(`lbfgs js ${n}`, stepFor('js'), budget)
    records.push({ params: n, nativeMsPerIteration: nativeNs / 1e6, jsMsPerIteration: jsNs / 1e6 })
    rows.push([
      si(n, 0),
      (nativeNs / 1e3).toFixed(1),
      (jsNs / 1e3).toFixed(1),
      `${(jsNs / nativeNs).toFixed(1)}x`,
    ])
    console.error(`done lbfgs ${n}`)
  }
  if (rows.length > 0) {
    console.log('\nL-BFGS, f32 parameters, one iteration with 10 curvature pairs (vector work only)')
    console.log(table(['params', 'native µs/iter', 'js µs/iter', 'native/js'], rows))
  }
  return records
}

/** Muon on single matrices: per-step time and the Newton–Schulz GEMM throughput. */
async function muonShapes() {
  const shapes = values['muon-shapes']
    .split(',')
    .filter(Boolean)
    .map((s) => s.split('x').map(Number) as [number, number])
  const jsMax = Number(values['muon-js-max'])
  const records: Record<string, unknown>[] = []
  const rows: string[][] = []
  for (const [height, cols] of shapes) {
    const stepFor = (backend: 'native' | 'js') => {
      const p = new Parameter(new Float32Array(height * cols), [height, cols])
      fillSeeded(p.data, 1)
      fillSeeded(p.grad, 2)
      const opt = new Muon([p], { lr: 0.02, backend })
      opt.step()
      return () => opt.step()
    }
    // Five iterations of A = XXᵀ (2m²n), A² (2m³) and (bA + cA²)·X (2m²n), m the smaller side,
    // counted as full products (the kernel computes only half of each symmetric one).
    const [m, n] = height <= cols ? [height, cols] : [cols, height]
    const flops = 5 * (4 * m * m * n + 2 * m * m * m)
    const nativeNs = await medianNs(`muon native ${height}x${cols}`, stepFor('native'), budget)
    const jsNs =
      height * cols <= jsMax ? await medianNs(`muon js ${height}x${cols}`, stepFor('js'), budget) : undefined
    const record = {
      shape: [height, cols],
      nativeMsPerStep: nativeNs / 1e6,
      jsMsPerStep: jsNs === undefined ? null : jsNs / 1e6,
      newtonSchulzGflop: flops / 1e9,
      nativeGflopPerSec: flops / nativeNs,
    }
    records.push(record)
    rows.push([
      `${height}×${cols}`,
      (nativeNs / 1e6).toFixed(2),
      jsNs === undefined ? '(not run)' : (jsNs / 1e6).toFixed(1),
      jsNs === undefined ? '' : `${(jsNs / nativeNs).toFixed(0)}x`,
      (flops / 1e9).toFixed(2),
      (flops / nativeNs).toFixed(1),
    ])
    console.error(`done muon ${height}x${cols}`)
  }
  if (rows.length > 0) {
    console.log('\nMuon, f32, one matrix (Newton–Schulz: 5 iterations on the ordered GEMM)')
    console.log(
      table(['shape', 'native ms/step', 'js ms/step', 'native/js', 'NS GFLOP', 'native GFLOP/s'], rows),
    )
  }
  return records
}

function machine() {
  const os = require('node:os') as typeof import('node:os')
  return { cpus: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
