//! Element-wise loops that go parallel only when a tensor is big enough to repay the threads.

/// Tensors shorter than this run on the calling thread: below it, waking rayon's workers costs
/// more than the arithmetic (measured with `benches/optimizer-step`).
pub const PARALLEL_MIN: usize = 1 << 16;

/// Runs `$body` over an ndarray `Zip`, with `par_for_each` for long tensors and `for_each`
/// otherwise. Element-wise updates give the same bits either way.
#[macro_export]
macro_rules! zip_apply {
    ($len:expr, $zip:expr, $body:expr) => {{
        let zip = $zip;
        if $len >= $crate::elementwise::PARALLEL_MIN {
            zip.par_for_each($body)
        } else {
            zip.for_each($body)
        }
    }};
}

/// Views a mutable slice as a 1-D ndarray view.
#[inline]
pub fn view_mut<T>(s: &mut [T]) -> ndarray::ArrayViewMut1<'_, T> {
    ndarray::ArrayViewMut1::from(s)
}

/// Views a slice as a 1-D ndarray view.
#[inline]
pub fn view<T>(s: &[T]) -> ndarray::ArrayView1<'_, T> {
    ndarray::ArrayView1::from(s)
}
