import test from 'ava'
import fc from 'fast-check'
import { OPTIMIZERS, type Optimizer, type OptimizerStateDict, Parameter } from '../src/index.js'
import { fingerprint } from './helpers/fingerprint.js'
import {
  budget,
  detach,
  expectCleanFailure,
  isAllowedError,
  summary,
  weird,
  weirdNumber,
  wrongKind,
} from './helpers/fuzz.js'
import { asMatrix, matrixOnly, TRAINING_CASES } from './helpers/training-cases.js'

// Property tests over the optimizers' public API: Parameter, every optimizer's constructor,
// step() after any change a user can make (gradients, options, lrs, detached buffers), and
// loadStateDict with damaged state dicts. A call either works or throws a TypeError,
// RangeError or DescentError naming what was wrong, and a call that threw changed nothing.
// Budget: 4 properties, 3,400 cases.

// biome-ignore lint/suspicious/noExplicitAny: any optimizer
type AnyOptimizer = Optimizer<any>
const NAMES = Object.keys(OPTIMIZERS)
const BACKENDS = ['native', 'js'] as const

/** Valid non-default options per optimizer, so every kind of state gets exercised. */
const PRESETS: Record<string, Record<string, unknown>> = Object.fromEntries(
  TRAINING_CASES.map((c) => [
    c.optimizer,
    Object.fromEntries(Object.entries(c.options).filter(([k]) => k !== 'onNonFinite')),
  ]),
)

/** The option keys of an optimizer (from a throwaway instance's param group). */
const OPTION_KEYS: Record<string, string[]> = Object.fromEntries(
  NAMES.map((name) => {
    const Optimizer = OPTIMIZERS[name] as NonNullable<(typeof OPTIMIZERS)[string]>
    const { params: _, ...options } = new Optimizer([new Parameter(new Float32Array(1), [1, 1])], {
      backend: 'js',
    }).paramGroups[0] as {
      params: unknown
    }
    return [name, Object.keys(options)]
  }),
)

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })
const valueArb = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: weirdNumber },
)
const setupArb = fc.record({
  optimizer: fc.constantFrom(...NAMES),
  backend: fc.constantFrom(...BACKENDS),
  dtype: fc.constantFrom('float32', 'float64'),
  shapes: fc.array(shapeArb, { minLength: 1, maxLength: 3 }),
  values: fc.array(valueArb, { minLength: 1, maxLength: 32 }),
  onNonFinite: fc.constantFrom('ignore', 'skip', 'throw'),
  preset: fc.boolean(),
})
type Setup = typeof setupArb extends fc.Arbitrary<infer T> ? T : never

function fill(array: Float32Array | Float64Array, values: readonly number[], shift: number): void {
  for (let i = 0; i < array.length; i++) array[i] = values[(i + shift) % values.length] as number
}

function makeParams(s: Pick<Setup, 'dtype' | 'shapes' | 'values'> & { optimizer?: string }): Parameter[] {
  const Float = s.dtype === 'float32' ? Float32Array : Float64Array
  const shapes = s.optimizer !== undefined && matrixOnly(s.optimizer) ? s.shapes.map(asMatrix) : s.shapes
  return shapes.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1)
    const p = new Parameter(new Float(size), shape, `p${i}`)
    fill(p.data, s.values, i)
    fill(p.grad, s.values, i + 7)
    return p
  })
}

function makeOptimizer(s: Setup, params: Parameter[]): AnyOptimizer {
  const Optimizer = OPTIMIZERS[s.optimizer] as NonNullable<(typeof OPTIMIZERS)[string]>
  const options = s.preset ? (PRESETS[s.optimizer] ?? {}) : {}
  return new Optimizer(params, { ...options, backend: s.backend, onNonFinite: s.onNonFinite })
}

function observe(params: readonly Parameter[], optimizer?: AnyOptimizer) {
  return () => ({
    data: params.map((p) => p.data),
    grad: params.map((p) => p.grad),
    state: optimizer?.stateDict(),
    skipped: optimizer?.skippedSteps,
  })
}

test('Parameter: any data, shape, name and grad either make a parameter or throw naming the argument', (t) => {
  let threw = 0
  fc.assert(
    fc.property(
      fc.record({
        data: fc.oneof(wrongKind, fc.constantFrom('f32', 'f64', 'detached')),
        shape: fc.oneof(shapeArb, fc.array(weirdNumber, { maxLength: 3 }), wrongKind),
        name: fc.oneof(fc.string({ maxLength: 5 }), wrongKind),
        grad: fc.oneof(
          fc.constantFrom('none', 'own', 'alias', 'short', 'other-dtype', 'detached'),
          wrongKind,
        ),
      }),
      ({ data, shape, name, grad }) => {
        const buffer = new Float32Array(6)
        const values =
          data === 'f32'
            ? buffer
            : data === 'f64'
              ? new Float64Array(6)
              : data === 'detached'
                ? new Float32Array(6)
                : data
        if (data === 'detached') detach((values as Float32Array).buffer)
        const Same =
          values instanceof Float32Array || values instanceof Float64Array
            ? (values.constructor as Float32ArrayConstructor)
            : undefined
        const grads: Record<string, () => unknown> = {
          none: () => undefined,
          own: () => (Same ? new Same(6) : undefined),
          alias: () => values,
          short: () => (Same ? new Same(2) : undefined),
          'other-dtype': () => new Float64Array(6),
          detached: () => {
            const g = new Float32Array(6)
            detach(g.buffer)
            return g
          },
        }
        const gradValue = typeof grad === 'string' && grad in grads ? (grads[grad] as () => unknown)() : grad
        if (
          expectCleanFailure(
            () =>
              new Parameter(
                values as Float32Array,
                shape as number[],
                name as string,
                gradValue as Float32Array,
              ),
            () => buffer,
            ['data', 'shape', 'name', 'grad'],
          )
        )
          threw++
      },
    ),
    budget(1, 800),
  )
  t.log(summary(800, threw))
  t.pass()
})

test('constructors: any value of any option (or of params) either builds a working optimizer or throws naming it', (t) => {
  let threw = 0
  fc.assert(
    fc.property(
      setupArb,
      fc.nat(),
      weird,
      fc.constantFrom(
        'option',
        'unknown option',
        'options',
        'params',
        'params[i]',
        'group option',
        'duplicate',
        'shared',
      ),
      (s, keyIndex, value, what) => {
        const params = makeParams(s)
        const Optimizer = OPTIMIZERS[s.optimizer] as NonNullable<(typeof OPTIMIZERS)[string]>
        const keys = [...(OPTION_KEYS[s.optimizer] as string[]), 'backend', 'onNonFinite']
        const key = keys[keyIndex % keys.length] as string
        const base = { backend: s.backend }
        const attempts: Record<string, [() => AnyOptimizer, string[]]> = {
          option: [() => new Optimizer(params, { ...base, [key]: value }), [key]],
          'unknown option': [() => new Optimizer(params, { ...base, weight_decay: value }), ['weight_decay']],
          options: [() => new Optimizer(params, value as never), ['options']],
          params: [() => new Optimizer(value as never, base), ['params']],
          'params[i]': [() => new Optimizer([...params, value] as never, base), [`params[${params.length}]`]],
          'group option': [() => new Optimizer([{ params, [key]: value }] as never, base), [key]],
          duplicate: [() => new Optimizer([...params, params[0]] as never, base), ['more than once']],
          shared: [
            () =>
              new Optimizer(
                [...params, new Parameter(params[0]?.grad as Float32Array, params[0]?.shape)],
                base,
              ),
            ['shares memory', 'must not be empty'],
          ],
        }
        const [build, names] = attempts[what] as [() => AnyOptimizer, string[]]
        let optimizer: AnyOptimizer | undefined
        if (expectCleanFailure(() => (optimizer = build()), observe(params), names)) {
          threw++
          return
        }
        // Built: it must step (or refuse cleanly, e.g. a NaN gradient with onNonFinite 'throw').
        expectCleanFailure(() => optimizer?.step(), observe(params, optimizer), ['params['])
      },
    ),
    budget(2, 1000),
  )
  t.log(summary(1000, threw))
  t.pass()
})

const actionArb = fc.oneof(
  fc.record({
    kind: fc.constant('grads' as const),
    values: fc.array(valueArb, { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('option' as const), key: fc.nat(), value: weird }),
  fc.record({ kind: fc.constant('lr' as const), value: weird }),
  fc.record({ kind: fc.constant('detach' as const), data: fc.boolean(), index: fc.nat() }),
  fc.record({ kind: fc.constant('step' as const) }),
)

test('step: after any change to gradients, options, lrs or buffers, a step works or throws naming it, changing nothing', (t) => {
  let threw = 0
  let steps = 0
  fc.assert(
    fc.property(setupArb, fc.array(actionArb, { minLength: 1, maxLength: 6 }), (s, actions) => {
      const params = makeParams(s)
      const optimizer = makeOptimizer(s, params)
      const group = optimizer.paramGroups[0] as unknown as Record<string, unknown>
      const keys = OPTION_KEYS[s.optimizer] as string[]
      // Names a failure may cite: whatever has been broken so far.
      const broken: string[] = s.onNonFinite === 'throw' ? ['NaN or Infinity'] : []
      for (const action of actions) {
        if (action.kind === 'grads') params.forEach((p, i) => fill(p.grad, action.values, i))
        if (action.kind === 'option') {
          const key = keys[action.key % keys.length] as string
          group[key] = action.value
          broken.push(key)
        }
        if (action.kind === 'lr') {
          group.lr = action.value
          broken.push('lr')
        }
        if (action.kind === 'detach') {
          const p = params[action.index % params.length] as Parameter
          detach((action.data ? p.data : p.grad).buffer)
          broken.push('detached')
        }
        steps++
        if (expectCleanFailure(() => optimizer.step(), observe(params, optimizer), broken)) threw++
      }
    }),
    budget(3, 1000),
  )
  t.log(summary(1000, threw, ` (${steps} steps)`))
  t.pass()
})

const damageArb = fc.oneof(
  fc.record({ kind: fc.constant('none' as const) }),
  fc.record({ kind: fc.constant('whole' as const), value: weird }),
  fc.record({
    kind: fc.constant('top' as const),
    key: fc.constantFrom('optimizer', 'dtype', 'state', 'paramGroups', 'skippedSteps'),
    value: weird,
  }),
  fc.record({ kind: fc.constant('group option' as const), key: fc.nat(), value: weird }),
  fc.record({ kind: fc.constant('group params' as const), value: weird }),
  fc.record({ kind: fc.constant('scalar' as const), value: weird }),
  fc.record({
    kind: fc.constant('tensor' as const),
    how: fc.constantFrom('other dtype', 'short', 'detached', 'weird'),
    value: weird,
  }),
  fc.record({ kind: fc.constant('extra key' as const) }),
  fc.record({
    kind: fc.constant('extra index' as const),
    index: fc.oneof(weirdNumber, fc.string({ maxLength: 3 })),
  }),
)

function damage(dict: OptimizerStateDict, d: DamageValue, keys: string[]): unknown {
  const copy = structuredClone(dict) as unknown as Record<string, unknown> & {
    paramGroups: Record<string, unknown>[]
    state: Record<string, Record<string, unknown>>
  }
  const entry = Object.values(copy.state)[0]
  switch (d.kind) {
    case 'none':
      return copy
    case 'whole':
      return d.value
    case 'top':
      ;(copy as Record<string, unknown>)[d.key] = d.value
      return copy
    case 'group option':
      ;(copy.paramGroups[0] as Record<string, unknown>)[keys[d.key % keys.length] as string] = d.value
      return copy
    case 'group params':
      ;(copy.paramGroups[0] as Record<string, unknown>).params = d.value
      return copy
    case 'scalar':
      if (entry) entry.step = d.value
      return copy
    case 'tensor': {
      const name = entry && Object.keys(entry).find((k) => ArrayBuffer.isView(entry[k]))
      if (!entry || !name) return copy
      const t = entry[name] as Float32Array
      if (d.how === 'other dtype')
        entry[name] = t instanceof Float32Array ? Float64Array.from(t) : Float32Array.from(t)
      if (d.how === 'short') entry[name] = t.subarray(0, Math.max(0, t.length - 1))
      if (d.how === 'detached') detach(t.buffer)
      if (d.how === 'weird') entry[name] = d.value
      return copy
    }
    case 'extra key':
      if (entry) entry.bogus = 1
      return copy
    case 'extra index':
      copy.state[String(d.index)] = { step: 1 }
      return copy
  }
}
type DamageValue = typeof damageArb extends fc.Arbitrary<infer T> ? T : never

test('loadStateDict: a damaged state dict is refused with nothing changed; an intact one round-trips exactly', (t) => {
  let threw = 0
  fc.assert(
    fc.property(setupArb, fc.integer({ min: 0, max: 3 }), damageArb, (s, steps, d) => {
      const setup = { ...s, onNonFinite: 'ignore' as const }
      const sourceParams = makeParams(setup)
      const source = makeOptimizer(setup, sourceParams)
      for (let k = 0; k < steps; k++) source.step()
      const params = makeParams(setup)
      const target = makeOptimizer(setup, params)
      target.step()
      const keys = OPTION_KEYS[s.optimizer] as string[]
      const damaged = damage(source.stateDict(), d, keys)
      const failed = expectCleanFailure(
        () => target.loadStateDict(damaged as OptimizerStateDict),
        observe(params, target),
        [
          'state dict',
          'stateDict',
          'paramGroups',
          'param groups',
          'skippedSteps',
          'state[',
          'state has entry',
        ],
      )
      if (failed) {
        threw++
        return
      }
      if (d.kind === 'none' && fingerprint(target.stateDict()) !== fingerprint(source.stateDict())) {
        throw new Error('loadStateDict(stateDict()) did not restore the state exactly')
      }
      try {
        target.step()
      } catch (error) {
        if (!isAllowedError(error)) throw error
      }
    }),
    budget(4, 600),
  )
  t.log(summary(600, threw))
  t.pass()
})

test('loadStateDict names the tensor when a state tensor of a zero-size parameter is detached', (t) => {
  const make = () => new Parameter(new Float32Array(0), [0], 'empty')
  const Adam = OPTIMIZERS.adam as NonNullable<(typeof OPTIMIZERS)[string]>
  const source = new Adam([make()], { backend: 'js' })
  source.step()
  const dict = source.stateDict()
  const expAvg = dict.state[0]?.expAvg as Float32Array
  detach(expAvg.buffer)
  const error = t.throws(() => new Adam([make()], { backend: 'js' }).loadStateDict(dict))
  t.regex(error?.message ?? '', /expAvg/)
})

// Parameter's grad setter only knows its own data, so step() re-checks sharing whenever a grad
// was reassigned: both backends refuse the same way.
test('step refuses, on both backends, a gradient that aliases another parameter after construction', (t) => {
  for (const backend of BACKENDS) {
    const a = new Parameter(new Float32Array([1, 2, 3, 4]), [4], 'a')
    const b = new Parameter(new Float32Array([5, 6, 7, 8]), [4], 'b')
    const optimizer = new (OPTIMIZERS.adam as NonNullable<(typeof OPTIMIZERS)[string]>)([a, b], { backend })
    a.grad = b.data
    t.throws(() => optimizer.step(), { instanceOf: RangeError, message: /share/ }, backend)
  }
})
