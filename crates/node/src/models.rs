//! Bindings of the native networks (`descent_core::nn`): predict, loss-and-gradient, evaluate
//! and one epoch of training, each for f32 and f64 buffers. Networks arrive packed as
//! `[count, ...sizes, activation, output]` (`src/models/network.ts`); a network's parameters and
//! gradients arrive as two flat buffers.

use crate::errors::{guarded, to_js_error};
use crate::layout::{BatchRange, RunPlan};
use descent_core::nn::dense::{self, Stored};
use descent_core::nn::loss::{Output, Targets};
use descent_core::nn::mlp::{self, Network};
use descent_core::nn::train::{train_epoch, StepPlan};
use descent_core::nn::Element;
use descent_core::CoreError;
use napi::bindgen_prelude::{Float32ArraySlice, Float64Array, Float64ArraySlice, Int32ArraySlice, Uint32ArraySlice};
use napi::Result;
use napi_derive::napi;

/// What `trainEpochF32`/`trainEpochF64` report.
#[napi(object)]
pub struct EpochResult {
    /// Mean loss of each batch whose forward pass ran.
    pub losses: Float64Array,
    /// Batches whose optimizer step ran.
    pub steps: u32,
    /// The optimizer's index of the parameter whose gradient held NaN/±∞, or -1.
    pub non_finite: i32,
}

/// What `evaluateF32`/`evaluateF64` report.
#[napi(object)]
pub struct NetworkEvaluation {
    /// Mean loss over all rows.
    pub loss: f64,
    /// Rows whose largest output is at the label (softmax outputs; 0 otherwise).
    pub hits: u32,
}

/// Labels for softmax networks, values for identity ones; the other argument is ignored.
pub(crate) fn targets<'a, T>(network: &Network, labels: &'a [i32], values: &'a [T]) -> Targets<'a, T> {
    match network.output() {
        Output::Softmax => Targets::Labels(labels),
        Output::Identity => Targets::Values(values),
    }
}

fn usize_of(value: u32) -> usize {
    value as usize
}

/// One epoch's run: the plan's per-parameter state tensors arrive flat in `state`, in order.
struct Run<'a, T> {
    plan: &'a RunPlan,
    state: Vec<&'a mut [T]>,
    scalars: &'a [f64],
    order: &'a [u32],
    batches: &'a BatchRange,
}

fn epoch<T: Element>(
    layout: &[u32],
    params: &mut [T],
    grads: &mut [T],
    run: Run<'_, T>,
    x: &[T],
    labels: &[i32],
    values: &[T],
) -> std::result::Result<EpochResult, CoreError> {
    let network = Network::decode(layout)?;
    let decoded = run.plan.decode(run.state.len())?;
    let mut state = run.state.into_iter();
    let per_slot = decoded.state_counts.iter().map(|&n| state.by_ref().take(n).collect()).collect();
    let plan = StepPlan {
        rule: decoded.rule,
        slots: &decoded.tensor_of,
        state: per_slot,
        scalars: run.scalars,
        scalar_counts: &decoded.scalar_counts,
    };
    let batches = run.batches.batches(x, targets(&network, labels, values), run.order);
    let outcome = train_epoch(&network, params, grads, plan, batches, run.batches.check_non_finite)?;
    Ok(EpochResult {
        losses: Float64Array::new(outcome.losses),
        steps: outcome.steps as u32,
        non_finite: outcome.non_finite.map_or(-1, |i| i as i32),
    })
}

macro_rules! bindings {
    ($slice:ident, $train:ident, $predict:ident, $loss_and_grad:ident, $evaluate:ident) => {
        /// One epoch (or a range of its batches) of training; the suffix names the element type. Per
        /// batch: forward, backward into `grads`, then the optimizer rule's step with that step's planned
        /// scalars. `state` holds every optimizer parameter's state tensors in order (`plan.stateCounts`).
        #[napi]
        #[allow(clippy::too_many_arguments)]
        pub fn $train(
            network: Uint32ArraySlice,
            mut params: $slice,
            mut grads: $slice,
            plan: RunPlan,
            mut state: Vec<$slice>,
            scalars: Float64ArraySlice,
            x: $slice,
            labels: Int32ArraySlice,
            values: $slice,
            order: Uint32ArraySlice,
            batches: BatchRange,
        ) -> Result<EpochResult> {
            guarded(|| {
                let state = state.iter_mut().map(|s| unsafe { s.as_mut() }).collect();
                let (params, grads) = unsafe { (params.as_mut(), grads.as_mut()) };
                let run = Run { plan: &plan, state, scalars: &scalars, order: &order, batches: &batches };
                epoch(&network, params, grads, run, &x, &labels, &values).map_err(to_js_error)
            })
        }

        /// The network's outputs (softmax probabilities or values) for the rows of `x`, written
        /// into `out` (rows × outputs), which JavaScript allocated: a synchronous loop of
        /// predictions then makes no external memory that only the event loop would free.
        #[napi]
        pub fn $predict(network: Uint32ArraySlice, params: $slice, x: $slice, mut out: $slice) -> Result<()> {
            guarded(|| {
                let network = Network::decode(&network).map_err(to_js_error)?;
                mlp::predict_into(&network, &params, &x, unsafe { out.as_mut() }).map_err(to_js_error)
            })
        }

        /// The mean loss of all rows of `x` as one batch; overwrites `grads` with its gradient.
        #[napi]
        pub fn $loss_and_grad(
            network: Uint32ArraySlice,
            params: $slice,
            mut grads: $slice,
            x: $slice,
            labels: Int32ArraySlice,
            values: $slice,
        ) -> Result<f64> {
            guarded(|| {
                let network = Network::decode(&network).map_err(to_js_error)?;
                let grads = unsafe { grads.as_mut() };
                mlp::loss_and_grad(&network, &params, grads, &x, targets(&network, &labels, &values))
                    .map_err(to_js_error)
            })
        }

        /// Mean loss and hits (rows classified right) over the rows of `x`.
        #[napi]
        pub fn $evaluate(
            network: Uint32ArraySlice,
            params: $slice,
            x: $slice,
            labels: Int32ArraySlice,
            values: $slice,
        ) -> Result<NetworkEvaluation> {
            guarded(|| {
                let network = Network::decode(&network).map_err(to_js_error)?;
                let result =
                    mlp::evaluate(&network, &params, &x, targets(&network, &labels, &values)).map_err(to_js_error)?;
                Ok(NetworkEvaluation { loss: result.loss, hits: result.hits as u32 })
            })
        }
    };
}

bindings!(Float32ArraySlice, train_epoch_f32, predict_f32, loss_and_grad_f32, evaluate_f32);
bindings!(Float64ArraySlice, train_epoch_f64, predict_f64, loss_and_grad_f64, evaluate_f64);

/// c = op(a)·op(b), `repeats` times in a row, through the GEMM the dense layers use (the gemm
/// crate): a is [m, k] (stored as [k, m] when `transposeA`), b is [k, n] (stored as
/// [n, k] when `transposeB`), c [m, n] is overwritten. For benchmarks: repeating inside Rust
/// times the kernel as training runs it, without one N-API crossing per product.
#[napi]
#[allow(clippy::too_many_arguments)]
pub fn matmul_f32(
    a: Float32ArraySlice,
    transpose_a: bool,
    b: Float32ArraySlice,
    transpose_b: bool,
    mut c: Float32ArraySlice,
    dims: Uint32ArraySlice,
    repeats: u32,
) -> Result<()> {
    guarded(|| {
        let &[m, n, k] = &dims[..] else {
            return Err(to_js_error(CoreError::invalid("dims", "[m, n, k]")));
        };
        let stored = |transposed| if transposed { Stored::Transposed } else { Stored::AsIs };
        let c = unsafe { c.as_mut() };
        for _ in 0..repeats.max(1) {
            dense::matmul((&a, stored(transpose_a)), (&b, stored(transpose_b)), c, [m, n, k].map(usize_of))
                .map_err(to_js_error)?;
        }
        Ok(())
    })
}
