import { rangeError, typeError } from './errors.js'

/**
 * descent's one seeded PRNG, the mirror of crates/core/src/random.rs: xoshiro128** seeded
 * through splitmix32, 32-bit integer operations only, so both backends draw the same stream.
 */
export class Rng {
  #s: Uint32Array

  /** @param seed an integer in [0, 2³²) */
  constructor(seed: number) {
    checkSeed('Rng', seed)
    let state = seed >>> 0
    const next = () => {
      state = (state + 0x9e3779b9) >>> 0
      let z = state
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.#s = Uint32Array.of(next(), next(), next(), next())
  }

  /** The raw state (four u32), for checkpoints. */
  get state(): readonly number[] {
    return [...this.#s]
  }

  /** A generator continuing from `state`. */
  static fromState(state: readonly number[]): Rng {
    if (
      !Array.isArray(state) ||
      state.length !== 4 ||
      !state.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)
    ) {
      throw typeError('Rng.fromState', 'state', 'four integers in [0, 2^32)', state)
    }
    const rng = new Rng(0)
    rng.#s.set(state)
    return rng
  }

  /** The next 32 random bits, as a number in [0, 2³²). */
  nextU32(): number {
    const s = this.#s
    const s1 = s[1] as number
    const x = Math.imul(s1, 5)
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0
    const t = s1 << 9
    s[2] = (s[2] as number) ^ (s[0] as number)
    s[3] = (s[3] as number) ^ s1
    s[1] = s1 ^ (s[2] as number)
    s[0] = (s[0] as number) ^ (s[3] as number)
    s[2] = (s[2] as number) ^ t
    const s3 = s[3] as number
    s[3] = (s3 << 11) | (s3 >>> 21)
    return result
  }

  /** Uniform in [0, 1) with 53 random bits (two draws). */
  uniform(): number {
    const a = this.nextU32() >>> 5
    const b = this.nextU32() >>> 6
    return (a * 67108864 + b) / 9007199254740992
  }

  /** Uniform in [0, 1) with 24 random bits (one draw), exactly representable in f32. */
  uniformF32(): number {
    return (this.nextU32() >>> 8) / 16777216
  }

  /** Uniform integer in [0, n), without modulo bias; 1 ≤ n ≤ 2³². */
  below(n: number): number {
    const limit = 0xffffffff - (((0xffffffff % n) + 1) % n)
    for (;;) {
      const x = this.nextU32()
      if (x <= limit) return x % n
    }
  }

  /** A uniformly random permutation of 0..n (Fisher–Yates, from the back). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n)
    for (let i = 0; i < n; i++) order[i] = i
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1)
      const tmp = order[i] as number
      order[i] = order[j] as number
      order[j] = tmp
    }
    return order
  }
}

/** A TypeError/RangeError unless `seed` is an integer in [0, 2³²). */
export function checkSeed(where: string, seed: unknown): asserts seed is number {
  if (typeof seed !== 'number') throw typeError(where, 'seed', 'an integer in [0, 2^32)', seed)
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw rangeError(where, 'seed', 'an integer in [0, 2^32)', seed)
}
