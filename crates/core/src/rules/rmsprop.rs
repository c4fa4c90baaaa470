//! RMSprop (Hinton's lecture 6e) with torch.optim.RMSprop's numerics: eps is added outside
//! the root; the centered variant (Graves 2013) subtracts the squared running mean of g; the
//! momentum buffer accumulates g / den from zero and lr multiplies the buffer, not g.
//!
//! Scalars: [maximize, coupledWeightDecay (L2), alpha, 1 − alpha, eps, momentum, centered, lr].
//! State: [squareAvg], then momentumBuffer when momentum > 0, then gradAvg when centered.

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::Real;
use crate::rules::prelude::Prelude;
use crate::rules::scalars::{flag, scalars};
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "rmsprop";
scalars!(maximize, coupled_weight_decay, alpha, one_minus_alpha, eps, momentum, centered, lr);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    let s = Scalars::read(slot.scalars);
    let count = 1 + usize::from(s.momentum > 0.0) + usize::from(flag(s.centered));
    slot.check_elementwise_state(NAME, count)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let (alpha, one_minus_alpha) = (T::of(s.alpha), T::of(s.one_minus_alpha));
    let eps = T::of(s.eps);
    let use_momentum = s.momentum > 0.0;
    let momentum = T::of(s.momentum);
    let centered = flag(s.centered);
    let lr = T::of(s.lr);

    let pre = move |p: T, g: T| prelude.apply(p, g);
    let square_avg = move |v: &mut T, g: T| *v = alpha * *v + one_minus_alpha * (g * g);
    // The centered denominator estimates the variance √(E[g²] − E[g]²) instead of the raw RMS.
    let centered_den = move |v: T, gbar: &mut T, g: T| {
        *gbar = alpha * *gbar + one_minus_alpha * g;
        (v - *gbar * *gbar).sqrt() + eps
    };
    let step = move |p: &mut T, g: T, den: T, buffer: Option<&mut T>| match buffer {
        Some(b) => {
            *b = momentum * *b + g / den;
            *p = *p - lr * *b;
        }
        None => *p = *p - lr * (g / den),
    };

    let mut state = slot.state.drain(..);
    let v = state.next().expect("checked: squareAvg");
    let buffer = if use_momentum { state.next() } else { None };
    let grad_avg = if centered { state.next() } else { None };
    let param = view_mut(slot.param);
    let grad = view(slot.grad);
    match (buffer, grad_avg) {
        (None, None) => zip_apply!(Zip::from(param).and(grad).and(view_mut(v)), |p: &mut T, &g: &T, v: &mut T| {
            let g = pre(*p, g);
            square_avg(v, g);
            step(p, g, v.sqrt() + eps, None);
        }),
        (Some(b), None) => zip_apply!(
            Zip::from(param).and(grad).and(view_mut(v)).and(view_mut(b)),
            |p: &mut T, &g: &T, v: &mut T, b: &mut T| {
                let g = pre(*p, g);
                square_avg(v, g);
                step(p, g, v.sqrt() + eps, Some(b));
            }
        ),
        (None, Some(gbar)) => zip_apply!(
            Zip::from(param).and(grad).and(view_mut(v)).and(view_mut(gbar)),
            |p: &mut T, &g: &T, v: &mut T, gbar: &mut T| {
                let g = pre(*p, g);
                square_avg(v, g);
                step(p, g, centered_den(*v, gbar, g), None);
            }
        ),
        (Some(b), Some(gbar)) => zip_apply!(
            Zip::from(param).and(grad).and(view_mut(v)).and(view_mut(b)).and(view_mut(gbar)),
            |p: &mut T, &g: &T, v: &mut T, b: &mut T, gbar: &mut T| {
                let g = pre(*p, g);
                square_avg(v, g);
                step(p, g, centered_den(*v, gbar, g), Some(b));
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    fn scalars(momentum: f64, centered: bool) -> [f64; 8] {
        [0.0, 0.0, 0.75, 0.25, 0.0, momentum, f64::from(u8::from(centered)), 0.5]
    }

    #[test]
    fn first_plain_step_divides_by_the_root_of_the_new_square_average() {
        let mut p = vec![1.0f64];
        let mut state = vec![vec![0.0]];
        one_step("rmsprop", &mut p, &[2.0], &mut state, &scalars(0.0, false)).unwrap();
        // v = 0.25 · 4 = 1, so the step is lr · g.
        assert_eq!(state[0][0], 1.0);
        assert_eq!(p[0], 0.0);
    }

    #[test]
    fn centered_momentum_keeps_buffer_then_grad_avg() {
        let mut p = vec![1.0f32];
        let mut state = vec![vec![0.0f32], vec![0.5], vec![0.0]];
        one_step("rmsprop", &mut p, &[4.0], &mut state, &scalars(0.5, true)).unwrap();
        // v = 0.25·16 = 4, ḡ = 0.25·4 = 1, den = √(4 − 1) ; b = 0.5·0.5 + 4/√3.
        let den = 3.0f32.sqrt();
        let b = 0.5f32 * 0.5 + 4.0 / den;
        assert_eq!(state, vec![vec![4.0], vec![b], vec![1.0]]);
        assert_eq!(p[0], 1.0 - 0.5 * b);
    }

    #[test]
    fn centered_needs_its_grad_avg() {
        let mut p = vec![1.0f64];
        let err = one_step("rmsprop", &mut p, &[1.0], &mut [vec![0.0]], &scalars(0.0, true)).unwrap_err();
        assert!(err.to_string().contains("2 state tensors"));
        assert_eq!(p, vec![1.0]);
    }
}
