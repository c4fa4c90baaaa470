//! The registry of update rules: one line per rule. `src/optim/registry.ts` lists the same
//! names, and a test checks that both sides agree.

use crate::error::CoreError;
use crate::real::Real;
use crate::slot::{check_disjoint, Slot};

pub mod adadelta;
pub mod adafactor;
pub mod adafactor_hf;
pub mod adagrad;
pub mod adam;
pub mod adamax;
pub mod adamw_schedule_free;
pub mod asgd;
pub mod lamb;
pub mod lion;
pub mod moments;
pub mod muon;
pub mod nadam;
pub mod prelude;
pub mod radam;
pub mod rmsprop;
pub mod rprop;
pub mod scalars;
pub mod sgd;
pub mod sgd_schedule_free;

type Check<T> = fn(&Slot<'_, T>) -> Result<(), CoreError>;
type Apply<T> = fn(Slot<'_, T>);

/// A rule's validation and update, monomorphised for both element types.
pub struct RuleEntry {
    pub name: &'static str,
    /// The per-step scalars' names, in layout order (see `scalars.rs`).
    pub scalars: &'static [&'static str],
    check32: Check<f32>,
    apply32: Apply<f32>,
    check64: Check<f64>,
    apply64: Apply<f64>,
}

macro_rules! rule {
    ($m:ident) => {
        RuleEntry {
            name: $m::NAME,
            scalars: $m::Scalars::NAMES,
            check32: $m::check::<f32>,
            apply32: $m::apply::<f32>,
            check64: $m::check::<f64>,
            apply64: $m::apply::<f64>,
        }
    };
}

pub const RULES: &[RuleEntry] = &[
    rule!(sgd),
    rule!(adam),
    rule!(adagrad),
    rule!(rmsprop),
    rule!(adamax),
    rule!(adadelta),
    rule!(nadam),
    rule!(radam),
    rule!(lion),
    rule!(lamb),
    rule!(adafactor),
    rule!(adafactor_hf),
    rule!(rprop),
    rule!(asgd),
    rule!(adamw_schedule_free),
    rule!(sgd_schedule_free),
    rule!(muon),
];

/// The registered names, in registry order (the index is what the binding passes around).
pub const RULE_NAMES: &[&str] = &{
    let mut names = [""; RULES.len()];
    let mut i = 0;
    while i < RULES.len() {
        names[i] = RULES[i].name;
        i += 1;
    }
    names
};

pub fn rule_index(name: &str) -> Result<usize, CoreError> {
    RULE_NAMES.iter().position(|n| *n == name).ok_or_else(|| CoreError::UnknownRule(name.to_string()))
}

/// Picks the kernels of one element type out of a registry entry.
pub trait RuleElement: Real {
    fn kernels(entry: &RuleEntry) -> (Check<Self>, Apply<Self>);
}

impl RuleElement for f32 {
    fn kernels(entry: &RuleEntry) -> (Check<f32>, Apply<f32>) {
        (entry.check32, entry.apply32)
    }
}

impl RuleElement for f64 {
    fn kernels(entry: &RuleEntry) -> (Check<f64>, Apply<f64>) {
        (entry.check64, entry.apply64)
    }
}

/// Applies rule `rule` to every slot. Every slot is validated before any is touched, so an
/// error leaves all buffers as they were.
pub fn step_slots<T: RuleElement>(rule: usize, slots: Vec<Slot<'_, T>>) -> Result<(), CoreError> {
    let entry = RULES.get(rule).ok_or_else(|| CoreError::UnknownRule(format!("#{rule}")))?;
    let (check, apply) = T::kernels(entry);
    for slot in &slots {
        check(slot)?;
    }
    check_disjoint(&slots)?;
    for slot in slots {
        apply(slot);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Runs one step of `rule` on owned buffers; returns the new parameter.
    pub fn one_step<T: RuleElement>(
        rule: &str,
        param: &mut [T],
        grad: &[T],
        state: &mut [Vec<T>],
        scalars: &[f64],
    ) -> Result<(), CoreError> {
        let shape = vec![param.len()];
        one_step_shaped(rule, param, grad, state, scalars, &shape)
    }

    /// `one_step` for a tensor of the given shape (matrix rules).
    pub fn one_step_shaped<T: RuleElement>(
        rule: &str,
        param: &mut [T],
        grad: &[T],
        state: &mut [Vec<T>],
        scalars: &[f64],
        shape: &[usize],
    ) -> Result<(), CoreError> {
        let shape = shape.to_vec();
        let slot = Slot { param, grad, state: state.iter_mut().map(|s| s.as_mut_slice()).collect(), shape, scalars };
        step_slots(rule_index(rule)?, vec![slot])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names = RULE_NAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len());
    }

    #[test]
    fn aliasing_buffers_are_rejected_before_anything_changes() {
        let mut data = vec![1.0f64, 2.0];
        let ptr = data.as_mut_ptr();
        // Two views of one buffer, as a careless caller could pass through the binding.
        let param = unsafe { std::slice::from_raw_parts_mut(ptr, 2) };
        let grad = unsafe { std::slice::from_raw_parts(ptr, 2) };
        let scalars = [0.0, 0.0, 0.0, 1.0, 0.0, 0.1, 1.0];
        let slot = Slot { param, grad, state: vec![], shape: vec![2], scalars: &scalars };
        let err = step_slots(rule_index("sgd").unwrap(), vec![slot]).unwrap_err();
        assert!(err.to_string().contains("share memory"));
        assert_eq!(data, vec![1.0, 2.0]);
    }

    #[test]
    fn unknown_rules_are_errors() {
        assert!(rule_index("adamz").is_err());
        assert!(step_slots::<f32>(RULES.len(), vec![]).is_err());
    }
}
