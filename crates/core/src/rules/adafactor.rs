//! Adafactor (Shazeer & Stern 2018) with torch.optim.Adafactor's numerics (torch ≥ 2.5): the
//! second moment of a tensor with dim ≥ 2 is factored over its last two dims (n rows × m
//! columns; leading dims are batch dims with their own factors), the step is relative
//! (ρ = min(lr, 1/√t)) and scaled by max(ε₂, RMS(θ)), and the update is clipped to RMS ≤ d.
//!
//! Scalars: [maximize, coupledWeightDecay (always 0), β̂₂ = 1 − t^τ, 1 − β̂₂ = t^τ, ρ = min(lr, 1/√t), ε₁ (machine epsilon of
//! the dtype when the option is null), ε₂, d, decoupledDecayFactor (1 − lr·λ)].
//! State: [rowVar (batch·n), colVar (batch·m)] for dim ≥ 2, else [variance] (param-sized).
//!
//! Numerics: row and column means of g², the mean of rowVar, RMS(θ) and RMS(U) are f64 sums in
//! a fixed order (crate::reduce), mirrored by the JavaScript kernel. ε₁ clamps √V from below
//! (`g / max(√V, ε₁)`) instead of V by ε₁² as torch writes it: the same number in exact
//! arithmetic, but ε₁² = 1e-60 underflows to 0 in f32 and all-zero rows would give 0/0.
//! RMS(U) needs the whole update before any of it is applied, so U is computed twice (once
//! for the sum of squares, once to apply it) rather than stored, a block at a time, row segment
//! by row segment so the loops vectorise. Every pass (row and column sums, the blocked sums,
//! U and its application) splits long tensors across threads in fixed parts (crate::parallel),
//! so results are the same at any thread count.

use crate::elementwise::{view, view_mut};
use crate::error::CoreError;
use crate::real::{max, Real};
use crate::reduce;
use crate::rules::prelude::{check_uncoupled, Prelude};
use crate::rules::scalars::scalars;
use crate::slot::Slot;
use crate::zip_apply;

pub const NAME: &str = "adafactor";
scalars!(maximize, coupled_weight_decay, beta2_hat, one_minus_beta2_hat, rho, eps1, eps2, d, decay_factor);
const SCALARS: usize = Scalars::COUNT;

/// How a tensor of dim ≥ 2 splits for the factored second moment: `batch` matrices of
/// `rows` × `cols`, row-major (torch factors over the last two dims).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Factoring {
    pub batch: usize,
    pub rows: usize,
    pub cols: usize,
}

impl Factoring {
    /// `None` for dim ≤ 1 (vectors and scalars keep a full second moment).
    pub(crate) fn of(shape: &[usize]) -> Option<Self> {
        match shape {
            [lead @ .., rows, cols] => Some(Factoring { batch: lead.iter().product(), rows: *rows, cols: *cols }),
            _ => None,
        }
    }

    /// Which batch, row (of all batch·rows) and column the flat element `k` is in.
    #[inline(always)]
    pub(crate) fn locate(self, k: usize) -> (usize, usize, usize) {
        let row = k / self.cols;
        (row / self.rows, row, k % self.cols)
    }
}

/// Checks the second-moment state of an Adafactor-like rule (rowVar + colVar, or variance)
/// followed by `extra` param-sized tensors.
pub(crate) fn check_state<T>(slot: &Slot<'_, T>, rule: &str, extra: usize) -> Result<(), CoreError> {
    let n = slot.param.len();
    let mut lengths = match Factoring::of(&slot.shape) {
        Some(f) => vec![f.batch * f.rows, f.batch * f.cols],
        None => vec![n],
    };
    lengths.extend(std::iter::repeat_n(n, extra));
    if slot.state.len() != lengths.len() {
        return Err(CoreError::invalid(
            "state",
            format!("{} state tensors for {rule} with shape {:?}, got {}", lengths.len(), slot.shape, slot.state.len()),
        ));
    }
    match slot.state.iter().zip(&lengths).position(|(s, &want)| s.len() != want) {
        Some(i) => Err(CoreError::invalid(
            format!("state[{i}]"),
            format!("{} elements, got {}", lengths[i], slot.state[i].len()),
        )),
        None => Ok(()),
    }
}

/// rowVar ← β̂₂·rowVar + (1 − β̂₂)·mean over each row of term(g), and colVar likewise down the
/// columns of each batch matrix; the means are f64 sums (reduce::row_sums / column_sums)
/// divided by the count, rounded to T once.
pub(crate) fn update_factors<T: Real>(
    f: Factoring,
    grad: &[T],
    row_var: &mut [T],
    col_var: &mut [T],
    (beta2, one_minus_beta2): (T, T),
    term: impl Fn(f64) -> f64 + Sync + Copy,
) {
    let (rows, cols) = (f.rows as f64, f.cols as f64);
    for (v, &sum) in row_var.iter_mut().zip(&reduce::row_sums(grad, f.cols, term)) {
        *v = beta2 * *v + one_minus_beta2 * T::of(sum / cols);
    }
    for (matrix, col_var) in grad.chunks(f.rows * f.cols).zip(col_var.chunks_mut(f.cols)) {
        for (v, &sum) in col_var.iter_mut().zip(&reduce::column_sums(matrix, f.cols, term)) {
            *v = beta2 * *v + one_minus_beta2 * T::of(sum / rows);
        }
    }
}

/// The mean of rowVar over the rows of each batch matrix, rounded to T.
pub(crate) fn row_var_means<T: Real>(f: Factoring, row_var: &[T]) -> Vec<T> {
    reduce::row_sums(row_var, f.rows, |v| v).iter().map(|&sum| T::of(sum / f.rows as f64)).collect()
}

/// The divisor that clips an update to RMS ≤ `threshold`: max(1, RMS(U)/threshold), in f64.
pub(crate) fn clip_divisor(sum_of_squares: f64, len: usize, threshold: f64) -> f64 {
    max(1.0, (sum_of_squares / len as f64).sqrt() / threshold)
}

/// Σ U² over the whole tensor in reduce's blocked order, U made a block at a time by
/// `fill(start, out)` (U at flat indices start..).
pub(crate) fn sum_of_squares_of<T: Real>(len: usize, fill: impl Fn(usize, &mut [T]) + Sync) -> f64 {
    reduce::sum_of_filled(len, fill, |u| u * u)
}

/// A range filler from U at a flat index, for updates that are not walked row by row.
pub(crate) fn by_index<T: Real>(update: impl Fn(usize) -> T + Sync) -> impl Fn(usize, &mut [T]) + Sync {
    move |start, out| {
        for (i, u) in out.iter_mut().enumerate() {
            *u = update(start + i);
        }
    }
}

/// θ ← θ·(1 − γλ) − α/max(1, RMS(U)/d) · U, U made a block at a time by `fill`: once for
/// RMS(U), which must be known before anything is applied, then again to apply it.
fn apply_update<T: Real>(param: &mut [T], alpha: f64, d: f64, decay: Option<T>, fill: impl Fn(usize, &mut [T]) + Sync) {
    let n = param.len();
    let step = T::of(alpha / clip_divisor(sum_of_squares_of(n, &fill), n, d));
    crate::parallel::fill(param, reduce::PARALLEL_MIN, |start, piece| {
        let mut update = vec![T::zero(); reduce::REDUCE_BLOCK.min(piece.len())];
        for (c, chunk) in piece.chunks_mut(reduce::REDUCE_BLOCK).enumerate() {
            let update = &mut update[..chunk.len()];
            fill(start + c * reduce::REDUCE_BLOCK, update);
            crate::elementwise::with_best_simd(Apply { chunk, update, step, decay });
        }
    });
}

/// One block of `apply_update`'s θ ← decayed θ − step·U, as a `SimdJob` so it vectorises.
struct Apply<'a, T> {
    chunk: &'a mut [T],
    update: &'a [T],
    step: T,
    decay: Option<T>,
}

impl<T: Real> crate::elementwise::SimdJob for Apply<'_, T> {
    #[inline(always)]
    fn run(self) {
        let Apply { chunk, update, step, decay } = self;
        for (p, &u) in chunk.iter_mut().zip(update) {
            let decayed = match decay {
                Some(factor) => *p * factor,
                None => *p,
            };
            *p = decayed - step * u;
        }
    }
}

/// U at flat indices start.. of one tensor: written into `out` by `fill`.
trait Update<T>: Sync {
    fn fill(&self, start: usize, out: &mut [T]);
}

/// U = ±g / max(√(rowVar·colVar/mean(rowVar)), ε₁) of a factored tensor.
struct FactoredUpdate<'a, T> {
    f: Factoring,
    row_var: &'a [T],
    col_var: &'a [T],
    means: &'a [T],
    grad: &'a [T],
    eps1: T,
    prelude: Prelude<T>,
}

impl<T: Real> Update<T> for FactoredUpdate<'_, T> {
    #[inline(always)]
    fn fill(&self, start: usize, out: &mut [T]) {
        let Self { f, row_var, col_var, means, grad, eps1, prelude } = self;
        // Row segment by row segment (no closure: it would be compiled apart from the SIMD
        // caller), each a loop over plain slices without divisions.
        let (mut k, mut at) = (start, 0);
        while at < out.len() {
            let (row, col) = (k / f.cols, k % f.cols);
            let len = (f.cols - col).min(out.len() - at);
            let b = row / f.rows;
            let (row_v, mean) = (row_var[row], means[b]);
            let cols = &col_var[b * f.cols + col..][..len];
            for ((u, &col_v), &g) in out[at..at + len].iter_mut().zip(cols).zip(&grad[k..k + len]) {
                let v = row_v * col_v / mean;
                *u = prelude.flip(g) / max(v.sqrt(), *eps1);
            }
            (at, k) = (at + len, k + len);
        }
    }
}

/// U = ±g / max(√variance, ε₁) of a vector.
struct VectorUpdate<'a, T> {
    variance: &'a [T],
    grad: &'a [T],
    eps1: T,
    prelude: Prelude<T>,
}

impl<T: Real> Update<T> for VectorUpdate<'_, T> {
    #[inline(always)]
    fn fill(&self, start: usize, out: &mut [T]) {
        let range = start..start + out.len();
        for ((u, &g), &v) in out.iter_mut().zip(&self.grad[range.clone()]).zip(&self.variance[range]) {
            *u = self.prelude.flip(g) / max(v.sqrt(), self.eps1);
        }
    }
}

/// One block of U as a `SimdJob`, so its loop is compiled for the widest SIMD the CPU has (a
/// closure would be compiled apart from the SIMD-enabled caller, and not vectorised as widely).
struct Fill<'a, T, U> {
    update: U,
    start: usize,
    out: &'a mut [T],
}

impl<T, U: Update<T>> crate::elementwise::SimdJob for Fill<'_, T, U> {
    #[inline(always)]
    fn run(self) {
        self.update.fill(self.start, self.out)
    }
}

pub fn check<T: Real>(slot: &Slot<'_, T>) -> Result<(), CoreError> {
    slot.check_common(NAME, SCALARS)?;
    check_uncoupled(NAME, slot.scalars)?;
    check_state(slot, NAME, 0)
}

pub fn apply<T: Real>(mut slot: Slot<'_, T>) {
    let s = Scalars::read(slot.scalars);
    let prelude = Prelude::<T>::read(slot.scalars);
    let beta2 = (T::of(s.beta2_hat), T::of(s.one_minus_beta2_hat));
    let rho = s.rho;
    let eps1 = T::of(s.eps1);
    let eps2 = s.eps2;
    let d = s.d;
    let decay = (s.decay_factor != 1.0).then_some(T::of(s.decay_factor));
    let n = slot.param.len();
    if n == 0 {
        return;
    }
    // θ's scale is taken before the weight decay, as torch does.
    let alpha = max(eps2, reduce::rms(slot.param)) * rho;
    let grad = slot.grad;

    let mut state = slot.state.drain(..);
    match Factoring::of(&slot.shape) {
        Some(f) => {
            let row_var = state.next().expect("checked: rowVar");
            let col_var = state.next().expect("checked: colVar");
            update_factors(f, grad, row_var, col_var, beta2, |g| g * g);
            let (row_var, col_var): (&[T], &[T]) = (row_var, col_var);
            // torch clamps the mean by ε₁ so that an all-zero gradient does not divide by 0.
            let means: Vec<T> = row_var_means(f, row_var).into_iter().map(|mean| max(mean, eps1)).collect();
            let means = &means[..];
            let fill = |start: usize, out: &mut [T]| {
                let update = FactoredUpdate { f, row_var, col_var, means, grad, eps1, prelude };
                crate::elementwise::with_best_simd(Fill { update, start, out })
            };
            apply_update(slot.param, alpha, d, decay, fill);
        }
        None => {
            let variance = state.next().expect("checked: variance");
            let (beta2, one_minus_beta2) = beta2;
            zip_apply!(Zip::from(view_mut(&mut *variance)).and(view(grad)), |v: &mut T, &g: &T| {
                *v = beta2 * *v + one_minus_beta2 * (g * g);
            });
            let variance: &[T] = variance;
            let fill = |start: usize, out: &mut [T]| {
                let update = VectorUpdate { variance, grad, eps1, prelude };
                crate::elementwise::with_best_simd(Fill { update, start, out })
            };
            apply_update(slot.param, alpha, d, decay, fill);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Factoring;
    use crate::rules::{rule_index, step_slots};
    use crate::slot::Slot;

    /// Scalars of the first step: β̂₂ = 0, ρ = lr, no weight decay.
    fn first_step(lr: f64, eps1: f64, d: f64) -> [f64; 9] {
        [0.0, 0.0, 0.0, 1.0, lr, eps1, 1e-3, d, 1.0]
    }

    fn step<T: crate::rules::RuleElement>(
        param: &mut [T],
        grad: &[T],
        shape: &[usize],
        state: &mut [Vec<T>],
        scalars: &[f64],
    ) -> Result<(), crate::CoreError> {
        let state = state.iter_mut().map(|s| s.as_mut_slice()).collect();
        let slot = Slot { param, grad, state, shape: shape.to_vec(), scalars };
        step_slots(rule_index("adafactor")?, vec![slot])
    }

    #[test]
    fn factors_over_the_last_two_dims() {
        assert_eq!(Factoring::of(&[2, 3, 4, 5]), Some(Factoring { batch: 6, rows: 4, cols: 5 }));
        assert_eq!(Factoring::of(&[1, 4]), Some(Factoring { batch: 1, rows: 1, cols: 4 }));
        assert_eq!(Factoring::of(&[7]), None);
        assert_eq!(Factoring::of(&[]), None);
    }

    #[test]
    fn first_factored_step_by_hand() {
        // Row and column means of g² are [4.5, 8] each, their mean 6.25, so
        // V = [[3.24, 5.76], [5.76, 10.24]] and U = g/√V = [[5/3, 0], [0, 1.25]];
        // RMS(U) ≈ 1.04 < d = 2, α = max(ε₂, RMS(θ) = 2)·lr = 0.02.
        let mut p = vec![2.0f64; 4];
        let mut state = vec![vec![0.0; 2], vec![0.0; 2]];
        step(&mut p, &[3.0, 0.0, 0.0, 4.0], &[2, 2], &mut state, &first_step(0.01, 1e-30, 2.0)).unwrap();
        assert_eq!(state, vec![vec![4.5, 8.0], vec![4.5, 8.0]]);
        for (x, want) in p.iter().zip([2.0 - 0.02 * 5.0 / 3.0, 2.0, 2.0, 2.0 - 0.02 * 1.25]) {
            assert!((x - want).abs() < 1e-15, "{x} vs {want}");
        }
    }

    #[test]
    fn zero_rows_stay_finite_in_f32_even_with_a_tiny_eps1() {
        // ε₁² = 1e-60 would be 0 in f32; the clamp on √V keeps 0/ε₁ = 0 for the empty row.
        let mut p = vec![1.0f32, -1.0, 0.5, 0.25];
        let mut state = vec![vec![0.0; 2], vec![0.0; 2]];
        step(&mut p, &[0.0, 0.0, 1.0, -2.0], &[2, 2], &mut state, &first_step(0.01, 1e-30, 1.0)).unwrap();
        assert!(p.iter().all(|x| x.is_finite()));
        assert_eq!(&p[..2], &[1.0, -1.0]);
        assert!(p[2] < 0.5 && p[3] > 0.25);
    }

    #[test]
    fn state_lengths_follow_the_shape() {
        let mut p = vec![0.0f32; 6];
        let g = [1.0f32; 6];
        let err =
            step(&mut p, &g, &[2, 3], &mut [vec![0.0; 2], vec![0.0; 2]], &first_step(0.01, 1e-7, 1.0)).unwrap_err();
        assert!(err.to_string().contains("state[1]: expected 3 elements"), "{err}");
        let err = step(&mut p, &g, &[6], &mut [vec![0.0; 2], vec![0.0; 3]], &first_step(0.01, 1e-7, 1.0)).unwrap_err();
        assert!(err.to_string().contains("1 state tensors"), "{err}");
        assert_eq!(p, vec![0.0; 6]);
    }
}
