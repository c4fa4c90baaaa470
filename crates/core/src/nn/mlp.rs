//! A multilayer perceptron over one flat parameter buffer: layer l's weight [sizes[l+1],
//! sizes[l]] then its bias [sizes[l+1]], layer after layer, as PyTorch's state_dict orders
//! `layers.l.weight`, `layers.l.bias`. Gradients live in a second buffer of the same layout.
//! Hidden layers share one activation; the last layer is an `Output`.

use super::activation::Activation;
use super::dense;
use super::loss::{Output, Targets};
use super::on_pool_if;
use super::Element;
use crate::error::CoreError;
use ndarray::{ArrayView2, ArrayViewMut2};
use std::ops::Range;

/// The shape of a network: layer widths (inputs first), the hidden activation and the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    sizes: Vec<usize>,
    hidden: Activation,
    output: Output,
    /// Where each layer's weight starts in the flat buffer (its bias follows it), so a batch's
    /// forward and backward passes find them without building `parameter_ranges`.
    starts: Vec<usize>,
}

impl Network {
    /// A network with `sizes.len() - 1` dense layers; every size must be ≥ 1.
    pub fn new(sizes: Vec<usize>, hidden: Activation, output: Output) -> Result<Self, CoreError> {
        if sizes.len() < 2 {
            return Err(CoreError::invalid("sizes", format!("at least 2 layer sizes, got {}", sizes.len())));
        }
        if let Some(i) = sizes.iter().position(|&s| s == 0) {
            return Err(CoreError::invalid(format!("sizes[{i}]"), "a size >= 1"));
        }
        let starts = sizes
            .windows(2)
            .scan(0, |at, pair| {
                let start = *at;
                *at += (pair[0] + 1) * pair[1];
                Some(start)
            })
            .collect();
        Ok(Network { sizes, hidden, output, starts })
    }

    /// Decodes `[count, ...sizes, hidden activation code, output code]`, the packing of
    /// `src/models/network.ts`.
    pub fn decode(layout: &[u32]) -> Result<Self, CoreError> {
        let expected = || CoreError::invalid("network", "[count, ...sizes, activation, output]");
        let count = *layout.first().ok_or_else(expected)? as usize;
        if layout.len() != count + 3 {
            return Err(expected());
        }
        let sizes = layout[1..=count].iter().map(|&s| s as usize).collect();
        Network::new(sizes, Activation::from_code(layout[count + 1])?, Output::from_code(layout[count + 2])?)
    }

    /// Layer widths, inputs first.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The output layer (and so the loss).
    pub fn output(&self) -> Output {
        self.output
    }

    /// Width of an input row.
    pub fn inputs(&self) -> usize {
        self.sizes[0]
    }

    /// Width of an output row.
    pub fn outputs(&self) -> usize {
        self.sizes[self.sizes.len() - 1]
    }

    fn layers(&self) -> usize {
        self.sizes.len() - 1
    }

    /// Layer `l`'s weight and bias in a flat parameter buffer.
    fn layer<'a, T>(&self, params: &'a [T], l: usize) -> (&'a [T], &'a [T]) {
        let (inputs, outputs) = (self.sizes[l], self.sizes[l + 1]);
        let start = self.starts[l];
        params[start..start + (inputs + 1) * outputs].split_at(inputs * outputs)
    }

    /// Ranges of each parameter tensor in the flat buffer: weight, bias, weight, bias, …
    pub fn parameter_ranges(&self) -> Vec<Range<usize>> {
        let mut at = 0;
        let mut ranges = Vec::with_capacity(2 * self.layers());
        for pair in self.sizes.windows(2) {
            let (inputs, outputs) = (pair[0], pair[1]);
            ranges.push(at..at + inputs * outputs);
            at += inputs * outputs;
            ranges.push(at..at + outputs);
            at += outputs;
        }
        ranges
    }

    /// Shapes of the parameter tensors, in buffer order.
    pub fn parameter_shapes(&self) -> Vec<Vec<usize>> {
        self.sizes.windows(2).flat_map(|pair| [vec![pair[1], pair[0]], vec![pair[1]]]).collect()
    }

    /// Length of the flat parameter buffer.
    pub fn parameter_count(&self) -> usize {
        self.sizes.windows(2).map(|pair| (pair[0] + 1) * pair[1]).sum()
    }

    /// Checks the lengths of a parameter (or gradient) buffer.
    pub fn check_parameters<T>(&self, what: &str, buffer: &[T]) -> Result<(), CoreError> {
        if buffer.len() != self.parameter_count() {
            return Err(CoreError::invalid(what, format!("{} values, got {}", self.parameter_count(), buffer.len())));
        }
        Ok(())
    }

    /// Checks that `x` holds whole rows; returns their count.
    pub fn check_inputs<T>(&self, x: &[T]) -> Result<usize, CoreError> {
        if !x.len().is_multiple_of(self.inputs()) {
            return Err(CoreError::invalid("x", format!("rows of {} values, got {} values", self.inputs(), x.len())));
        }
        Ok(x.len() / self.inputs())
    }

    /// Runs the batch in `work.input(rows)` through the network; the last layer's affine values
    /// (logits for softmax) end up in `work.logits(rows)`.
    pub fn forward<T: Element>(&self, params: &[T], work: &mut Workspace<T>, rows: usize) {
        let (input, outputs) = work.activations.split_at_mut(1);
        self.forward_layers(params, &input[0][..rows * self.inputs()], outputs, rows);
    }

    /// `forward` reading the batch from `input` (whole rows) instead of the workspace, as
    /// predictions do: no copy of the inputs.
    pub fn forward_from<T: Element>(&self, params: &[T], input: &[T], work: &mut Workspace<T>, rows: usize) {
        self.forward_layers(params, &input[..rows * self.inputs()], &mut work.activations[1..], rows);
    }

    fn forward_layers<T: Element>(&self, params: &[T], input: &[T], outputs: &mut [Vec<T>], rows: usize) {
        for l in 0..self.layers() {
            let (inputs, width) = (self.sizes[l], self.sizes[l + 1]);
            let (before, after) = outputs.split_at_mut(l);
            let x = if l == 0 { input } else { &before[l - 1][..rows * inputs] };
            let (w, b) = self.layer(params, l);
            let y = &mut after[0][..rows * width];
            dense::forward(view(x, rows, inputs), view(w, width, inputs), b, view_mut(y, rows, width));
            if l + 1 < self.layers() {
                self.hidden.apply(y);
            }
        }
    }

    /// After `forward`, the mean loss of the batch against `targets`; overwrites `grads` with its
    /// gradient. Targets must have passed `Output::check_targets`.
    pub fn backward<T: Element>(
        &self,
        params: &[T],
        grads: &mut [T],
        work: &mut Workspace<T>,
        rows: usize,
        targets: Targets<'_, T>,
    ) -> f64 {
        let layers = self.layers();
        let Workspace { activations, delta, upstream, .. } = work;
        let width = self.outputs();
        let loss =
            self.output.loss_and_grad(&activations[layers][..rows * width], width, targets, &mut delta[..rows * width]);
        for l in (0..layers).rev() {
            let (inputs, outputs) = (self.sizes[l], self.sizes[l + 1]);
            let start = self.starts[l];
            let (weight_grad, bias_grad) = grads[start..start + (inputs + 1) * outputs].split_at_mut(inputs * outputs);
            let x = view(&activations[l], rows, inputs);
            let w = view(self.layer(params, l).0, outputs, inputs);
            let dy = view(delta, rows, outputs);
            let dx = (l > 0).then(|| view_mut(&mut upstream[..rows * inputs], rows, inputs));
            dense::backward(x, w, dy, view_mut(weight_grad, outputs, inputs), bias_grad, dx);
            if l > 0 {
                self.hidden.backward(&activations[l][..rows * inputs], &mut upstream[..rows * inputs]);
                std::mem::swap(delta, upstream);
            }
        }
        loss
    }
}

/// Buffers for one batch of up to `capacity` rows: every layer's output (the input first) and
/// two gradient buffers. Reused from batch to batch, so training allocates nothing per batch.
pub struct Workspace<T> {
    capacity: usize,
    widths: Vec<usize>,
    activations: Vec<Vec<T>>,
    delta: Vec<T>,
    upstream: Vec<T>,
}

impl<T: Element> Workspace<T> {
    /// Buffers for `network` and batches of up to `capacity` rows.
    pub fn new(network: &Network, capacity: usize) -> Self {
        let widest = network.sizes.iter().copied().max().unwrap_or(0);
        Workspace {
            capacity,
            widths: network.sizes.clone(),
            activations: network.sizes.iter().map(|&s| vec![T::zero(); s * capacity]).collect(),
            delta: vec![T::zero(); widest * capacity],
            upstream: vec![T::zero(); widest * capacity],
        }
    }

    /// Buffers for `forward_from` only: no input copy, no gradients.
    pub fn for_inference(network: &Network, capacity: usize) -> Self {
        let sizes = &network.sizes;
        Workspace {
            capacity,
            widths: sizes.clone(),
            activations: sizes
                .iter()
                .enumerate()
                .map(|(l, &s)| vec![T::zero(); if l == 0 { 0 } else { s * capacity }])
                .collect(),
            delta: Vec::new(),
            upstream: Vec::new(),
        }
    }

    /// Most rows a batch may have.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The input rows of the next batch, to fill before `forward`.
    pub fn input(&mut self, rows: usize) -> &mut [T] {
        &mut self.activations[0][..rows * self.widths[0]]
    }

    /// The last layer's affine values after `forward`.
    pub fn logits(&mut self, rows: usize) -> &mut [T] {
        let width = self.widths[self.widths.len() - 1];
        let last = self.activations.last_mut().expect("a network has layers");
        &mut last[..rows * width]
    }
}

/// Rows per chunk when predicting or evaluating, which bounds the workspace for large inputs.
const CHUNK_ROWS: usize = 1024;

/// The network's outputs for every row of `x` (softmax probabilities or identity values).
pub fn predict<T: Element>(network: &Network, params: &[T], x: &[T]) -> Result<Vec<T>, CoreError> {
    let rows = network.check_inputs(x)?;
    let mut out = vec![T::zero(); rows * network.outputs()];
    predict_into(network, params, x, &mut out)?;
    Ok(out)
}

/// `predict` writing into `out` (rows × outputs), which the caller owns: a JavaScript array, so
/// no memory made here outlives the call.
pub fn predict_into<T: Element>(network: &Network, params: &[T], x: &[T], out: &mut [T]) -> Result<(), CoreError> {
    network.check_parameters("params", params)?;
    let rows = network.check_inputs(x)?;
    let (inputs, width) = (network.inputs(), network.outputs());
    if out.len() != rows * width {
        return Err(CoreError::invalid("out", format!("{} values for {rows} rows, got {}", rows * width, out.len())));
    }
    on_pool_if(splits(network, rows), || {
        let mut work = Workspace::for_inference(network, rows.min(CHUNK_ROWS));
        for (chunk, result) in x.chunks(CHUNK_ROWS * inputs).zip(out.chunks_mut(CHUNK_ROWS * width)) {
            let n = chunk.len() / inputs;
            network.forward_from(params, chunk, &mut work, n);
            let logits = work.logits(n);
            network.output.finish(logits, width);
            result.copy_from_slice(logits);
        }
    });
    Ok(())
}

/// Whether a chunk of up to `rows` rows splits its products onto rayon's pool.
fn splits(network: &Network, rows: usize) -> bool {
    network.sizes.windows(2).any(|pair| dense::parts(rows.min(CHUNK_ROWS), pair[1], pair[0]) > 1)
}

/// The mean loss of `x` against `targets`, overwriting `grads` with its gradient: one forward
/// and backward pass over all rows as one batch.
pub fn loss_and_grad<T: Element>(
    network: &Network,
    params: &[T],
    grads: &mut [T],
    x: &[T],
    targets: Targets<'_, T>,
) -> Result<f64, CoreError> {
    network.check_parameters("params", params)?;
    network.check_parameters("grads", grads)?;
    let rows = network.check_inputs(x)?;
    network.output.check_targets(targets, rows, network.outputs())?;
    let mut work = Workspace::new(network, rows);
    work.input(rows).copy_from_slice(x);
    network.forward(params, &mut work, rows);
    Ok(network.backward(params, grads, &mut work, rows, targets))
}

/// The mean loss over `x` and, for softmax outputs, how many rows were classified right.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub loss: f64,
    pub hits: usize,
}

/// Loss and hits over every row of `x`, in chunks.
pub fn evaluate<T: Element>(
    network: &Network,
    params: &[T],
    x: &[T],
    targets: Targets<'_, T>,
) -> Result<Evaluation, CoreError> {
    network.check_parameters("params", params)?;
    let rows = network.check_inputs(x)?;
    let (inputs, width) = (network.inputs(), network.outputs());
    network.output.check_targets(targets, rows, width)?;
    let (total, hits) = on_pool_if(splits(network, rows), || {
        let mut work = Workspace::for_inference(network, rows.min(CHUNK_ROWS));
        let (mut total, mut hits) = (0.0, 0);
        for (c, chunk) in x.chunks(CHUNK_ROWS * inputs).enumerate() {
            let n = chunk.len() / inputs;
            let rows_here = c * CHUNK_ROWS..c * CHUNK_ROWS + n;
            let part = match targets {
                Targets::Labels(labels) => Targets::Labels(&labels[rows_here]),
                Targets::Values(values) => Targets::Values(&values[rows_here.start * width..rows_here.end * width]),
            };
            network.forward_from(params, chunk, &mut work, n);
            let (sum, h) = network.output.loss_sum_and_hits(work.logits(n), width, part);
            total += sum;
            hits += h;
        }
        (total, hits)
    });
    let count = match network.output {
        Output::Softmax => rows,
        Output::Identity => rows * width,
    };
    Ok(Evaluation { loss: total / count as f64, hits })
}

fn view<T>(data: &[T], rows: usize, cols: usize) -> ArrayView2<'_, T> {
    ArrayView2::from_shape((rows, cols), &data[..rows * cols]).expect("buffer holds rows × cols")
}

fn view_mut<T>(data: &mut [T], rows: usize, cols: usize) -> ArrayViewMut2<'_, T> {
    ArrayViewMut2::from_shape((rows, cols), &mut data[..rows * cols]).expect("buffer holds rows × cols")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Rng;

    fn random(rng: &mut Rng, n: usize) -> Vec<f64> {
        (0..n).map(|_| rng.uniform_f64() * 2.0 - 1.0).collect()
    }

    /// Central differences of the loss against every parameter, relative to the gradient's norm.
    fn gradient_error(network: &Network, targets: Targets<'_, f64>, x: &[f64], rng: &mut Rng) -> f64 {
        let params = random(rng, network.parameter_count());
        let mut grads = vec![0.0; params.len()];
        loss_and_grad(network, &params, &mut grads, x, targets).unwrap();
        let mut scratch = grads.clone();
        let h = 1e-6;
        let (mut diff, mut norm) = (0.0f64, 0.0f64);
        for i in 0..params.len() {
            let mut p = params.clone();
            p[i] += h;
            let up = loss_and_grad(network, &p, &mut scratch, x, targets).unwrap();
            p[i] -= 2.0 * h;
            let down = loss_and_grad(network, &p, &mut scratch, x, targets).unwrap();
            let numeric = (up - down) / (2.0 * h);
            diff += (numeric - grads[i]).powi(2);
            norm += grads[i].powi(2);
        }
        (diff / norm).sqrt()
    }

    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = Rng::new(3);
        let x = random(&mut rng, 5 * 4);
        let labels = [0, 2, 1, 2, 0];
        let values = random(&mut rng, 5 * 3);
        for hidden in [Activation::Identity, Activation::Tanh, Activation::Relu, Activation::Sigmoid] {
            for (output, targets) in
                [(Output::Softmax, Targets::Labels(&labels)), (Output::Identity, Targets::Values(&values))]
            {
                let network = Network::new(vec![4, 6, 5, 3], hidden, output).unwrap();
                let error = gradient_error(&network, targets, &x, &mut rng);
                assert!(error < 1e-6, "{hidden:?} {output:?}: {error}");
            }
        }
    }

    #[test]
    fn layout_follows_pytorch_state_dict_order() {
        let network = Network::decode(&[3, 4, 5, 2, 1, 0]).unwrap();
        assert_eq!(network.parameter_shapes(), vec![vec![5, 4], vec![5], vec![2, 5], vec![2]]);
        assert_eq!(network.parameter_ranges(), vec![0..20, 20..25, 25..35, 35..37]);
        assert_eq!(network.parameter_count(), 37);
        assert!(Network::decode(&[3, 4, 5]).is_err());
        assert!(Network::decode(&[2, 4, 0, 1, 0]).is_err());
        assert!(Network::decode(&[2, 4, 2, 9, 0]).is_err());
    }

    #[test]
    fn predictions_in_chunks_match_one_batch() {
        let network = Network::new(vec![3, 4, 2], Activation::Tanh, Output::Softmax).unwrap();
        let mut rng = Rng::new(1);
        let params = random(&mut rng, network.parameter_count());
        let rows = CHUNK_ROWS + 7;
        let x = random(&mut rng, rows * 3);
        let all = predict(&network, &params, &x).unwrap();
        let last = predict(&network, &params, &x[(rows - 1) * 3..]).unwrap();
        assert_eq!(&all[(rows - 1) * 2..], &last[..]);
        assert!((all[0] + all[1] - 1.0).abs() < 1e-12);
        let labels: Vec<i32> = (0..rows as i32).map(|i| i % 2).collect();
        let evaluation = evaluate(&network, &params, &x, Targets::Labels(&labels)).unwrap();
        let mut grads = vec![0.0; params.len()];
        let loss = loss_and_grad(&network, &params, &mut grads, &x, Targets::Labels(&labels)).unwrap();
        assert!((evaluation.loss - loss).abs() < 1e-12);
    }
}
