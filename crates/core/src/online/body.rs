//! Training bodies as a server receives them, parsed and checked off the event loop: typed
//! arrays copied from JavaScript, the binary layout of `docs/trainer.md` and JSON
//! (`{"x": [[...]], "y": [...]}`). Whatever the form, a body becomes a `Parsed` batch or a
//! `BodyError` naming the field at fault, before anything reaches the model.

use crate::nn::loss::Output;
use crate::nn::mlp::Network;
use crate::real::Real;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::{Cell, RefCell};
use std::fmt;

/// Bytes of the binary header: rows and cols, little-endian u32 each.
pub const HEADER_BYTES: usize = 8;

/// A body as it arrives: typed arrays from JavaScript (already of the model's element type),
/// or raw bytes to parse.
pub enum Body<T> {
    /// `x` row-major; `labels` for softmax outputs, `values` for identity ones (the other empty).
    Tensors { x: Vec<T>, labels: Vec<i32>, values: Vec<T> },
    /// The binary layout: header, rows·cols f32 x, then rows i32 labels (softmax) or
    /// rows·outputs f32 values (identity).
    Binary(Vec<u8>),
    /// UTF-8 JSON: `{"x": [[...], ...], "y": [...]}`.
    Json(Vec<u8>),
}

/// A checked batch: at least one row, every value finite, every label a class.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<T> {
    pub rows: usize,
    pub x: Vec<T>,
    pub labels: Vec<i32>,
    pub values: Vec<T>,
}

/// Which JavaScript error a refused body becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Something of the wrong type: not JSON, not an array, a string where a number goes.
    Type,
    /// The right type with a wrong value: a length, a non-finite number, a label out of range.
    Range,
}

/// Why a body was refused: the field and what was expected, ready for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    pub kind: ErrorKind,
    pub message: String,
}

impl BodyError {
    fn range(message: impl Into<String>) -> Self {
        BodyError { kind: ErrorKind::Range, message: message.into() }
    }
    fn kind_of(kind: ErrorKind, message: impl Into<String>) -> Self {
        BodyError { kind, message: message.into() }
    }
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parses and checks `body` for `network`.
pub fn parse<T: Real>(network: &Network, body: Body<T>) -> Result<Parsed<T>, BodyError> {
    match body {
        Body::Tensors { x, labels, values } => check_tensors(network, x, labels, values),
        Body::Binary(bytes) => parse_binary(network, &bytes),
        Body::Json(bytes) => parse_json(network, &bytes),
    }
}

fn check_finite<T: Real>(field: &str, values: &[T], width: usize) -> Result<(), BodyError> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(BodyError::range(format!(
            "{field}[{}][{}]: expected a finite number, got {:?}",
            i / width,
            i % width,
            values[i].wide()
        ))),
    }
}

fn check_labels(labels: &[i32], classes: usize) -> Result<(), BodyError> {
    match labels.iter().position(|&l| l < 0 || l as usize >= classes) {
        None => Ok(()),
        Some(i) => {
            Err(BodyError::range(format!("y[{i}]: expected a class label in [0, {classes}), got {}", labels[i])))
        }
    }
}

fn check_tensors<T: Real>(
    network: &Network,
    x: Vec<T>,
    labels: Vec<i32>,
    values: Vec<T>,
) -> Result<Parsed<T>, BodyError> {
    let (inputs, outputs) = (network.inputs(), network.outputs());
    if x.is_empty() || !x.len().is_multiple_of(inputs) {
        return Err(BodyError::range(format!(
            "x: expected rows of {inputs} values (at least one row), got {} values",
            x.len()
        )));
    }
    let rows = x.len() / inputs;
    check_finite("x", &x, inputs)?;
    match network.output() {
        Output::Softmax => {
            if labels.len() != rows {
                return Err(BodyError::range(format!(
                    "y: expected {rows} labels (one per row of x), got {}",
                    labels.len()
                )));
            }
            check_labels(&labels, outputs)?;
        }
        Output::Identity => {
            if values.len() != rows * outputs {
                return Err(BodyError::range(format!(
                    "y: expected {rows} rows of {outputs} values, got {} values",
                    values.len()
                )));
            }
            check_finite("y", &values, outputs)?;
        }
    }
    Ok(Parsed { rows, x, labels, values })
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn f32s<T: Real>(bytes: &[u8]) -> Vec<T> {
    bytes.chunks_exact(4).map(|b| T::of(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))).collect()
}

fn parse_binary<T: Real>(network: &Network, bytes: &[u8]) -> Result<Parsed<T>, BodyError> {
    let (inputs, outputs) = (network.inputs(), network.outputs());
    let softmax = network.output() == Output::Softmax;
    let layout =
        if softmax { "rows·cols f32 x, then rows i32 labels" } else { "rows·cols f32 x, then rows·outputs f32 y" };
    if bytes.is_empty() {
        return Err(BodyError::range(format!("body: empty; expected the binary layout (8-byte header, {layout})")));
    }
    if bytes.len() < HEADER_BYTES {
        return Err(BodyError::range(format!(
            "header: expected 8 bytes (rows u32, cols u32, little-endian), got {} bytes",
            bytes.len()
        )));
    }
    let (rows, cols) = (u32_at(bytes, 0) as usize, u32_at(bytes, 4) as usize);
    if cols != inputs {
        return Err(BodyError::range(format!("header.cols: expected {inputs} (the model's inputs), got {cols}")));
    }
    if rows == 0 {
        return Err(BodyError::range("header.rows: expected at least 1 row, got 0"));
    }
    let x_bytes = 4 * rows * cols;
    let y_bytes = 4 * rows * if softmax { 1 } else { outputs };
    let expected = HEADER_BYTES + x_bytes + y_bytes;
    if bytes.len() != expected {
        return Err(BodyError::range(format!(
            "body: the header says {rows} rows × {cols} cols, so the body must be {expected} bytes (header, {layout}), got {}",
            bytes.len()
        )));
    }
    let x: Vec<T> = f32s(&bytes[HEADER_BYTES..HEADER_BYTES + x_bytes]);
    let y = &bytes[HEADER_BYTES + x_bytes..];
    if softmax {
        let labels: Vec<i32> = y.chunks_exact(4).map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        check_tensors(network, x, labels, Vec::new())
    } else {
        check_tensors(network, x, Vec::new(), f32s(y))
    }
}

/// Where a number sits in the body, formatted only when an error needs it.
#[derive(Clone, Copy)]
struct At {
    field: &'static str,
    row: usize,
    column: Option<usize>,
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "{}[{}][{c}]", self.field, self.row),
            None => write!(f, "{}[{}]", self.field, self.row),
        }
    }
}

/// The first error the JSON visitors met, with its kind (serde's own errors carry only text),
/// and the number being read, for errors serde raises itself (a number out of range).
#[derive(Default)]
struct Failure {
    error: RefCell<Option<BodyError>>,
    reading: Cell<Option<At>>,
}

fn fail<E: de::Error>(failure: &Failure, kind: ErrorKind, message: String) -> E {
    let error = E::custom(&message);
    failure.error.borrow_mut().get_or_insert(BodyError::kind_of(kind, message));
    error
}

fn parse_json<T: Real>(network: &Network, bytes: &[u8]) -> Result<Parsed<T>, BodyError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(BodyError::kind_of(
            ErrorKind::Type,
            r#"body: empty; expected a JSON object {"x": [[...]], "y": [...]}"#,
        ));
    }
    let failure = Failure::default();
    let mut parts = Parts::<T>::default();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let result = BodySeed { network, failure: &failure, parts: &mut parts }
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    if let Err(error) = result {
        let reading = failure.reading.get();
        return Err(failure.error.into_inner().unwrap_or_else(|| match reading {
            Some(at) if error.to_string().starts_with("number out of range") => BodyError::range(format!(
                "{at}: expected a finite number of the model's type, got a number out of range"
            )),
            _ => BodyError::kind_of(ErrorKind::Type, format!("body: not valid JSON ({error})")),
        }));
    }
    let x = parts.x.ok_or_else(|| BodyError::kind_of(ErrorKind::Type, "x: missing; expected an array of rows"))?;
    let y =
        parts.y.ok_or_else(|| BodyError::kind_of(ErrorKind::Type, "y: missing; expected one target per row of x"))?;
    match network.output() {
        Output::Softmax => check_tensors(network, x, y.into_iter().map(|l| l as i32).collect(), Vec::new()),
        Output::Identity => check_tensors(network, x, Vec::new(), y.into_iter().map(T::of).collect()),
    }
}

struct Parts<T> {
    x: Option<Vec<T>>,
    /// Labels (softmax, already checked to be integers in range) or values, as f64.
    y: Option<Vec<f64>>,
}

impl<T> Default for Parts<T> {
    fn default() -> Self {
        Parts { x: None, y: None }
    }
}

/// What a JSON value is, for messages.
fn json_kind(what: &str) -> String {
    format!("got {what}")
}

struct BodySeed<'a, T> {
    network: &'a Network,
    failure: &'a Failure,
    parts: &'a mut Parts<T>,
}

impl<'de, T: Real> DeserializeSeed<'de> for BodySeed<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Visitors that expect one kind of JSON value and name the field when they get another.
macro_rules! refuse_others {
    ($($method:ident($($arg:ty)?) => $what:expr),* $(,)?) => {
        $(fn $method<E: de::Error>(self, $(_: $arg)?) -> Result<Self::Value, E> {
            Err(fail(self.failure, ErrorKind::Type, format!("{}: expected {}, {}", self.field(), self.expected(), json_kind($what))))
        })*
    };
}

trait Described {
    fn field(&self) -> String;
    fn expected(&self) -> String;
}

impl<T> Described for BodySeed<'_, T> {
    fn field(&self) -> String {
        "body".into()
    }
    fn expected(&self) -> String {
        r#"a JSON object {"x": [[...]], "y": [...]}"#.into()
    }
}

impl<'de, T: Real> Visitor<'de> for BodySeed<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    refuse_others!(visit_bool(bool) => "a boolean", visit_i64(i64) => "a number", visit_u64(u64) => "a number",
        visit_f64(f64) => "a number", visit_str(&str) => "a string", visit_unit() => "null");
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(self.failure, ErrorKind::Type, format!("body: expected {}, got an array", self.expected())))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (inputs, outputs) = (self.network.inputs(), self.network.outputs());
        let softmax = self.network.output() == Output::Softmax;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "x" => {
                    let mut x = Vec::new();
                    map.next_value_seed(Rows {
                        field: "x",
                        width: inputs,
                        flat_ok: false,
                        failure: self.failure,
                        out: &mut x,
                    })?;
                    self.parts.x = Some(x);
                }
                "y" if softmax => {
                    let mut y = Vec::new();
                    map.next_value_seed(Labels { classes: outputs, failure: self.failure, out: &mut y })?;
                    self.parts.y = Some(y);
                }
                "y" => {
                    let mut y: Vec<f64> = Vec::new();
                    map.next_value_seed(Rows {
                        field: "y",
                        width: outputs,
                        flat_ok: outputs == 1,
                        failure: self.failure,
                        out: &mut y,
                    })?;
                    self.parts.y = Some(y);
                }
                other => {
                    return Err(fail(
                        self.failure,
                        ErrorKind::Type,
                        format!("body: unknown field {other:?} (expected \"x\" and \"y\")"),
                    ))
                }
            }
        }
        Ok(())
    }
}

/// An array of rows of `width` numbers (`flat_ok`: or of plain numbers, when width is 1).
struct Rows<'a, V> {
    field: &'static str,
    width: usize,
    flat_ok: bool,
    failure: &'a Failure,
    out: &'a mut Vec<V>,
}

impl<V> Described for Rows<'_, V> {
    fn field(&self) -> String {
        self.field.into()
    }
    fn expected(&self) -> String {
        format!("an array of rows of {} numbers", self.width)
    }
}

impl<'de, V: Real> DeserializeSeed<'de> for Rows<'_, V> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, V: Real> Visitor<'de> for Rows<'_, V> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of rows")
    }
    refuse_others!(visit_bool(bool) => "a boolean", visit_i64(i64) => "a number", visit_u64(u64) => "a number",
        visit_f64(f64) => "a number", visit_str(&str) => "a string", visit_unit() => "null");
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(self.failure, ErrorKind::Type, format!("{}: expected {}, got an object", self.field, self.expected())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut row = 0;
        loop {
            let done = if self.flat_ok {
                let at = At { field: self.field, row, column: None };
                seq.next_element_seed(Number { at, failure: self.failure, out: self.out })?
            } else {
                seq.next_element_seed(Row {
                    field: self.field,
                    row,
                    width: self.width,
                    failure: self.failure,
                    out: self.out,
                })?
            };
            if done.is_none() {
                break;
            }
            row += 1;
        }
        if row == 0 {
            return Err(fail(
                self.failure,
                ErrorKind::Range,
                format!("{}: expected at least one row, got []", self.field),
            ));
        }
        Ok(())
    }
}

/// Row `row` of a field: exactly `width` numbers.
struct Row<'a, V> {
    field: &'static str,
    row: usize,
    width: usize,
    failure: &'a Failure,
    out: &'a mut Vec<V>,
}

impl<V> Described for Row<'_, V> {
    fn field(&self) -> String {
        format!("{}[{}]", self.field, self.row)
    }
    fn expected(&self) -> String {
        format!("an array of {} numbers", self.width)
    }
}

impl<'de, V: Real> DeserializeSeed<'de> for Row<'_, V> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, V: Real> Visitor<'de> for Row<'_, V> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of numbers")
    }
    refuse_others!(visit_bool(bool) => "a boolean", visit_i64(i64) => "a number", visit_u64(u64) => "a number",
        visit_f64(f64) => "a number", visit_str(&str) => "a string", visit_unit() => "null");
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(
            self.failure,
            ErrorKind::Type,
            format!("{}: expected {}, got an object", self.field(), self.expected()),
        ))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut column = 0;
        loop {
            if column == self.width {
                return match seq.next_element::<de::IgnoredAny>()? {
                    None => Ok(()),
                    Some(_) => Err(fail(
                        self.failure,
                        ErrorKind::Range,
                        format!("{}: expected {} numbers, got more", self.field(), self.width),
                    )),
                };
            }
            let at = At { field: self.field, row: self.row, column: Some(column) };
            if seq.next_element_seed(Number { at, failure: self.failure, out: self.out })?.is_none() {
                return Err(fail(
                    self.failure,
                    ErrorKind::Range,
                    format!("{}: expected {} numbers, got {column}", self.field(), self.width),
                ));
            }
            column += 1;
        }
    }
}

/// One finite number of the element type, pushed onto `out`.
struct Number<'a, V> {
    at: At,
    failure: &'a Failure,
    out: &'a mut Vec<V>,
}

impl<V> Described for Number<'_, V> {
    fn field(&self) -> String {
        self.at.to_string()
    }
    fn expected(&self) -> String {
        "a number".into()
    }
}

impl<'de, V: Real> DeserializeSeed<'de> for Number<'_, V> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.failure.reading.set(Some(self.at));
        deserializer.deserialize_any(self)
    }
}

impl<V: Real> Number<'_, V> {
    fn push<E: de::Error>(self, value: f64) -> Result<(), E> {
        let v = V::of(value);
        if !v.is_finite() {
            return Err(fail(
                self.failure,
                ErrorKind::Range,
                format!("{}: expected a finite number of the model's type, got {value}", self.at),
            ));
        }
        self.out.push(v);
        Ok(())
    }
}

impl<'de, V: Real> Visitor<'de> for Number<'_, V> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }
    refuse_others!(visit_bool(bool) => "a boolean", visit_str(&str) => "a string", visit_unit() => "null");
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.push(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.push(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.push(v)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(self.failure, ErrorKind::Type, format!("{}: expected a number, got an array", self.at)))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(self.failure, ErrorKind::Type, format!("{}: expected a number, got an object", self.at)))
    }
}

/// `y` of a softmax network: one integer class label per row.
struct Labels<'a> {
    classes: usize,
    failure: &'a Failure,
    out: &'a mut Vec<f64>,
}

impl Described for Labels<'_> {
    fn field(&self) -> String {
        "y".into()
    }
    fn expected(&self) -> String {
        "an array of class labels".into()
    }
}

impl<'de> DeserializeSeed<'de> for Labels<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Labels<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of class labels")
    }
    refuse_others!(visit_bool(bool) => "a boolean", visit_i64(i64) => "a number", visit_u64(u64) => "a number",
        visit_f64(f64) => "a number", visit_str(&str) => "a string", visit_unit() => "null");
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(fail(self.failure, ErrorKind::Type, "y: expected an array of class labels, got an object".into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            let label = value.as_f64().filter(|l| l.fract() == 0.0 && *l >= 0.0 && *l < self.classes as f64);
            match label {
                Some(l) => self.out.push(l),
                None => {
                    let kind = if value.is_number() { ErrorKind::Range } else { ErrorKind::Type };
                    return Err(fail(
                        self.failure,
                        kind,
                        format!("y[{i}]: expected a class label (an integer in [0, {})), got {value}", self.classes),
                    ));
                }
            }
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::activation::Activation;

    fn softmax() -> Network {
        Network::new(vec![3, 4, 2], Activation::Tanh, Output::Softmax).unwrap()
    }

    fn json(text: &str) -> Result<Parsed<f32>, BodyError> {
        parse(&softmax(), Body::Json(text.as_bytes().to_vec()))
    }

    #[test]
    fn json_bodies_parse_into_rows_and_labels() {
        let parsed = json(r#"{"x": [[1, 2.5, -3], [0, 0, 1e-3]], "y": [1, 0]}"#).unwrap();
        assert_eq!(
            parsed,
            Parsed { rows: 2, x: vec![1.0, 2.5, -3.0, 0.0, 0.0, 1e-3], labels: vec![1, 0], values: vec![] }
        );
        let swapped = json(r#"{"y": [1], "x": [[1, 2, 3]]}"#).unwrap();
        assert_eq!(swapped.rows, 1);
    }

    #[test]
    fn bad_json_bodies_name_the_field() {
        let cases = [
            ("", ErrorKind::Type, "body: empty"),
            ("{", ErrorKind::Type, "body: not valid JSON"),
            ("[1]", ErrorKind::Type, "body: expected a JSON object"),
            (r#"{"x": [[1,2,3]]}"#, ErrorKind::Type, "y: missing"),
            (r#"{"x": [[1,2,3]], "y": [0], "z": 1}"#, ErrorKind::Type, "body: unknown field \"z\""),
            (r#"{"x": [], "y": []}"#, ErrorKind::Range, "x: expected at least one row"),
            (r#"{"x": [[1,2]], "y": [0]}"#, ErrorKind::Range, "x[0]: expected 3 numbers, got 2"),
            (r#"{"x": [[1,2,3,4]], "y": [0]}"#, ErrorKind::Range, "x[0]: expected 3 numbers, got more"),
            (r#"{"x": [[1,"2",3]], "y": [0]}"#, ErrorKind::Type, "x[0][1]: expected a number, got a string"),
            (r#"{"x": [[1,2,1e39]], "y": [0]}"#, ErrorKind::Range, "x[0][2]: expected a finite number"),
            (r#"{"x": [[1,2,1e999]], "y": [0]}"#, ErrorKind::Range, "x[0][2]: expected a finite number"),
            (r#"{"x": [1,2,3], "y": [0]}"#, ErrorKind::Type, "x[0]: expected an array of 3 numbers, got a number"),
            (r#"{"x": [[1,2,3]], "y": [2]}"#, ErrorKind::Range, "y[0]: expected a class label"),
            (r#"{"x": [[1,2,3]], "y": [0.5]}"#, ErrorKind::Range, "y[0]: expected a class label"),
            (r#"{"x": [[1,2,3]], "y": ["a"]}"#, ErrorKind::Type, "y[0]: expected a class label"),
            (r#"{"x": [[1,2,3]], "y": [0, 1]}"#, ErrorKind::Range, "y: expected 1 labels"),
        ];
        for (text, kind, start) in cases {
            let error = json(text).unwrap_err();
            assert_eq!(error.kind, kind, "{text}: {error}");
            assert!(error.message.starts_with(start), "{text}: {error}");
        }
    }

    fn binary(rows: u32, cols: u32, x: &[f32], y: &[i32]) -> Vec<u8> {
        let mut bytes = [rows.to_le_bytes(), cols.to_le_bytes()].concat();
        x.iter().for_each(|v| bytes.extend(v.to_le_bytes()));
        y.iter().for_each(|v| bytes.extend(v.to_le_bytes()));
        bytes
    }

    #[test]
    fn binary_bodies_parse_and_name_the_header_field_at_fault() {
        let network = softmax();
        let good = binary(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[0, 1]);
        let parsed = parse::<f64>(&network, Body::Binary(good.clone())).unwrap();
        assert_eq!((parsed.rows, parsed.labels, parsed.x[5]), (2, vec![0, 1], 6.0));
        let cases = [
            (vec![], "body: empty"),
            (vec![1, 0, 0], "header: expected 8 bytes"),
            (binary(2, 4, &[0.0; 8], &[0, 1]), "header.cols: expected 3"),
            (binary(0, 3, &[], &[]), "header.rows: expected at least 1"),
            (good[..good.len() - 1].to_vec(), "body: the header says 2 rows × 3 cols, so the body must be 40 bytes"),
            (binary(1, 3, &[1.0, f32::NAN, 0.0], &[0]), "x[0][1]: expected a finite number"),
            (binary(1, 3, &[1.0, 2.0, 0.0], &[-1]), "y[0]: expected a class label in [0, 2)"),
        ];
        for (bytes, start) in cases {
            let error = parse::<f32>(&network, Body::Binary(bytes)).unwrap_err();
            assert_eq!(error.kind, ErrorKind::Range);
            assert!(error.message.starts_with(start), "{error}");
        }
    }

    #[test]
    fn identity_networks_take_value_rows() {
        let network = Network::new(vec![2, 1], Activation::Identity, Output::Identity).unwrap();
        let body = br#"{"x": [[1, 2], [3, 4]], "y": [0.5, [1.5]]}"#;
        let error = parse::<f64>(&network, Body::Json(body.to_vec())).unwrap_err();
        assert!(error.message.starts_with("y[1]: expected a number, got an array"), "{error}");
        let parsed = parse::<f64>(&network, Body::Json(br#"{"x": [[1, 2]], "y": [0.5]}"#.to_vec())).unwrap();
        assert_eq!(parsed.values, vec![0.5]);
    }
}
