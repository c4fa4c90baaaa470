//! Adafactor as in the paper and HF transformers' `Adafactor` (fairseq's code): ε₁ is added to
//! g² before the factor means, V comes from (rowVar/mean(rowVar))^(−½) ⊗ colVar^(−½) with no
//! clamps, the update is clipped to RMS ≤ clipThreshold and then scaled by lr_t, an optional
//! first moment averages the scaled update, and weight decay is scaled by lr_t.
//! Factoring, reductions and the two passes over U are those of `adafactor` (see there).
//!
//! Scalars: [maximize and coupledWeightDecay (both always 0: no such options), β̂₂ = 1 − t^τ, 1 − β̂₂ = t^τ, ρ (relative step or the fixed lr), scaleParameter, ε₁,
//! ε₂, clipThreshold, weightDecay λ, useFirstMoment (β₁ given), β₁, 1 − β₁].
//! State: [rowVar (batch·n), colVar (batch·m)] for dim ≥ 2, else [variance]; then expAvg when
//! β₁ is given.

use super::adafactor::{
    by_index, check_state, clip_divisor, row_var_means, sum_of_squares_of, update_factors, Factoring,
};
use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::{max, Real};
use crate::reduce;
use crate::rules::prelude::check_uncoupled;
use crate::rules::scalars::{flag, scalars};
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "adafactorHf";
scalars!(
    maximize,
    coupled_weight_decay,
    beta2_hat,
    one_minus_beta2_hat,
    rho,
    scale_parameter,
    eps1,
    eps2,
    clip_threshold,
    weight_decay,
    use_first_moment,
    beta1,
    one_minus_beta1
);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    check_uncoupled(NAME, slot.scalars)?;
    check_state(slot, NAME, if flag(Scalars::read(slot.scalars).use_first_moment) { 1 } else { 0 })
}

/// What the final pass needs: the step lr_t / max(1, RMS(U)/clipThreshold), the decay λ·lr_t
/// and β₁; all but β₁ depend on the data, so they are formed here in f64.
struct Finish<T> {
    step: T,
    weight_decay: Option<T>,
    beta1: (T, T),
}

impl<T: Real> Finish<T> {
    /// θ ← θ − λ·lr_t·θ − u, where u = step·U, or the first moment e ← β₁e + (1−β₁)·step·U.
    fn apply(&self, param: &mut [T], exp_avg: Option<&mut [T]>, update: impl Fn(usize) -> T + Sync) {
        let &Finish { step, weight_decay, beta1: (beta1, one_minus_beta1) } = self;
        let decayed = move |p: T| match weight_decay {
            Some(c) => p - c * p,
            None => p,
        };
        match exp_avg {
            Some(exp_avg) => {
                zip_apply!(Zip::indexed(view_mut(param)).and(view_mut(exp_avg)), |k: usize, p: &mut T, e: &mut T| {
                    *e = beta1 * *e + one_minus_beta1 * (step * update(k));
                    *p = decayed(*p) - *e;
                })
            }
            None => zip_apply!(Zip::indexed(view_mut(param)), |k: usize, p: &mut T| {
                *p = decayed(*p) - step * update(k);
            }),
        }
    }
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let beta2 = (T::of(s.beta2_hat), T::of(s.one_minus_beta2_hat));
    let rho = s.rho;
    let scale_parameter = flag(s.scale_parameter);
    let eps1 = s.eps1;
    let eps2 = s.eps2;
    let clip_threshold = s.clip_threshold;
    let weight_decay = s.weight_decay;
    let n = slot.param.len();
    if n == 0 {
        return;
    }
    // HF takes RMS(θ) before the decay (which it applies last).
    let scale = if scale_parameter { max(eps2, reduce::rms(slot.param)) } else { 1.0 };
    let lr_t = scale * rho;
    let grad = slot.grad;
    let finish = |sum_of_squares: f64| Finish {
        step: T::of(lr_t / clip_divisor(sum_of_squares, n, clip_threshold)),
        weight_decay: (weight_decay != 0.0).then(|| T::of(weight_decay * lr_t)),
        beta1: (T::of(s.beta1), T::of(s.one_minus_beta1)),
    };

    let mut state = slot.state.drain(..);
    match Factoring::of(&slot.shape) {
        Some(f) => {
            let row_var = state.next().expect("checked: rowVar");
            let col_var = state.next().expect("checked: colVar");
            update_factors(f, grad, row_var, col_var, beta2, |g| g * g + eps1);
            let (row_var, col_var): (&[T], &[T]) = (row_var, col_var);
            let means = row_var_means(f, row_var);
            let update = |k: usize| {
                let (b, row, col) = f.locate(k);
                let row_factor = T::one() / (row_var[row] / means[b]).sqrt();
                let col_factor = T::one() / col_var[b * f.cols + col].sqrt();
                row_factor * col_factor * grad[k]
            };
            finish(sum_of_squares_of(n, by_index(update))).apply(slot.param, state.next(), update);
        }
        None => {
            let variance = state.next().expect("checked: variance");
            let (beta2, one_minus_beta2) = beta2;
            let eps1 = T::of(eps1);
            zip_apply!(Zip::from(view_mut(&mut *variance)).and(view(grad)), |v: &mut T, &g: &T| {
                *v = beta2 * *v + one_minus_beta2 * (g * g + eps1);
            });
            let variance: &[T] = variance;
            let update = |k: usize| T::one() / variance[k].sqrt() * grad[k];
            finish(sum_of_squares_of(n, by_index(update))).apply(slot.param, state.next(), update);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    /// First step, relative step with HF's defaults: ρ = min(1e-2, 1) and lr_t = RMS(θ)·ρ.
    fn first_step(beta1: Option<f64>, weight_decay: f64) -> [f64; 13] {
        let b1 = beta1.unwrap_or(0.0);
        [0.0, 0.0, 0.0, 1.0, 1e-2, 1.0, 1e-30, 1e-3, 1.0, weight_decay, beta1.map_or(0.0, |_| 1.0), b1, 1.0 - b1]
    }

    #[test]
    fn first_vector_step_moves_by_lr_t() {
        // variance = g² + ε₁ = 4, U = g/2 = 1, RMS(U) = 1, lr_t = RMS(θ = 1)·1e-2.
        let mut p = vec![1.0f64, -1.0];
        let mut state = vec![vec![0.0; 2]];
        one_step("adafactorHf", &mut p, &[2.0, 2.0], &mut state, &first_step(None, 0.0)).unwrap();
        assert_eq!(state[0], vec![4.0, 4.0]);
        assert_eq!(p, vec![1.0 - 1e-2, -1.0 - 1e-2]);
    }

    #[test]
    fn first_moment_averages_the_scaled_update_and_decay_uses_lr_t() {
        let mut p = vec![1.0f64, -1.0];
        let mut state = vec![vec![0.0; 2], vec![0.0; 2]];
        one_step("adafactorHf", &mut p, &[2.0, 2.0], &mut state, &first_step(Some(0.9), 0.5)).unwrap();
        let e = (1.0 - 0.9) * 1e-2;
        assert!((state[1][0] - e).abs() < 1e-18);
        let decayed = 1.0 - 0.5 * 1e-2;
        assert!((p[0] - (decayed - e)).abs() < 1e-15 && (p[1] - (-decayed - e)).abs() < 1e-15);
    }

    #[test]
    fn first_moment_needs_its_buffer() {
        let mut p = vec![1.0f32];
        let err = one_step("adafactorHf", &mut p, &[1.0], &mut [vec![0.0]], &first_step(Some(0.9), 0.0)).unwrap_err();
        assert!(err.to_string().contains("2 state tensors"), "{err}");
        assert_eq!(p, vec![1.0]);
    }
}
