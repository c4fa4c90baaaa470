//! Adam (Kingma & Ba 2015) with torch.optim.Adam's numerics; AdamW is this rule with
//! decoupled weight decay. eps is added outside the square root, after bias correction.
//! AMSGrad keeps the max of the raw second moment (as torch's code, not its docs).
//!
//! Scalars: [the seven of `moments.rs`, √(1 − β₂ᵗ), eps, lr / (1 − β₁ᵗ), amsgrad].
//! State: [expAvg, expAvgSq] and maxExpAvgSq with amsgrad.

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::{max, Real};
use crate::rules::moments::Moments;
use crate::rules::scalars::{flag, scalars};
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "adam";
scalars!(
    maximize,
    coupled_weight_decay,
    decay_factor,
    beta1,
    one_minus_beta1,
    beta2,
    one_minus_beta2,
    bias_correction2_sqrt,
    eps,
    step_size,
    amsgrad
);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    slot.check_elementwise_state(NAME, if flag(Scalars::read(slot.scalars).amsgrad) { 3 } else { 2 })
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let moments = Moments::<T>::read(slot.scalars);
    let bias_correction2_sqrt = T::of(s.bias_correction2_sqrt);
    let eps = T::of(s.eps);
    let step_size = T::of(s.step_size);
    let amsgrad = flag(s.amsgrad);
    let update = move |p: &mut T, m: T, v: T| {
        let denom = v.sqrt() / bias_correction2_sqrt + eps;
        *p = *p - step_size * (m / denom);
    };

    let mut state = slot.state.drain(..);
    let exp_avg = state.next().expect("checked: expAvg");
    let exp_avg_sq = state.next().expect("checked: expAvgSq");
    match state.next() {
        Some(max_exp_avg_sq) if amsgrad => zip_apply!(
            Zip::from(view_mut(slot.param))
                .and(view(slot.grad))
                .and(view_mut(exp_avg))
                .and(view_mut(exp_avg_sq))
                .and(view_mut(max_exp_avg_sq)),
            |p: &mut T, &g: &T, m: &mut T, v: &mut T, vmax: &mut T| {
                moments.update(p, g, m, v);
                *vmax = max(*vmax, *v);
                update(p, *m, *vmax);
            }
        ),
        _ => zip_apply!(
            Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(exp_avg)).and(view_mut(exp_avg_sq)),
            |p: &mut T, &g: &T, m: &mut T, v: &mut T| {
                moments.update(p, g, m, v);
                update(p, *m, *v);
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    fn first_step_scalars(lr: f64) -> [f64; 11] {
        let (b1, b2): (f64, f64) = (0.9, 0.999);
        [0.0, 0.0, 1.0, b1, 1.0 - b1, b2, 1.0 - b2, (1.0 - b2).sqrt(), 1e-8, lr / (1.0 - b1), 0.0]
    }

    #[test]
    fn first_step_moves_each_weight_by_about_lr_against_the_gradient_sign() {
        let mut p = vec![1.0f64, 1.0, 1.0];
        let mut state = vec![vec![0.0; 3], vec![0.0; 3]];
        one_step("adam", &mut p, &[0.5, -3.0, 1e-3], &mut state, &first_step_scalars(0.1)).unwrap();
        for (x, want) in p.iter().zip([0.9, 1.1, 0.9]) {
            assert!((x - want).abs() < 1e-6, "{x} vs {want}");
        }
        assert!((state[0][0] - 0.05).abs() < 1e-15);
    }

    #[test]
    fn amsgrad_needs_its_third_buffer() {
        let mut p = vec![1.0f32];
        let mut scalars = first_step_scalars(0.1);
        scalars[10] = 1.0;
        let err = one_step("adam", &mut p, &[1.0], &mut [vec![0.0], vec![0.0]], &scalars).unwrap_err();
        assert!(err.to_string().contains("3 state tensors"));
        assert_eq!(p, vec![1.0]);
    }
}
