//! safetensors serialization for `saveCheckpoint` / `loadCheckpoint` (src/checkpoint/): bytes
//! in, bytes out. Files, atomic renames, checksums and what the tensors mean stay in TypeScript.

use crate::errors::guarded;
use descent_core::checkpoint::{deserialize, serialize, FormatError, TensorBytes};
use napi::bindgen_prelude::{Buffer, Uint8Array, Uint8ArraySlice};
use napi::{Error, Result, Status};
use napi_derive::napi;
use std::collections::HashMap;

/// Format errors carry their own code, so src/checkpoint/ can report them as a corrupt file
/// rather than as a bad argument.
fn format_error(error: FormatError) -> Error {
    Error::new(Status::InvalidArg, format!("DESCENT_CHECKPOINT: {error}"))
}

fn dims(name: &str, shape: &[f64]) -> Result<Vec<usize>> {
    shape
        .iter()
        .map(|&d| {
            if d >= 0.0 && d.fract() == 0.0 && d <= 9_007_199_254_740_991.0 {
                Ok(d as usize)
            } else {
                Err(format_error(FormatError(format!("tensor '{name}': shape holds {d}, not an integer >= 0"))))
            }
        })
        .collect()
}

/// One tensor to write: its bytes as a Uint8Array view of the typed array.
#[napi(object)]
pub struct SafetensorsInput {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<f64>,
    pub bytes: Uint8Array,
}

/// Serializes `tensors` and the string map `metadata` (the header's `__metadata__`) into one
/// safetensors file image.
#[napi]
pub fn serialize_safetensors(tensors: Vec<SafetensorsInput>, metadata: HashMap<String, String>) -> Result<Buffer> {
    guarded(|| {
        let mut borrowed = Vec::with_capacity(tensors.len());
        for t in &tensors {
            borrowed.push(TensorBytes {
                name: t.name.clone(),
                dtype: t.dtype.clone(),
                shape: dims(&t.name, &t.shape)?,
                bytes: &t.bytes,
            });
        }
        Ok(serialize(borrowed, metadata).map_err(format_error)?.into())
    })
}

/// Where one tensor lies in a parsed file (`start..end`: byte offsets into the file).
#[napi(object)]
pub struct SafetensorsEntry {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<f64>,
    pub start: f64,
    pub end: f64,
}

/// A parsed file: `__metadata__` and the tensor table, in file order.
#[napi(object)]
pub struct SafetensorsContents {
    pub metadata: HashMap<String, String>,
    pub tensors: Vec<SafetensorsEntry>,
}

/// Parses and validates a safetensors file image without copying tensor bytes.
#[napi]
pub fn deserialize_safetensors(file: Uint8ArraySlice) -> Result<SafetensorsContents> {
    guarded(|| {
        let contents = deserialize(&file).map_err(format_error)?;
        let tensors = contents
            .tensors
            .into_iter()
            .map(|t| SafetensorsEntry {
                shape: t.shape.iter().map(|&d| d as f64).collect(),
                start: t.start as f64,
                end: t.end as f64,
                name: t.name,
                dtype: t.dtype,
            })
            .collect();
        Ok(SafetensorsContents { metadata: contents.metadata, tensors })
    })
}
