//! ASGD, averaged SGD (Polyak & Juditsky 1992, with Bottou's decaying step), with
//! torch.optim.ASGD's numerics (its single-tensor path): a step with the current η, a decay of
//! the parameter by 1 − λη, and a running average `ax` of the iterates that starts averaging
//! after t0 steps. η and μ are per-step scalars computed by the caller (in f64).
//!
//! Scalars: [maximize, coupledWeightDecay (L2), decay = 1 − λη, eta, mu]. State: [ax].

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::Real;
use crate::rules::prelude::Prelude;
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "asgd";
scalars!(maximize, coupled_weight_decay, decay, eta, mu);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    slot.check_elementwise_state(NAME, 1)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let (decay, eta, mu) = (T::of(s.decay), T::of(s.eta), T::of(s.mu));
    // μ = 1 copies the iterate (torch's `ax.copy_(param)`) rather than adding (θ − ax)·1.
    let copy = s.mu == 1.0;
    let ax = slot.state.pop().expect("checked: ax");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(ax)),
        |p: &mut T, &g: &T, ax: &mut T| {
            let g = prelude.apply(*p, g);
            let decayed = *p * decay;
            *p = decayed - eta * g;
            *ax = if copy { *p } else { *ax + (*p - *ax) * mu };
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    #[test]
    fn steps_decays_and_copies_the_iterate_while_mu_is_one() {
        let mut p = vec![2.0f64];
        let mut state = vec![vec![0.0]];
        // η = 0.1, λ = 0.5: decay 0.95.
        one_step("asgd", &mut p, &[1.0], &mut state, &[0.0, 0.0, 0.95, 0.1, 1.0]).unwrap();
        assert_eq!(p, vec![2.0 * 0.95 - 0.1]);
        assert_eq!(state[0], p);
    }

    #[test]
    fn averages_with_mu_below_one() {
        let mut p = vec![1.0f64];
        let mut state = vec![vec![3.0]];
        one_step("asgd", &mut p, &[0.0], &mut state, &[0.0, 0.0, 1.0, 0.1, 0.25]).unwrap();
        assert_eq!(state[0], vec![3.0 + (1.0 - 3.0) * 0.25]);
    }
}
