//! Helper threads for the parallel loops of one optimizer step, which at 1e4–1e6 elements take
//! 2–200 µs. Called from a thread outside rayon's pool (Node's main thread), rayon injects the
//! job, parks the caller on a condvar and wakes sleeping workers: measured here, that costs as
//! much as the loop at 1e5 elements, so a parallel step was no faster than a serial one. These
//! helpers instead spin for a short while after each job, as OpenMP's threads do, so the next
//! step finds them awake; then they park until the next job.
//!
//! A job is `parts` (≤ 32) independent calls `f(0..parts)`. Thread t (the caller is 0) first
//! claims part t, as OpenMP's static schedule would, so from step to step the same thread
//! touches the same range and finds it in its own cache; then it takes any part still
//! unclaimed, so a thread slowed by another process does not hold the step up. Which thread
//! runs a part never changes what the part computes, so results are the same at any thread
//! count. Claims carry the job's generation, so a helper that woke late can never run a part of
//! a job that has finished (or run one twice).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long a helper stays awake after its last part: long enough to span the JavaScript
/// between two steps, short enough not to hold a core an idle server needs.
const SPIN: Duration = Duration::from_micros(200);

type Part<'a> = &'a (dyn Fn(usize) + Sync);

/// The job being run: its generation, its part function (lifetime erased) and part count.
#[derive(Clone, Copy)]
struct Job {
    generation: u32,
    f: *const (dyn Fn(usize) + Sync + 'static),
    parts: usize,
}

// SAFETY: `f` is only called while its caller waits in `run_parts` (see `claim_and_run`).
unsafe impl Send for Job {}

struct Shared {
    /// The current job; read by helpers when `generation` moves.
    job: Mutex<Option<Job>>,
    generation: AtomicU64,
    /// (generation << 32) | a bit per part already claimed.
    claim: AtomicU64,
    /// Parts of the current job finished.
    done: AtomicUsize,
    panicked: AtomicBool,
}

struct Pool {
    shared: Arc<Shared>,
    helpers: Vec<Thread>,
    /// Held by the one caller whose job runs; others run their loops serially.
    busy: Mutex<()>,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let shared = Arc::new(Shared {
            job: Mutex::new(None),
            generation: AtomicU64::new(0),
            claim: AtomicU64::new(0),
            done: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
        });
        // As many threads in all as rayon's global pool: the caller is one of them.
        let helpers = (1..crate::threads())
            .filter_map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("descent-step-{i}"))
                    .spawn(move || serve(&shared, i))
                    .ok()
                    .map(|handle| handle.thread().clone())
            })
            .collect();
        Pool { shared, helpers, busy: Mutex::new(()) }
    })
}

/// Threads a job can use: the caller and the helpers.
pub fn width() -> usize {
    pool().helpers.len() + 1
}

/// The most parts one job can have.
pub const MAX_PARTS: usize = 32;

/// Runs `f(i)` for every `i < parts`, spread over the caller and the helpers, and returns once
/// all have run. Returns `false` without running anything when the pool is busy with another
/// caller's job or has no helpers (the caller then runs its loop itself). A panic in a part is
/// re-raised here, after every part has finished.
pub fn run_parts(parts: usize, f: Part<'_>) -> bool {
    let pool = pool();
    if pool.helpers.is_empty() || parts > MAX_PARTS {
        return false;
    }
    let busy = match pool.busy.try_lock() {
        Ok(guard) => guard,
        Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return false,
    };
    let shared = &pool.shared;
    let generation = (shared.generation.load(Ordering::Relaxed) as u32).wrapping_add(1);
    // SAFETY: the lifetime is erased only for the duration of this call: helpers run parts of
    // this job only while `claim` carries its generation and its parts are unfinished, and this
    // call returns only when all parts are done.
    let f: *const (dyn Fn(usize) + Sync + 'static) = unsafe { std::mem::transmute(f) };
    {
        let mut job = shared.job.lock().unwrap_or_else(|e| e.into_inner());
        *job = Some(Job { generation, f, parts });
        shared.done.store(0, Ordering::Relaxed);
        shared.claim.store(u64::from(generation) << 32, Ordering::Release);
    }
    shared.generation.store(u64::from(generation), Ordering::Release);
    for helper in &pool.helpers {
        helper.unpark();
    }
    claim_and_run(shared, Job { generation, f, parts }, 0);
    while shared.done.load(Ordering::Acquire) < parts {
        std::hint::spin_loop();
    }
    *shared.job.lock().unwrap_or_else(|e| e.into_inner()) = None;
    let panicked = shared.panicked.swap(false, Ordering::AcqRel);
    drop(busy);
    if panicked {
        panic!("a parallel part of an element-wise loop panicked");
    }
    true
}

/// Claims and runs parts of `job`, part `preferred` first, until none is left (or the job is
/// no longer current).
fn claim_and_run(shared: &Shared, job: Job, preferred: usize) {
    let all = if job.parts == 32 { u32::MAX } else { (1u32 << job.parts) - 1 };
    loop {
        let current = shared.claim.load(Ordering::Acquire);
        let claimed = current as u32;
        if (current >> 32) as u32 != job.generation || claimed & all == all {
            return;
        }
        let free = !claimed & all;
        let index = if preferred < job.parts && free & (1 << preferred) != 0 {
            preferred
        } else {
            free.trailing_zeros() as usize
        };
        let next = current | (1u64 << index);
        if shared.claim.compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire).is_err() {
            continue;
        }
        // SAFETY: the claim succeeded with this job's generation and the part is not done, so
        // the job's caller is still waiting in `run_parts` and `f` is alive.
        let f = unsafe { &*job.f };
        if catch_unwind(AssertUnwindSafe(|| f(index))).is_err() {
            shared.panicked.store(true, Ordering::Release);
        }
        shared.done.fetch_add(1, Ordering::AcqRel);
    }
}

/// A helper's life: run the parts of each new job, spin a while, park.
fn serve(shared: &Shared, me: usize) {
    let mut seen = 0u64;
    let mut idle_since = Instant::now();
    loop {
        let generation = shared.generation.load(Ordering::Acquire);
        if generation != seen {
            seen = generation;
            let job = *shared.job.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(job) = job {
                claim_and_run(shared, job, me);
            }
            idle_since = Instant::now();
        } else if idle_since.elapsed() < SPIN {
            // One pause per look: on recent x86 a pause is ~140 cycles, so a longer stretch
            // between looks would delay the start of the next job by microseconds.
            std::hint::spin_loop();
        } else {
            std::thread::park();
            idle_since = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn every_part_runs_exactly_once_across_many_jobs() {
        for parts in [1usize, 2, 3, 7, 32] {
            for _ in 0..200 {
                let counts: Vec<AtomicU32> = (0..parts).map(|_| AtomicU32::new(0)).collect();
                let ran = run_parts(parts, &|i| {
                    counts[i].fetch_add(1, Ordering::Relaxed);
                });
                if ran {
                    assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1));
                }
            }
        }
    }

    #[test]
    fn concurrent_callers_each_get_their_parts_run_once() {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..500 {
                        let counts: Vec<AtomicU32> = (0..5).map(|_| AtomicU32::new(0)).collect();
                        if !run_parts(5, &|i| {
                            counts[i].fetch_add(1, Ordering::Relaxed);
                        }) {
                            (0..5).for_each(|i| {
                                counts[i].fetch_add(1, Ordering::Relaxed);
                            });
                        }
                        assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1));
                    }
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
    }

    #[test]
    fn a_panicking_part_is_raised_in_the_caller_after_the_others_ran() {
        let counts: Vec<AtomicU32> = (0..4).map(|_| AtomicU32::new(0)).collect();
        let result = catch_unwind(AssertUnwindSafe(|| {
            run_parts(4, &|i| {
                counts[i].fetch_add(1, Ordering::Relaxed);
                if i == 2 {
                    panic!("part 2");
                }
            })
        }));
        if width() > 1 {
            assert!(result.is_err());
            assert!(counts.iter().all(|c| c.load(Ordering::Relaxed) == 1));
        }
        // The pool still works afterwards.
        let ran = AtomicU32::new(0);
        run_parts(3, &|_| {
            ran.fetch_add(1, Ordering::Relaxed);
        });
    }
}
