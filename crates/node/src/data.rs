//! Bindings for the seeded data sets and the deterministic math under them. Each generator
//! returns its values in `f64`; `src/data/` rounds to the requested dtype, the same code for
//! both backends.

use crate::errors::{guarded, to_js_error};
use descent_core::data::{blobs, classification, moons, normal::Normal, regression, spirals, Dataset};
use descent_core::detmath;
use descent_core::random::Rng;
use descent_core::CoreError;
use napi::bindgen_prelude::{Float64Array, Float64ArraySlice, Int32Array};
use napi::Result;
use napi_derive::napi;

/// A regression set: `x` row-major [samples, features], `y` one target per row.
#[napi(object)]
pub struct RegressionArrays {
    pub x: Float64Array,
    pub y: Float64Array,
}

/// A classification set: `x` row-major [samples, features], `y` one label per row.
#[napi(object)]
pub struct LabelledArrays {
    pub x: Float64Array,
    pub y: Int32Array,
}

fn labelled(result: std::result::Result<Dataset<u32>, CoreError>) -> Result<LabelledArrays> {
    let d = result.map_err(to_js_error)?;
    // Labels are below `classes`, which src/data/ caps at 2^31 − 1.
    Ok(LabelledArrays { x: Float64Array::new(d.x), y: Int32Array::new(d.y.into_iter().map(|l| l as i32).collect()) })
}

/// The tutorial's y = 4 + 3x + N(0, 1) data (`descent_core::data::regression`).
#[napi]
pub fn regression_data(samples: u32, seed: u32) -> Result<RegressionArrays> {
    guarded(|| {
        let d = regression::regression(samples as usize, seed).map_err(to_js_error)?;
        Ok(RegressionArrays { x: Float64Array::new(d.x), y: Float64Array::new(d.y) })
    })
}

/// The tutorial's random (unlearnable) classification data.
#[napi]
pub fn classification_data(samples: u32, features: u32, classes: u32, seed: u32) -> Result<LabelledArrays> {
    guarded(|| labelled(classification::classification(samples as usize, features as usize, classes as usize, seed)))
}

/// Gaussian blobs around uniformly drawn centers.
#[napi]
pub fn blobs_data(samples: u32, features: u32, centers: u32, std: f64, seed: u32) -> Result<LabelledArrays> {
    guarded(|| labelled(blobs::blobs(samples as usize, features as usize, centers as usize, std, seed)))
}

/// Two interleaving half circles.
#[napi]
pub fn moons_data(samples: u32, noise: f64, seed: u32) -> Result<LabelledArrays> {
    guarded(|| labelled(moons::moons(samples as usize, noise, seed)))
}

/// Interleaved spiral arms.
#[napi]
pub fn spirals_data(samples: u32, classes: u32, noise: f64, seed: u32) -> Result<LabelledArrays> {
    guarded(|| labelled(spirals::spirals(samples as usize, classes as usize, noise, seed)))
}

/// The first `count` standard normal samples for `seed` (Box–Muller over descent's PRNG), so
/// tests can check the JS mirror bit for bit.
#[napi]
pub fn normal_samples(seed: u32, count: u32) -> Result<Float64Array> {
    guarded(|| {
        let mut rng = Rng::new(seed);
        let mut normal = Normal::new();
        Ok(Float64Array::new((0..count).map(|_| normal.sample(&mut rng)).collect()))
    })
}

/// Applies the deterministic `ln`, `exp`, `sin` or `cos` (`name`) to every element of `xs`, so
/// tests can compare `src/detmath.ts` with the Rust functions bit for bit.
#[napi]
pub fn detmath_eval(name: String, xs: Float64ArraySlice) -> Result<Float64Array> {
    guarded(|| {
        let f: fn(f64) -> f64 = match name.as_str() {
            "ln" => detmath::ln,
            "exp" => detmath::exp,
            "sin" => detmath::sin,
            "cos" => detmath::cos,
            _ => return Err(to_js_error(CoreError::invalid("name", "'ln', 'exp', 'sin' or 'cos'"))),
        };
        Ok(Float64Array::new(xs.iter().map(|&x| f(x)).collect()))
    })
}
