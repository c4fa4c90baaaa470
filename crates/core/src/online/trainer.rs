//! The persistent online trainer behind `Trainer` in TypeScript: a model's parameters,
//! gradients and optimizer state owned by one long-lived training thread for as long as the
//! trainer is open, fed batches that were copied in once and checked on an intake thread.
//!
//! The per-step scalars stay planned in TypeScript (as for `fit`): a batch is *submitted*
//! (the intake thread parses and checks it and reports its rows), then *enqueued* with the
//! scalars of its steps, then trained in order. Between batches nothing crosses into
//! JavaScript; a non-finite gradient pauses the thread until TypeScript has re-planned what
//! follows (`resume`). After each batch the thread publishes a copy of the weights, which
//! predictions read without ever waiting for a step (read-copy-update: a reader clones an
//! `Arc`, the writer swaps one in).

use super::body::{parse, Body, BodyError, Parsed};
use crate::error::CoreError;
use crate::nn::loss::Targets;
use crate::nn::mlp::{self, Network};
use crate::nn::train::{train_epoch_until, Batches, StepPlan};
use crate::nn::Element;
use crate::real::lerp;
use std::collections::{HashMap, VecDeque};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// What the trainer tells its owner, in order, from its threads.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Submission `id` was checked: it has `rows` rows and waits for `enqueue`.
    Accepted { id: u64, rows: usize },
    /// Submission `id` was refused; nothing of it reached the model.
    Refused { id: u64, error: BodyError },
    /// Batch `id` ran `steps` of its planned steps. With `non_finite`, the step after those
    /// found NaN/±∞ in that parameter's gradient: the batch stopped before it and the trainer
    /// is paused until `resume`.
    Trained { id: u64, losses: Vec<f64>, steps: usize, non_finite: Option<usize> },
    /// Marker `id` was reached: `take_capture` holds the state after every batch before it.
    Reached { id: u64 },
    /// The training thread failed (a panic, or an error no check foresaw); it has stopped and
    /// the state it held is lost. `id`: the batch it was training.
    Failed { id: Option<u64>, message: String },
}

/// Receives the events (from the trainer's threads).
pub type Reporter = Arc<dyn Fn(Event) + Send + Sync>;

/// How the optimizer's state lines up with the network's tensors (as in `StepPlan`).
#[derive(Debug, Clone)]
pub struct RuleLayout {
    /// The rule's registry index.
    pub rule: usize,
    /// For each optimizer parameter, the network tensor it is.
    pub slots: Vec<usize>,
    /// State tensors of each optimizer parameter.
    pub state_counts: Vec<usize>,
    /// Per-step scalars of each optimizer parameter.
    pub scalar_counts: Vec<usize>,
}

/// Everything a trainer starts from; the buffers are moved in and owned by its thread.
pub struct Setup<T> {
    pub network: Network,
    pub params: Vec<T>,
    pub grads: Vec<T>,
    /// Every optimizer parameter's state tensors, in order (`layout.state_counts`).
    pub state: Vec<Vec<T>>,
    pub layout: RuleLayout,
    /// Rows per optimizer step; a body's last step takes the rows left.
    pub batch_size: usize,
    /// Stop (and pause) before a step whose gradients hold NaN/±∞.
    pub check_non_finite: bool,
    /// Threads of the trainer's own rayon pool.
    pub threads: usize,
    /// Run the trainer's threads at a lower OS priority, so that the thread that owns the
    /// trainer (Node's event loop, answering predictions) gets a core first when they compete.
    pub background: bool,
    /// Where predictions read another point than the trained weights (empty: the weights).
    pub eval_point: Vec<EvalLerp>,
}

/// Published weights `params[offset..offset + len]` become lerp(weights, state[state_index],
/// weight): Schedule-Free's average x = lerp(y, z, 1 − 1/β) from the trained point y and the
/// base sequence z, as the optimizer's `eval()` computes it (weight rounded to T once).
#[derive(Clone, Debug)]
pub struct EvalLerp {
    pub offset: usize,
    pub len: usize,
    pub state_index: usize,
    pub weight: f64,
}

fn check_eval_point<T>(lerps: &[EvalLerp], params: &[T], state: &[Vec<T>]) -> Result<(), CoreError> {
    for (i, l) in lerps.iter().enumerate() {
        let fits = l.offset.checked_add(l.len).is_some_and(|end| end <= params.len());
        if !fits || state.get(l.state_index).map(Vec::len) != Some(l.len) || !l.weight.is_finite() {
            return Err(CoreError::invalid(
                format!("evalPoint[{i}]"),
                "a range of the parameters, a state tensor of its length and a finite weight",
            ));
        }
    }
    Ok(())
}

/// Turns a copy of the trained weights into the point predictions read.
fn to_eval_point<T: Element>(weights: &mut [T], state: &[Vec<T>], lerps: &[EvalLerp]) {
    for l in lerps {
        let w = T::of(l.weight);
        for (v, &z) in weights[l.offset..l.offset + l.len].iter_mut().zip(&state[l.state_index]) {
            *v = lerp(*v, z, w);
        }
    }
}

/// The weights predictions read: a copy made after a batch.
#[derive(Debug)]
pub struct Snapshot<T> {
    pub params: Vec<T>,
    /// Optimizer steps applied when it was taken.
    pub steps: u64,
}

/// The state the training thread owns (locked by it for the length of a batch).
struct Owned<T> {
    params: Vec<T>,
    grads: Vec<T>,
    state: Vec<Vec<T>>,
    /// Id of the last batch or marker finished.
    last_done: Option<u64>,
    steps: u64,
}

/// A batch planned and waiting to train, from its `first` step on.
struct Planned<T> {
    id: u64,
    batch: Parsed<T>,
    first: usize,
    scalars: Vec<f64>,
}

enum Item<T> {
    Batch(Planned<T>),
    Marker(u64),
}

#[derive(Default)]
struct Queue<T> {
    /// Checked submissions waiting for their scalars.
    accepted: HashMap<u64, Parsed<T>>,
    ready: VecDeque<Item<T>>,
    /// The batch that met a non-finite gradient, kept for `resume`.
    held: Option<Planned<T>>,
    paused: bool,
    closed: bool,
    failed: bool,
}

struct Shared<T> {
    network: Network,
    layout: RuleLayout,
    eval_point: Vec<EvalLerp>,
    batch_size: usize,
    check_non_finite: bool,
    owned: Mutex<Owned<T>>,
    queue: Mutex<Queue<T>>,
    wake: Condvar,
    published: Mutex<Arc<Snapshot<T>>>,
    /// The state copied at the last marker.
    capture: Mutex<Option<Owned<T>>>,
    panic_next: AtomicBool,
}

/// A running trainer. Dropping it (or `close`) lets its threads end once the queue is empty.
pub struct OnlineTrainer<T> {
    shared: Arc<Shared<T>>,
    intake: Option<Sender<(u64, Body<T>)>>,
}

fn lock<G>(m: &Mutex<G>) -> MutexGuard<'_, G> {
    // A panic on the training thread is caught and reported; the data behind a poisoned lock
    // is still what it was (the failing batch is abandoned), so carry on with it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn closed_error() -> CoreError {
    CoreError::invalid("trainer", "an open trainer (this one is closed or failed)")
}

impl<T: Element + Default> OnlineTrainer<T> {
    /// Checks the setup and starts the intake and training threads.
    pub fn start(setup: Setup<T>, report: Reporter) -> Result<Self, CoreError> {
        let Setup {
            network,
            params,
            grads,
            state,
            layout,
            batch_size,
            check_non_finite,
            threads,
            background,
            eval_point,
        } = setup;
        network.check_parameters("params", &params)?;
        network.check_parameters("grads", &grads)?;
        check_layout(&network, &layout, &state)?;
        check_eval_point(&eval_point, &params, &state)?;
        if batch_size == 0 {
            return Err(CoreError::invalid("batchSize", "at least 1"));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("descent-trainer-{i}"))
            .start_handler(move |_| lower_priority(background))
            .build()
            .map_err(|e| CoreError::invalid("threads", format!("a pool that starts ({e})")))?;
        let mut first = params.clone();
        to_eval_point(&mut first, &state, &eval_point);
        let published = Arc::new(Snapshot { params: first, steps: 0 });
        let shared = Arc::new(Shared {
            network,
            layout,
            eval_point,
            batch_size,
            check_non_finite,
            owned: Mutex::new(Owned { params, grads, state, last_done: None, steps: 0 }),
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            published: Mutex::new(published),
            capture: Mutex::new(None),
            panic_next: AtomicBool::new(false),
        });
        let (intake, received) = channel();
        let spawn = |name: &str| std::thread::Builder::new().name(name.into());
        let (s, r) = (Arc::clone(&shared), Arc::clone(&report));
        spawn("descent-intake")
            .spawn(move || {
                lower_priority(background);
                run_intake(&s, received, &r)
            })
            .map_err(|e| CoreError::invalid("threads", format!("an intake thread ({e})")))?;
        let s = Arc::clone(&shared);
        spawn("descent-trainer")
            .spawn(move || {
                lower_priority(background);
                pool.install(|| run_training(&s, &report))
            })
            .map_err(|e| CoreError::invalid("threads", format!("a training thread ({e})")))?;
        Ok(OnlineTrainer { shared, intake: Some(intake) })
    }

    /// Hands a body to the intake thread, which reports `Accepted` or `Refused` for `id`.
    pub fn submit(&self, id: u64, body: Body<T>) -> Result<(), CoreError> {
        let intake = self.intake.as_ref().ok_or_else(closed_error)?;
        intake.send((id, body)).map_err(|_| closed_error())
    }

    /// Queues accepted submission `id` for training with the scalars of all its steps.
    pub fn enqueue(&self, id: u64, scalars: Vec<f64>) -> Result<(), CoreError> {
        let mut queue = lock(&self.shared.queue);
        if queue.closed || queue.failed {
            return Err(closed_error());
        }
        let batch = queue
            .accepted
            .remove(&id)
            .ok_or_else(|| CoreError::invalid("id", format!("an accepted submission, got {id}")))?;
        if let Err(error) = self.shared.check_scalars(batch.rows, 0, scalars.len()) {
            queue.accepted.insert(id, batch);
            return Err(error);
        }
        queue.ready.push_back(Item::Batch(Planned { id, batch, first: 0, scalars }));
        self.shared.wake.notify_all();
        Ok(())
    }

    /// Queues a marker: when the thread reaches it, it copies its state for `take_capture`
    /// and reports `Reached`.
    pub fn enqueue_marker(&self, id: u64) -> Result<(), CoreError> {
        let mut queue = lock(&self.shared.queue);
        if queue.closed || queue.failed {
            return Err(closed_error());
        }
        queue.ready.push_back(Item::Marker(id));
        self.shared.wake.notify_all();
        Ok(())
    }

    /// Ends a pause: the held batch goes on from step `held.0` with scalars `held.1` (or is
    /// dropped when `None`), and each waiting batch listed gets new scalars. Everything is
    /// checked first: on error nothing changes and the trainer stays paused.
    pub fn resume(&self, held: Option<(usize, Vec<f64>)>, replanned: Vec<(u64, Vec<f64>)>) -> Result<(), CoreError> {
        let mut guard = lock(&self.shared.queue);
        let queue = &mut *guard;
        if !queue.paused {
            return Err(CoreError::invalid("resume", "a paused trainer"));
        }
        let mut by_id: HashMap<u64, Vec<f64>> = replanned.into_iter().collect();
        let fits = |planned: &Planned<T>, first: usize, scalars: &[f64]| {
            self.shared.check_scalars(planned.batch.rows, first, scalars.len())
        };
        if let (Some(planned), Some((first, scalars))) = (&queue.held, &held) {
            fits(planned, *first, scalars)?;
        }
        let mut listed = 0;
        for item in &queue.ready {
            if let Item::Batch(planned) = item {
                if let Some(scalars) = by_id.get(&planned.id) {
                    fits(planned, planned.first, scalars)?;
                    listed += 1;
                }
            }
        }
        if listed != by_id.len() {
            return Err(CoreError::invalid("replanned", "ids of waiting batches only"));
        }
        for item in queue.ready.iter_mut() {
            if let Item::Batch(planned) = item {
                if let Some(scalars) = by_id.remove(&planned.id) {
                    planned.scalars = scalars;
                }
            }
        }
        if let (Some(mut planned), Some((first, scalars))) = (queue.held.take(), held) {
            (planned.first, planned.scalars) = (first, scalars);
            queue.ready.push_front(Item::Batch(planned));
        }
        queue.paused = false;
        self.shared.wake.notify_all();
        Ok(())
    }

    /// Removes every batch and marker not yet started (and accepted submissions not yet
    /// queued), except submission or batch `keep`; returns their ids, queued ones first in
    /// queue order.
    pub fn discard_waiting(&self, keep: Option<u64>) -> Vec<u64> {
        let mut queue = lock(&self.shared.queue);
        let id_of = |item: &Item<T>| match item {
            Item::Batch(planned) => planned.id,
            Item::Marker(id) => *id,
        };
        let (kept, dropped): (VecDeque<Item<T>>, VecDeque<Item<T>>) =
            queue.ready.drain(..).partition(|item| matches!(item, Item::Batch(p) if Some(p.id) == keep));
        queue.ready = kept;
        let mut ids: Vec<u64> = dropped.iter().map(id_of).collect();
        let mut accepted: Vec<u64> = queue.accepted.keys().copied().filter(|&id| Some(id) != keep).collect();
        accepted.sort_unstable();
        for id in &accepted {
            queue.accepted.remove(id);
        }
        ids.extend(accepted);
        ids
    }

    /// Copies the state captured at the last marker into these buffers.
    pub fn take_capture(&self, params: &mut [T], grads: &mut [T], state: &mut [&mut [T]]) -> Result<(), CoreError> {
        let capture = lock(&self.shared.capture);
        let owned = capture.as_ref().ok_or_else(|| CoreError::invalid("capture", "a marker reached first"))?;
        copy_state(owned, params, grads, state)
    }

    /// Copies the state as it is between two batches into these buffers, waiting for the
    /// batch in flight (if any) to finish; returns the id of the last batch or marker done.
    pub fn capture_now(
        &self,
        params: &mut [T],
        grads: &mut [T],
        state: &mut [&mut [T]],
    ) -> Result<Option<u64>, CoreError> {
        if lock(&self.shared.queue).failed {
            return Err(closed_error());
        }
        let owned = lock(&self.shared.owned);
        copy_state(&owned, params, grads, state)?;
        Ok(owned.last_done)
    }

    /// The weights of the latest published snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot<T>> {
        Arc::clone(&lock(&self.shared.published))
    }

    /// The network's outputs for `x` from `snapshot`'s weights.
    pub fn predict_with(&self, snapshot: &Snapshot<T>, x: &[T]) -> Result<Vec<T>, CoreError> {
        mlp::predict(&self.shared.network, &snapshot.params, x)
    }

    /// The network it trains.
    pub fn network(&self) -> &Network {
        &self.shared.network
    }

    /// Loss and hits over `x` from the latest published weights.
    pub fn evaluate(&self, x: &[T], targets: Targets<'_, T>) -> Result<mlp::Evaluation, CoreError> {
        mlp::evaluate(&self.shared.network, &self.snapshot().params, x, targets)
    }

    /// Lets the threads end once the queue is empty; later calls fail.
    pub fn close(&mut self) {
        self.intake = None;
        lock(&self.shared.queue).closed = true;
        self.shared.wake.notify_all();
    }

    /// For tests: the next batch panics on the training thread.
    pub fn debug_panic_next(&self) {
        self.shared.panic_next.store(true, Ordering::Release);
    }
}

impl<T> Drop for OnlineTrainer<T> {
    fn drop(&mut self) {
        self.intake = None;
        lock(&self.shared.queue).closed = true;
        self.shared.wake.notify_all();
    }
}

fn check_layout<T>(network: &Network, layout: &RuleLayout, state: &[Vec<T>]) -> Result<(), CoreError> {
    let tensors = network.parameter_ranges();
    let n = tensors.len();
    let mut seen = vec![false; n];
    for &t in &layout.slots {
        if t >= n || std::mem::replace(&mut seen[t], true) {
            return Err(CoreError::invalid("slots", format!("each of the network's {n} tensors exactly once")));
        }
    }
    if layout.slots.len() != n || layout.state_counts.len() != n || layout.scalar_counts.len() != n {
        return Err(CoreError::invalid("layout", format!("{n} parameters with state and scalar counts")));
    }
    if layout.state_counts.iter().sum::<usize>() != state.len() {
        return Err(CoreError::invalid("state", "as many tensors as the state counts say"));
    }
    crate::rules::RULE_NAMES.get(layout.rule).ok_or_else(|| CoreError::UnknownRule(layout.rule.to_string()))?;
    Ok(())
}

fn copy_state<T: Copy>(
    owned: &Owned<T>,
    params: &mut [T],
    grads: &mut [T],
    state: &mut [&mut [T]],
) -> Result<(), CoreError> {
    let fits = params.len() == owned.params.len()
        && grads.len() == owned.grads.len()
        && state.len() == owned.state.len()
        && state.iter().zip(&owned.state).all(|(a, b)| a.len() == b.len());
    if !fits {
        return Err(CoreError::invalid("buffers", "the trainer's parameter, gradient and state sizes"));
    }
    params.copy_from_slice(&owned.params);
    grads.copy_from_slice(&owned.grads);
    for (target, source) in state.iter_mut().zip(&owned.state) {
        target.copy_from_slice(source);
    }
    Ok(())
}

impl<T> Shared<T> {
    fn stride(&self) -> usize {
        self.layout.scalar_counts.iter().sum()
    }

    /// Scalars for a body of `rows` must cover its steps from `first` on.
    fn check_scalars(&self, rows: usize, first: usize, given: usize) -> Result<(), CoreError> {
        let steps = rows.div_ceil(self.batch_size);
        let expected = steps.saturating_sub(first) * self.stride();
        if first >= steps || given != expected {
            return Err(CoreError::invalid(
                "scalars",
                format!("{expected} values for steps {first}..{steps}, got {given}"),
            ));
        }
        Ok(())
    }
}

fn run_intake<T: Element>(shared: &Shared<T>, received: Receiver<(u64, Body<T>)>, report: &Reporter) {
    while let Ok((id, body)) = received.recv() {
        let parsed = catch_unwind(AssertUnwindSafe(|| parse(&shared.network, body)));
        match parsed {
            Ok(Ok(batch)) => {
                let rows = batch.rows;
                lock(&shared.queue).accepted.insert(id, batch);
                report(Event::Accepted { id, rows });
            }
            Ok(Err(error)) => report(Event::Refused { id, error }),
            Err(_) => report(Event::Refused {
                id,
                error: BodyError { kind: super::body::ErrorKind::Range, message: "body: could not be parsed".into() },
            }),
        }
    }
}

/// The training thread: items in order until closed (and drained) or failed.
fn run_training<T: Element + Default>(shared: &Shared<T>, report: &Reporter) {
    let mut order: Vec<u32> = Vec::new();
    let mut spare: Option<Arc<Snapshot<T>>> = None;
    loop {
        let item = {
            let mut queue = lock(&shared.queue);
            loop {
                if !queue.paused {
                    if let Some(item) = queue.ready.pop_front() {
                        break item;
                    }
                }
                if queue.closed {
                    return;
                }
                queue = shared.wake.wait(queue).unwrap_or_else(PoisonError::into_inner);
            }
        };
        match item {
            Item::Marker(id) => {
                let mut owned = lock(&shared.owned);
                owned.last_done = Some(id);
                let copy = Owned {
                    params: owned.params.clone(),
                    grads: owned.grads.clone(),
                    state: owned.state.clone(),
                    last_done: owned.last_done,
                    steps: owned.steps,
                };
                drop(owned);
                *lock(&shared.capture) = Some(copy);
                report(Event::Reached { id });
            }
            Item::Batch(planned) => {
                let id = planned.id;
                let result = catch_unwind(AssertUnwindSafe(|| {
                    if shared.panic_next.swap(false, Ordering::AcqRel) {
                        panic!("debugPanicNextBatch");
                    }
                    train_batch(shared, &planned, &mut order)
                }));
                let failure = match result {
                    Ok(Ok(event)) => {
                        if let Event::Trained { non_finite: Some(_), .. } = event {
                            let mut queue = lock(&shared.queue);
                            queue.paused = true;
                            queue.held = Some(planned);
                        }
                        publish(shared, &mut spare);
                        report(event);
                        None
                    }
                    Ok(Err(error)) => Some(error.to_string()),
                    Err(payload) => Some(panic_message(&*payload)),
                };
                if let Some(message) = failure {
                    lock(&shared.queue).failed = true;
                    report(Event::Failed { id: Some(id), message });
                    return;
                }
            }
        }
    }
}

/// Trains one planned batch under the state lock; the event reports what it did.
fn train_batch<T: Element>(shared: &Shared<T>, planned: &Planned<T>, order: &mut Vec<u32>) -> Result<Event, CoreError> {
    let batch = &planned.batch;
    if order.len() < batch.rows {
        order.extend(order.len() as u32..batch.rows as u32);
    }
    let mut guard = lock(&shared.owned);
    let owned = &mut *guard;
    let layout = &shared.layout;
    let mut tensors = owned.state.iter_mut();
    let state =
        layout.state_counts.iter().map(|&n| tensors.by_ref().take(n).map(Vec::as_mut_slice).collect()).collect();
    let plan = StepPlan {
        rule: layout.rule,
        slots: &layout.slots,
        state,
        scalars: &planned.scalars,
        scalar_counts: &layout.scalar_counts,
    };
    let targets = match shared.network.output() {
        crate::nn::loss::Output::Softmax => Targets::Labels(&batch.labels[..]),
        crate::nn::loss::Output::Identity => Targets::Values(&batch.values[..]),
    };
    let count = planned.scalars.len() / shared.stride().max(1);
    let batches = Batches {
        x: &batch.x,
        targets,
        order: &order[..batch.rows],
        batch_size: shared.batch_size,
        first: planned.first,
        count,
    };
    let never = AtomicBool::new(false);
    let outcome = train_epoch_until(
        &shared.network,
        &mut owned.params,
        &mut owned.grads,
        plan,
        batches,
        shared.check_non_finite,
        &never,
    )?;
    owned.steps += outcome.steps as u64;
    if outcome.non_finite.is_none() {
        owned.last_done = Some(planned.id);
    }
    Ok(Event::Trained { id: planned.id, losses: outcome.losses, steps: outcome.steps, non_finite: outcome.non_finite })
}

/// Publishes a copy of the weights, reusing the previous spare copy when no reader holds it.
fn publish<T: Element>(shared: &Shared<T>, spare: &mut Option<Arc<Snapshot<T>>>) {
    let owned = lock(&shared.owned);
    let mut next = match spare.take() {
        Some(arc) if Arc::strong_count(&arc) == 1 => arc,
        _ => Arc::new(Snapshot { params: Vec::with_capacity(owned.params.len()), steps: 0 }),
    };
    let snapshot = Arc::get_mut(&mut next).expect("a fresh or unshared snapshot");
    snapshot.params.clear();
    snapshot.params.extend_from_slice(&owned.params);
    to_eval_point(&mut snapshot.params, &owned.state, &shared.eval_point);
    snapshot.steps = owned.steps;
    drop(owned);
    let old = std::mem::replace(&mut *lock(&shared.published), next);
    *spare = Some(old);
}

/// Niceness of background trainer threads: CFS then gives a nice-0 thread about nine times
/// their share of a contended core, while an idle core is still theirs.
#[cfg(target_os = "linux")]
const BACKGROUND_NICENESS: libc::c_int = 10;

/// Lowers the calling thread's priority when `background` (Linux: per-thread niceness; elsewhere
/// nothing). Failing to is harmless: the thread just competes as an equal.
fn lower_priority(background: bool) {
    #[cfg(target_os = "linux")]
    if background {
        // SAFETY: plain syscalls on the calling thread's id; no memory is shared.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, BACKGROUND_NICENESS);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = background;
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    format!("the training thread panicked: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::activation::Activation;
    use crate::nn::loss::Output;
    use crate::nn::train::train_epoch;
    use crate::random::Rng;
    use crate::rule_index;
    use std::sync::mpsc::{sync_channel, Receiver};
    use std::time::Duration;

    /// SGD with momentum on a [3 → 4 → 2] softmax net: one state tensor and 7 scalars per parameter.
    const SCALARS: usize = 7;

    fn network() -> Network {
        Network::new(vec![3, 4, 2], Activation::Tanh, Output::Softmax).unwrap()
    }

    fn sgd_scalars(steps: usize, first_step: bool) -> Vec<f64> {
        (0..steps)
            .flat_map(|k| (0..4).flat_map(move |_| [0.0, 0.0, 0.9, 1.0, 0.0, 0.1, f64::from(first_step && k == 0)]))
            .collect()
    }

    fn setup(batch_size: usize) -> Setup<f64> {
        setup_for(network(), batch_size)
    }

    fn setup_for(network: Network, batch_size: usize) -> Setup<f64> {
        let mut rng = Rng::new(7);
        let params: Vec<f64> = (0..network.parameter_count()).map(|_| rng.uniform_f64() - 0.5).collect();
        let state = network.parameter_ranges().iter().map(|r| vec![0.0; r.len()]).collect();
        Setup {
            grads: vec![0.0; params.len()],
            params,
            state,
            layout: RuleLayout {
                rule: rule_index("sgd").unwrap(),
                slots: vec![0, 1, 2, 3],
                state_counts: vec![1; 4],
                scalar_counts: vec![SCALARS; 4],
            },
            network,
            batch_size,
            check_non_finite: true,
            threads: 2,
            background: true,
            eval_point: Vec::new(),
        }
    }

    fn body(rows: usize, seed: u32) -> (Vec<f64>, Vec<i32>) {
        let mut rng = Rng::new(seed);
        ((0..rows * 3).map(|_| rng.uniform_f64() * 2.0 - 1.0).collect(), (0..rows as i32).map(|i| i % 2).collect())
    }

    fn started(batch_size: usize) -> (OnlineTrainer<f64>, Receiver<Event>) {
        started_with(setup(batch_size))
    }

    fn started_with(setup: Setup<f64>) -> (OnlineTrainer<f64>, Receiver<Event>) {
        let (send, events) = sync_channel(64);
        let send = Mutex::new(send);
        let trainer = OnlineTrainer::start(setup, Arc::new(move |e| lock(&send).send(e).unwrap())).unwrap();
        (trainer, events)
    }

    fn next(events: &Receiver<Event>) -> Event {
        events.recv_timeout(Duration::from_secs(10)).expect("an event")
    }

    fn capture(trainer: &OnlineTrainer<f64>) -> (Vec<f64>, Vec<f64>, Vec<Vec<f64>>) {
        let s = setup(1);
        let (mut p, mut g, mut st) = (s.params, s.grads, s.state);
        let mut views: Vec<&mut [f64]> = st.iter_mut().map(Vec::as_mut_slice).collect();
        trainer.capture_now(&mut p, &mut g, &mut views).unwrap();
        (p, g, st)
    }

    #[test]
    fn predictions_read_the_eval_point_while_training_keeps_the_weights() {
        let mut s = setup(4);
        let range = s.network.parameter_ranges()[0].clone();
        s.state[0] = vec![1.0; range.len()];
        let trained = s.params.clone();
        s.eval_point = vec![EvalLerp { offset: range.start, len: range.len(), state_index: 0, weight: 0.25 }];
        let (trainer, _events) = started_with(s);
        let published = trainer.snapshot();
        for (i, (&p, &t)) in published.params.iter().zip(&trained).enumerate() {
            let want = if range.contains(&i) { lerp(t, 1.0, 0.25) } else { t };
            assert_eq!(p.to_bits(), want.to_bits(), "element {i}");
        }
        let (weights, _, _) = capture(&trainer);
        assert_eq!(weights, trained, "the trained weights are not moved");

        let mut bad = setup(4);
        bad.eval_point = vec![EvalLerp { offset: 0, len: 3, state_index: 0, weight: 0.5 }];
        let error = OnlineTrainer::start(bad, Arc::new(|_| {})).err().expect("a state tensor of another length");
        assert!(error.to_string().contains("evalPoint[0]"), "{error}");
    }

    #[test]
    fn batches_train_in_order_as_one_train_epoch_per_body() {
        let (trainer, events) = started(4);
        let bodies = [body(10, 1), body(8, 2)];
        for (id, (x, y)) in bodies.iter().enumerate() {
            trainer.submit(id as u64, Body::Tensors { x: x.clone(), labels: y.clone(), values: vec![] }).unwrap();
        }
        // Both are checked before either is queued, so the events cannot interleave with training.
        for (id, (x, _)) in bodies.iter().enumerate() {
            assert_eq!(next(&events), Event::Accepted { id: id as u64, rows: x.len() / 3 });
        }
        for (id, (x, _)) in bodies.iter().enumerate() {
            trainer.enqueue(id as u64, sgd_scalars((x.len() / 3).div_ceil(4), id == 0)).unwrap();
        }
        let losses: Vec<Vec<f64>> = (0..2)
            .map(|_| match next(&events) {
                Event::Trained { losses, non_finite: None, .. } => losses,
                other => panic!("{other:?}"),
            })
            .collect();

        let mut s = setup(4);
        let identity: Vec<u32> = (0..10).collect();
        for (k, (x, y)) in bodies.iter().enumerate() {
            let rows = x.len() / 3;
            let state = s.state.iter_mut().map(|t| vec![t.as_mut_slice()]).collect();
            let scalars = sgd_scalars(rows.div_ceil(4), k == 0);
            let plan = StepPlan {
                rule: s.layout.rule,
                slots: &s.layout.slots,
                state,
                scalars: &scalars,
                scalar_counts: &s.layout.scalar_counts,
            };
            let batches = Batches {
                x,
                targets: Targets::Labels(y),
                order: &identity[..rows],
                batch_size: 4,
                first: 0,
                count: rows.div_ceil(4),
            };
            let outcome = train_epoch(&s.network, &mut s.params, &mut s.grads, plan, batches, true).unwrap();
            assert_eq!(outcome.losses, losses[k]);
        }
        assert_eq!(capture(&trainer), (s.params.clone(), s.grads, s.state));
        assert_eq!(trainer.snapshot().params, s.params);
        assert_eq!(trainer.snapshot().steps, 5);
    }

    #[test]
    fn a_non_finite_gradient_pauses_until_resumed() {
        // Mean squared error against 1e308 overflows the gradient (2·(ŷ − y)) to −∞.
        let network = Network::new(vec![3, 4, 1], Activation::Tanh, Output::Identity).unwrap();
        let (trainer, events) = started_with(setup_for(network, 2));
        let (x, _) = body(6, 3);
        let mut bad = vec![0.5; 6];
        bad[2] = 1e308; // the second step's rows
        let mut nan = x.clone();
        nan[7] = f64::NAN;
        trainer.submit(0, Body::Tensors { x: nan, labels: vec![], values: vec![0.5; 6] }).unwrap();
        assert!(matches!(next(&events), Event::Refused { id: 0, .. }), "a NaN input is refused at intake");
        trainer.submit(1, Body::Tensors { x: x.clone(), labels: vec![], values: bad }).unwrap();
        trainer.submit(2, Body::Tensors { x, labels: vec![], values: vec![0.5; 6] }).unwrap();
        assert_eq!(next(&events), Event::Accepted { id: 1, rows: 6 });
        assert_eq!(next(&events), Event::Accepted { id: 2, rows: 6 });
        trainer.enqueue(1, sgd_scalars(3, true)).unwrap();
        trainer.enqueue(2, sgd_scalars(3, false)).unwrap();
        match next(&events) {
            Event::Trained { id: 1, steps: 1, non_finite: Some(_), losses } => assert_eq!(losses.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(events.recv_timeout(Duration::from_millis(100)).is_err(), "paused: batch 2 waits");
        assert!(trainer.resume(Some((2, vec![0.0; 3])), vec![]).is_err(), "scalars must fit the steps left");
        trainer.resume(Some((2, sgd_scalars(1, false))), vec![(2, sgd_scalars(3, false))]).unwrap();
        assert!(matches!(next(&events), Event::Trained { id: 1, steps: 1, non_finite: None, .. }));
        assert!(matches!(next(&events), Event::Trained { id: 2, steps: 3, non_finite: None, .. }));
    }

    #[test]
    fn markers_capture_the_state_between_batches() {
        let (trainer, events) = started(4);
        let (x, y) = body(4, 5);
        trainer.submit(0, Body::Tensors { x, labels: y, values: vec![] }).unwrap();
        assert!(matches!(next(&events), Event::Accepted { .. }));
        trainer.enqueue(0, sgd_scalars(1, true)).unwrap();
        trainer.enqueue_marker(1).unwrap();
        assert!(matches!(next(&events), Event::Trained { id: 0, .. }));
        assert_eq!(next(&events), Event::Reached { id: 1 });
        let s = setup(1);
        let (mut p, mut g, mut st) = (s.params.clone(), s.grads, s.state);
        let mut views: Vec<&mut [f64]> = st.iter_mut().map(Vec::as_mut_slice).collect();
        trainer.take_capture(&mut p, &mut g, &mut views).unwrap();
        assert_ne!(p, s.params);
        assert_eq!(p, capture(&trainer).0);
    }

    #[test]
    fn a_panic_fails_the_trainer_and_refuses_later_work() {
        let (trainer, events) = started(4);
        let (x, y) = body(4, 6);
        trainer.submit(0, Body::Tensors { x, labels: y, values: vec![] }).unwrap();
        assert!(matches!(next(&events), Event::Accepted { .. }));
        trainer.debug_panic_next();
        trainer.enqueue(0, sgd_scalars(1, true)).unwrap();
        match next(&events) {
            Event::Failed { id: Some(0), message } => assert!(message.contains("debugPanicNextBatch"), "{message}"),
            other => panic!("{other:?}"),
        }
        assert!(trainer.enqueue_marker(1).is_err());
        let s = setup(1);
        let (mut p, mut g, mut st) = (s.params, s.grads, s.state);
        let mut views: Vec<&mut [f64]> = st.iter_mut().map(Vec::as_mut_slice).collect();
        assert!(trainer.capture_now(&mut p, &mut g, &mut views).is_err());
    }

    #[test]
    fn bad_scalars_are_refused_before_queueing() {
        let (trainer, events) = started(4);
        let (x, y) = body(5, 8);
        trainer.submit(0, Body::Tensors { x, labels: y, values: vec![] }).unwrap();
        assert!(matches!(next(&events), Event::Accepted { .. }));
        assert!(trainer.enqueue(0, sgd_scalars(1, true)).is_err(), "5 rows at 4 a step need 2 steps");
        assert!(trainer.enqueue(9, sgd_scalars(2, true)).is_err(), "no such submission");
        trainer.enqueue(0, sgd_scalars(2, true)).unwrap();
        assert!(matches!(next(&events), Event::Trained { id: 0, steps: 2, .. }));
    }
}
