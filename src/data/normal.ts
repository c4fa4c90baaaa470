import { cos, ln, sin } from '../detmath.js'
import type { Rng } from '../random.js'

const TWO_PI = 2 * Math.PI

/**
 * Standard normal samples by the Box–Muller transform with deterministic math, the mirror of
 * crates/core/src/data/normal.rs, so both backends draw the same values. Recipe:
 *
 * ```text
 * u1 = 1 − rng.uniform()      // in (0, 1], so ln(u1) is finite
 * u2 = rng.uniform()
 * r  = sqrt(−2·ln(u1)),  θ = 2π·u2
 * return r·cos(θ), and keep r·sin(θ) for the next call
 * ```
 *
 * Both outputs are used, cos first: every second sample costs no draw. The sampler holds only
 * the spare sample; the caller's Rng supplies the bits.
 */
export class Normal {
  #spare: number | undefined

  /** The next standard normal sample, drawing from `rng` on every other call. */
  sample(rng: Rng): number {
    const spare = this.#spare
    if (spare !== undefined) {
      this.#spare = undefined
      return spare
    }
    const u1 = 1 - rng.uniform()
    const u2 = rng.uniform()
    const r = Math.sqrt(-2 * ln(u1))
    const theta = TWO_PI * u2
    this.#spare = r * sin(theta)
    return r * cos(theta)
  }
}
