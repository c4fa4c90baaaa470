//! AdamW Schedule-Free (Defazio et al. 2024) with the numerics of facebookresearch/schedule_free's
//! `AdamWScheduleFree.step` (adamw_schedulefree.py): the parameter holds y, an interpolation of
//! the averaged iterate x and the base sequence z; one step moves y towards z by c = ckp1, then
//! along the normalised gradient, and z along it. The per-step scalars (warmup, the weight sum
//! behind c) are computed by the caller.
//!
//! Scalars: [maximize (0), coupledWeightDecay (0), beta2, oneMinusBeta2, biasCorrection2, eps,
//! weightDecay (at y, on the normalised gradient), ckp1, adaptiveYLr, lr]. State: [z, expAvgSq].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::{lerp, Real};
use crate::rules::prelude::check_uncoupled;
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "adamw_schedule_free";
scalars!(
    maximize,
    coupled_weight_decay,
    beta2,
    one_minus_beta2,
    bias_correction2,
    eps,
    weight_decay,
    ckp1,
    adaptive_y_lr,
    lr
);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    check_uncoupled(NAME, slot.scalars)?;
    slot.check_elementwise_state(NAME, 2)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let (beta2, one_minus_beta2) = (T::of(s.beta2), T::of(s.one_minus_beta2));
    let (bias_correction2, eps) = (T::of(s.bias_correction2), T::of(s.eps));
    let decay = T::of(s.weight_decay);
    let decayed = s.weight_decay != 0.0;
    let (ckp1, adaptive, lr) = (T::of(s.ckp1), T::of(s.adaptive_y_lr), T::of(s.lr));
    let v = slot.state.pop().expect("checked: expAvgSq");
    let z = slot.state.pop().expect("checked: z");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(z)).and(view_mut(v)),
        |y: &mut T, &g: &T, z: &mut T, v: &mut T| {
            *v = beta2 * *v + one_minus_beta2 * (g * g);
            let denom = (*v / bias_correction2).sqrt() + eps;
            let mut normalised = g / denom;
            if decayed {
                normalised = normalised + decay * *y;
            }
            *y = lerp(*y, *z, ckp1) + adaptive * normalised;
            *z = *z - lr * normalised;
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    #[test]
    fn the_first_step_moves_y_to_z_then_along_the_normalised_gradient() {
        let mut y = vec![1.0f64];
        let mut state = vec![vec![1.0], vec![0.0]];
        // β₂ 0.999, bc2 = 0.001: v = 0.001·4, v/bc2 = 4, denom 2 (+eps 0): normalised 1.
        let scalars = [0.0, 0.0, 0.999, 0.001, 0.001, 0.0, 0.0, 1.0, -0.1, 0.1];
        one_step("adamw_schedule_free", &mut y, &[2.0], &mut state, &scalars).unwrap();
        assert_eq!(state[0], vec![0.9]);
        assert_eq!(y, vec![1.0 - 0.1]);
    }
}
