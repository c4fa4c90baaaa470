/**
 * Deterministic elementary functions — `ln`, `exp`, `sin`, `cos` — identical bit for bit to
 * crates/core/src/detmath.rs.
 *
 * V8's `Math.log`, `Math.sin`, ... (and the platform libm Rust would call) may round
 * differently between engines, versions and systems, so data drawn through them could differ
 * between the backends. These use only `+ − × ÷`, `Math.floor` and exact bit manipulation, in
 * the same order as the Rust mirror, so every result is the same double everywhere.
 *
 * The algorithms and coefficients are fdlibm's (as in musl: `e_log.c`, `e_exp.c`,
 * `__rem_pio2.c`, `__sin.c`, `__cos.c`), accurate to within 1 ulp; coefficients are written as
 * the shortest decimals of the same doubles. `sin`/`cos` reduce by π/2 with a three-part
 * Cody–Waite constant, exact only for |x| < 2²⁰·π/2 ≈ 1.6e6; beyond that they return NaN
 * rather than a wrong value (descent only needs angles in [0, 2π]).
 * @module
 */

// One 8-byte scratch cell seen as a double and as two 32-bit words, for exact bit access.
const cell = new Float64Array(1)
const words = new Uint32Array(cell.buffer)
/** Index of the high word (sign, exponent, top mantissa bits) in `words`: 1 on little-endian. */
const HI = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0

/** The high 32 bits of `x`, unsigned. */
function highWord(x: number): number {
  cell[0] = x
  return words[HI] as number
}

/** `x` with its high 32 bits replaced by `hi`. */
function withHighWord(x: number, hi: number): number {
  cell[0] = x
  words[HI] = hi
  return cell[0] as number
}

/** 2^k for k in [−1022, 1023], built from its bits. */
function powerOfTwo(k: number): number {
  words[HI] = (k + 1023) << 20
  words[1 - HI] = 0
  return cell[0] as number
}

const LN2_HI = 0.6931471803691238 // 0x3fe62e42 fee00000: k·LN2_HI is exact
const LN2_LO = 1.9082149292705877e-10 // 0x3dea39ef 35793c76

// ln(1+f) = f − f²/2 + s·(f²/2 + R(s²)) with s = f/(2+f); R is fdlibm's minimax polynomial.
const LG1 = 0.6666666666666735
const LG2 = 0.3999999999940942
const LG3 = 0.2857142874366239
const LG4 = 0.22222198432149784
const LG5 = 0.1818357216161805
const LG6 = 0.15313837699209373
const LG7 = 0.14798198605116586

/** Natural logarithm: −∞ at 0, NaN below 0 and for NaN, +∞ at +∞. */
export function ln(x: number): number {
  let hx = highWord(x)
  let k = 0
  if (hx < 0x00100000 || hx >>> 31 !== 0) {
    if (x === 0) return Number.NEGATIVE_INFINITY
    if (x < 0 || Number.isNaN(x)) return Number.NaN
    // Subnormal: scale into the normal range first.
    k -= 54
    x *= 18014398509481984 // 2^54
    hx = highWord(x)
  } else if (hx >= 0x7ff00000) {
    return x // +∞ or NaN
  } else if (x === 1) {
    return 0
  }
  // x = 2^k · m with m in [√2/2, √2): bias the high word so the exponent field rounds there.
  hx = (hx + (0x3ff00000 - 0x3fe6a09e)) >>> 0
  k += (hx >>> 20) - 0x3ff
  hx = (hx & 0x000fffff) + 0x3fe6a09e
  const m = withHighWord(x, hx)

  const f = m - 1
  const hfsq = 0.5 * f * f
  const s = f / (2 + f)
  const z = s * s
  const w = z * z
  const t1 = w * (LG2 + w * (LG4 + w * LG6))
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
  const r = t2 + t1
  return s * (hfsq + r) + k * LN2_LO - hfsq + f + k * LN2_HI
}

const INV_LN2 = Math.LOG2E
// exp(r) = 1 + r + r·c/(2 − c) with c = r − r²·P(r²), fdlibm's Remez polynomial.
const P1 = 0.16666666666666602
const P2 = -0.0027777777777015593
const P3 = 6.613756321437934e-5
const P4 = -1.6533902205465252e-6
const P5 = 4.1381367970572385e-8
const EXP_OVERFLOW = 709.782712893384 // ln(Number.MAX_VALUE)
const EXP_UNDERFLOW = -745.1332191019411 // ln(smallest subnormal / 2)

/** e^x: 0 below −745.13, +∞ above 709.78, NaN for NaN. */
export function exp(x: number): number {
  if (Number.isNaN(x)) return x
  if (x > EXP_OVERFLOW) return Number.POSITIVE_INFINITY
  if (x < EXP_UNDERFLOW) return 0
  // x = k·ln2 + r with |r| ≤ ln2/2; r carried as hi − lo for extra precision.
  const k = Math.floor(INV_LN2 * x + 0.5)
  const hi = x - k * LN2_HI
  const lo = k * LN2_LO
  const r = hi - lo
  const rr = r * r
  const c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))))
  const y = 1 + ((r * c) / (2 - c) - lo + hi)
  return scaleByPowerOfTwo(y, k)
}

/**
 * y·2^k without intermediate overflow; in the subnormal range it first scales by 2^53 so the
 * final product rounds once (musl's scalbn).
 */
function scaleByPowerOfTwo(y: number, k: number): number {
  if (k > 1023) {
    y *= powerOfTwo(1023)
    k -= 1023
  } else if (k < -1022) {
    y *= powerOfTwo(-1022) * powerOfTwo(53)
    k += 1022 - 53
    if (k < -1022) {
      y *= powerOfTwo(-1022) * powerOfTwo(53)
      k = Math.max(k + 1022 - 53, -1022)
    }
  }
  return y * powerOfTwo(k)
}

const INV_PIO2 = 0.6366197723675814
const PIO4 = Math.PI / 4
// π/2 = PIO2_1 + PIO2_2 + PIO2_3 + PIO2_3T; the first three have 33 significant bits, so
// n·PIO2_i is exact for |n| < 2²⁰. PIO2_iT is the tail after part i.
const PIO2_1 = 1.5707963267341256 // 0x3ff921fb 54400000
const PIO2_1T = 6.077100506506192e-11 // 0x3dd0b461 1a626331
const PIO2_2 = 6.077100506303966e-11 // 0x3dd0b461 1a600000
const PIO2_2T = 2.0222662487959506e-21 // 0x3ba3198a 2e037073
const PIO2_3 = 2.0222662487111665e-21 // 0x3ba3198a 2e000000
const PIO2_3T = 8.4784276603689e-32 // 0x397b839a 252049c1
/** High word of 2²⁰·π/2: reduction by the three-part constant is exact below it. */
const REDUCTION_LIMIT_HIGH_WORD = 0x413921fb

/** The reduced argument of sin/cos, written by `reduceByHalfPi` (no allocation per call). */
let reducedHead = 0
let reducedTail = 0

/**
 * x − n·π/2 as a double-double (reducedHead, reducedTail) with |head| ≤ π/4; returns n mod 4
 * (fdlibm's `__rem_pio2`, medium-size branch). Requires |x| below the reduction limit.
 */
function reduceByHalfPi(x: number): number {
  const ex = (highWord(x) >>> 20) & 0x7ff
  let n = Math.floor(x * INV_PIO2 + 0.5)
  let r = x - n * PIO2_1
  let w = n * PIO2_1T
  // Round-to-nearest can land one step off when x is near an odd multiple of π/4.
  if (r - w < -PIO4) {
    n -= 1
    r = x - n * PIO2_1
    w = n * PIO2_1T
  } else if (r - w > PIO4) {
    n += 1
    r = x - n * PIO2_1
    w = n * PIO2_1T
  }
  let y0 = r - w
  // Heavy cancellation (x close to a multiple of π/2): refine with the next part of π/2.
  if (ex - ((highWord(y0) >>> 20) & 0x7ff) > 16) {
    let t = r
    w = n * PIO2_2
    r = t - w
    w = n * PIO2_2T - (t - r - w)
    y0 = r - w
    if (ex - ((highWord(y0) >>> 20) & 0x7ff) > 49) {
      t = r
      w = n * PIO2_3
      r = t - w
      w = n * PIO2_3T - (t - r - w)
      y0 = r - w
    }
  }
  reducedHead = y0
  reducedTail = r - y0 - w
  return n & 3
}

// sin(x) ≈ x + x³·(S1 + x²·R(x²)) on [−π/4, π/4]; fdlibm's coefficients.
const S1 = -0.16666666666666632
const S2 = 0.00833333333332249
const S3 = -0.0001984126982985795
const S4 = 2.7557313707070068e-6
const S5 = -2.5050760253406863e-8
const S6 = 1.58969099521155e-10

/** sin(x + y) for |x| ≤ π/4 and |y| tiny (the tail of the reduced argument). */
function sinKernel(x: number, y: number): number {
  const z = x * x
  const w = z * z
  const r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6)
  const v = z * x
  return x - (z * (0.5 * y - v * r) - y - v * S1)
}

// cos(x) ≈ 1 − x²/2 + x⁴·C(x²) on [−π/4, π/4]; fdlibm's coefficients.
const C1 = 0.0416666666666666
const C2 = -0.001388888888887411
const C3 = 2.480158728947673e-5
const C4 = -2.7557314351390663e-7
const C5 = 2.087572321298175e-9
const C6 = -1.1359647557788195e-11

/** cos(x + y) for |x| ≤ π/4 and |y| tiny. */
function cosKernel(x: number, y: number): number {
  const z = x * x
  const w = z * z
  const r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6))
  const hz = 0.5 * z
  const v = 1 - hz
  return v + (1 - v - hz + (z * r - x * y))
}

/** Whether sin/cos can reduce `x` exactly (also false for ±∞ and NaN). */
function reducible(x: number): boolean {
  return (highWord(x) & 0x7fffffff) < REDUCTION_LIMIT_HIGH_WORD
}

/** sin(x) for |x| < 2²⁰·π/2; NaN beyond (and for ±∞, NaN). */
export function sin(x: number): number {
  if (!reducible(x)) return Number.NaN
  const quadrant = reduceByHalfPi(x)
  const y0 = reducedHead
  const y1 = reducedTail
  if (quadrant === 0) return sinKernel(y0, y1)
  if (quadrant === 1) return cosKernel(y0, y1)
  if (quadrant === 2) return -sinKernel(y0, y1)
  return -cosKernel(y0, y1)
}

/** cos(x) for |x| < 2²⁰·π/2; NaN beyond (and for ±∞, NaN). */
export function cos(x: number): number {
  if (!reducible(x)) return Number.NaN
  const quadrant = reduceByHalfPi(x)
  const y0 = reducedHead
  const y1 = reducedTail
  if (quadrant === 0) return cosKernel(y0, y1)
  if (quadrant === 1) return -sinKernel(y0, y1)
  if (quadrant === 2) return -cosKernel(y0, y1)
  return sinKernel(y0, y1)
}
