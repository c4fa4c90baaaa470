//! Keeping Node alive while native work is pending. The threadsafe functions of trainers and
//! fitAsync jobs are created weak (an idle one never holds the event loop open) and are shared
//! with their threads, so they are ref'd and unref'd here through the raw handle rather than
//! through napi-rs's `&mut self` methods.

use napi::threadsafe_function::ThreadsafeFunctionHandle;
use napi::{Env, Error, Result, Status};

/// Refs (`active`) or unrefs the threadsafe function behind `handle`; `what` names it in errors.
pub fn hold(handle: &ThreadsafeFunctionHandle, env: Env, active: bool, what: &str) -> Result<()> {
    let raw = handle.get_raw();
    // SAFETY: called on Node's thread with its env; the caller keeps the function alive.
    let status = unsafe {
        if active {
            napi::sys::napi_ref_threadsafe_function(env.raw(), raw)
        } else {
            napi::sys::napi_unref_threadsafe_function(env.raw(), raw)
        }
    };
    if status == napi::sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::GenericFailure, format!("could not (un)ref {what}: status {status}")))
    }
}
