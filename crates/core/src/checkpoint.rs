//! Checkpoint files in the safetensors format, through Hugging Face's own implementation (the
//! `safetensors` crate: the reference the Python package wraps, maintained with the format,
//! fuzzed upstream). We only adapt borrowed byte slices to its `View` trait on the way in and
//! report where each tensor lies in the file on the way out, so the caller copies bytes once.
//!
//! Tensors are little-endian, row-major, as the format says; every target we build for is
//! little-endian, so typed-array bytes go in and out unchanged.

use safetensors::tensor::{Dtype, SafeTensors, View};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Bytes before the JSON header: its length as a little-endian u64.
const HEADER_LENGTH_BYTES: usize = 8;

/// Why a checkpoint could not be written or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FormatError {}

/// One tensor to write: safetensors dtype name (`"F32"`, `"F64"`, `"I32"`, `"U32"`, `"U8"`),
/// shape and its bytes (borrowed, not copied until serialization).
pub struct TensorBytes<'a> {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<usize>,
    pub bytes: &'a [u8],
}

/// What the `safetensors` crate serializes: a dtype, a shape and borrowed bytes.
struct BorrowedView<'a> {
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: &'a [u8],
}

impl View for BorrowedView<'_> {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(self.bytes)
    }
    fn data_len(&self) -> usize {
        self.bytes.len()
    }
}

fn parse_dtype(name: &str, dtype: &str) -> Result<Dtype, FormatError> {
    match dtype {
        "F32" => Ok(Dtype::F32),
        "F64" => Ok(Dtype::F64),
        "I32" => Ok(Dtype::I32),
        "U32" => Ok(Dtype::U32),
        "U8" => Ok(Dtype::U8),
        _ => Err(FormatError(format!("tensor '{name}': dtype must be one of F32, F64, I32, U32, U8, got '{dtype}'"))),
    }
}

/// The whole file: header length, JSON header (tensor table plus `__metadata__`), tensor bytes.
pub fn serialize(tensors: Vec<TensorBytes<'_>>, metadata: HashMap<String, String>) -> Result<Vec<u8>, FormatError> {
    let mut seen = HashSet::with_capacity(tensors.len());
    let mut views = Vec::with_capacity(tensors.len());
    for t in tensors {
        if !seen.insert(t.name.clone()) {
            return Err(FormatError(format!("tensor '{}' appears more than once", t.name)));
        }
        if t.name == "__metadata__" {
            return Err(FormatError("a tensor must not be named '__metadata__'".into()));
        }
        let dtype = parse_dtype(&t.name, &t.dtype)?;
        let elements = t.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        // Every dtype accepted above is a whole number of bytes wide.
        if elements.and_then(|n| n.checked_mul(dtype.bitsize() / 8)) != Some(t.bytes.len()) {
            return Err(FormatError(format!(
                "tensor '{}': shape {:?} of {} does not match its {} bytes",
                t.name,
                t.shape,
                t.dtype,
                t.bytes.len()
            )));
        }
        views.push((t.name, BorrowedView { dtype, shape: t.shape, bytes: t.bytes }));
    }
    safetensors::serialize(views, Some(metadata)).map_err(|e| FormatError(e.to_string()))
}

/// Where one tensor of a parsed file lies: `start..end` are byte offsets into the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorLocation {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<usize>,
    pub start: usize,
    pub end: usize,
}

/// A parsed file: its `__metadata__` and its tensors in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub metadata: HashMap<String, String>,
    pub tensors: Vec<TensorLocation>,
}

/// Parses and validates a whole file (header length, UTF-8 JSON, offsets covering the data
/// exactly, sizes matching dtype × shape) without copying tensor bytes.
pub fn deserialize(file: &[u8]) -> Result<Contents, FormatError> {
    let (header_length, parsed) = SafeTensors::read_metadata(file).map_err(|e| FormatError(e.to_string()))?;
    let data_start = HEADER_LENGTH_BYTES + header_length;
    let table = parsed.tensors();
    let mut tensors = Vec::with_capacity(table.len());
    for name in parsed.offset_keys() {
        let info = table[&name];
        let (start, end) = info.data_offsets;
        tensors.push(TensorLocation {
            dtype: info.dtype.to_string(),
            shape: info.shape.clone(),
            start: data_start + start,
            end: data_start + end,
            name,
        });
    }
    Ok(Contents { metadata: parsed.metadata().clone().unwrap_or_default(), tensors })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_of(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn sample() -> Vec<u8> {
        let w = bytes_of(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let b = 7.5f64.to_le_bytes();
        let tensors = vec![
            TensorBytes { name: "layers.0.weight".into(), dtype: "F32".into(), shape: vec![2, 3], bytes: &w },
            TensorBytes { name: "layers.0.bias".into(), dtype: "F64".into(), shape: vec![1], bytes: &b },
        ];
        let metadata = HashMap::from([("format_version".to_string(), "1".to_string())]);
        serialize(tensors, metadata).unwrap()
    }

    #[test]
    fn round_trips_tensors_and_metadata() {
        let file = sample();
        let contents = deserialize(&file).unwrap();
        assert_eq!(contents.metadata["format_version"], "1");
        let weight = contents.tensors.iter().find(|t| t.name == "layers.0.weight").unwrap();
        assert_eq!((weight.dtype.as_str(), weight.shape.as_slice()), ("F32", &[2usize, 3][..]));
        assert_eq!(&file[weight.start..weight.end], bytes_of(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).as_slice());
        let bias = contents.tensors.iter().find(|t| t.name == "layers.0.bias").unwrap();
        assert_eq!(&file[bias.start..bias.end], 7.5f64.to_le_bytes().as_slice());
        assert_eq!(SafeTensors::deserialize(&file).unwrap().len(), 2);
    }

    #[test]
    fn rejects_every_truncation() {
        let file = sample();
        for length in 0..file.len() {
            assert!(deserialize(&file[..length]).is_err(), "a file cut to {length} bytes was accepted");
        }
    }

    #[test]
    fn rejects_duplicates_bad_dtypes_and_size_mismatches() {
        let four = [0u8; 4];
        let twice = vec![
            TensorBytes { name: "a".into(), dtype: "F32".into(), shape: vec![1], bytes: &four },
            TensorBytes { name: "a".into(), dtype: "F32".into(), shape: vec![1], bytes: &four },
        ];
        assert!(serialize(twice, HashMap::new()).unwrap_err().0.contains("more than once"));
        let half = vec![TensorBytes { name: "h".into(), dtype: "F16".into(), shape: vec![2], bytes: &four }];
        assert!(serialize(half, HashMap::new()).unwrap_err().0.contains("dtype"));
        let short = vec![TensorBytes { name: "s".into(), dtype: "F64".into(), shape: vec![1], bytes: &four }];
        assert!(serialize(short, HashMap::new()).unwrap_err().0.contains("does not match"));
    }
}
