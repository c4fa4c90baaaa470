//! `Trainer`'s native side: the core's `OnlineTrainer` (crates/core/src/online) behind one napi
//! class per element type. Bodies are copied into Rust-owned memory once, when submitted; the
//! core's threads report through a threadsafe function that is weak (an idle trainer does not
//! keep Node alive) and that TypeScript holds with `hold(true)` while work is pending.

use crate::errors::{guarded, to_js_error};
use crate::models::{targets, NetworkEvaluation};
use descent_core::nn::mlp::Network;
use descent_core::online::{Body, ErrorKind, EvalLerp, Event, OnlineTrainer, RuleLayout, Setup};
use descent_core::rules::rule_index;
use descent_core::CoreError;
use napi::bindgen_prelude::{Float32ArraySlice, Float64ArraySlice, Int32ArraySlice, Uint32ArraySlice, Uint8ArraySlice};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Result, Status};
use napi_derive::napi;
use std::sync::Arc;

/// One event of a trainer, as TypeScript receives it (`kind` says which fields are set).
#[napi(object)]
#[derive(Default)]
pub struct TrainerEvent {
    /// 'accepted' | 'refused' | 'trained' | 'reached' | 'failed'.
    pub kind: String,
    /// The submission, batch or marker; -1 when none.
    pub id: f64,
    /// accepted: rows of the batch.
    pub rows: u32,
    /// refused: 'type' or 'range'; failed: 'panic'.
    pub error_kind: Option<String>,
    pub message: Option<String>,
    /// trained: mean loss of each step's batch whose forward pass ran.
    pub losses: Option<Vec<f64>>,
    /// trained: steps applied.
    pub steps: u32,
    /// trained: the optimizer parameter whose gradient held NaN/±∞ (the trainer then pauses), or -1.
    pub non_finite: i32,
}

/// How the trainer's threads reach JavaScript: weak, not callee-handled (a plain `(event) => void`).
type Events = ThreadsafeFunction<TrainerEvent, (), TrainerEvent, Status, false, true>;

fn to_js(event: Event) -> TrainerEvent {
    let id = |id: u64| id as f64;
    match event {
        Event::Accepted { id: i, rows } => {
            TrainerEvent { kind: "accepted".into(), id: id(i), rows: rows as u32, non_finite: -1, ..Default::default() }
        }
        Event::Refused { id: i, error } => TrainerEvent {
            kind: "refused".into(),
            id: id(i),
            error_kind: Some(if error.kind == ErrorKind::Type { "type" } else { "range" }.into()),
            message: Some(error.message),
            non_finite: -1,
            ..Default::default()
        },
        Event::Trained { id: i, losses, steps, non_finite } => TrainerEvent {
            kind: "trained".into(),
            id: id(i),
            losses: Some(losses),
            steps: steps as u32,
            non_finite: non_finite.map_or(-1, |p| p as i32),
            ..Default::default()
        },
        Event::Reached { id: i } => {
            TrainerEvent { kind: "reached".into(), id: id(i), non_finite: -1, ..Default::default() }
        }
        Event::Failed { id: i, message } => TrainerEvent {
            kind: "failed".into(),
            id: i.map_or(-1.0, id),
            error_kind: Some("panic".into()),
            message: Some(message),
            non_finite: -1,
            ..Default::default()
        },
    }
}

/// What a trainer is built from (besides the buffers and the event callback).
#[napi(object)]
pub struct TrainerOptions {
    /// The rule's name in the registry (`'adam'`, `'sgd'`, …).
    pub rule: String,
    /// Per optimizer parameter: the network tensor it is.
    pub slots: Vec<u32>,
    /// Per optimizer parameter: how many state tensors it has (they follow in `state`).
    pub state_counts: Vec<u32>,
    /// Per optimizer parameter: how many scalars one step plans for it.
    pub scalar_counts: Vec<u32>,
    pub batch_size: u32,
    pub check_non_finite: bool,
    /// Threads of the trainer's own pool (≥ 1).
    pub threads: u32,
    /// Run the trainer's threads at a lower OS priority than Node's (Linux: niceness +10).
    pub background: bool,
    /// Where predictions read another point than the trained weights (Schedule-Free's x).
    pub eval_point: Vec<EvalPointPart>,
}

/// `params[offset..offset + length]` ← lerp(them, state[stateIndex], weight) in what predictions read.
#[napi(object)]
pub struct EvalPointPart {
    pub offset: u32,
    pub length: u32,
    pub state_index: u32,
    pub weight: f64,
}

fn id_of(id: f64) -> std::result::Result<u64, CoreError> {
    if id.fract() == 0.0 && (0.0..9.0e15).contains(&id) {
        Ok(id as u64)
    } else {
        Err(CoreError::invalid("id", format!("an integer id, got {id}")))
    }
}

fn usizes(values: &[u32]) -> Vec<usize> {
    values.iter().map(|&v| v as usize).collect()
}

macro_rules! trainer_class {
    ($class:ident, $t:ty, $slice:ident) => {
        /// A persistent native trainer over buffers of this element type (see `src/models/trainer.ts`).
        #[napi]
        pub struct $class {
            core: OnlineTrainer<$t>,
            events: Arc<Events>,
        }

        #[napi]
        impl $class {
            /// Copies the network's parameters, gradients and optimizer state in and starts the
            /// trainer's threads; `onEvent` receives every `TrainerEvent`.
            #[napi(constructor)]
            pub fn new(
                network: Uint32ArraySlice,
                params: $slice,
                grads: $slice,
                state: Vec<$slice>,
                options: TrainerOptions,
                on_event: Events,
            ) -> Result<Self> {
                let on_event = Arc::new(on_event);
                guarded(|| {
                    let start = || -> std::result::Result<OnlineTrainer<$t>, CoreError> {
                        let rule = rule_index(&options.rule)?;
                        let setup = Setup {
                            network: Network::decode(&network)?,
                            params: params.to_vec(),
                            grads: grads.to_vec(),
                            state: state.iter().map(|s| s.to_vec()).collect(),
                            layout: RuleLayout {
                                rule,
                                slots: usizes(&options.slots),
                                state_counts: usizes(&options.state_counts),
                                scalar_counts: usizes(&options.scalar_counts),
                            },
                            batch_size: options.batch_size as usize,
                            check_non_finite: options.check_non_finite,
                            threads: options.threads.max(1) as usize,
                            background: options.background,
                            eval_point: options
                                .eval_point
                                .iter()
                                .map(|e| EvalLerp {
                                    offset: e.offset as usize,
                                    len: e.length as usize,
                                    state_index: e.state_index as usize,
                                    weight: e.weight,
                                })
                                .collect(),
                        };
                        let sender = Arc::clone(&on_event);
                        let report = Arc::new(move |event: Event| {
                            // Fails only while Node shuts down, when no one listens.
                            sender.call(to_js(event), ThreadsafeFunctionCallMode::NonBlocking);
                        });
                        OnlineTrainer::start(setup, report)
                    };
                    let core = start().map_err(to_js_error)?;
                    Ok(Self { core, events: on_event })
                })
            }

            /// Copies typed-array rows (labels for softmax networks, values for identity ones) for the intake thread to check.
            #[napi]
            pub fn submit_tensors(&self, id: f64, x: $slice, labels: Int32ArraySlice, values: $slice) -> Result<()> {
                guarded(|| {
                    let body = Body::Tensors { x: x.to_vec(), labels: labels.to_vec(), values: values.to_vec() };
                    self.core.submit(id_of(id).map_err(to_js_error)?, body).map_err(to_js_error)
                })
            }

            /// Copies a binary body for the intake thread to parse and check.
            #[napi]
            pub fn submit_binary(&self, id: f64, bytes: Uint8ArraySlice) -> Result<()> {
                guarded(|| {
                    self.core.submit(id_of(id).map_err(to_js_error)?, Body::Binary(bytes.to_vec())).map_err(to_js_error)
                })
            }

            /// Copies a JSON body for the intake thread to parse and check.
            #[napi]
            pub fn submit_json(&self, id: f64, bytes: Uint8ArraySlice) -> Result<()> {
                guarded(|| {
                    self.core.submit(id_of(id).map_err(to_js_error)?, Body::Json(bytes.to_vec())).map_err(to_js_error)
                })
            }

            /// Queues accepted submission `id` for training with the scalars of all its steps.
            #[napi]
            pub fn enqueue(&self, id: f64, scalars: Float64ArraySlice) -> Result<()> {
                guarded(|| self.core.enqueue(id_of(id).map_err(to_js_error)?, scalars.to_vec()).map_err(to_js_error))
            }

            /// Queues a marker: reaching it captures the state for `takeCapture`.
            #[napi]
            pub fn enqueue_marker(&self, id: f64) -> Result<()> {
                guarded(|| self.core.enqueue_marker(id_of(id).map_err(to_js_error)?).map_err(to_js_error))
            }

            /// Ends a pause after a non-finite gradient: the held batch goes on from step
            /// `heldFirst` with `heldScalars` (or is dropped when `heldFirst` < 0); each listed
            /// waiting batch gets new scalars.
            #[napi]
            pub fn resume(
                &self,
                held_first: i32,
                held_scalars: Float64ArraySlice,
                ids: Vec<f64>,
                scalars: Vec<Float64ArraySlice>,
            ) -> Result<()> {
                guarded(|| {
                    let held = (held_first >= 0).then(|| (held_first as usize, held_scalars.to_vec()));
                    let ids =
                        ids.into_iter().map(id_of).collect::<std::result::Result<Vec<_>, _>>().map_err(to_js_error)?;
                    let replanned = ids.into_iter().zip(scalars.iter().map(|s| s.to_vec())).collect();
                    self.core.resume(held, replanned).map_err(to_js_error)
                })
            }

            /// Removes every waiting batch and marker but batch `keep` (-1: none); returns their ids.
            #[napi]
            pub fn discard_waiting(&self, keep: f64) -> Vec<f64> {
                let keep = id_of(keep).ok();
                self.core.discard_waiting(keep).into_iter().map(|id| id as f64).collect()
            }

            /// Copies the state captured at the last marker into these buffers.
            #[napi]
            pub fn take_capture(&self, mut params: $slice, mut grads: $slice, mut state: Vec<$slice>) -> Result<()> {
                guarded(|| {
                    let mut state: Vec<&mut [$t]> = state.iter_mut().map(|s| unsafe { s.as_mut() }).collect();
                    let (params, grads) = unsafe { (params.as_mut(), grads.as_mut()) };
                    self.core.take_capture(params, grads, &mut state).map_err(to_js_error)
                })
            }

            /// Copies the state between two batches into these buffers (waiting for the batch in
            /// flight); returns the id of the last batch or marker done, or -1.
            #[napi]
            pub fn capture_now(&self, mut params: $slice, mut grads: $slice, mut state: Vec<$slice>) -> Result<f64> {
                guarded(|| {
                    let mut state: Vec<&mut [$t]> = state.iter_mut().map(|s| unsafe { s.as_mut() }).collect();
                    let (params, grads) = unsafe { (params.as_mut(), grads.as_mut()) };
                    let done = self.core.capture_now(params, grads, &mut state).map_err(to_js_error)?;
                    Ok(done.map_or(-1.0, |id| id as f64))
                })
            }

            /// Writes the outputs for `x` from the latest published weights into `out`; returns
            /// the optimizer steps behind those weights.
            #[napi]
            pub fn predict_into(&self, x: $slice, mut out: $slice) -> Result<f64> {
                guarded(|| {
                    let snapshot = self.core.snapshot();
                    let outputs = self.core.predict_with(&snapshot, &x).map_err(to_js_error)?;
                    let out = unsafe { out.as_mut() };
                    if out.len() != outputs.len() {
                        return Err(to_js_error(CoreError::invalid("out", format!("{} values", outputs.len()))));
                    }
                    out.copy_from_slice(&outputs);
                    Ok(snapshot.steps as f64)
                })
            }

            /// Loss and hits over `x` from the latest published weights.
            #[napi]
            pub fn evaluate(&self, x: $slice, labels: Int32ArraySlice, values: $slice) -> Result<NetworkEvaluation> {
                guarded(|| {
                    let network = self.core.network();
                    let result = self.core.evaluate(&x, targets(network, &labels, &values)).map_err(to_js_error)?;
                    Ok(NetworkEvaluation { loss: result.loss, hits: result.hits as u32 })
                })
            }

            /// Keeps Node's event loop alive (true) while work is pending, or lets it exit (false).
            #[napi]
            pub fn hold(&self, env: Env, active: bool) -> Result<()> {
                crate::hold::hold(&self.events.handle, env, active, "the trainer's events")
            }

            /// Lets the trainer's threads end once the queue is empty; later calls fail.
            #[napi]
            pub fn close(&mut self) {
                self.core.close();
            }

            /// For tests: the next batch panics on the training thread.
            #[napi]
            pub fn debug_panic_next_batch(&self) {
                self.core.debug_panic_next();
            }
        }
    };
}

trainer_class!(NativeTrainerF32, f32, Float32ArraySlice);
trainer_class!(NativeTrainerF64, f64, Float64ArraySlice);
