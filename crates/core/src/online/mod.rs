//! Online training: a persistent trainer that a server feeds batch by batch while
//! predictions read published weights (`trainer`), and the bodies it accepts (`body`).

pub mod body;
pub mod trainer;

pub use body::{Body, BodyError, ErrorKind, Parsed};
pub use trainer::{EvalLerp, Event, OnlineTrainer, Reporter, RuleLayout, Setup, Snapshot};
