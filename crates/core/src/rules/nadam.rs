//! NAdam (Dozat 2016) with torch.optim.NAdam's numerics (torch ≥ 2.0): the momentum schedule
//! μ_t = β₁(1 − ½·0.96^(tψ)) and the running product of the μ's replace Adam's 1/(1 − β₁ᵗ), so
//! there is no first-moment bias correction here. The caller computes μ_t, μ_{t+1} and the
//! product (it keeps the product as scalar state) and folds them into the two step sizes.
//! eps is added outside the square root, after the second-moment bias correction.
//!
//! Scalars: [the seven of `moments.rs`, 1 − β₂ᵗ, eps, gradStep = lr(1 − μ_t)/(1 − Π_{i≤t} μ_i),
//! momentumStep = lr·μ_{t+1}/(1 − μ_{t+1}·Π_{i≤t} μ_i)].
//! State: [expAvg, expAvgSq].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::Real;
use crate::rules::moments::Moments;
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "nadam";
scalars!(
    maximize,
    coupled_weight_decay,
    decay_factor,
    beta1,
    one_minus_beta1,
    beta2,
    one_minus_beta2,
    bias_correction2,
    eps,
    grad_step,
    momentum_step
);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    slot.check_elementwise_state(NAME, 2)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let moments = Moments::<T>::read(slot.scalars);
    let bias_correction2 = T::of(s.bias_correction2);
    let eps = T::of(s.eps);
    let grad_step = T::of(s.grad_step);
    let momentum_step = T::of(s.momentum_step);

    let mut state = slot.state.drain(..);
    let exp_avg = state.next().expect("checked: expAvg");
    let exp_avg_sq = state.next().expect("checked: expAvgSq");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(exp_avg)).and(view_mut(exp_avg_sq)),
        |p: &mut T, &g: &T, m: &mut T, v: &mut T| {
            let g = moments.update(p, g, m, v);
            let denom = (*v / bias_correction2).sqrt() + eps;
            // Two separate subtractions, in torch's order: the Nesterov look-ahead is a
            // gradient term plus a momentum term with different step sizes.
            *p = *p - grad_step * (g / denom);
            *p = *p - momentum_step * (*m / denom);
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    /// The first step of torch's NAdam with default betas and momentum decay, as computed in TS.
    fn first_step_scalars(lr: f64) -> [f64; 11] {
        let (b1, b2, psi): (f64, f64, f64) = (0.9, 0.999, 4e-3);
        let mu = b1 * (1.0 - 0.5 * 0.96f64.powf(psi));
        let mu_next = b1 * (1.0 - 0.5 * 0.96f64.powf(2.0 * psi));
        let product = mu;
        [
            0.0,
            0.0,
            1.0,
            b1,
            1.0 - b1,
            b2,
            1.0 - b2,
            1.0 - b2,
            1e-8,
            lr * (1.0 - mu) / (1.0 - product),
            lr * mu_next / (1.0 - product * mu_next),
        ]
    }

    #[test]
    fn first_step_matches_the_formula_written_out() {
        let (lr, g) = (0.01f64, 0.5f64);
        let s = first_step_scalars(lr);
        let mut p = vec![1.0f64];
        let mut state = vec![vec![0.0], vec![0.0]];
        one_step("nadam", &mut p, &[g], &mut state, &s).unwrap();
        let (m, v) = ((1.0 - 0.9) * g, (1.0 - 0.999) * (g * g));
        let denom = (v / (1.0 - 0.999)).sqrt() + 1e-8;
        assert_eq!(state[0][0], m);
        assert!((p[0] - (1.0 - s[9] * (g / denom) - s[10] * (m / denom))).abs() < 1e-15);
        // About lr·(1 + 0.056): no 1/(1 − β₁) = 10× blow-up of the first step.
        assert!((1.0 - p[0] - lr).abs() < 0.1 * lr, "{}", p[0]);
    }

    #[test]
    fn maximize_and_decoupled_decay_mirror_descent() {
        let mut s = first_step_scalars(0.1);
        let mut down = vec![2.0f32];
        one_step("nadam", &mut down, &[-1.0], &mut [vec![0.0], vec![0.0]], &s).unwrap();
        s[0] = 1.0;
        let mut up = vec![2.0f32];
        one_step("nadam", &mut up, &[1.0], &mut [vec![0.0], vec![0.0]], &s).unwrap();
        assert_eq!(down, up);
        s[2] = 0.5;
        let mut decayed = vec![2.0f32];
        one_step("nadam", &mut decayed, &[1.0], &mut [vec![0.0], vec![0.0]], &s).unwrap();
        // θ is halved before the moment update; the step itself is unchanged.
        assert!(((decayed[0] - 1.0) - (up[0] - 2.0)).abs() < 1e-6);
    }

    #[test]
    fn missing_second_moment_is_an_error() {
        let mut p = vec![1.0f64];
        let err = one_step("nadam", &mut p, &[1.0], &mut [vec![0.0]], &first_step_scalars(0.1)).unwrap_err();
        assert!(err.to_string().contains("2 state tensors"));
        assert_eq!(p, vec![1.0]);
    }
}
