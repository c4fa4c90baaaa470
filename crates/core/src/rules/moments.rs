//! The gradient pre-processing and moment update the Adam family shares (Adam/AdamW, NAdam,
//! RAdam), written once: `src/optim/moments.ts` is its mirror.
//!
//! Scalars (the first seven of each of those rules): [maximize, coupledWeightDecay,
//! decoupledDecayFactor (1 − lr·λ, or 1), β₁, 1 − β₁, β₂, 1 − β₂].

use crate::real::Real;
use crate::rules::prelude::Prelude;
use crate::rules::scalars::scalars;

scalars!(maximize, coupled_weight_decay, decay_factor, beta1, one_minus_beta1, beta2, one_minus_beta2);
pub const SCALARS: usize = Scalars::COUNT;

#[derive(Clone, Copy)]
pub struct Moments<T> {
    prelude: Prelude<T>,
    decoupled: bool,
    decay_factor: T,
    beta1: T,
    one_minus_beta1: T,
    beta2: T,
    one_minus_beta2: T,
}

impl<T: Real> Moments<T> {
    /// Reads the leading moment scalars of an Adam-family rule's layout.
    pub fn read(all: &[f64]) -> Self {
        let s = Scalars::read(all);
        Moments {
            prelude: Prelude::read(all),
            decoupled: s.decay_factor != 1.0,
            decay_factor: T::of(s.decay_factor),
            beta1: T::of(s.beta1),
            one_minus_beta1: T::of(s.one_minus_beta1),
            beta2: T::of(s.beta2),
            one_minus_beta2: T::of(s.one_minus_beta2),
        }
    }

    /// g ← ±g (+ λθ with L2); θ ← θ(1 − γλ) when decoupled; m ← β₁m + (1−β₁)g;
    /// v ← β₂v + (1−β₂)g². Returns the pre-processed gradient.
    #[inline(always)]
    pub fn update(&self, p: &mut T, g: T, m: &mut T, v: &mut T) -> T {
        let g = self.prelude.apply(*p, g);
        if self.decoupled {
            *p = *p * self.decay_factor;
        }
        *m = self.beta1 * *m + self.one_minus_beta1 * g;
        *v = self.beta2 * *v + self.one_minus_beta2 * (g * g);
        g
    }
}
