//! `model.fitAsync`'s training thread. Each job owns a dedicated `std::thread` (not libuv's
//! shared four-thread pool, which `fs`, `dns` and `crypto` also need, and which long training
//! would starve) and copies of everything it touches: `x` and the targets, copied by `load` when
//! a fit starts, and the parameters, gradients and optimizer state of each run, copied in by
//! `run` and back out by `collect`, all on Node's thread. JS typed arrays are never read off the
//! main thread, where JS could mutate or detach them meanwhile.
//!
//! A model keeps its job from one fitAsync to the next: the thread and the buffers (whose memory
//! is reused, so later copies do not fault in fresh pages) stay, and the threadsafe function is
//! weak, held only while a run is in flight, so an idle job never keeps Node alive.
//!
//! A run is a range of an epoch's batches with their planned optimizer scalars, exactly what
//! `trainEpochF32`/`trainEpochF64` take; the thread trains it with the core's
//! `train_epoch_until`, which checks the cancel flag between batches, then reports through a
//! threadsafe function and waits for the next run, which TS plans after the scheduler has seen
//! the epoch. A panic in the thread is caught and reported as an error; it never aborts Node.

use crate::errors::{panic_error, to_js_error};
use crate::layout::{BatchRange, RunPlan};
use crate::models::targets;
use descent_core::nn::mlp::Network;
use descent_core::nn::train::{train_epoch_until, Batches, StepPlan};
use descent_core::nn::Element;
use descent_core::CoreError;
use napi::bindgen_prelude::{Float32ArraySlice, Float64ArraySlice, Int32ArraySlice, Uint32ArraySlice};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Error, Result, Status};
use napi_derive::napi;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};

/// What the training thread reports after each run.
#[napi(object)]
#[derive(Debug)]
pub struct RunReport {
    /// Mean loss of each batch whose forward pass ran.
    pub losses: Vec<f64>,
    /// Batches whose optimizer step ran.
    pub steps: u32,
    /// The optimizer's index of the parameter whose gradient held NaN/±∞, or -1.
    pub non_finite: i32,
    /// Whether `cancel()` stopped the run before all its batches.
    pub cancelled: bool,
}

/// Called on Node's thread with `(error, report)` after each run; weak (see `hold`).
type Reporter = ThreadsafeFunction<RunReport, napi::bindgen_prelude::Unknown<'static>, RunReport, Status, true, true>;

/// The fit's data, loaded by `load` (buffers reused from fit to fit).
#[derive(Default)]
struct Data<T> {
    x: Vec<T>,
    labels: Vec<i32>,
    values: Vec<T>,
}

/// One run's buffers and arguments: filled by `run` on Node's thread, trained by the job's
/// thread, read back by `collect`. Buffers are reused from run to run.
#[derive(Default)]
struct Staging<T> {
    data: Data<T>,
    params: Vec<T>,
    grads: Vec<T>,
    /// Every parameter's state tensors, in order.
    state: Vec<Vec<T>>,
    rule: usize,
    /// Per optimizer parameter: network tensor index, state tensor count, scalar count.
    tensor_of: Vec<usize>,
    state_counts: Vec<usize>,
    scalar_counts: Vec<usize>,
    scalars: Vec<f64>,
    order: Vec<u32>,
    batch_size: usize,
    first: usize,
    count: usize,
    check_non_finite: bool,
}

/// What Node's thread and the job's thread share.
struct Shared<T> {
    staging: Mutex<Staging<T>>,
    /// Set by `cancel()`; the thread stops before the next batch.
    cancel: AtomicBool,
    /// Set from `run()` until the thread has finished that run (before it reports).
    busy: AtomicBool,
    /// Set when the thread panicked: the staged buffers may be half-updated and are not handed back.
    panicked: AtomicBool,
    /// Set by `debugPanicNextRun()` (tests only).
    panic_next: AtomicBool,
}

/// A training job over f32 or f64 buffers (one napi class per element type wraps it).
struct Job<T> {
    shared: Arc<Shared<T>>,
    /// Dropped by `close()`: the thread's receive fails and it ends.
    runs: Option<Sender<()>>,
    /// The threadsafe function, kept here to ref and unref it (`hold`).
    report: Arc<Reporter>,
}

fn state_error(expected: &str) -> Error {
    Error::new(Status::GenericFailure, format!("DESCENT_JOB: {expected}"))
}

fn copy_into<T: Copy>(target: &mut Vec<T>, source: &[T]) {
    target.clear();
    target.extend_from_slice(source);
}

impl<T: Element + Default + Send + 'static> Job<T> {
    fn start(network: &[u32], report: Reporter) -> Result<Self> {
        let network = Network::decode(network).map_err(to_js_error)?;
        let report = Arc::new(report);
        let thread_report = Arc::clone(&report);
        let shared = Arc::new(Shared {
            staging: Mutex::new(Staging::default()),
            cancel: AtomicBool::new(false),
            busy: AtomicBool::new(false),
            panicked: AtomicBool::new(false),
            panic_next: AtomicBool::new(false),
        });
        let (runs, received) = channel();
        let thread_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("descent-fit".into())
            .spawn(move || serve(network, thread_shared, received, thread_report))
            .map_err(|e| state_error(&format!("could not start the training thread: {e}")))?;
        Ok(Job { shared, runs: Some(runs), report })
    }

    /// Copies a fit's data in (reusing the buffers of the last one) and clears a cancel.
    fn load(&self, x: &[T], labels: &[i32], values: &[T]) -> Result<()> {
        let mut staged = self.idle_staging("load data")?;
        copy_into(&mut staged.data.x, x);
        copy_into(&mut staged.data.labels, labels);
        copy_into(&mut staged.data.values, values);
        self.shared.cancel.store(false, Ordering::Release);
        Ok(())
    }

    /// The staged buffers, when no run is in flight and the thread did not panic.
    fn idle_staging(&self, action: &str) -> Result<MutexGuard<'_, Staging<T>>> {
        if self.shared.busy.load(Ordering::Acquire) {
            return Err(state_error(&format!("cannot {action} while a run is in flight")));
        }
        if self.shared.panicked.load(Ordering::Acquire) {
            return Err(state_error(&format!("cannot {action}: the training thread panicked")));
        }
        // Not busy: the thread released the lock before clearing `busy`, so this does not block.
        self.shared.staging.lock().map_err(|_| state_error("the training thread panicked"))
    }

    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        params: &[T],
        grads: &[T],
        plan: &RunPlan,
        state: &[&[T]],
        scalars: &[f64],
        order: &[u32],
        batches: &BatchRange,
    ) -> Result<()> {
        let runs = self.runs.as_ref().ok_or_else(|| state_error("the job is closed"))?;
        let decoded = plan.decode(state.len()).map_err(to_js_error)?;
        let mut staged = self.idle_staging("start a run")?;
        let s = &mut *staged;
        copy_into(&mut s.params, params);
        copy_into(&mut s.grads, grads);
        s.state.resize_with(state.len(), Vec::new);
        for (target, source) in s.state.iter_mut().zip(state) {
            copy_into(target, source);
        }
        (s.rule, s.tensor_of, s.state_counts, s.scalar_counts) =
            (decoded.rule, decoded.tensor_of, decoded.state_counts, decoded.scalar_counts);
        copy_into(&mut s.scalars, scalars);
        copy_into(&mut s.order, order);
        (s.batch_size, s.first, s.count, s.check_non_finite) =
            (batches.batch_size as usize, batches.first as usize, batches.count as usize, batches.check_non_finite);
        drop(staged);
        self.shared.busy.store(true, Ordering::Release);
        runs.send(()).map_err(|_| {
            self.shared.busy.store(false, Ordering::Release);
            state_error("the training thread has stopped")
        })
    }

    fn collect(&self, params: &mut [T], grads: &mut [T], mut state: Vec<&mut [T]>) -> Result<()> {
        let staged = self.idle_staging("collect")?;
        let lengths_match = params.len() == staged.params.len()
            && grads.len() == staged.grads.len()
            && state.len() == staged.state.len()
            && state.iter().zip(&staged.state).all(|(a, b)| a.len() == b.len());
        if !lengths_match {
            return Err(to_js_error(CoreError::invalid("collect", "the buffers of the last run")));
        }
        params.copy_from_slice(&staged.params);
        grads.copy_from_slice(&staged.grads);
        for (target, source) in state.iter_mut().zip(&staged.state) {
            target.copy_from_slice(source);
        }
        Ok(())
    }
}

/// The thread's body: one run per message until the job is closed or a run panics.
fn serve<T: Element>(network: Network, shared: Arc<Shared<T>>, runs: Receiver<()>, report: Arc<Reporter>) {
    while runs.recv().is_ok() {
        let result = catch_unwind(AssertUnwindSafe(|| {
            if shared.panic_next.swap(false, Ordering::AcqRel) {
                panic!("debugPanicNextRun");
            }
            let mut staged = shared.staging.lock().map_err(|_| CoreError::invalid("staging", "an intact lock"))?;
            train_run(&network, &mut staged, &shared.cancel)
        }));
        let message = match result {
            Ok(outcome) => outcome.map_err(to_js_error),
            Err(payload) => {
                shared.panicked.store(true, Ordering::Release);
                Err(panic_error(payload))
            }
        };
        let stop = shared.panicked.load(Ordering::Acquire);
        shared.busy.store(false, Ordering::Release);
        // Unlimited queue: never blocks. Fails only while Node shuts down, when no one listens.
        report.call(message, ThreadsafeFunctionCallMode::NonBlocking);
        if stop {
            break;
        }
    }
}

/// Trains the staged run; a cancel takes effect before the next batch. The core checks every
/// argument before the first batch changes anything.
fn train_run<T: Element>(
    network: &Network,
    s: &mut Staging<T>,
    cancel: &AtomicBool,
) -> std::result::Result<RunReport, CoreError> {
    let data = &s.data;
    let mut tensors = s.state.iter_mut();
    let state = s.state_counts.iter().map(|&n| tensors.by_ref().take(n).map(Vec::as_mut_slice).collect()).collect();
    let plan =
        StepPlan { rule: s.rule, slots: &s.tensor_of, state, scalars: &s.scalars, scalar_counts: &s.scalar_counts };
    let batches = Batches {
        x: &data.x,
        targets: targets(network, &data.labels, &data.values),
        order: &s.order,
        batch_size: s.batch_size,
        first: s.first,
        count: s.count,
    };
    let outcome = train_epoch_until(network, &mut s.params, &mut s.grads, plan, batches, s.check_non_finite, cancel)?;
    Ok(RunReport {
        losses: outcome.losses,
        steps: outcome.steps as u32,
        non_finite: outcome.non_finite.map_or(-1, |i| i as i32),
        cancelled: outcome.stopped,
    })
}

macro_rules! job_class {
    ($class:ident, $t:ty, $slice:ident) => {
        /// A `fitAsync` training job over buffers of this element type, on its own thread, kept by a
        /// model from fit to fit; `onReport(error, report)` is called on Node's thread after each run.
        #[napi]
        pub struct $class(Job<$t>);

        #[napi]
        impl $class {
            #[napi(constructor)]
            pub fn new(network: Uint32ArraySlice, on_report: Reporter) -> Result<Self> {
                crate::errors::guarded(|| Job::start(&network, on_report).map(Self))
            }

            /// Copies a fit's `x` and targets (labels for softmax networks, values for identity
            /// ones) into the job, reusing the buffers of the last fit; clears a cancel.
            #[napi]
            pub fn load(&self, x: $slice, labels: Int32ArraySlice, values: $slice) -> Result<()> {
                crate::errors::guarded(|| self.0.load(&x, &labels, &values))
            }

            /// Keeps Node alive (true, while a run is in flight) or lets it exit (false).
            #[napi]
            pub fn hold(&self, env: Env, active: bool) -> Result<()> {
                crate::hold::hold(&self.0.report.handle, env, active, "the job's reports")
            }

            /// Copies the parameters, gradients and optimizer state in and starts training a range of
            /// batches on the job's thread; the arguments are those of `trainEpoch` (minus the data). One
            /// run at a time: the next may start once this one reported.
            #[napi]
            #[allow(clippy::too_many_arguments)]
            pub fn run(
                &self,
                params: $slice,
                grads: $slice,
                plan: RunPlan,
                state: Vec<$slice>,
                scalars: Float64ArraySlice,
                order: Uint32ArraySlice,
                batches: BatchRange,
            ) -> Result<()> {
                crate::errors::guarded(|| {
                    let state: Vec<&[$t]> = state.iter().map(|s| &**s).collect();
                    self.0.run(&params, &grads, &plan, &state, &scalars, &order, &batches)
                })
            }

            /// Copies the last run's parameters, gradients and state back into these buffers (the ones
            /// passed to `run`). Fails while a run is in flight or after the thread panicked.
            #[napi]
            pub fn collect(&self, mut params: $slice, mut grads: $slice, mut state: Vec<$slice>) -> Result<()> {
                crate::errors::guarded(|| {
                    let state = state.iter_mut().map(|s| unsafe { s.as_mut() }).collect();
                    self.0.collect(unsafe { params.as_mut() }, unsafe { grads.as_mut() }, state)
                })
            }

            /// Makes the run in flight stop before its next batch (and every later run before its first).
            #[napi]
            pub fn cancel(&self) {
                self.0.shared.cancel.store(true, Ordering::Release);
            }

            /// For tests: the next run panics on the job's thread, to prove such a panic is reported as an
            /// error (`DESCENT_PANIC`) instead of aborting Node.
            #[napi]
            pub fn debug_panic_next_run(&self) {
                self.0.shared.panic_next.store(true, Ordering::Release);
            }

            /// Ends the job: its thread exits once the run in flight, if any, has reported.
            #[napi]
            pub fn close(&mut self) {
                self.0.runs = None;
            }
        }
    };
}

job_class!(TrainingJobF32, f32, Float32ArraySlice);
job_class!(TrainingJobF64, f64, Float64ArraySlice);

#[cfg(test)]
mod tests {
    use super::*;
    use descent_core::nn::loss::Targets;
    use descent_core::nn::train::train_epoch;
    use descent_core::random::Rng;
    use descent_core::rule_index;

    /// A [3 → 4 → 2] softmax net over 10 rows, staged for SGD with momentum (one state tensor
    /// per parameter) over batches of 4, and the same run as one `train_epoch` call.
    fn setup() -> (Network, Staging<f64>) {
        let network = Network::decode(&[3, 3, 4, 2, 1, 0]).unwrap();
        let mut rng = Rng::new(3);
        let x = (0..30).map(|_| rng.uniform_f64() * 2.0 - 1.0).collect();
        let params: Vec<f64> = (0..network.parameter_count()).map(|_| rng.uniform_f64() - 0.5).collect();
        let state = network.parameter_ranges().iter().map(|r| vec![0.0; r.len()]).collect();
        // SGD's scalars: maximize, weight decay, momentum, 1 − dampening, nesterov, lr, first step.
        let scalars = (0..3).flat_map(|k| (0..4).flat_map(move |_| [0.0, 0.0, 0.9, 1.0, 0.0, 0.1, f64::from(k == 0)]));
        let data = Data { x, labels: (0..10).map(|i| i % 2).collect(), values: vec![] };
        let staging = Staging {
            data,
            grads: vec![0.0; params.len()],
            params,
            state,
            rule: rule_index("sgd").unwrap(),
            tensor_of: vec![0, 1, 2, 3],
            state_counts: vec![1; 4],
            scalar_counts: vec![7; 4],
            scalars: scalars.collect(),
            order: (0..10).rev().collect(),
            batch_size: 4,
            first: 0,
            count: 3,
            check_non_finite: true,
        };
        (network, staging)
    }

    #[test]
    fn a_run_equals_one_train_epoch_call() {
        let (network, mut staged) = setup();
        let (_, mut expected) = setup();
        let report = train_run(&network, &mut staged, &AtomicBool::new(false)).unwrap();
        let e = &mut expected;
        let plan = StepPlan {
            rule: e.rule,
            slots: &e.tensor_of,
            state: e.state.iter_mut().map(|s| vec![s.as_mut_slice()]).collect(),
            scalars: &e.scalars,
            scalar_counts: &e.scalar_counts,
        };
        let batches = Batches {
            x: &e.data.x,
            targets: Targets::Labels(&e.data.labels),
            order: &e.order,
            batch_size: 4,
            first: 0,
            count: 3,
        };
        let outcome = train_epoch(&network, &mut e.params, &mut e.grads, plan, batches, true).unwrap();
        assert_eq!((report.losses, report.steps, report.non_finite, report.cancelled), (outcome.losses, 3, -1, false));
        assert_eq!((staged.params, staged.grads, staged.state), (expected.params, expected.grads, expected.state));
    }

    #[test]
    fn a_cancelled_run_stops_before_its_next_batch() {
        let (network, mut staged) = setup();
        let before = staged.params.clone();
        let report = train_run(&network, &mut staged, &AtomicBool::new(true)).unwrap();
        assert_eq!((report.steps, report.cancelled, report.losses.len()), (0, true, 0));
        assert_eq!(staged.params, before);
    }

    /// Makes a staged run invalid.
    type Spoil = fn(&mut Staging<f64>);

    #[test]
    fn bad_runs_fail_before_any_batch() {
        let cases: [(&str, Spoil); 3] = [
            ("scalars", |s| s.scalars.truncate(10)),
            ("batches", |s| s.first = 1),
            ("slots", |s| s.tensor_of = vec![0, 1, 2, 2]),
        ];
        for (what, spoil) in cases {
            let (network, mut staged) = setup();
            spoil(&mut staged);
            let before = staged.params.clone();
            let error = train_run(&network, &mut staged, &AtomicBool::new(false)).unwrap_err();
            assert!(error.to_string().starts_with(what), "{error}");
            assert_eq!(staged.params, before);
        }
    }
}
