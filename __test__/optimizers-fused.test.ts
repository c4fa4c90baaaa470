import test from 'ava'
import { Adam, type FloatArray, OPTIMIZERS, Parameter } from '../src/index.js'

/**
 * A model's parameters are back-to-back views of one buffer (so are their gradients): element-wise
 * rules then step them as one tensor. These tests compare that path with the same parameters in
 * separate buffers (stepped tensor by tensor), bit for bit.
 */

const SHAPES = [[3, 4], [4], [4, 2], [2]] as const

function parameters(dtype: 'float32' | 'float64', contiguous: boolean): Parameter[] {
  const Float = dtype === 'float32' ? Float32Array : Float64Array
  const sizes = SHAPES.map((s) => s.reduce((a: number, b: number) => a * b, 1))
  const total = sizes.reduce((a, b) => a + b, 0)
  const data = new Float(total)
  const grads = new Float(total)
  for (let i = 0; i < total; i++) data[i] = Math.sin(i * 1.7) * 0.8
  let at = 0
  return SHAPES.map((shape, i) => {
    const n = sizes[i] as number
    const view = (b: FloatArray) => (contiguous ? b.subarray(at, at + n) : b.slice(at, at + n))
    const p = new Parameter(view(data), shape, `p${i}`, view(grads))
    at += n
    return p
  })
}

const ELEMENTWISE = Object.entries(OPTIMIZERS).filter(([, C]) => C.rule.elementwise)

for (const backend of ['native', 'js'] as const) {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${backend} ${dtype}: every element-wise rule steps a model's single buffer exactly as tensor by tensor`, (t) => {
      t.true(ELEMENTWISE.length >= 9)
      for (const [name, Optimizer] of ELEMENTWISE) {
        const run = (contiguous: boolean) => {
          const params = parameters(dtype, contiguous)
          const optimizer = new Optimizer(params, { lr: 0.01, backend })
          for (let k = 0; k < 6; k++) {
            for (const p of params)
              for (let i = 0; i < p.size; i++) p.grad[i] = Math.cos(k + i + 3 * (p.data[i] as number))
            optimizer.step()
          }
          const state = optimizer.stateOf(params[0] as Parameter)?.tensors ?? {}
          const pooled = Object.entries(state).every(
            ([key, tensor]) =>
              tensor.buffer === optimizer.stateOf(params[1] as Parameter)?.tensors[key]?.buffer,
          )
          return { values: params.flatMap((p) => [...p.data]), pooled }
        }
        const fused = run(true)
        const separate = run(false)
        t.deepEqual(fused.values, separate.values, name)
        t.true(fused.pooled, `${name}: state tensors share one buffer`)
      }
    })
  }
}

test('parameters in two groups, or at different steps, are stepped tensor by tensor (and agree with JS)', (t) => {
  const run = (backend: 'native' | 'js') => {
    const [a, b, c, d] = parameters('float32', true) as [Parameter, Parameter, Parameter, Parameter]
    const optimizer = new Adam([a, b, c, d], { lr: 0.01, backend })
    for (let k = 0; k < 4; k++) {
      for (const p of [a, b, c, d]) p.grad.fill(0.1 * (k + 1))
      optimizer.step()
    }
    const other = new Adam([{ params: [a, b], lr: 0.02 }, { params: [c, d] }], { lr: 0.01, backend })
    for (let k = 0; k < 3; k++) {
      for (const p of [a, b, c, d]) p.grad.fill(-0.05 * (k + 1))
      other.step()
    }
    return [a, b, c, d].flatMap((p) => [...p.data])
  }
  t.deepEqual(run('native'), run('js'))
})
