import test from 'ava'
import fc from 'fast-check'
import { Rng } from '../src/random.js'

const addon = require('../../native/index.js') as {
  randomStreams(
    seed: number,
    count: number,
  ): { raw: number[]; uniformF64: number[]; uniformF32: number[]; below7: number[]; permutation: number[] }
}

function jsStreams(seed: number, count: number) {
  const r = new Rng(seed)
  const take = <T>(f: () => T) => Array.from({ length: count }, f)
  return {
    raw: take(() => r.nextU32()),
    uniformF64: take(() => r.uniform()),
    uniformF32: take(() => r.uniformF32()),
    below7: take(() => r.below(7)),
    permutation: [...r.permutation(count)],
  }
}

test('the JS PRNG draws the same stream as the Rust one, for any seed', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 300 }), (seed, count) => {
      t.deepEqual(jsStreams(seed, count), addon.randomStreams(seed, count))
    }),
    { seed: 7, numRuns: 200 },
  )
})

test('Rng state round-trips and seeds are validated', (t) => {
  const a = new Rng(99)
  a.nextU32()
  const b = Rng.fromState(a.state)
  t.is(a.nextU32(), b.nextU32())
  t.throws(() => new Rng(-1), { instanceOf: RangeError, message: /seed/ })
  t.throws(() => new Rng(1.5), { instanceOf: RangeError, message: /seed/ })
  t.throws(() => new Rng('1' as never), { instanceOf: TypeError, message: /seed/ })
  t.throws(() => Rng.fromState([1, 2, 3]), { instanceOf: TypeError, message: /state/ })
})
