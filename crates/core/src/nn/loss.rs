//! Output layers and their losses, both mean-reduced as PyTorch's defaults: softmax with
//! cross-entropy over integer labels, and identity with the mean squared error. Losses are
//! accumulated in f64 from the layer's values, as `src/models/js/loss.ts` does.

use crate::error::CoreError;
use crate::real::Real;

/// What a network's last layer is and which loss trains it. Codes are shared with
/// `src/models/network.ts`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Softmax probabilities; loss: cross-entropy against integer class labels.
    Softmax,
    /// The affine values themselves; loss: mean over rows and outputs of (ŷ − y)².
    Identity,
}

/// What a batch is compared with: class labels (softmax) or target values (identity), row-major.
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a, T> {
    Labels(&'a [i32]),
    Values(&'a [T]),
}

impl Output {
    /// The output with code `code` (0 softmax, 1 identity).
    pub fn from_code(code: u32) -> Result<Self, CoreError> {
        match code {
            0 => Ok(Output::Softmax),
            1 => Ok(Output::Identity),
            _ => Err(CoreError::invalid("output", format!("0 (softmax) or 1 (identity), got {code}"))),
        }
    }

    /// Checks that `targets` suit this output for `rows` rows of `width` values.
    pub fn check_targets<T: Real>(self, targets: Targets<'_, T>, rows: usize, width: usize) -> Result<(), CoreError> {
        match (self, targets) {
            (Output::Softmax, Targets::Labels(labels)) => {
                if labels.len() != rows {
                    return Err(CoreError::invalid("labels", format!("{rows} labels, got {}", labels.len())));
                }
                match labels.iter().position(|&l| l < 0 || l as usize >= width) {
                    Some(i) => Err(CoreError::invalid(format!("labels[{i}]"), format!("a class in [0, {width})"))),
                    None => Ok(()),
                }
            }
            (Output::Identity, Targets::Values(values)) => {
                if values.len() != rows * width {
                    return Err(CoreError::invalid(
                        "targets",
                        format!("{} values, got {}", rows * width, values.len()),
                    ));
                }
                Ok(())
            }
            (Output::Softmax, _) => Err(CoreError::invalid("targets", "class labels for a softmax output")),
            (Output::Identity, _) => Err(CoreError::invalid("targets", "values for an identity output")),
        }
    }

    /// The mean loss over `rows` rows of `logits` (each `width` wide); writes dLoss/dlogits into
    /// `grad`. Targets must have passed `check_targets`.
    pub fn loss_and_grad<T: Real>(self, logits: &[T], width: usize, targets: Targets<'_, T>, grad: &mut [T]) -> f64 {
        let rows = logits.len() / width;
        match (self, targets) {
            (Output::Softmax, Targets::Labels(labels)) => {
                let scale = 1.0 / rows as f64;
                let mut total = 0.0;
                for ((z, g), &label) in logits.chunks_exact(width).zip(grad.chunks_exact_mut(width)).zip(labels) {
                    let (max, sum) = max_and_exp_sum(z);
                    total += max + sum.ln() - z[label as usize].wide();
                    for (j, (gj, zj)) in g.iter_mut().zip(z).enumerate() {
                        let p = (zj.wide() - max).exp() / sum;
                        let hit = if j == label as usize { 1.0 } else { 0.0 };
                        *gj = T::of((p - hit) * scale);
                    }
                }
                total * scale
            }
            (Output::Identity, Targets::Values(values)) => {
                let scale = 1.0 / logits.len() as f64;
                let mut total = 0.0;
                for ((g, z), y) in grad.iter_mut().zip(logits).zip(values) {
                    let d = z.wide() - y.wide();
                    total += d * d;
                    *g = T::of(2.0 * d * scale);
                }
                total * scale
            }
            _ => unreachable!("targets were checked against the output"),
        }
    }

    /// The summed per-row losses (per-element for identity) and, for softmax, the number of rows
    /// whose largest logit is at the label.
    pub fn loss_sum_and_hits<T: Real>(self, logits: &[T], width: usize, targets: Targets<'_, T>) -> (f64, usize) {
        match (self, targets) {
            (Output::Softmax, Targets::Labels(labels)) => {
                let mut total = 0.0;
                let mut hits = 0;
                for (z, &label) in logits.chunks_exact(width).zip(labels) {
                    let (max, sum) = max_and_exp_sum(z);
                    total += max + sum.ln() - z[label as usize].wide();
                    hits += usize::from(arg_max(z) == label as usize);
                }
                (total, hits)
            }
            (Output::Identity, Targets::Values(values)) => {
                let total = logits.iter().zip(values).map(|(z, y)| (z.wide() - y.wide()).powi(2)).sum();
                (total, 0)
            }
            _ => unreachable!("targets were checked against the output"),
        }
    }

    /// Turns the last layer's affine values into the network's output, in place.
    pub fn finish<T: Real>(self, logits: &mut [T], width: usize) {
        if self == Output::Softmax {
            for z in logits.chunks_exact_mut(width) {
                let (max, sum) = max_and_exp_sum(z);
                z.iter_mut().for_each(|v| *v = T::of((v.wide() - max).exp() / sum));
            }
        }
    }
}

/// max z and Σ exp(z − max), in f64: the stable log-sum-exp is max + ln Σ.
fn max_and_exp_sum<T: Real>(z: &[T]) -> (f64, f64) {
    let max = z.iter().fold(f64::NEG_INFINITY, |m, v| if v.wide() > m { v.wide() } else { m });
    let sum = z.iter().map(|v| (v.wide() - max).exp()).sum();
    (max, sum)
}

/// Index of the first largest value (0 when none compares larger, e.g. all NaN).
pub fn arg_max<T: Real>(z: &[T]) -> usize {
    let mut best = 0;
    for (j, v) in z.iter().enumerate().skip(1) {
        if *v > z[best] {
            best = j;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finite_difference(output: Output, logits: &[f64], width: usize, targets: Targets<'_, f64>) -> Vec<f64> {
        let h = 1e-6;
        let mut scratch = vec![0.0; logits.len()];
        (0..logits.len())
            .map(|i| {
                let mut z = logits.to_vec();
                z[i] += h;
                let up = output.loss_and_grad(&z, width, targets, &mut scratch);
                z[i] -= 2.0 * h;
                let down = output.loss_and_grad(&z, width, targets, &mut scratch);
                (up - down) / (2.0 * h)
            })
            .collect()
    }

    #[test]
    fn gradients_match_finite_differences() {
        let logits = [0.3, -1.2, 2.0, 0.1, 0.5, -0.4];
        let values = [0.2, 0.1, -0.3, 1.5, 0.0, 0.7];
        let labels = [2, 0];
        for (output, targets) in
            [(Output::Softmax, Targets::Labels(&labels)), (Output::Identity, Targets::Values(&values))]
        {
            let mut grad = vec![0.0; 6];
            output.loss_and_grad(&logits, 3, targets, &mut grad);
            let numeric = finite_difference(output, &logits, 3, targets);
            for (a, b) in grad.iter().zip(&numeric) {
                assert!((a - b).abs() < 1e-8, "{output:?}: {grad:?} vs {numeric:?}");
            }
        }
    }

    #[test]
    fn cross_entropy_is_stable_for_large_logits() {
        let mut grad = [0.0f32; 2];
        let loss = Output::Softmax.loss_and_grad(&[1000.0f32, 0.0], 2, Targets::Labels(&[1]), &mut grad);
        assert_eq!(loss, 1000.0);
        assert_eq!(grad, [1.0, -1.0]);
    }

    #[test]
    fn labels_are_checked() {
        let check = |labels: &[i32]| Output::Softmax.check_targets::<f32>(Targets::Labels(labels), 2, 3);
        assert!(check(&[0, 2]).is_ok());
        assert!(check(&[0, 3]).unwrap_err().to_string().contains("labels[1]"));
        assert!(check(&[-1, 0]).is_err());
        assert!(check(&[0]).is_err());
        assert!(Output::Identity.check_targets::<f32>(Targets::Labels(&[0, 1]), 2, 1).is_err());
    }
}
