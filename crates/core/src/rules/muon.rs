//! Muon (Keller Jordan 2024; torch.optim.Muon's numerics, in the matrix's own dtype rather than
//! bfloat16): momentum with Nesterov, then the 5-step quintic Newton–Schulz iteration that
//! replaces the update by its nearest semi-orthogonal matrix, a decoupled weight decay, and a
//! step scaled by the matrix's shape (`adjustLrFn`, computed by the caller). For 2-D parameters.
//!
//! The products go through `ordered_matmul`, a GEMM that sums every element k-ascending with one
//! rounding per operation, so the JavaScript mirror's plain loops give the same bits.
//!
//! Scalars: [maximize (0), coupledWeightDecay (0), momentum, nesterov, a, b, c, eps, nsSteps,
//! decayFactor = 1 − lr·weightDecay, adjustedLr]. State: [momentumBuffer].

use crate::error::CoreError;
use crate::ordered_matmul::{matmul, matmul_transposed};
use crate::real::{lerp, Real};
use crate::rules::prelude::check_uncoupled;
use crate::rules::scalars::{flag, scalars};
use crate::slot::Slot;

pub const NAME: &str = "muon";
scalars!(maximize, coupled_weight_decay, momentum, nesterov, a, b, c, eps, ns_steps, decay_factor, adjusted_lr);
const SCALARS: usize = Scalars::COUNT;

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    check_uncoupled(NAME, slot.scalars)?;
    if slot.shape.len() != 2 {
        return Err(CoreError::invalid(
            "shape",
            format!("a 2-D matrix for muon (give other parameters to AdamW), got {:?}", slot.shape),
        ));
    }
    slot.check_elementwise_state(NAME, 1)
}

fn transpose<T: Real>(x: &[T], rows: usize, cols: usize) -> Vec<T> {
    let mut t = vec![T::zero(); x.len()];
    for i in 0..rows {
        for j in 0..cols {
            t[j * rows + i] = x[i * cols + j];
        }
    }
    t
}

/// torch's `_zeropower_via_newtonschulz` on g [rows, cols].
fn newton_schulz<T: Real>(g: &[T], rows: usize, cols: usize, s: &Scalars) -> Vec<T> {
    let tall = rows > cols;
    let (m, n) = if tall { (cols, rows) } else { (rows, cols) };
    let mut x = if tall { transpose(g, rows, cols) } else { g.to_vec() };
    // The Frobenius norm, summed in f64 in element order (the mirror sums alike).
    let norm = x.iter().map(|&v| v.wide() * v.wide()).sum::<f64>().sqrt();
    let scale = T::of(norm.max(s.eps));
    for v in x.iter_mut() {
        *v = *v / scale;
    }
    let (a, b, c) = (T::of(s.a), T::of(s.b), T::of(s.c));
    for _ in 0..s.ns_steps as usize {
        let gram = matmul_transposed(&x, &x, m, n, m, true);
        let gram2 = matmul(&gram, &gram, m, m, m, true);
        let update: Vec<T> = gram.iter().zip(&gram2).map(|(&g1, &g2)| b * g1 + c * g2).collect();
        let product = matmul(&update, &x, m, m, n, false);
        x = x.iter().zip(&product).map(|(&xi, &pi)| a * xi + pi).collect();
    }
    if tall {
        transpose(&x, m, n)
    } else {
        x
    }
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let (rows, cols) = (slot.shape[0], slot.shape[1]);
    let momentum = T::of(s.momentum);
    let rest = T::one() - momentum;
    let buffer = slot.state.pop().expect("checked: momentumBuffer");
    let mut update = vec![T::zero(); buffer.len()];
    for ((b, u), &g) in buffer.iter_mut().zip(update.iter_mut()).zip(slot.grad) {
        *b = lerp(*b, g, rest);
        *u = if flag(s.nesterov) { lerp(g, *b, momentum) } else { *b };
    }
    let orthogonal = newton_schulz(&update, rows, cols, &s);
    let (decay, lr) = (T::of(s.decay_factor), T::of(s.adjusted_lr));
    for (p, &o) in slot.param.iter_mut().zip(&orthogonal) {
        *p = *p * decay - lr * o;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::one_step_shaped;

    #[test]
    fn orthogonalises_a_diagonal_update_towards_the_identity() {
        // g = diag(2, 0.5): Newton–Schulz pushes both singular values towards ~1.
        let mut p = vec![0.0f64; 4];
        let mut state = vec![vec![0.0; 4]];
        let scalars = [0.0, 0.0, 0.0, 0.0, 3.4445, -4.775, 2.0315, 1e-7, 5.0, 1.0, 1.0];
        one_step_shaped("muon", &mut p, &[2.0, 0.0, 0.0, 0.5], &mut state, &scalars, &[2, 2]).unwrap();
        assert!(p[1] == 0.0 && p[2] == 0.0);
        assert!(p[0] < -0.6 && p[0] > -1.3 && p[3] < -0.6 && p[3] > -1.3, "{p:?}");
    }

    #[test]
    fn refuses_vectors() {
        let mut p = vec![0.0f64; 3];
        let mut state = vec![vec![0.0; 3]];
        let scalars = [0.0, 0.0, 0.95, 1.0, 3.4445, -4.775, 2.0315, 1e-7, 5.0, 1.0, 1e-3];
        let err = one_step_shaped("muon", &mut p, &[1.0, 2.0, 3.0], &mut state, &scalars, &[3]).unwrap_err();
        assert!(err.to_string().contains("2-D matrix"));
    }
}
