use crate::error::CoreError;

/// One parameter tensor's buffers for one step: the parameter (updated in place), its
/// gradient, the rule's state tensors, the tensor's shape and the per-step scalars that the
/// caller computed for it.
pub struct Slot<'a, T> {
    pub param: &'a mut [T],
    pub grad: &'a [T],
    pub state: Vec<&'a mut [T]>,
    pub shape: Vec<usize>,
    pub scalars: &'a [f64],
}

impl<T> Slot<'_, T> {
    /// Checks the parts every rule relies on: gradient length, shape and scalar count.
    pub fn check_common(&self, rule: &str, scalars: usize) -> Result<(), CoreError> {
        let n = self.param.len();
        if self.grad.len() != n {
            return Err(CoreError::invalid(
                "grad",
                format!("{n} elements like the parameter, got {}", self.grad.len()),
            ));
        }
        let product: usize = self.shape.iter().product();
        if product != n {
            return Err(CoreError::invalid("shape", format!("a product of {n}, got {:?}", self.shape)));
        }
        if self.scalars.len() != scalars {
            return Err(CoreError::invalid(
                "scalars",
                format!("{scalars} per-step scalars for {rule}, got {}", self.scalars.len()),
            ));
        }
        Ok(())
    }

    /// Checks that there are `count` state tensors, each as long as the parameter.
    pub fn check_elementwise_state(&self, rule: &str, count: usize) -> Result<(), CoreError> {
        if self.state.len() != count {
            return Err(CoreError::invalid(
                "state",
                format!("{count} state tensors for {rule}, got {}", self.state.len()),
            ));
        }
        let n = self.param.len();
        match self.state.iter().position(|s| s.len() != n) {
            Some(i) => {
                Err(CoreError::invalid(format!("state[{i}]"), format!("{n} elements, got {}", self.state[i].len())))
            }
            None => Ok(()),
        }
    }

    /// Reads a 0/1 scalar flag.
    pub fn flag(&self, index: usize) -> bool {
        self.scalars[index] != 0.0
    }
}

/// Rejects any two buffers that share memory: a kernel writing a parameter must never read
/// or write it through another name, and Rust may not even hold two such references.
pub fn check_disjoint<T>(slots: &[Slot<'_, T>]) -> Result<(), CoreError> {
    let size = std::mem::size_of::<T>();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for slot in slots {
        let mut push = |ptr: *const T, len: usize| {
            if len > 0 {
                let start = ptr as usize;
                ranges.push((start, start + len * size));
            }
        };
        push(slot.param.as_ptr(), slot.param.len());
        push(slot.grad.as_ptr(), slot.grad.len());
        for s in &slot.state {
            push(s.as_ptr(), s.len());
        }
    }
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        if pair[1].0 < pair[0].1 {
            return Err(CoreError::invalid("tensors", "parameters, gradients and state that do not share memory"));
        }
    }
    Ok(())
}
