//! Typed arrays read with plain N-API calls, for the per-step path: napi-rs's `Float32ArraySlice`
//! wraps each borrow in its own bookkeeping, which costs more than the kernel itself at 1e3
//! elements. These views live for the duration of the call, like a `…ArraySlice`.

use crate::errors::to_js_error;
use descent_core::CoreError;
use napi::{sys, Env, JsValue, Result, Unknown};
use std::ptr;

/// An element type and the typed-array kind that holds it.
pub trait TypedElement: Sized {
    const KIND: sys::napi_typedarray_type;
    const ARRAY: &'static str;
}

impl TypedElement for f32 {
    const KIND: sys::napi_typedarray_type = sys::TypedarrayType::float32_array;
    const ARRAY: &'static str = "Float32Array";
}

impl TypedElement for f64 {
    const KIND: sys::napi_typedarray_type = sys::TypedarrayType::float64_array;
    const ARRAY: &'static str = "Float64Array";
}

fn invalid(what: &str, expected: String) -> napi::Error {
    to_js_error(CoreError::invalid(what, expected))
}

/// The elements of one typed array of kind `T`, or an error naming `what`.
///
/// # Safety
/// `value` must be a live value of `env`; the view must not outlive the current call, and the
/// caller must not hold two mutable views of one buffer at once (the rules check for overlap
/// before writing).
pub unsafe fn view<'a, T: TypedElement>(
    env: sys::napi_env,
    value: sys::napi_value,
    what: impl Fn() -> String,
) -> Result<&'a mut [T]> {
    let mut is_typed = false;
    if unsafe { sys::napi_is_typedarray(env, value, &mut is_typed) } != sys::Status::napi_ok || !is_typed {
        return Err(napi::Error::new(napi::Status::InvalidArg, format!("{}: Expected {}", what(), T::ARRAY)));
    }
    let (mut kind, mut length, mut data) = (0, 0usize, ptr::null_mut());
    let status = unsafe {
        sys::napi_get_typedarray_info(env, value, &mut kind, &mut length, &mut data, ptr::null_mut(), ptr::null_mut())
    };
    if status != sys::Status::napi_ok || kind != T::KIND {
        return Err(napi::Error::new(napi::Status::InvalidArg, format!("{}: Expected {}", what(), T::ARRAY)));
    }
    // A detached (or empty) buffer may report no data: an empty view.
    if data.is_null() || length == 0 {
        return Ok(&mut []);
    }
    Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<T>(), length) })
}

/// Views of every element of the JS array `list`, each a typed array of kind `T`.
///
/// # Safety
/// As `view`.
pub unsafe fn views<'a, T: TypedElement>(env: &Env, list: &Unknown<'_>, what: &str) -> Result<Vec<&'a mut [T]>> {
    let (env, list) = (env.raw(), list.raw());
    let mut is_array = false;
    if unsafe { sys::napi_is_array(env, list, &mut is_array) } != sys::Status::napi_ok || !is_array {
        return Err(invalid(what, format!("an array of {}", T::ARRAY)));
    }
    let mut length = 0u32;
    unsafe { sys::napi_get_array_length(env, list, &mut length) };
    let mut out = Vec::with_capacity(length as usize);
    for i in 0..length {
        let mut element = ptr::null_mut();
        if unsafe { sys::napi_get_element(env, list, i, &mut element) } != sys::Status::napi_ok {
            return Err(invalid(what, format!("an array of {}", T::ARRAY)));
        }
        out.push(unsafe { view::<T>(env, element, || format!("{what}[{i}]"))? });
    }
    Ok(out)
}
