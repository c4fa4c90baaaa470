//! The one place where Rust failures become JavaScript errors. `src/backend/native.ts` turns
//! the codes into TypeError / RangeError / DescentError.

use descent_core::CoreError;
use napi::{Error, Status};
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub const INVALID: &str = "DESCENT_INVALID";
pub const PANIC: &str = "DESCENT_PANIC";

pub fn to_js_error(error: CoreError) -> Error {
    Error::new(Status::InvalidArg, format!("{INVALID}: {error}"))
}

/// Runs `f`, turning a panic into an error: napi-rs only catches panics when asked, and an
/// uncaught one would abort the whole Node process.
pub fn guarded<R>(f: impl FnOnce() -> napi::Result<R>) -> napi::Result<R> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(panic_error(payload)))
}

/// The JS error for a caught panic, carrying its message.
pub fn panic_error(payload: Box<dyn Any + Send>) -> Error {
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    Error::new(Status::GenericFailure, format!("{PANIC}: {message}"))
}
