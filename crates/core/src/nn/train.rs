//! One epoch of training in one call: for each batch, gather its rows, run forward and
//! backward (gradients overwritten, mean over the batch as PyTorch's mean-reduced losses),
//! optionally check the gradients for NaN/±∞, then step every parameter through the optimizer
//! rule with the scalars the caller planned for that step (`optimizer.planSteps` in TS). A
//! pure function of slices, so it runs as well on Node's thread as on a worker thread over
//! buffers Rust owns. `src/models/js/train.ts` is its mirror.

use super::dense;
use super::loss::Targets;
use super::mlp::{Network, Workspace};
use super::on_pool_if;
use super::Element;
use crate::elementwise::PARALLEL_MIN;
use crate::error::CoreError;
use crate::nonfinite::first_non_finite;
use crate::rules::step_slots;
use crate::slot::Slot;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// The optimizer's side of an epoch: its rule, its state and the scalars of each planned step.
pub struct StepPlan<'a, T> {
    /// The rule's registry index (`rule_index`).
    pub rule: usize,
    /// For each of the optimizer's parameters, in its order, the index of that tensor in the
    /// network's buffer order (weight, bias, weight, …): each network tensor exactly once.
    pub slots: &'a [usize],
    /// The rule's state tensors for each of the optimizer's parameters, in the rule's order.
    pub state: Vec<Vec<&'a mut [T]>>,
    /// Per-step scalars of every parameter: step k's scalars for parameter i start at
    /// `k·stride + Σ_{j<i} scalar_counts[j]`, where `stride = Σ scalar_counts`.
    pub scalars: &'a [f64],
    pub scalar_counts: &'a [usize],
}

/// The data of an epoch and which of its batches to run.
#[derive(Clone, Copy)]
pub struct Batches<'a, T> {
    /// Input rows, row-major.
    pub x: &'a [T],
    pub targets: Targets<'a, T>,
    /// Row indices in the order batches take them (a permutation of the rows, or 0..n).
    pub order: &'a [u32],
    /// Rows per batch; the last batch of the epoch may be smaller.
    pub batch_size: usize,
    /// Index of the first batch to run (batch b takes `order[b·batch_size..]`).
    pub first: usize,
    /// How many batches to run: one planned step each.
    pub count: usize,
}

/// What happened during `train_epoch`.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochOutcome {
    /// The mean loss of each batch whose forward pass ran, in order; when `non_finite` is set,
    /// the last entry is the batch whose step did not run.
    pub losses: Vec<f64>,
    /// Batches whose optimizer step ran (the planned steps to commit).
    pub steps: usize,
    /// The optimizer's index of the first parameter whose gradient held NaN or ±∞, when
    /// `check_non_finite` stopped the epoch there.
    pub non_finite: Option<usize>,
    /// Whether `train_epoch_until`'s flag stopped the epoch before batch `steps`.
    pub stopped: bool,
}

/// Runs `batches.count` batches from `batches.first` on, stepping the optimizer after each.
/// Everything is checked before any buffer changes; stops early (reporting it) if
/// `check_non_finite` and a gradient holds NaN or ±∞, before stepping with it.
pub fn train_epoch<T: Element>(
    network: &Network,
    params: &mut [T],
    grads: &mut [T],
    plan: StepPlan<'_, T>,
    batches: Batches<'_, T>,
    check_non_finite: bool,
) -> Result<EpochOutcome, CoreError> {
    train_epoch_until(network, params, grads, plan, batches, check_non_finite, &AtomicBool::new(false))
}

/// `train_epoch` that also stops before the next batch once `stop` is set, as another thread
/// does to cancel a training run (`fitAsync`'s abort); the outcome says `stopped`, and `steps`
/// counts the batches done.
pub fn train_epoch_until<T: Element>(
    network: &Network,
    params: &mut [T],
    grads: &mut [T],
    plan: StepPlan<'_, T>,
    batches: Batches<'_, T>,
    check_non_finite: bool,
    stop: &AtomicBool,
) -> Result<EpochOutcome, CoreError> {
    let rows = check(network, params, grads, &plan, &batches)?;
    // Waking the pool per kernel cost about a fifth of an MNIST epoch at batch 32 on 2 cores.
    on_pool_if(forks(network, batches.batch_size.min(rows)), || {
        run_batches(network, params, grads, plan, batches, check_non_finite, stop, rows)
    })
}

/// Whether a batch of `rows` runs kernels on rayon's pool: a product cut in parts, or an
/// element-wise kernel (optimizer rule, activation) over `PARALLEL_MIN` elements or more.
fn forks(network: &Network, rows: usize) -> bool {
    let sizes = network.sizes();
    rayon::current_num_threads() > 1
        && (sizes.windows(2).any(|pair| dense::parts(rows, pair[1], pair[0]) > 1 || pair[0] * pair[1] >= PARALLEL_MIN)
            || sizes.iter().any(|&width| width * rows >= PARALLEL_MIN))
}

/// The loop of `train_epoch_until`, after its checks.
#[allow(clippy::too_many_arguments)]
fn run_batches<T: Element>(
    network: &Network,
    params: &mut [T],
    grads: &mut [T],
    mut plan: StepPlan<'_, T>,
    batches: Batches<'_, T>,
    check_non_finite: bool,
    stop: &AtomicBool,
    rows: usize,
) -> Result<EpochOutcome, CoreError> {
    let ranges = network.parameter_ranges();
    let shapes = network.parameter_shapes();
    let stride: usize = plan.scalar_counts.iter().sum();
    let width = network.outputs();
    let mut work = Workspace::new(network, batches.batch_size.min(rows));
    let mut labels = Vec::new();
    let mut values = Vec::new();
    let mut outcome =
        EpochOutcome { losses: Vec::with_capacity(batches.count), steps: 0, non_finite: None, stopped: false };

    for (k, batch) in (batches.first..batches.first + batches.count).enumerate() {
        if stop.load(Ordering::Acquire) {
            outcome.stopped = true;
            return Ok(outcome);
        }
        let picked = &batches.order[batch * batches.batch_size..((batch + 1) * batches.batch_size).min(rows)];
        let n = picked.len();
        gather(batches.x, network.inputs(), picked, work.input(n));
        let targets = match batches.targets {
            Targets::Labels(all) => {
                labels.clear();
                labels.extend(picked.iter().map(|&r| all[r as usize]));
                Targets::Labels(&labels[..])
            }
            Targets::Values(all) => {
                values.resize(n * width, T::zero());
                gather(all, width, picked, &mut values);
                Targets::Values(&values[..])
            }
        };
        network.forward(params, &mut work, n);
        outcome.losses.push(network.backward(params, grads, &mut work, n, targets));

        let grad_parts: Vec<&[T]> = plan.slots.iter().map(|&t| &grads[ranges[t].clone()]).collect();
        if check_non_finite {
            if let Some(bad) = first_non_finite(&grad_parts) {
                outcome.non_finite = Some(bad);
                return Ok(outcome);
            }
        }
        let mut param_parts: Vec<Option<&mut [T]>> = split(params, &ranges).into_iter().map(Some).collect();
        let mut at = k * stride;
        let mut slots = Vec::with_capacity(plan.slots.len());
        for (i, (&tensor, state)) in plan.slots.iter().zip(plan.state.iter_mut()).enumerate() {
            let count = plan.scalar_counts[i];
            slots.push(Slot {
                param: param_parts[tensor].take().expect("each tensor appears once in slots"),
                grad: grad_parts[i],
                state: state.iter_mut().map(|s| &mut **s).collect(),
                shape: shapes[tensor].clone(),
                scalars: &plan.scalars[at..at + count],
            });
            at += count;
        }
        step_slots(plan.rule, slots)?;
        outcome.steps += 1;
    }
    Ok(outcome)
}

/// Every argument check of `train_epoch`; returns the number of rows.
fn check<T: Element>(
    network: &Network,
    params: &[T],
    grads: &[T],
    plan: &StepPlan<'_, T>,
    batches: &Batches<'_, T>,
) -> Result<usize, CoreError> {
    network.check_parameters("params", params)?;
    network.check_parameters("grads", grads)?;
    let rows = network.check_inputs(batches.x)?;
    network.output().check_targets(batches.targets, rows, network.outputs())?;
    if batches.order.len() != rows {
        return Err(CoreError::invalid("order", format!("{rows} row indices, got {}", batches.order.len())));
    }
    if let Some(i) = batches.order.iter().position(|&r| r as usize >= rows) {
        return Err(CoreError::invalid(format!("order[{i}]"), format!("a row index below {rows}")));
    }
    if batches.batch_size == 0 {
        return Err(CoreError::invalid("batchSize", "at least 1"));
    }
    let total = rows.div_ceil(batches.batch_size);
    if batches.first + batches.count > total {
        return Err(CoreError::invalid(
            "batches",
            format!(
                "a range within the epoch's {total} batches, got {}..{}",
                batches.first,
                batches.first + batches.count
            ),
        ));
    }
    let tensors = network.parameter_ranges().len();
    let mut seen = vec![false; tensors];
    for &t in plan.slots {
        if t >= tensors || std::mem::replace(&mut seen[t], true) {
            return Err(CoreError::invalid("slots", format!("each of the network's {tensors} tensors exactly once")));
        }
    }
    if plan.slots.len() != tensors || plan.state.len() != tensors || plan.scalar_counts.len() != tensors {
        return Err(CoreError::invalid("slots", format!("{tensors} parameters with state and scalar counts")));
    }
    let stride: usize = plan.scalar_counts.iter().sum();
    if plan.scalars.len() != batches.count * stride {
        return Err(CoreError::invalid(
            "scalars",
            format!(
                "{} values ({} steps × {stride}), got {}",
                batches.count * stride,
                batches.count,
                plan.scalars.len()
            ),
        ));
    }
    Ok(rows)
}

/// Copies rows `picked` of the row-major `source` (rows of `width`) into `target`, in order.
fn gather<T: Copy>(source: &[T], width: usize, picked: &[u32], target: &mut [T]) {
    for (row, &r) in target.chunks_exact_mut(width).zip(picked) {
        let start = r as usize * width;
        row.copy_from_slice(&source[start..start + width]);
    }
}

/// The buffer cut into the consecutive `ranges` (which cover it from the start, in order).
fn split<'a, T>(mut buffer: &'a mut [T], ranges: &[Range<usize>]) -> Vec<&'a mut [T]> {
    let mut parts = Vec::with_capacity(ranges.len());
    for range in ranges {
        let (head, tail) = std::mem::take(&mut buffer).split_at_mut(range.len());
        parts.push(head);
        buffer = tail;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::activation::Activation;
    use crate::nn::loss::Output;
    use crate::nn::mlp::loss_and_grad;
    use crate::random::Rng;
    use crate::rules::rule_index;

    /// SGD's scalars (maximize, weight decay, momentum, 1 − dampening, nesterov, lr, first).
    fn sgd_scalars(lr: f64) -> [f64; 7] {
        [0.0, 0.0, 0.0, 1.0, 0.0, lr, 1.0]
    }

    /// Plain SGD's scalars for `steps` steps of four parameters.
    fn sgd_steps(lr: f64, steps: usize) -> Vec<f64> {
        (0..steps).flat_map(|_| (0..4).flat_map(|_| sgd_scalars(lr))).collect()
    }

    /// A plain SGD plan (no state) over parameters in network order `slots`.
    fn sgd_plan<'a, T>(slots: &'a [usize], scalars: &'a [f64], counts: &'a [usize]) -> StepPlan<'a, T> {
        let state = (0..slots.len()).map(|_| vec![]).collect();
        StepPlan { rule: rule_index("sgd").unwrap(), slots, state, scalars, scalar_counts: counts }
    }

    /// Batches of `batch_size` rows of labelled `x`, `count` of them from the first.
    fn batches<'a, T>(
        x: &'a [T],
        labels: &'a [i32],
        order: &'a [u32],
        batch_size: usize,
        count: usize,
    ) -> Batches<'a, T> {
        Batches { x, targets: Targets::Labels(labels), order, batch_size, first: 0, count }
    }

    fn setup() -> (Network, Vec<f64>, Vec<f64>, Vec<i32>) {
        let network = Network::new(vec![3, 4, 2], Activation::Tanh, Output::Softmax).unwrap();
        let mut rng = Rng::new(9);
        let params = (0..network.parameter_count()).map(|_| rng.uniform_f64() - 0.5).collect();
        let x = (0..10 * 3).map(|_| rng.uniform_f64() * 2.0 - 1.0).collect();
        let labels = (0..10).map(|i| i % 2).collect();
        (network, params, x, labels)
    }

    #[test]
    fn an_epoch_equals_manual_sgd_steps_over_the_same_batches() {
        let (network, mut params, x, labels) = setup();
        let mut expected = params.clone();
        let order: Vec<u32> = (0..10).rev().collect();
        let lr = 0.1;
        for batch in order.chunks(4) {
            let xb: Vec<f64> = batch.iter().flat_map(|&r| x[r as usize * 3..r as usize * 3 + 3].to_vec()).collect();
            let yb: Vec<i32> = batch.iter().map(|&r| labels[r as usize]).collect();
            let mut g = vec![0.0; expected.len()];
            loss_and_grad(&network, &expected, &mut g, &xb, Targets::Labels(&yb)).unwrap();
            expected.iter_mut().zip(&g).for_each(|(p, g)| *p -= lr * g);
        }
        let mut grads = vec![0.0; params.len()];
        let scalars = sgd_steps(lr, 3);
        let plan = sgd_plan(&[3, 2, 1, 0], &scalars, &[7; 4]);
        let outcome =
            train_epoch(&network, &mut params, &mut grads, plan, batches(&x, &labels, &order, 4, 3), true).unwrap();
        assert_eq!(outcome.steps, 3);
        assert_eq!(outcome.losses.len(), 3);
        for (a, b) in params.iter().zip(&expected) {
            assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        }
    }

    #[test]
    fn a_non_finite_gradient_stops_before_its_step() {
        let (network, mut params, mut x, labels) = setup();
        x[4 * 3] = f64::NAN; // row 4: the second batch of 4
        let before = params.clone();
        let order: Vec<u32> = (0..10).collect();
        let scalars = sgd_steps(0.0, 3);
        let mut grads = vec![0.0; params.len()];
        let plan = sgd_plan(&[0, 1, 2, 3], &scalars, &[7; 4]);
        let outcome =
            train_epoch(&network, &mut params, &mut grads, plan, batches(&x, &labels, &order, 4, 3), true).unwrap();
        assert_eq!((outcome.steps, outcome.non_finite, outcome.losses.len()), (1, Some(0), 2));
        assert_eq!(params, before, "lr 0: the one step ran without changing anything");
    }

    #[test]
    fn a_set_stop_flag_stops_before_the_next_batch() {
        let (network, mut params, x, labels) = setup();
        let before = params.clone();
        let order: Vec<u32> = (0..10).collect();
        let scalars = sgd_steps(0.1, 3);
        let mut grads = vec![0.0; params.len()];
        let plan = sgd_plan(&[0, 1, 2, 3], &scalars, &[7; 4]);
        let stop = AtomicBool::new(true);
        let outcome =
            train_epoch_until(&network, &mut params, &mut grads, plan, batches(&x, &labels, &order, 4, 3), true, &stop)
                .unwrap();
        assert_eq!(outcome, EpochOutcome { losses: vec![], steps: 0, non_finite: None, stopped: true });
        assert_eq!(params, before);
    }

    #[test]
    fn bad_arguments_are_rejected_before_anything_changes() {
        let (network, mut params, x, labels) = setup();
        let before = params.clone();
        let order: Vec<u32> = (0..10).collect();
        let scalars = vec![0.0; 28];
        let mut grads = vec![0.0; params.len()];
        let cases: Vec<(&[usize], usize, usize, &str)> = vec![
            (&[0, 1, 2, 2], 4, 1, "slots"),
            (&[0, 1, 2], 4, 1, "slots"),
            (&[0, 1, 2, 3], 0, 1, "batchSize"),
            (&[0, 1, 2, 3], 4, 4, "batches"),
            (&[0, 1, 2, 3], 4, 2, "scalars"),
        ];
        for (slots, batch_size, count, what) in cases {
            let counts = vec![7; slots.len()];
            let plan = sgd_plan(slots, &scalars, &counts);
            let batches = batches(&x, &labels, &order, batch_size, count);
            let error = train_epoch(&network, &mut params, &mut grads, plan, batches, false).unwrap_err();
            assert!(error.to_string().starts_with(what), "{error}");
            assert_eq!(params, before);
        }
    }

    #[test]
    fn an_epoch_on_the_pool_with_split_products_equals_one_on_a_single_thread() {
        // 400 → 300: products of 64 rows are cut in parts, the weight is stepped in parallel.
        let network = Network::new(vec![400, 300, 3], Activation::Tanh, Output::Softmax).unwrap();
        assert!(forks(&network, 64) || rayon::current_num_threads() == 1);
        let mut rng = Rng::new(5);
        let initial: Vec<f32> = (0..network.parameter_count()).map(|_| rng.uniform_f32() - 0.5).collect();
        let x: Vec<f32> = (0..150 * 400).map(|_| rng.uniform_f32()).collect();
        let labels: Vec<i32> = (0..150).map(|i| i % 3).collect();
        let order: Vec<u32> = (0..150).collect();
        let scalars = sgd_steps(0.1, 3);
        let train = || {
            let (mut params, mut grads) = (initial.clone(), vec![0.0f32; initial.len()]);
            let plan = sgd_plan(&[0, 1, 2, 3], &scalars, &[7; 4]);
            let outcome =
                train_epoch(&network, &mut params, &mut grads, plan, batches(&x, &labels, &order, 64, 3), true)
                    .unwrap();
            (params, outcome.losses)
        };
        let single = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let (serial, serial_losses) = single.install(train);
        let (pooled, pooled_losses) = train();
        assert_eq!(pooled_losses, serial_losses);
        assert!(pooled.iter().zip(&serial).all(|(a, b)| a.to_bits() == b.to_bits()), "bit-identical parameters");
    }
}
