//! SGD Schedule-Free (Defazio et al. 2024) with the numerics of facebookresearch/schedule_free's
//! `SGDScheduleFree.step` (sgd_schedulefree.py): y moves towards z by c = ckp1 and along the
//! gradient (with L2 weight decay taken at y), z along the gradient.
//!
//! Scalars: [maximize (0), coupledWeightDecay (L2 at y), ckp1, adaptiveYLr = lr·(μ(1 − c) − 1),
//! lr]. State: [z].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::{lerp, Real};
use crate::rules::prelude::Prelude;
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "sgd_schedule_free";
scalars!(maximize, coupled_weight_decay, ckp1, adaptive_y_lr, lr);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    slot.check_elementwise_state(NAME, 1)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let (ckp1, adaptive, lr) = (T::of(s.ckp1), T::of(s.adaptive_y_lr), T::of(s.lr));
    let z = slot.state.pop().expect("checked: z");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(z)),
        |y: &mut T, &g: &T, z: &mut T| {
            let g = prelude.apply(*y, g);
            *y = lerp(*y, *z, ckp1) + adaptive * g;
            *z = *z - lr * g;
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    #[test]
    fn the_first_step_moves_y_to_z_then_along_the_gradient() {
        let mut y = vec![3.0f64];
        let mut state = vec![vec![3.0]];
        one_step("sgd_schedule_free", &mut y, &[1.0], &mut state, &[0.0, 0.0, 1.0, -0.5, 0.5]).unwrap();
        assert_eq!(state[0], vec![2.5]);
        assert_eq!(y, vec![2.5]);
    }
}
