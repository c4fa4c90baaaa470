import test from 'ava'
import { data, type Tensor } from '../src/index.js'

type Generated = { x: Tensor; y: Tensor }

/** Every synthetic generator with a few option sets; `features` is x's column count. */
const GENERATORS: {
  name: string
  make: (options: Record<string, unknown>) => Generated
  options: Record<string, unknown>
  samples: number
  features: number
  labels?: number
}[] = [
  { name: 'regression', make: data.regression, options: {}, samples: 100, features: 1 },
  { name: 'regression', make: data.regression, options: { samples: 7 }, samples: 7, features: 1 },
  { name: 'classification', make: data.classification, options: {}, samples: 1000, features: 20, labels: 3 },
  {
    name: 'classification',
    make: data.classification,
    options: { samples: 33, features: 5, classes: 7 },
    samples: 33,
    features: 5,
    labels: 7,
  },
  { name: 'blobs', make: data.blobs, options: {}, samples: 100, features: 2, labels: 3 },
  {
    name: 'blobs',
    make: data.blobs,
    options: { samples: 41, features: 6, centers: 5, std: 0.3 },
    samples: 41,
    features: 6,
    labels: 5,
  },
  { name: 'moons', make: data.moons, options: {}, samples: 100, features: 2, labels: 2 },
  { name: 'moons', make: data.moons, options: { samples: 1, noise: 0 }, samples: 1, features: 2, labels: 2 },
  { name: 'spirals', make: data.spirals, options: {}, samples: 300, features: 2, labels: 3 },
  {
    name: 'spirals',
    make: data.spirals,
    options: { samples: 55, classes: 5, noise: 1.5 },
    samples: 55,
    features: 2,
    labels: 5,
  },
]
const SEEDS = [0, 1, 42, 2 ** 32 - 1]
const DTYPES = ['float32', 'float64'] as const

function sum(values: ArrayLike<number>, f: (v: number) => number = (v) => v): number {
  let total = 0
  for (let i = 0; i < values.length; i++) total += f(values[i] as number)
  return total
}

function bytes(t: Tensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)
}

for (const g of GENERATORS) {
  const label = `${g.name}(${JSON.stringify(g.options)})`

  test(`${label}: native and js give the same bytes, every seed and dtype`, (t) => {
    for (const seed of SEEDS) {
      for (const dtype of DTYPES) {
        const native = g.make({ ...g.options, seed, dtype, backend: 'native' })
        const js = g.make({ ...g.options, seed, dtype, backend: 'js' })
        t.true(bytes(native.x).equals(bytes(js.x)), `x, seed ${seed}, ${dtype}`)
        t.true(bytes(native.y).equals(bytes(js.y)), `y, seed ${seed}, ${dtype}`)
      }
    }
  })

  test(`${label}: shapes, dtypes and reproducibility`, (t) => {
    for (const dtype of DTYPES) {
      const a = g.make({ ...g.options, seed: 9, dtype })
      const FloatArray = dtype === 'float32' ? Float32Array : Float64Array
      t.true(a.x.data instanceof FloatArray)
      t.deepEqual(a.x.shape, [g.samples, g.features])
      if (g.labels === undefined) {
        t.true(a.y.data instanceof FloatArray)
        t.deepEqual(a.y.shape, [g.samples, 1])
      } else {
        t.true(a.y.data instanceof Int32Array)
        t.deepEqual(a.y.shape, [g.samples])
        t.true(a.y.data.every((l) => Number.isInteger(l) && l >= 0 && l < (g.labels as number)))
      }
      t.true(a.x.data.every(Number.isFinite))
      const again = g.make({ ...g.options, seed: 9, dtype })
      t.true(bytes(a.x).equals(bytes(again.x)) && bytes(a.y).equals(bytes(again.y)), 'same seed, same data')
    }
    if (g.samples > 1) {
      const other = g.make({ ...g.options, seed: 10 })
      t.false(bytes(other.x).equals(bytes(g.make({ ...g.options, seed: 9 }).x)), 'the seed matters')
    }
  })

  test(`${label}: float32 is float64 rounded to nearest`, (t) => {
    const wide = g.make({ ...g.options, seed: 3, dtype: 'float64' })
    const narrow = g.make({ ...g.options, seed: 3, dtype: 'float32' })
    t.deepEqual(narrow.x.data, Float32Array.from(wide.x.data))
  })
}

test('the default seed is 0', (t) => {
  t.deepEqual(data.blobs().x.data, data.blobs({ seed: 0 }).x.data)
})

test('regression: least squares recovers slope ≈ 3 and intercept ≈ 4 from 100 samples', (t) => {
  for (const seed of [1, 2, 3, 42]) {
    const { x, y } = data.regression({ samples: 100, seed, dtype: 'float64' })
    const n = x.data.length
    const mx = sum(x.data) / n
    const my = sum(y.data) / n
    let sxy = 0
    let sxx = 0
    for (let i = 0; i < n; i++) {
      sxy += ((x.data[i] as number) - mx) * ((y.data[i] as number) - my)
      sxx += ((x.data[i] as number) - mx) ** 2
    }
    const slope = sxy / sxx
    const intercept = my - slope * mx
    t.true(Math.abs(slope - 3) < 0.5 && Math.abs(intercept - 4) < 0.5, `seed ${seed}: ${slope}, ${intercept}`)
    t.true(x.data.every((v) => v >= 0 && v < 2))
  }
})

test('classification: standard normal features, labels uniform over the classes', (t) => {
  const { x, y } = data.classification({
    samples: 30_000,
    features: 4,
    classes: 3,
    seed: 5,
    dtype: 'float64',
  })
  const mean = sum(x.data) / x.data.length
  const variance = sum(x.data, (v) => (v - mean) ** 2) / x.data.length
  t.true(Math.abs(mean) < 0.02 && Math.abs(variance - 1) < 0.02, `${mean}, ${variance}`)
  const counts = [0, 0, 0]
  for (const l of y.data) counts[l] = (counts[l] as number) + 1
  t.true(
    counts.every((c) => Math.abs(c - 10_000) < 400),
    String(counts),
  )
})

test('blobs: rows cycle through the centers and scatter with the given std', (t) => {
  const std = 0.5
  const { x, y } = data.blobs({ samples: 3000, features: 2, centers: 3, std, seed: 8, dtype: 'float64' })
  t.deepEqual([...y.data.subarray(0, 6)], [0, 1, 2, 0, 1, 2])
  for (let c = 0; c < 3; c++) {
    const rows = [...y.data.keys()].filter((i) => y.data[i] === c)
    const mean = rows.reduce((a, i) => a + (x.data[2 * i] as number), 0) / rows.length
    const sd = Math.sqrt(rows.reduce((a, i) => a + ((x.data[2 * i] as number) - mean) ** 2, 0) / rows.length)
    t.true(Math.abs(mean) <= 10 && Math.abs(sd - std) < 0.05, `center ${c}: mean ${mean}, sd ${sd}`)
  }
})

test('moons and spirals without noise lie on their curves', (t) => {
  const moons = data.moons({ samples: 101, noise: 0, seed: 1, dtype: 'float64' })
  for (let i = 0; i < 101; i++) {
    const [a, b] = [moons.x.data[2 * i] as number, moons.x.data[2 * i + 1] as number]
    // class 0 on the unit circle's upper half, class 1 on the one centred at (1, 0.5), lower half
    const radius = moons.y.data[i] === 0 ? Math.hypot(a, b) : Math.hypot(a - 1, b - 0.5)
    t.true(Math.abs(radius - 1) < 1e-12, `row ${i}: radius ${radius}`)
    t.true(moons.y.data[i] === 0 ? b >= 0 : b <= 0.5 + 1e-12)
  }
  const spirals = data.spirals({ samples: 90, classes: 3, noise: 0, seed: 1, dtype: 'float64' })
  for (let i = 0; i < 90; i++) {
    const r = Math.floor(i / 3) / 29
    const radius = Math.hypot(spirals.x.data[2 * i] as number, spirals.x.data[2 * i + 1] as number)
    t.true(Math.abs(radius - r) < 1e-12, `row ${i}`)
    t.is(spirals.y.data[i], i % 3)
  }
})
