//! LAMB (You et al. 2020) with optax.lamb's numerics: Adam's bias-corrected direction plus
//! decoupled weight decay, u = m̂/(√(v̂ + epsRoot) + eps) + λθ, rescaled per tensor by the trust
//! ratio ‖θ‖/‖u‖ (1 when either norm is 0; no clipping of the ratio, as optax).
//!
//! The norms depend on the data, so they are the one thing computed in the kernel: both are
//! fixed-order f64 sums (crate::reduce), and ‖u‖² is summed over u recomputed on the fly rather
//! than stored, so the kernel needs no scratch buffer. Passes: ‖θ‖² (θ before the step), the
//! moments, ‖u‖², then θ ← θ − lr·r·u with u recomputed from the same inputs (same bits).
//!
//! Scalars: [maximize, coupledWeightDecay (always 0), β₁, 1 − β₁, β₂, 1 − β₂, 1 − β₁ᵗ, 1 − β₂ᵗ, epsRoot, eps, weightDecay, lr].
//! State: [expAvg, expAvgSq].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::Real;
use crate::reduce::{sum_by_index, sum_of_squares};
use crate::rules::prelude::{check_uncoupled, Prelude};
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "lamb";
scalars!(
    maximize,
    coupled_weight_decay,
    beta1,
    one_minus_beta1,
    beta2,
    one_minus_beta2,
    bias_correction1,
    bias_correction2,
    eps_root,
    eps,
    weight_decay,
    lr
);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    check_uncoupled(NAME, slot.scalars)?;
    slot.check_elementwise_state(NAME, 2)
}

/// optax's `scale_by_trust_ratio` with min_norm 0 and eps 0: a zero norm means "no ratio".
fn trust_ratio(param_norm: f64, update_norm: f64) -> f64 {
    if param_norm == 0.0 || update_norm == 0.0 {
        1.0
    } else {
        param_norm / update_norm
    }
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let (beta1, one_minus_beta1) = (T::of(s.beta1), T::of(s.one_minus_beta1));
    let (beta2, one_minus_beta2) = (T::of(s.beta2), T::of(s.one_minus_beta2));
    let (bias_correction1, bias_correction2) = (T::of(s.bias_correction1), T::of(s.bias_correction2));
    let eps_root = T::of(s.eps_root);
    let eps = T::of(s.eps);
    let weight_decay = T::of(s.weight_decay);
    let lr = s.lr;
    let n = slot.param.len();

    let mut state = slot.state.drain(..);
    let exp_avg = state.next().expect("checked: expAvg");
    let exp_avg_sq = state.next().expect("checked: expAvgSq");

    let param_norm = sum_of_squares(slot.param).sqrt();
    zip_apply!(
        Zip::from(view(slot.grad)).and(view_mut(&mut *exp_avg)).and(view_mut(&mut *exp_avg_sq)),
        |&g: &T, m: &mut T, v: &mut T| {
            let g = prelude.flip(g);
            *m = beta1 * *m + one_minus_beta1 * g;
            *v = beta2 * *v + one_minus_beta2 * (g * g);
        }
    );
    let update = move |p: T, m: T, v: T| {
        (m / bias_correction1) / ((v / bias_correction2 + eps_root).sqrt() + eps) + weight_decay * p
    };
    let update_norm = {
        let (p, m, v) = (&*slot.param, &*exp_avg, &*exp_avg_sq);
        sum_by_index(n, |i| {
            let u = update(p[i], m[i], v[i]).wide();
            u * u
        })
        .sqrt()
    };
    let step = T::of(lr * trust_ratio(param_norm, update_norm));
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(exp_avg)).and(view(exp_avg_sq)),
        |p: &mut T, &m: &T, &v: &T| {
            *p = *p - step * update(*p, m, v);
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    fn first_step_scalars(weight_decay: f64) -> [f64; 12] {
        let (b1, b2) = (0.9, 0.999);
        [0.0, 0.0, b1, 1.0 - b1, b2, 1.0 - b2, 1.0 - b1, 1.0 - b2, 0.0, 0.0, weight_decay, 0.1]
    }

    #[test]
    fn first_step_is_sign_scaled_to_the_parameter_norm() {
        // At t = 1 (eps 0) u = sign(g), ‖u‖ = 2, ‖θ‖ = 5: θ ← θ − 0.1·(5/2)·sign(g).
        let mut p = vec![3.0f64, 4.0, 0.0, 0.0];
        let mut state = vec![vec![0.0; 4], vec![0.0; 4]];
        one_step("lamb", &mut p, &[1.0, -2.0, 0.5, -0.25], &mut state, &first_step_scalars(0.0)).unwrap();
        let want = [3.0 - 0.25, 4.0 + 0.25, -0.25, 0.25];
        for (x, w) in p.iter().zip(want) {
            assert!((x - w).abs() < 1e-12, "{p:?}");
        }
    }

    #[test]
    fn a_zero_parameter_takes_the_plain_step() {
        // ‖θ‖ = 0: trust ratio 1, so θ ← −lr·sign(g) (the decay term λθ is 0 as well).
        let mut p = vec![0.0f32, 0.0];
        let mut state = vec![vec![0.0; 2], vec![0.0; 2]];
        one_step("lamb", &mut p, &[2.0, -3.0], &mut state, &first_step_scalars(0.5)).unwrap();
        assert!((p[0] + 0.1).abs() < 1e-7 && (p[1] - 0.1).abs() < 1e-7, "{p:?}");
    }

    #[test]
    fn missing_second_moment_is_an_error() {
        let mut p = vec![1.0f32];
        let err = one_step("lamb", &mut p, &[1.0], &mut [vec![0.0]], &first_step_scalars(0.0)).unwrap_err();
        assert!(err.to_string().contains("2 state tensors"));
    }
}
