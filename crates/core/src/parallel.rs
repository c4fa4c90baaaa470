//! Work over the parts of an output slice, in parallel when it is long enough: on the step pool
//! (`spin_pool`) from threads outside rayon's pools, on rayon's current pool inside one. Each
//! part writes only its own piece of the output, and what a piece holds never depends on which
//! thread computed it, so results are the same at any thread count.

use crate::spin_pool;
use rayon::prelude::*;

/// One part of the work, taken by exactly one thread.
pub(crate) struct PartCell<L>(std::cell::UnsafeCell<Option<L>>);

// SAFETY: each cell is taken once, by the one thread that claimed its index.
unsafe impl<L: Send> Sync for PartCell<L> {}

impl<L> PartCell<L> {
    pub(crate) fn new(part: L) -> Self {
        PartCell(std::cell::UnsafeCell::new(Some(part)))
    }

    /// # Safety
    /// At most one thread may take a given cell.
    pub(crate) unsafe fn take(&self) -> Option<L> {
        unsafe { (*self.0.get()).take() }
    }
}

/// Calls `f(start, piece)` on pieces of `out` that together cover it, `start` being the
/// piece's offset: in parallel when `out` has at least `2 · min_len` elements, else once on the
/// whole slice.
pub fn fill<R: Send>(out: &mut [R], min_len: usize, f: impl Fn(usize, &mut [R]) + Sync) {
    let len = out.len();
    let width = if rayon::current_thread_index().is_none() { spin_pool::width() } else { rayon::current_num_threads() };
    let parts = (len / min_len.max(1)).min(width).min(spin_pool::MAX_PARTS);
    if parts < 2 {
        return f(0, out);
    }
    let size = len.div_ceil(parts);
    if rayon::current_thread_index().is_some() {
        return out.par_chunks_mut(size).enumerate().for_each(|(i, piece)| f(i * size, piece));
    }
    let pieces: Vec<PartCell<(usize, &mut [R])>> =
        out.chunks_mut(size).enumerate().map(|(i, piece)| PartCell::new((i * size, piece))).collect();
    let run = |i: usize| {
        // SAFETY: the pool runs each index exactly once.
        if let Some((start, piece)) = unsafe { pieces[i].take() } {
            f(start, piece)
        }
    };
    if !spin_pool::run_parts(pieces.len(), &run) {
        (0..pieces.len()).for_each(run);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_is_filled_once_with_its_own_index() {
        for len in [0usize, 1, 5, 100, 10_000] {
            for min_len in [1usize, 7, 64] {
                let mut out = vec![usize::MAX; len];
                fill(&mut out, min_len, |start, piece| {
                    for (i, v) in piece.iter_mut().enumerate() {
                        assert_eq!(*v, usize::MAX);
                        *v = start + i;
                    }
                });
                assert!(out.iter().enumerate().all(|(i, &v)| v == i));
            }
        }
    }
}
