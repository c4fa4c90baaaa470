import test from 'ava'
import fc from 'fast-check'
import { OPTIMIZERS, type Optimizer, Parameter } from '../src/index.js'
import { optimizerCases } from './helpers/golden.js'
import { asMatrix, matrixOnly } from './helpers/training-cases.js'

// Native and JS are the same computation: after every step, every parameter and every state
// tensor must be equal byte for byte. The option sets are those of the golden cases (which
// cover every option of every optimizer); shapes, values and step counts are random.
const optionSets = optimizerCases().map((c) => ({ optimizer: c.optimizer, options: c.options, name: c.name }))

test('every optimizer of the golden set is registered', (t) => {
  t.deepEqual(
    optionSets.map((o) => o.optimizer).filter((name) => !(name in OPTIMIZERS)),
    [],
  )
})

function bytes(a: Float32Array | Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
}

function snapshot(opt: Optimizer<{ lr: number }>, params: Parameter[]): Buffer[] {
  return params.flatMap((p) => [
    bytes(p.data),
    ...Object.values(opt.stateOf(p)?.tensors ?? {}).map(bytes),
    Buffer.from(JSON.stringify(opt.stateOf(p)?.scalars ?? {})),
  ])
}

const shapeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 40 })).map(([n]) => [n]),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })).map(([a, b]) => [a, b]),
  fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }))
    .map(([a, b, c]) => [a, b, c]),
)

for (const dtype of ['float32', 'float64'] as const) {
  test(`native and js agree bit for bit on every optimizer and option set (${dtype})`, (t) => {
    const FloatArray = dtype === 'float32' ? Float32Array : Float64Array
    fc.assert(
      fc.property(
        fc.constantFrom(...optionSets.filter((o) => o.optimizer in OPTIMIZERS)),
        fc.array(shapeArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        ({ optimizer, options }, shapes, steps, seed) => {
          const Optimizer = OPTIMIZERS[optimizer]
          if (!Optimizer) throw new Error(`no optimizer '${optimizer}'`)
          let state = seed
          const random = () => {
            state = (Math.imul(state, 1103515245) + 12345) >>> 0
            return state / 2 ** 32 - 0.5
          }
          const make = () =>
            (matrixOnly(optimizer) ? shapes.map(asMatrix) : shapes).map((shape) => {
              const n = shape.reduce((a, b) => a * b, 1)
              const data = new FloatArray(n)
              for (let i = 0; i < n; i++) data[i] = 2 * random()
              return new Parameter(data, shape)
            })
          const native = make()
          state = seed
          const js = make()
          const a = new Optimizer(native, { ...options, backend: 'native' })
          const b = new Optimizer(js, { ...options, backend: 'js' })
          for (let k = 0; k < steps; k++) {
            for (const [i, p] of native.entries()) {
              for (let j = 0; j < p.size; j++) {
                // Occasional exact zeros exercise sign(0), empty rows and max(…, 0) paths.
                const g = random() < -0.4 ? 0 : 3 * random()
                p.grad[j] = g
                ;(js[i] as Parameter).grad[j] = g
              }
            }
            a.step()
            b.step()
            const left = snapshot(a, native)
            const right = snapshot(b, js)
            for (const [i, buf] of left.entries()) {
              if (!buf.equals(right[i] as Buffer)) return false
            }
          }
          return true
        },
      ),
      { seed: 20261125, numRuns: 300 },
    )
    t.pass()
  })
}

// Tensors above the parallel threshold (65 536 elements) take the multi-threaded, SIMD-dispatched
// path natively: still the same bits as the JS loop.
test('native and js agree bit for bit on tensors large enough to run in parallel', (t) => {
  const shapes = [[300, 401], [70001]]
  // Matrix-only rules (Muon) run serially per tensor, and a vector is not theirs to take.
  for (const { optimizer, options, name } of optionSets.filter(
    (o, i, all) => all.findIndex((x) => x.optimizer === o.optimizer) === i && !matrixOnly(o.optimizer),
  )) {
    const Optimizer = OPTIMIZERS[optimizer]
    if (!Optimizer) return t.fail(`no optimizer '${optimizer}'`)
    for (const FloatArray of [Float32Array, Float64Array]) {
      const make = () =>
        shapes.map((shape) => {
          const n = shape.reduce((a, b) => a * b, 1)
          const data = new FloatArray(n)
          for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.001) * 2
          return new Parameter(data, shape)
        })
      const native = make()
      const js = make()
      const a = new Optimizer(native, { ...options, backend: 'native' })
      const b = new Optimizer(js, { ...options, backend: 'js' })
      for (let k = 0; k < 3; k++) {
        for (const [i, p] of native.entries()) {
          for (let j = 0; j < p.size; j++) {
            const g = j % 17 === 0 ? 0 : Math.cos(j * 0.37 + k) * 3
            p.grad[j] = g
            ;(js[i] as Parameter).grad[j] = g
          }
        }
        a.step()
        b.step()
        const left = snapshot(a, native)
        const right = snapshot(b, js)
        for (const [i, buf] of left.entries()) {
          if (!buf.equals(right[i] as Buffer))
            return t.fail(`${name} (${FloatArray.name}) differs at step ${k + 1}`)
        }
      }
    }
  }
  t.pass()
})
