//! The gradient pre-processing every rule shares, written once: every layout starts with
//! `maximize` and `coupled_weight_decay`, and every kernel's first operation on a gradient
//! element is g ← (maximize ? −g : g) + λθ (optax's `scale(-1)` and `add_decayed_weights`,
//! fused into the rule's own pass). Rules whose weight decay is decoupled (Lion, LAMB, the
//! Adafactors) plan λ = 0 here and refuse anything else. `src/optim/prelude.ts` mirrors it.

use crate::error::CoreError;
use crate::real::Real;
use crate::rules::scalars::{flag, scalars};

scalars!(maximize, coupled_weight_decay);

/// The header's two scalars, rounded to the element type once per step.
#[derive(Clone, Copy)]
pub struct Prelude<T> {
    maximize: bool,
    coupled: bool,
    weight_decay: T,
}

impl<T: Real> Prelude<T> {
    /// Reads the header at the start of any rule's scalars.
    pub fn read(all: &[f64]) -> Self {
        let s = Scalars::read(all);
        Prelude {
            maximize: flag(s.maximize),
            coupled: s.coupled_weight_decay != 0.0,
            weight_decay: T::of(s.coupled_weight_decay),
        }
    }

    /// g ← (maximize ? −g : g) + λθ.
    #[inline(always)]
    pub fn apply(&self, p: T, g: T) -> T {
        let g = self.flip(g);
        if self.coupled {
            g + self.weight_decay * p
        } else {
            g
        }
    }

    /// g ← maximize ? −g : g, for rules without coupled weight decay.
    #[inline(always)]
    pub fn flip(&self, g: T) -> T {
        if self.maximize {
            -g
        } else {
            g
        }
    }
}

/// For rules whose decay is decoupled: the header's λ must be 0.
pub fn check_uncoupled(rule: &str, scalars: &[f64]) -> Result<(), CoreError> {
    match Scalars::read(scalars).coupled_weight_decay {
        0.0 => Ok(()),
        other => Err(CoreError::invalid("scalars", format!("coupled weight decay 0 for {rule}, got {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::RULES;

    #[test]
    fn every_layout_starts_with_the_prelude() {
        for rule in RULES {
            assert_eq!(&rule.scalars[..2], super::Scalars::NAMES, "{}", rule.name);
        }
    }
}
