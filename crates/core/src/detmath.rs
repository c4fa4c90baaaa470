//! Deterministic elementary functions: `ln`, `exp`, `sin`, `cos` for `f64`, identical bit for
//! bit to `src/detmath.ts`.
//!
//! The platform's libm (and V8's `Math.log`, `Math.sin`, ...) may round differently from one
//! system to the next, so data drawn through them would differ between the backends. These
//! use only `+ − × ÷`, `floor` and exact bit manipulation, evaluated in the same order in both
//! languages (Rust never contracts `a * b + c` into a fused multiply-add on its own), so every
//! result is the same double everywhere.
//!
//! The algorithms and coefficients are fdlibm's (as in musl: `e_log.c`, `e_exp.c`,
//! `__rem_pio2.c`, `__sin.c`, `__cos.c`), accurate to within 1 ulp; coefficients are written as
//! the shortest decimals of the same doubles. `sin`/`cos` reduce the argument by π/2 with a
//! three-part Cody–Waite constant, exact only for |x| < 2²⁰·π/2 ≈ 1.6e6; beyond that they return
//! NaN instead of a wrong value (descent only needs angles in [0, 2π]).

const LN2_HI: f64 = 0.6931471803691238; // 0x3fe62e42 fee00000: k·LN2_HI is exact
const LN2_LO: f64 = 1.9082149292705877e-10; // 0x3dea39ef 35793c76

// ln(1+f) = f − f²/2 + s·(f²/2 + R(s²)) with s = f/(2+f); R is fdlibm's minimax polynomial.
const LG1: f64 = 0.6666666666666735;
const LG2: f64 = 0.3999999999940942;
const LG3: f64 = 0.2857142874366239;
const LG4: f64 = 0.22222198432149784;
const LG5: f64 = 0.1818357216161805;
const LG6: f64 = 0.15313837699209373;
const LG7: f64 = 0.14798198605116586;

/// The high 32 bits of `x` (sign, exponent, top 20 bits of the mantissa).
fn high_word(x: f64) -> u32 {
    (x.to_bits() >> 32) as u32
}

/// `x` with its high 32 bits replaced by `hi`.
fn with_high_word(x: f64, hi: u32) -> f64 {
    f64::from_bits((u64::from(hi) << 32) | (x.to_bits() & 0xffff_ffff))
}

/// 2^k for k in [−1022, 1023], built from its bits.
fn power_of_two(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// Natural logarithm: −∞ at 0, NaN below 0 and for NaN, +∞ at +∞.
pub fn ln(x: f64) -> f64 {
    let mut x = x;
    let mut hx = high_word(x);
    let mut k: i32 = 0;
    if hx < 0x0010_0000 || hx >> 31 != 0 {
        if x == 0.0 {
            return f64::NEG_INFINITY;
        }
        if x < 0.0 || x.is_nan() {
            return f64::NAN;
        }
        // Subnormal: scale into the normal range first.
        k -= 54;
        x *= 18_014_398_509_481_984.0; // 2^54
        hx = high_word(x);
    } else if hx >= 0x7ff0_0000 {
        return x; // +∞ or NaN
    } else if x == 1.0 {
        return 0.0;
    }
    // x = 2^k · m with m in [√2/2, √2): bias the high word so the exponent field rounds there.
    hx = hx.wrapping_add(0x3ff0_0000 - 0x3fe6_a09e);
    k += (hx >> 20) as i32 - 0x3ff;
    hx = (hx & 0x000f_ffff) + 0x3fe6_a09e;
    let m = with_high_word(x, hx);

    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let dk = f64::from(k);
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

const INV_LN2: f64 = std::f64::consts::LOG2_E;
// exp(r) = 1 + r + r·c/(2 − c) with c = r − r²·P(r²), fdlibm's Remez polynomial.
const P1: f64 = 0.16666666666666602;
const P2: f64 = -0.0027777777777015593;
const P3: f64 = 6.613756321437934e-5;
const P4: f64 = -1.6533902205465252e-6;
const P5: f64 = 4.1381367970572385e-8;
const EXP_OVERFLOW: f64 = 709.782712893384; // ln(f64::MAX)
const EXP_UNDERFLOW: f64 = -745.1332191019411; // ln(smallest subnormal / 2)

/// e^x: 0 below −745.13, +∞ above 709.78, NaN for NaN.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > EXP_OVERFLOW {
        return f64::INFINITY;
    }
    if x < EXP_UNDERFLOW {
        return 0.0;
    }
    // x = k·ln2 + r with |r| ≤ ln2/2; r carried as hi − lo for extra precision.
    let k = (INV_LN2 * x + 0.5).floor();
    let hi = x - k * LN2_HI;
    let lo = k * LN2_LO;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    scale_by_power_of_two(y, k as i32)
}

/// y·2^k without intermediate overflow; in the subnormal range it first scales by 2^53 so the
/// final product rounds once (musl's scalbn).
fn scale_by_power_of_two(y: f64, k: i32) -> f64 {
    let mut y = y;
    let mut k = k;
    if k > 1023 {
        y *= power_of_two(1023);
        k -= 1023;
    } else if k < -1022 {
        y *= power_of_two(-1022) * power_of_two(53);
        k += 1022 - 53;
        if k < -1022 {
            y *= power_of_two(-1022) * power_of_two(53);
            k = (k + 1022 - 53).max(-1022);
        }
    }
    y * power_of_two(k)
}

const INV_PIO2: f64 = std::f64::consts::FRAC_2_PI;
const PIO4: f64 = std::f64::consts::FRAC_PI_4;
// π/2 = PIO2_1 + PIO2_2 + PIO2_3 + PIO2_3T; the first three have 33 significant bits, so
// n·PIO2_i is exact for |n| < 2²⁰. PIO2_iT is the tail after part i.
const PIO2_1: f64 = 1.5707963267341256; // 0x3ff921fb 54400000
const PIO2_1T: f64 = 6.077100506506192e-11; // 0x3dd0b461 1a626331
const PIO2_2: f64 = 6.077100506303966e-11; // 0x3dd0b461 1a600000
const PIO2_2T: f64 = 2.0222662487959506e-21; // 0x3ba3198a 2e037073
const PIO2_3: f64 = 2.0222662487111665e-21; // 0x3ba3198a 2e000000
const PIO2_3T: f64 = 8.4784276603689e-32; // 0x397b839a 252049c1
/// High word of 2²⁰·π/2: reduction by the three-part constant is exact below it.
const REDUCTION_LIMIT_HIGH_WORD: u32 = 0x4139_21fb;

/// x − n·π/2 as a double-double (y0, y1) with |y0| ≤ π/4, and n mod 4 (fdlibm's `__rem_pio2`,
/// medium-size branch). Requires |x| below the reduction limit.
fn reduce_by_half_pi(x: f64) -> (f64, f64, u32) {
    let ex = (high_word(x) >> 20) & 0x7ff;
    let mut n = (x * INV_PIO2 + 0.5).floor();
    let mut r = x - n * PIO2_1;
    let mut w = n * PIO2_1T;
    // Round-to-nearest can land one step off when x is near an odd multiple of π/4.
    if r - w < -PIO4 {
        n -= 1.0;
        r = x - n * PIO2_1;
        w = n * PIO2_1T;
    } else if r - w > PIO4 {
        n += 1.0;
        r = x - n * PIO2_1;
        w = n * PIO2_1T;
    }
    let mut y0 = r - w;
    let ey = (high_word(y0) >> 20) & 0x7ff;
    // Heavy cancellation (x close to a multiple of π/2): refine with the next part of π/2.
    if ex as i32 - ey as i32 > 16 {
        let t = r;
        w = n * PIO2_2;
        r = t - w;
        w = n * PIO2_2T - ((t - r) - w);
        y0 = r - w;
        let ey = (high_word(y0) >> 20) & 0x7ff;
        if ex as i32 - ey as i32 > 49 {
            let t = r;
            w = n * PIO2_3;
            r = t - w;
            w = n * PIO2_3T - ((t - r) - w);
            y0 = r - w;
        }
    }
    let y1 = (r - y0) - w;
    (y0, y1, (n as i64 & 3) as u32)
}

// sin(x) ≈ x + x³·(S1 + x²·R(x²)) on [−π/4, π/4]; fdlibm's coefficients.
const S1: f64 = -0.16666666666666632;
const S2: f64 = 0.00833333333332249;
const S3: f64 = -0.0001984126982985795;
const S4: f64 = 2.7557313707070068e-6;
const S5: f64 = -2.5050760253406863e-8;
const S6: f64 = 1.58969099521155e-10;

/// sin(x + y) for |x| ≤ π/4 and |y| tiny (the tail of the reduced argument).
fn sin_kernel(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
    let v = z * x;
    x - ((z * (0.5 * y - v * r) - y) - v * S1)
}

// cos(x) ≈ 1 − x²/2 + x⁴·C(x²) on [−π/4, π/4]; fdlibm's coefficients.
const C1: f64 = 0.0416666666666666;
const C2: f64 = -0.001388888888887411;
const C3: f64 = 2.480158728947673e-5;
const C4: f64 = -2.7557314351390663e-7;
const C5: f64 = 2.087572321298175e-9;
const C6: f64 = -1.1359647557788195e-11;

/// cos(x + y) for |x| ≤ π/4 and |y| tiny.
fn cos_kernel(x: f64, y: f64) -> f64 {
    let z = x * x;
    let w = z * z;
    let r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + (z * r - x * y))
}

/// Whether sin/cos can reduce `x` exactly (also false for ±∞ and NaN).
fn reducible(x: f64) -> bool {
    high_word(x) & 0x7fff_ffff < REDUCTION_LIMIT_HIGH_WORD
}

/// sin(x) for |x| < 2²⁰·π/2; NaN beyond (and for ±∞, NaN).
pub fn sin(x: f64) -> f64 {
    if !reducible(x) {
        return f64::NAN;
    }
    let (y0, y1, quadrant) = reduce_by_half_pi(x);
    match quadrant {
        0 => sin_kernel(y0, y1),
        1 => cos_kernel(y0, y1),
        2 => -sin_kernel(y0, y1),
        _ => -cos_kernel(y0, y1),
    }
}

/// cos(x) for |x| < 2²⁰·π/2; NaN beyond (and for ±∞, NaN).
pub fn cos(x: f64) -> f64 {
    if !reducible(x) {
        return f64::NAN;
    }
    let (y0, y1, quadrant) = reduce_by_half_pi(x);
    match quadrant {
        0 => cos_kernel(y0, y1),
        1 => -sin_kernel(y0, y1),
        2 => -cos_kernel(y0, y1),
        _ => sin_kernel(y0, y1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite doubles of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    type Case = (&'static str, fn(f64) -> f64, fn(f64) -> f64, f64, f64);

    #[test]
    fn agrees_with_std_within_two_ulps() {
        let cases: [Case; 4] = [
            ("ln", ln, f64::ln, 1e-300, 1e300),
            ("exp", exp, f64::exp, -700.0, 700.0),
            ("sin", sin, f64::sin, -1e5, 1e5),
            ("cos", cos, f64::cos, -1e5, 1e5),
        ];
        let mut rng = crate::random::Rng::new(3);
        for (name, ours, reference, lo, hi) in cases {
            for _ in 0..20_000 {
                let u = rng.uniform_f64();
                let x = if name == "ln" { lo * (hi / lo).powf(u) } else { lo + (hi - lo) * u };
                let (a, b) = (ours(x), reference(x));
                // Near a zero of sin/cos the relative error is meaningless; compare absolutely.
                let close = ulps(a, b) <= 2 || (name != "ln" && name != "exp" && (a - b).abs() < 1e-16);
                assert!(close, "{name}({x:e}) = {a:e}, std says {b:e}");
            }
        }
    }

    #[test]
    fn special_values() {
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan() && ln(f64::NAN).is_nan());
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert_eq!(ln(1.0), 0.0);
        assert!(ulps(ln(f64::MIN_POSITIVE / 4.0), (f64::MIN_POSITIVE / 4.0).ln()) <= 1);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(1000.0), f64::INFINITY);
        assert_eq!(exp(-1000.0), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(ulps(exp(-740.0), (-740.0f64).exp()) <= 1);
        assert_eq!(sin(0.0), 0.0);
        assert_eq!(cos(0.0), 1.0);
        assert!(sin(f64::INFINITY).is_nan() && cos(2e6).is_nan());
    }
}
