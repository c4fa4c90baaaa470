//! Rprop (Riedmiller & Braun 1993) with torch.optim.Rprop's numerics (its single-tensor path):
//! each element keeps its own step size, grown by eta+ while the gradient keeps its sign and
//! shrunk by eta− when it flips, clamped to [step min, step max]; the parameter moves by the step
//! size against the gradient's sign. On a sign flip the element does not move, and the stored
//! previous gradient is 0, so the next step takes the eta-free branch (torch's exact order).
//!
//! Scalars: [maximize, coupledWeightDecay (always 0: Rprop has none), etaMinus, etaPlus,
//! stepMin, stepMax]. State: [prev, stepSize] (stepSize starts at lr).

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::Real;
use crate::rules::prelude::{check_uncoupled, Prelude};
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "rprop";
scalars!(maximize, coupled_weight_decay, eta_minus, eta_plus, step_min, step_max);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    check_uncoupled(NAME, slot.scalars)?;
    slot.check_elementwise_state(NAME, 2)
}

/// torch's `sign` of g·prev mapped to the step-size factor: eta+ (same sign), eta− (flipped),
/// 1 (a zero), NaN (a NaN product, which torch's masks leave as it is). Written as selects on
/// the two comparisons so that the loop vectorises (branches on each element kept it scalar,
/// 7× slower than Adam per element).
#[inline(always)]
fn factor<T: Real>(product: T, eta_minus: T, eta_plus: T) -> T {
    let pos = product > T::zero();
    let neg = product < T::zero();
    // NaN is neither: the product itself (NaN) where it is not zero either.
    let rest = if product.is_nan() { product } else { T::one() };
    let f = if neg { eta_minus } else { rest };
    if pos {
        eta_plus
    } else {
        f
    }
}

/// torch's `clamp`: NaN stays NaN.
#[inline(always)]
fn clamp<T: Real>(x: T, low: T, high: T) -> T {
    let y = if x < low { low } else { x };
    if x > high {
        high
    } else {
        y
    }
}

/// torch's `sign`: −1, 0 or 1 (NaN for NaN).
#[inline(always)]
fn sign<T: Real>(x: T) -> T {
    let y = if x < T::zero() { -T::one() } else { x };
    let y = if x > T::zero() { T::one() } else { y };
    // 0 and −0 keep themselves (x·0 = ±0 as torch's sign gives), NaN stays NaN.
    if x == T::zero() {
        x
    } else {
        y
    }
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let (eta_minus, eta_plus) = (T::of(s.eta_minus), T::of(s.eta_plus));
    let (low, high) = (T::of(s.step_min), T::of(s.step_max));
    let step_size = slot.state.pop().expect("checked: stepSize");
    let prev = slot.state.pop().expect("checked: prev");
    zip_apply!(
        Zip::from(view_mut(slot.param)).and(view(slot.grad)).and(view_mut(prev)).and(view_mut(step_size)),
        |p: &mut T, &g: &T, prev: &mut T, size: &mut T| {
            let g = prelude.flip(g);
            let product = g * *prev;
            let new_size = clamp(*size * factor(product, eta_minus, eta_plus), low, high);
            *size = new_size;
            // A flip (factor eta−, i.e. a negative product: the options keep eta− apart from
            // eta+ and 1) zeroes this step's gradient, and so the stored one.
            let g = if product < T::zero() { T::zero() } else { g };
            *p = *p - sign(g) * new_size;
            *prev = g;
        }
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step;

    const SCALARS: [f64; 6] = [0.0, 0.0, 0.5, 1.2, 1e-6, 50.0];

    #[test]
    fn grows_while_the_sign_holds_and_freezes_the_element_on_a_flip() {
        let mut p = vec![1.0f64, 1.0];
        let mut state = vec![vec![0.0; 2], vec![0.01; 2]];
        one_step("rprop", &mut p, &[2.0, -3.0], &mut state, &SCALARS).unwrap();
        // prev was 0: factor 1, a plain step of 0.01 against the sign.
        assert_eq!(p, vec![0.99, 1.01]);
        one_step("rprop", &mut p, &[1.0, 5.0], &mut state, &SCALARS).unwrap();
        // Element 0 kept its sign: 0.01·1.2. Element 1 flipped: its size halves, it stays put.
        assert_eq!(state[1], vec![0.01 * 1.2, 0.005]);
        assert_eq!(p, vec![0.99 - 0.01 * 1.2, 1.01]);
        assert_eq!(state[0], vec![1.0, 0.0]);
    }

    #[test]
    fn step_sizes_stay_within_their_bounds() {
        let mut p = vec![0.0f32];
        let mut state = vec![vec![1.0f32], vec![49.0f32]];
        one_step("rprop", &mut p, &[1.0], &mut state, &SCALARS).unwrap();
        assert_eq!(state[1], vec![50.0]);
    }

    #[test]
    fn coupled_weight_decay_is_refused() {
        let mut p = vec![1.0f64];
        let mut state = vec![vec![0.0], vec![0.01]];
        let err = one_step("rprop", &mut p, &[1.0], &mut state, &[0.0, 0.1, 0.5, 1.2, 1e-6, 50.0]).unwrap_err();
        assert!(err.to_string().contains("coupled weight decay 0"));
    }
}
