//! RAdam (Liu et al. 2020) with torch.optim.RAdam's numerics. While the variance of the
//! adaptive learning rate is intractable (ρ_t ≤ 5: the first five steps with β₂ = 0.999) the
//! step is plain SGD with bias-corrected momentum; afterwards it is Adam's step scaled by the
//! rectification r. The caller decides the branch and folds r, √(1 − β₂ᵗ), 1/(1 − β₁ᵗ) and lr
//! into one step size. eps is added to √v of the *uncorrected* v (torch's order).
//!
//! Scalars: [the seven of `moments.rs`, eps, rectified (ρ_t > 5), stepSize], where stepSize is
//! lr·r·√(1 − β₂ᵗ)/(1 − β₁ᵗ) when rectified, else lr/(1 − β₁ᵗ).
//! State: [expAvg, expAvgSq].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::Real;
use crate::rules::moments::Moments;
use crate::rules::scalars::{flag, scalars};
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "radam";
scalars!(
    maximize,
    coupled_weight_decay,
    decay_factor,
    beta1,
    one_minus_beta1,
    beta2,
    one_minus_beta2,
    eps,
    rectified,
    step_size
);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    slot.check_elementwise_state(NAME, 2)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let moments = Moments::<T>::read(slot.scalars);
    let eps = T::of(s.eps);
    let rectified = flag(s.rectified);
    let step_size = T::of(s.step_size);

    let mut state = slot.state.drain(..);
    let exp_avg = state.next().expect("checked: expAvg");
    let exp_avg_sq = state.next().expect("checked: expAvgSq");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(exp_avg)).and(view_mut(exp_avg_sq)),
        |p: &mut T, &g: &T, m: &mut T, v: &mut T| {
            moments.update(p, g, m, v);
            let direction = if rectified { *m / (v.sqrt() + eps) } else { *m };
            *p = *p - step_size * direction;
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    fn scalars(rectified: bool, step_size: f64) -> [f64; 10] {
        let (b1, b2) = (0.9, 0.999);
        [0.0, 0.0, 1.0, b1, 1.0 - b1, b2, 1.0 - b2, 1e-8, f64::from(u8::from(rectified)), step_size]
    }

    #[test]
    fn unrectified_steps_are_sgd_with_bias_corrected_momentum() {
        let lr = 0.1;
        let mut p = vec![1.0f64, -1.0];
        let mut state = vec![vec![0.0; 2], vec![0.0; 2]];
        one_step("radam", &mut p, &[2.0, -4.0], &mut state, &scalars(false, lr / 0.1)).unwrap();
        // m̂ = g at the first step, so the step is lr·g.
        assert!((p[0] - (1.0 - 0.2)).abs() < 1e-15);
        assert!((p[1] - (-1.0 + 0.4)).abs() < 1e-15);
    }

    #[test]
    fn rectified_steps_divide_by_root_v_plus_eps() {
        let mut p = vec![0.0f64];
        let mut state = vec![vec![0.5], vec![0.25]];
        one_step("radam", &mut p, &[0.5], &mut state, &scalars(true, 2.0)).unwrap();
        // g equals m and √v, so both moments stay (up to rounding) where they were.
        assert!((state[0][0] - 0.5).abs() < 1e-15 && (state[1][0] - 0.25).abs() < 1e-15);
        assert!((p[0] + 2.0 * 0.5 / (0.5 + 1e-8)).abs() < 1e-14, "{}", p[0]);
    }

    #[test]
    fn wrong_scalar_count_is_an_error() {
        let mut p = vec![0.0f64];
        let err = one_step("radam", &mut p, &[0.5], &mut [vec![0.0], vec![0.0]], &[0.0; 9]).unwrap_err();
        assert!(err.to_string().contains("10 per-step scalars"));
    }
}
