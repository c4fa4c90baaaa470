//! SGD with optional momentum, dampening, Nesterov, L2 weight decay and maximize
//! (torch.optim.SGD). Plain gradient descent is momentum = 0.
//!
//! Scalars: [maximize, coupledWeightDecay, momentum, 1 − dampening, nesterov, lr, firstStep].
//! State: [momentumBuffer] when momentum ≠ 0, else none.

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::Real;
use crate::rules::prelude::Prelude;
use crate::rules::scalars::{flag, scalars};
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "sgd";
scalars!(maximize, coupled_weight_decay, momentum, one_minus_dampening, nesterov, lr, first_step);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    slot.check_elementwise_state(NAME, if Scalars::read(slot.scalars).momentum != 0.0 { 1 } else { 0 })
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let momentum = T::of(s.momentum);
    let one_minus_dampening = T::of(s.one_minus_dampening);
    let nesterov = flag(s.nesterov);
    let lr = T::of(s.lr);
    let first = flag(s.first_step);
    let pre = move |p: T, g: T| prelude.apply(p, g);
    if s.momentum == 0.0 {
        zip_apply!(Zip::from(view_mut(slot.param)).and(view(slot.grad)), |p: &mut T, &g: &T| {
            *p = *p - lr * pre(*p, g);
        });
        return;
    }
    let buffer = slot.state.pop().expect("checked: one state tensor");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(buffer)),
        |p: &mut T, &g: &T, b: &mut T| {
            let g = pre(*p, g);
            // PyTorch starts the buffer as a copy of the first gradient, without (1 − dampening).
            *b = if first { g } else { momentum * *b + one_minus_dampening * g };
            let d = if nesterov { g + momentum * *b } else { *b };
            *p = *p - lr * d;
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    #[test]
    fn plain_step_is_p_minus_lr_g() {
        let mut p = vec![1.0f64, -2.0];
        one_step("sgd", &mut p, &[0.5, 0.25], &mut [], &[0.0, 0.0, 0.0, 1.0, 0.0, 0.1, 1.0]).unwrap();
        assert_eq!(p, vec![1.0 - 0.1 * 0.5, -2.0 - 0.1 * 0.25]);
    }

    #[test]
    fn momentum_buffer_starts_as_the_gradient_then_accumulates() {
        let mut p = vec![0.0f32];
        let mut state = vec![vec![0.0f32]];
        one_step("sgd", &mut p, &[1.0], &mut state, &[0.0, 0.0, 0.9, 0.5, 0.0, 1.0, 1.0]).unwrap();
        assert_eq!(state[0][0], 1.0);
        one_step("sgd", &mut p, &[1.0], &mut state, &[0.0, 0.0, 0.9, 0.5, 0.0, 1.0, 0.0]).unwrap();
        assert_eq!(state[0][0], 0.9 + 0.5);
        assert_eq!(p[0], -1.0 - 1.4);
    }

    #[test]
    fn missing_momentum_buffer_is_an_error() {
        let mut p = vec![0.0f32];
        let err = one_step("sgd", &mut p, &[1.0], &mut [], &[0.0, 0.0, 0.9, 1.0, 0.0, 1.0, 1.0]).unwrap_err();
        assert!(err.to_string().contains("1 state tensors"));
    }
}
