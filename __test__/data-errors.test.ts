import test from 'ava'
import { data } from '../src/index.js'

type Call = () => unknown
const E = { type: TypeError, range: RangeError }

/** Each bad call, the error class it must throw and what the message must name. */
const CASES: [string, Call, keyof typeof E, RegExp][] = [
  ['unknown key', () => data.regression({ sample: 10 } as never), 'type', /unknown option 'sample'/],
  ['options not an object', () => data.moons(5 as never), 'type', /options/],
  ['samples 0', () => data.regression({ samples: 0 }), 'range', /samples/],
  ['samples fractional', () => data.blobs({ samples: 2.5 }), 'range', /samples/],
  ['samples a string', () => data.classification({ samples: '10' as never }), 'type', /samples/],
  ['features 0', () => data.classification({ features: 0 }), 'range', /features/],
  ['classes 1', () => data.classification({ classes: 1 }), 'range', /classes/],
  [
    'too many elements',
    () => data.classification({ samples: 2 ** 20, features: 2 ** 10 }),
    'range',
    /samples × features/,
  ],
  ['centers 0', () => data.blobs({ centers: 0 }), 'range', /centers/],
  ['std < 0', () => data.blobs({ std: -1 }), 'range', /std/],
  ['noise NaN', () => data.moons({ noise: Number.NaN }), 'range', /noise/],
  ['spiral noise too large', () => data.spirals({ noise: 1e4 }), 'range', /noise/],
  ['spiral classes too many', () => data.spirals({ classes: 10_001 }), 'range', /classes/],
  ['seed negative', () => data.spirals({ seed: -1 }), 'range', /seed/],
  ['seed a string', () => data.regression({ seed: '1' as never }), 'type', /seed/],
  ['dtype int32', () => data.regression({ dtype: 'int32' as never }), 'type', /dtype/],
  ['backend gpu', () => data.blobs({ backend: 'gpu' as never }), 'type', /backend/],
  ['testFraction 1', () => data.iris({ testFraction: 1 }), 'range', /testFraction/],
  ['testFraction negative', () => data.iris({ testFraction: -0.1 }), 'range', /testFraction/],
  ['standardize a string', () => data.iris({ standardize: 'yes' as never }), 'type', /standardize/],
  ['iris unknown key', () => data.iris({ samples: 3 } as never), 'type', /unknown option 'samples'/],
  ['mnist train 0', () => data.mnist({ train: 0 }), 'range', /train/],
  ['mnist train + test', () => data.mnist({ train: 9000, test: 1001 }), 'range', /train \+ test/],
  ['mnist test fractional', () => data.mnist({ test: 1.5 }), 'range', /test/],
]

for (const [name, call, kind, message] of CASES) {
  test(`bad options: ${name}`, (t) => {
    t.throws(call, { instanceOf: E[kind], message })
  })
}

test('every message says which generator complained', (t) => {
  t.throws(() => data.spirals({ classes: 1 }), {
    message: /^data\.spirals: classes must be an integer in \[2, 10000\], got 1$/,
  })
})
