import test from 'ava'
import { RULES } from '../src/index.js'

test('the Rust registry and the TypeScript registry list the same rules', (t) => {
  const addon = require('../../native/index.js') as { ruleNames(): string[] }
  t.deepEqual([...addon.ruleNames()].sort(), RULES.map((r) => r.rule).sort())
})

test('every rule names its per-step scalars the same way, in the same order, in Rust and TypeScript', (t) => {
  const addon = require('../../native/index.js') as { ruleNames(): string[]; ruleScalarNames(): string[][] }
  const rust = new Map(addon.ruleNames().map((name, i) => [name, addon.ruleScalarNames()[i] as string[]]))
  const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
  for (const rule of RULES) {
    t.deepEqual(rule.scalars, rust.get(rule.rule)?.map(camel), rule.rule)
    t.is(new Set(rule.scalars).size, rule.scalars.length, `${rule.rule}: names are distinct`)
  }
})

test('no rule reads a per-step scalar by its position', (t) => {
  const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs')
  const { join } = require('node:path') as typeof import('node:path')
  const root = join(__dirname, '..', '..')
  const sources = [
    ...readdirSync(join(root, 'src', 'optim')).map((f) => join(root, 'src', 'optim', f)),
    ...readdirSync(join(root, 'crates', 'core', 'src', 'rules')).map((f) =>
      join(root, 'crates', 'core', 'src', 'rules', f),
    ),
  ]
  for (const file of sources) {
    // Rust unit tests build raw scalar arrays on purpose: only the code above them counts.
    const code = readFileSync(file, 'utf8').split('#[cfg(test)]')[0] as string
    t.deepEqual(code.match(/\bs\[\d+\]|scalars\[\d+\]|flag\(\d+\)/g) ?? [], [], file)
  }
})

test('every optimizer class is registered under the name its state dicts carry', (t) => {
  const { OPTIMIZERS, Parameter } = require('../src/index.js') as typeof import('../src/index.js')
  for (const [key, Optimizer] of Object.entries(OPTIMIZERS)) {
    const optimizer = new Optimizer([new Parameter(new Float32Array(4), [2, 2])], { backend: 'js' })
    t.is(Optimizer.key, key)
    t.is(optimizer.stateDict().optimizer, key)
  }
})

test('the bench and trajectory tables come from the registry and build every optimizer they list', (t) => {
  const { OPTIMIZER_ENTRIES, Parameter } = require('../src/index.js') as typeof import('../src/index.js')
  const { BENCH_OPTIMIZERS } =
    require('../cli/src/bench/optimizers.js') as typeof import('../cli/src/bench/optimizers.js')
  const { PATH_OPTIMIZERS } =
    require('../cli/src/trajectories/presets.js') as typeof import('../cli/src/trajectories/presets.js')
  const { TEST_FUNCTIONS } =
    require('../cli/src/trajectories/functions.js') as typeof import('../cli/src/trajectories/functions.js')
  const { formatSettings } =
    require('../cli/src/report/table.js') as typeof import('../cli/src/report/table.js')
  const params = () => [new Parameter(new Float64Array(2), [2])]
  t.deepEqual(Object.keys(BENCH_OPTIMIZERS), [
    ...Object.keys(OPTIMIZER_ENTRIES).filter((k) => OPTIMIZER_ENTRIES[k]?.bench),
    'muon',
    'lbfgs',
  ])
  t.deepEqual(Object.keys(PATH_OPTIMIZERS), [
    ...Object.keys(OPTIMIZER_ENTRIES).filter((k) => OPTIMIZER_ENTRIES[k]?.path),
    'lbfgs',
  ])
  // Presets keep their options: Momentum is SGD with momentum 0.9 in both tables.
  const momentum = BENCH_OPTIMIZERS.momentum?.create?.(params(), 'js')
  t.like(momentum?.paramGroups[0], { lr: 0.01, momentum: 0.9 })
  for (const [key, b] of Object.entries(BENCH_OPTIMIZERS)) {
    if (!b.create) continue // Muon + AdamW and L-BFGS train in loops of their own
    t.is(
      b.create(params(), 'js').paramGroups[0]?.lr as number,
      OPTIMIZER_ENTRIES[key]?.bench?.lr as number,
      key,
    )
  }
  for (const fn of TEST_FUNCTIONS) {
    for (const [key, p] of Object.entries(PATH_OPTIMIZERS)) {
      const optimizer = p.create([new Parameter(new Float64Array(2), [...p.shape])], fn)
      t.true(p.settings(fn).startsWith(formatSettings({ lr: optimizer.options.lr as number })), key)
    }
  }
  const nesterov = PATH_OPTIMIZERS.nesterov?.create(params(), TEST_FUNCTIONS[0] as never)
  t.like(nesterov?.options, { momentum: 0.9, nesterov: true })
})

test('L-BFGS (closure steps) and Muon (a 1×2 matrix) draw trajectories', (t) => {
  const { PATH_OPTIMIZERS } =
    require('../cli/src/trajectories/presets.js') as typeof import('../cli/src/trajectories/presets.js')
  const { TEST_FUNCTIONS } =
    require('../cli/src/trajectories/functions.js') as typeof import('../cli/src/trajectories/functions.js')
  const { runPath } =
    require('../cli/src/trajectories/run.js') as typeof import('../cli/src/trajectories/run.js')
  const byId = (id: string) => TEST_FUNCTIONS.find((f) => f.id === id) as (typeof TEST_FUNCTIONS)[number]
  const distance = (points: [number, number][], to: [number, number]) => {
    const [x, y] = points.at(-1) as [number, number]
    return Math.hypot(x - to[0], y - to[1])
  }
  const rosenbrock = byId('rosenbrock')
  const lbfgs = runPath(rosenbrock, PATH_OPTIMIZERS.lbfgs as never, 60)
  t.true(distance(lbfgs, [1, 1]) < 1e-4, `L-BFGS ends ${lbfgs.at(-1)}`)
  const quadratic = byId('quadratic')
  const muon = runPath(quadratic, PATH_OPTIMIZERS.muon as never, 100)
  const mark = quadratic.marks[0] as [number, number]
  t.is(muon.length, 101)
  t.true(distance(muon, mark) < distance([quadratic.start], mark) / 5, `Muon ends ${muon.at(-1)}`)
})

// The layers' products differ in rounding between backends (the native GEMM fuses and blocks), so
// the two runs agree closely rather than bit for bit.
test('the bench trains Muon + AdamW and L-BFGS in loops of their own, alike on both backends', (t) => {
  const { data } = require('../src/index.js') as typeof import('../src/index.js')
  const { BENCH_OPTIMIZERS } =
    require('../cli/src/bench/optimizers.js') as typeof import('../cli/src/bench/optimizers.js')
  const { trainDescent } = require('../cli/src/bench/train.js') as typeof import('../cli/src/bench/train.js')
  const set = data.blobs({ samples: 120, features: 6, centers: 3, seed: 5 })
  for (const key of ['muon', 'lbfgs']) {
    const optimizer = BENCH_OPTIMIZERS[key] as NonNullable<(typeof BENCH_OPTIMIZERS)[string]>
    const run = (backend: 'native' | 'js') =>
      trainDescent(set, { sizes: [6, 12, 3], seed: 1 }, optimizer, backend, { epochs: 6, batchSize: 32 }).loss
    const native = run('native')
    const js = run('js')
    t.true(
      native.every((v, i) => Math.abs(v - (js[i] as number)) <= 1e-6 * Math.abs(v)),
      `${key}: ${native} vs ${js}`,
    )
    t.is(native.length, 6)
    t.true((native.at(-1) as number) < (native[0] as number), `${key}: ${native}`)
  }
})
