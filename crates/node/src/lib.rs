//! N-API bindings for descent-core. Thin on purpose: convert JS arguments to slices, call the
//! core, map errors in one place (`errors.rs`). Every export runs inside `guarded`, so a Rust
//! panic becomes a JS error instead of aborting Node.

pub mod checkpoint;
pub mod data;
mod errors;
mod hold;
pub mod layout;
pub mod models;
mod trainer;
mod training_job;
mod typed;

use descent_core::clip::{scale_in_place, tensor_norm_part, NormKind};
use descent_core::nonfinite::first_non_finite;
use descent_core::rules::RuleElement;
use descent_core::{step_slots, RULE_NAMES};
use errors::{guarded, to_js_error};
use layout::StepLayout;
use napi::bindgen_prelude::{Float32ArraySlice, Float64ArraySlice};
use napi::{Env, JsValue, Result, Unknown};
use napi_derive::napi;

/// Names of the update rules compiled into this addon, in registry order.
#[napi]
pub fn rule_names() -> Vec<String> {
    RULE_NAMES.iter().map(|s| s.to_string()).collect()
}

/// Each rule's per-step scalar names (snake_case), in registry order: the layout its kernel
/// reads, which a test compares with the TypeScript rule's `scalars` list.
#[napi]
pub fn rule_scalar_names() -> Vec<Vec<String>> {
    descent_core::rules::RULES.iter().map(|r| r.scalars.iter().map(|s| s.to_string()).collect()).collect()
}

/// What this binary is: version, rayon threads and target triple.
#[napi(object)]
pub struct NativeInfo {
    pub version: String,
    pub rayon_threads: u32,
    pub target: String,
}

#[napi]
pub fn native_info() -> NativeInfo {
    NativeInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        rayon_threads: rayon_threads(),
        target: env!("DESCENT_TARGET").to_string(),
    }
}

fn rayon_threads() -> u32 {
    u32::try_from(descent_core::threads()).unwrap_or(u32::MAX)
}

fn step<T: RuleElement + typed::TypedElement>(
    env: &Env,
    layout: &StepLayout,
    tensors: &Unknown<'_>,
    scalars: &Unknown<'_>,
) -> Result<()> {
    // Views for this call only; `step_slots` refuses overlapping buffers before it writes.
    let tensors = unsafe { typed::views::<T>(env, tensors, "tensors")? };
    let scalars: &[f64] = unsafe { typed::view::<f64>(env.raw(), scalars.raw(), || "scalars".into())? };
    let slots = layout.slots(tensors, scalars)?;
    step_slots(layout.rule(), slots).map_err(to_js_error)
}

/// Applies `layout`'s rule to every parameter in one call. `tensors` holds, per parameter,
/// [param, grad, ...state]; `scalars` (a Float64Array) the per-step scalars of all parameters,
/// concatenated.
#[napi(ts_args_type = "layout: StepLayout, tensors: Array<Float32Array>, scalars: Float64Array")]
pub fn step_f32(env: Env, layout: &StepLayout, tensors: Unknown<'_>, scalars: Unknown<'_>) -> Result<()> {
    guarded(|| step::<f32>(&env, layout, &tensors, &scalars))
}

/// `stepF32` for Float64Array parameters.
#[napi(ts_args_type = "layout: StepLayout, tensors: Array<Float64Array>, scalars: Float64Array")]
pub fn step_f64(env: Env, layout: &StepLayout, tensors: Unknown<'_>, scalars: Unknown<'_>) -> Result<()> {
    guarded(|| step::<f64>(&env, layout, &tensors, &scalars))
}

fn step_bound<T: RuleElement + typed::TypedElement>(
    env: &Env,
    layout: &StepLayout,
    scalars: &Unknown<'_>,
) -> Result<()> {
    let scalars: &[f64] = unsafe { typed::view::<f64>(env.raw(), scalars.raw(), || "scalars".into())? };
    // Safety: the JS caller (src/backend/native.ts) passes the bound arrays again whenever one
    // of them changed identity or length, and keeps them alive.
    let tensors = unsafe { layout.bound::<T>()? };
    let slots = layout.slots(tensors, scalars)?;
    step_slots(layout.rule(), slots).map_err(to_js_error)
}

/// `stepF32` over the tensors bound to `layout` by `layout.bindF32`.
#[napi(ts_args_type = "layout: StepLayout, scalars: Float64Array")]
pub fn step_bound_f32(env: Env, layout: &StepLayout, scalars: Unknown<'_>) -> Result<()> {
    guarded(|| step_bound::<f32>(&env, layout, &scalars))
}

/// `stepBoundF32` for Float64Array parameters.
#[napi(ts_args_type = "layout: StepLayout, scalars: Float64Array")]
pub fn step_bound_f64(env: Env, layout: &StepLayout, scalars: Unknown<'_>) -> Result<()> {
    guarded(|| step_bound::<f64>(&env, layout, &scalars))
}

/// Index of the first tensor holding NaN or ±Infinity, or -1.
#[napi]
pub fn first_non_finite_f32(tensors: Vec<Float32ArraySlice>) -> Result<i32> {
    guarded(|| Ok(first_non_finite(&tensors.iter().map(|t| &**t).collect::<Vec<_>>()).map_or(-1, |i| i as i32)))
}

/// `firstNonFiniteF32` for Float64Array tensors.
#[napi]
pub fn first_non_finite_f64(tensors: Vec<Float64ArraySlice>) -> Result<i32> {
    guarded(|| Ok(first_non_finite(&tensors.iter().map(|t| &**t).collect::<Vec<_>>()).map_or(-1, |i| i as i32)))
}

fn norm_kind(kind: u32) -> Result<NormKind> {
    match kind {
        1 => Ok(NormKind::SumAbs),
        2 => Ok(NormKind::SumSquares),
        0 => Ok(NormKind::MaxAbs),
        _ => Err(to_js_error(descent_core::CoreError::invalid("normKind", "0 (max |g|), 1 (Σ|g|) or 2 (Σg²)"))),
    }
}

/// Per-tensor norm parts for clipGradNorm: Σ|g| (kind 1), Σg² (kind 2) or max|g| (kind 0),
/// written into `out` (one per tensor). Writing into a JS-owned array rather than returning a new
/// one matters in tight loops: arrays made here are external memory that Node frees only from the
/// event loop, so a synchronous loop would pile them up.
#[napi]
pub fn norm_parts_f32(kind: u32, tensors: Vec<Float32ArraySlice>, mut out: Float64ArraySlice) -> Result<()> {
    guarded(|| norm_parts(kind, &tensors.iter().map(|t| &**t).collect::<Vec<_>>(), unsafe { out.as_mut() }))
}

/// `normPartsF32` for Float64Array tensors.
#[napi]
pub fn norm_parts_f64(kind: u32, tensors: Vec<Float64ArraySlice>, mut out: Float64ArraySlice) -> Result<()> {
    guarded(|| norm_parts(kind, &tensors.iter().map(|t| &**t).collect::<Vec<_>>(), unsafe { out.as_mut() }))
}

fn norm_parts<T: descent_core::Real>(kind: u32, tensors: &[&[T]], out: &mut [f64]) -> Result<()> {
    let kind = norm_kind(kind)?;
    if out.len() != tensors.len() {
        return Err(to_js_error(descent_core::CoreError::invalid("out", "one element per tensor")));
    }
    for (o, t) in out.iter_mut().zip(tensors) {
        *o = tensor_norm_part(kind, t);
    }
    Ok(())
}

/// Multiplies every tensor by `coefficient` in place.
#[napi]
pub fn scale_f32(mut tensors: Vec<Float32ArraySlice>, coefficient: f64) -> Result<()> {
    guarded(|| {
        tensors.iter_mut().for_each(|t| scale_in_place(unsafe { t.as_mut() }, coefficient));
        Ok(())
    })
}

/// `scaleF32` for Float64Array tensors.
#[napi]
pub fn scale_f64(mut tensors: Vec<Float64ArraySlice>, coefficient: f64) -> Result<()> {
    guarded(|| {
        tensors.iter_mut().for_each(|t| scale_in_place(unsafe { t.as_mut() }, coefficient));
        Ok(())
    })
}

/// Σ a[i]·b[i] in the fixed block order (L-BFGS's dot products).
#[napi]
pub fn dot_f64(a: Float64ArraySlice, b: Float64ArraySlice) -> Result<f64> {
    guarded(|| {
        if a.len() != b.len() {
            return Err(to_js_error(descent_core::CoreError::invalid("b", format!("{} elements, as a", a.len()))));
        }
        Ok(descent_core::vector::dot(&a, &b))
    })
}

fn add_scaled<T: descent_core::Real>(y: &mut [T], alpha: f64, x: &[f64]) -> Result<()> {
    if y.len() != x.len() {
        return Err(to_js_error(descent_core::CoreError::invalid("x", format!("{} elements, as y", y.len()))));
    }
    descent_core::vector::add_scaled(y, alpha, x);
    Ok(())
}

/// y ← y + α·x, rounded to y's element type once per element (L-BFGS's axpys).
#[napi]
pub fn add_scaled_f32(mut y: Float32ArraySlice, alpha: f64, x: Float64ArraySlice) -> Result<()> {
    guarded(|| add_scaled(unsafe { y.as_mut() }, alpha, &x))
}

/// `addScaledF32` into a Float64Array.
#[napi]
pub fn add_scaled_f64(mut y: Float64ArraySlice, alpha: f64, x: Float64ArraySlice) -> Result<()> {
    guarded(|| add_scaled(unsafe { y.as_mut() }, alpha, &x))
}

/// Panics inside the binding on purpose, so tests can prove a panic surfaces as a JS error.
#[napi]
pub fn debug_panic(message: String) -> Result<()> {
    guarded(|| panic!("{message}"))
}

/// The first `count` outputs of descent's PRNG for `seed`: raw u32s, then f64 and f32
/// uniforms and a permutation of 0..count, so tests can check the JS mirror bit for bit.
#[napi(object)]
pub struct RandomStreams {
    pub raw: Vec<u32>,
    pub uniform_f64: Vec<f64>,
    pub uniform_f32: Vec<f64>,
    pub below7: Vec<u32>,
    pub permutation: Vec<u32>,
}

#[napi]
pub fn random_streams(seed: u32, count: u32) -> Result<RandomStreams> {
    guarded(|| {
        let n = count as usize;
        let mut r = descent_core::random::Rng::new(seed);
        let raw = (0..n).map(|_| r.next_u32()).collect();
        let uniform_f64 = (0..n).map(|_| r.uniform_f64()).collect();
        let uniform_f32 = (0..n).map(|_| r.uniform_f32() as f64).collect();
        let below7 = (0..n).map(|_| r.below(7)).collect();
        let permutation = r.permutation(n);
        Ok(RandomStreams { raw, uniform_f64, uniform_f32, below7, permutation })
    })
}
