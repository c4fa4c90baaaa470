//! Element-wise loops over several equally long buffers ("lanes"): parallel only when a tensor
//! is big enough to repay the threads, and compiled for the widest SIMD the CPU has, chosen at
//! run time so one portable binary serves every x86-64 machine. Element-wise IEEE operations
//! give the same bits at any vector width, and Rust never fuses a multiply and an add on its
//! own, so results depend on neither the thread count nor the SIMD level.
//!
//! The loops index plain slices rather than going through ndarray's `Zip`: its inner loops are
//! separate functions that do not get inlined into the SIMD-enabled caller (measured: no
//! speed-up), while a slice loop does.

use crate::parallel::PartCell;
use rayon::iter::ParallelIterator;

/// Tensors shorter than this run on the calling thread: below it, waking rayon's workers costs
/// more than the arithmetic (measured with `benches/optimizer-step`).
pub const PARALLEL_MIN: usize = 1 << 12;

/// Elements per parallel work item: large enough to amortise scheduling, small enough to
/// balance two cores that are not always equally free.
pub const PARALLEL_CHUNK: usize = 1 << 14;

/// A piece of work to compile for several SIMD levels. A trait method marked
/// `#[inline(always)]` (unlike a closure) is reliably inlined into the function carrying the
/// target feature, so the loop inside it is vectorised for that level.
pub trait SimdJob {
    fn run(self);
}

/// Runs `job` compiled with AVX-512 or AVX2 when the CPU has them, otherwise as built.
#[inline(always)]
pub fn with_best_simd<J: SimdJob>(job: J) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports the feature the function is compiled for.
            return unsafe { simd::avx512(job) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { simd::avx2(job) };
        }
    }
    job.run()
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::SimdJob;

    #[target_feature(enable = "avx512f")]
    pub unsafe fn avx512<J: SimdJob>(job: J) {
        job.run()
    }

    #[target_feature(enable = "avx2")]
    pub unsafe fn avx2<J: SimdJob>(job: J) {
        job.run()
    }
}

/// An element-wise loop as a `SimdJob`.
struct Loop<'f, L, F> {
    lanes: L,
    f: &'f F,
}

impl<L: ForEach<F>, F> SimdJob for Loop<'_, L, F> {
    #[inline(always)]
    fn run(self) {
        self.lanes.for_each(self.f)
    }
}

/// One buffer taking part in an element-wise loop.
pub trait Lane: Send + Sized {
    type Iter: Iterator;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn split_at(self, mid: usize) -> (Self, Self);
    fn iter(self) -> Self::Iter;
}

impl<'a, T: Send> Lane for &'a mut [T] {
    type Iter = std::slice::IterMut<'a, T>;
    #[inline(always)]
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        self.split_at_mut(mid)
    }
    #[inline(always)]
    fn iter(self) -> Self::Iter {
        self.iter_mut()
    }
}

impl<'a, T: Sync> Lane for &'a [T] {
    type Iter = std::slice::Iter<'a, T>;
    #[inline(always)]
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        <[T]>::split_at(self, mid)
    }
    #[inline(always)]
    fn iter(self) -> Self::Iter {
        <[T]>::iter(self)
    }
}

/// The global element index, for kernels that need to know where they are (`Zip::indexed`).
pub struct Indices {
    pub start: usize,
    pub len: usize,
}

impl Lane for Indices {
    type Iter = std::ops::Range<usize>;
    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }
    fn split_at(self, mid: usize) -> (Self, Self) {
        (Indices { start: self.start, len: mid }, Indices { start: self.start + mid, len: self.len - mid })
    }
    #[inline(always)]
    fn iter(self) -> Self::Iter {
        self.start..self.start + self.len
    }
}

/// A tuple of lanes walked together.
pub trait Lanes: Send + Sized {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn split_at(self, mid: usize) -> (Self, Self);
}

/// Applying a closure of the matching arity to every position of a tuple of lanes.
pub trait ForEach<F>: Lanes {
    fn for_each(self, f: &F);
}

// Slice iterators zipped together (rather than raw indexing) carry the no-alias facts that let
// LLVM vectorise without run-time overlap checks.
macro_rules! lanes {
    ($($lane:ident $index:tt),+ ; $pattern:pat => $($var:ident),+) => {
        impl<$($lane: Lane),+> Lanes for ($($lane,)+) {
            #[inline(always)]
            fn len(&self) -> usize {
                self.0.len()
            }
            #[allow(non_snake_case)]
            fn split_at(self, mid: usize) -> (Self, Self) {
                let ($($lane,)+) = self;
                $(let $lane = $lane.split_at(mid);)+
                (($($lane.0,)+), ($($lane.1,)+))
            }
        }

        impl<F: Fn($(<$lane::Iter as Iterator>::Item),+), $($lane: Lane),+> ForEach<F> for ($($lane,)+) {
            #[inline(always)]
            #[allow(non_snake_case)]
            fn for_each(self, f: &F) {
                let n = self.0.len();
                $(assert_eq!(self.$index.len(), n, "element-wise lanes of different lengths");)+
                lanes!(@zip self; f; $($lane $index),+; $pattern => $($var),+);
            }
        }
    };
    (@zip $tuple:ident; $f:ident; $first:ident $fi:tt $(, $lane:ident $index:tt)*; $pattern:pat => $($var:ident),+) => {
        let iter = $tuple.$fi.iter()$(.zip($tuple.$index.iter()))*;
        for $pattern in iter {
            $f($($var),+)
        }
    };
}

lanes!(A 0; a => a);
lanes!(A 0, B 1; (a, b) => a, b);
lanes!(A 0, B 1, C 2; ((a, b), c) => a, b, c);
lanes!(A 0, B 1, C 2, D 3; (((a, b), c), d) => a, b, c, d);
lanes!(A 0, B 1, C 2, D 3, E 4; ((((a, b), c), d), e) => a, b, c, d, e);
lanes!(A 0, B 1, C 2, D 3, E 4, G 5; (((((a, b), c), d), e), g) => a, b, c, d, e, g);
lanes!(A 0, B 1, C 2, D 3, E 4, G 5, H 6; ((((((a, b), c), d), e), g), h) => a, b, c, d, e, g, h);

/// Runs `f` at every position of `lanes`: serially below `PARALLEL_MIN`, else in parts on the
/// step pool (`spin_pool`, from threads outside rayon's pools) or on rayon's current pool
/// (inside a trainer's or a training job's pool, whose thread count is the user's choice);
/// always under `with_best_simd`.
#[inline(always)]
pub fn run<L, F>(lanes: L, f: &F)
where
    L: ForEach<F>,
    F: Sync,
{
    let n = lanes.len();
    if n < PARALLEL_MIN {
        return with_best_simd(Loop { lanes, f });
    }
    if rayon::current_thread_index().is_none() {
        let parts =
            split_evenly(lanes, (crate::spin_pool::width() * PARTS_PER_THREAD).min(crate::spin_pool::MAX_PARTS));
        let run_part = |i: usize| {
            // SAFETY: the pool runs each index exactly once.
            if let Some(part) = unsafe { parts[i].take() } {
                with_best_simd(Loop { lanes: part, f })
            }
        };
        if crate::spin_pool::run_parts(parts.len(), &run_part) {
            return;
        }
        // The pool is busy with another caller's loop: run the parts here.
        return (0..parts.len()).for_each(run_part);
    }
    rayon::iter::split(lanes, |part| {
        let n = part.len();
        if n > PARALLEL_CHUNK {
            // Split on a cache-line multiple so neighbouring parts never share a line.
            let (a, b) = part.split_at((n / 2) & !63);
            (a, Some(b))
        } else {
            (part, None)
        }
    })
    .for_each(|part| with_best_simd(Loop { lanes: part, f }));
}

/// Parts per thread of the step pool: one, so each thread keeps its range in its own cache
/// from step to step (the pool lets a free thread take a late one's part).
const PARTS_PER_THREAD: usize = 1;

/// `lanes` cut into at most `parts` pieces of nearly equal length, on cache-line multiples.
fn split_evenly<L: Lanes>(lanes: L, parts: usize) -> Vec<PartCell<L>> {
    let n = lanes.len();
    let size = n.div_ceil(parts.max(1)).next_multiple_of(64).max(64);
    let mut out = Vec::with_capacity(parts);
    let mut rest = lanes;
    while rest.len() > size {
        let (head, tail) = rest.split_at(size);
        out.push(PartCell::new(head));
        rest = tail;
    }
    out.push(PartCell::new(rest));
    out
}

/// `zip_apply!(Zip::from(a).and(b)…, |a, b, …| …)` runs the closure element-wise over the
/// slices `a`, `b`, … (`&mut [T]` lanes give `&mut T`, `&[T]` lanes give `&T`);
/// `Zip::indexed(a)…` passes the element index first. The ndarray-like spelling keeps the
/// kernels readable; the loop itself is `run`.
#[macro_export]
macro_rules! zip_apply {
    (Zip::from($first:expr)$(.and($rest:expr))*, $body:expr) => {{
        let body = $body;
        $crate::elementwise::run(($first, $($rest,)*), &body)
    }};
    (Zip::indexed($first:expr)$(.and($rest:expr))*, $body:expr) => {{
        let body = $body;
        let first = $first;
        let indices = $crate::elementwise::Indices { start: 0, len: $crate::elementwise::Lane::len(&first) };
        $crate::elementwise::run((indices, first, $($rest,)*), &body)
    }};
}

/// A mutable lane (kept as a named function so kernels read like ndarray code).
#[inline(always)]
pub fn view_mut<T>(s: &mut [T]) -> &mut [T] {
    s
}

/// A read-only lane.
#[inline(always)]
pub fn view<T>(s: &[T]) -> &[T] {
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_and_serial_loops_visit_every_index_once() {
        let n = PARALLEL_MIN * 2 + 12345;
        let mut out = vec![0usize; n];
        let input: Vec<usize> = (0..n).collect();
        crate::zip_apply!(Zip::indexed(view_mut(&mut out)).and(view(&input)), |i: usize, o: &mut usize, &x: &usize| {
            *o += i + x
        });
        assert!(out.iter().enumerate().all(|(i, &o)| o == 2 * i));
    }

    #[test]
    #[should_panic(expected = "different lengths")]
    fn lanes_of_different_lengths_are_a_bug() {
        let mut a = vec![0.0f32; 3];
        let b = vec![0.0f32; 2];
        crate::zip_apply!(Zip::from(view_mut(&mut a)).and(view(&b)), |x: &mut f32, &y: &f32| *x += y);
    }
}
