//! MPI collectives for descent-optim/distributed: initialise once, then all-reduce and broadcast
//! typed arrays in place across the ranks of MPI_COMM_WORLD. Calls go to the MPI C API directly
//! (through rsmpi's `ffi`) so that every return code is checked: the communicator's error
//! handler is set to return errors, and a failed collective becomes a JS error, not an abort.

use mpi::ffi;
use mpi::topology::Communicator;
use napi::bindgen_prelude::{Float32ArraySlice, Float64ArraySlice};
use napi::{Error, Result, Status};
use napi_derive::napi;
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The MPI environment; dropping it calls MPI_Finalize. Only the JS thread touches it.
struct Held(mpi::environment::Universe);
// SAFETY: the universe is created, used and dropped on Node's main thread only (every export is
// a synchronous N-API call); the Mutex is there for Rust's static rules, not for concurrency.
unsafe impl Send for Held {}

static UNIVERSE: Mutex<Option<Held>> = Mutex::new(None);
static FINALIZED: Mutex<bool> = Mutex::new(false);

/// This process's place in the job.
#[napi(object)]
pub struct WorldInfo {
    pub rank: u32,
    pub size: u32,
    /// The MPI library's version string (Open MPI 4.1.4, …).
    pub library: String,
}

fn mpi_error(what: &str, code: c_int) -> Error {
    let mut text = vec![0u8; ffi::MPI_MAX_ERROR_STRING as usize + 1];
    let mut length: c_int = 0;
    // SAFETY: the buffer holds MPI_MAX_ERROR_STRING bytes, as MPI_Error_string requires.
    unsafe { ffi::MPI_Error_string(code, text.as_mut_ptr() as *mut _, &mut length) };
    text.truncate(length.max(0) as usize);
    Error::new(
        Status::GenericFailure,
        format!("DESCENT_MPI: {what} failed: {} (MPI error {code})", String::from_utf8_lossy(&text)),
    )
}

fn check(what: &str, code: c_int) -> Result<()> {
    if code == ffi::MPI_SUCCESS as c_int {
        Ok(())
    } else {
        Err(mpi_error(what, code))
    }
}

fn world_info(universe: &mpi::environment::Universe) -> WorldInfo {
    let world = universe.world();
    WorldInfo {
        rank: world.rank() as u32,
        size: world.size() as u32,
        library: mpi::environment::library_version().unwrap_or_default().trim().to_string(),
    }
}

/// The watchdog's view of the collective in progress: milliseconds since `EPOCH` when it began
/// (0: none), which one, and how long one may wait (0: no limit).
static COLLECTIVE_SINCE: AtomicU64 = AtomicU64::new(0);
static COLLECTIVE_KIND: AtomicU32 = AtomicU32::new(0);
static TIMEOUT_MS: AtomicU64 = AtomicU64::new(0);
static EPOCH: Mutex<Option<Instant>> = Mutex::new(None);
const KINDS: [&str; 3] = ["MPI_Allreduce", "MPI_Bcast", "MPI_Barrier"];

fn now_ms() -> u64 {
    let epoch = *EPOCH.lock().expect("epoch").get_or_insert_with(Instant::now);
    epoch.elapsed().as_millis() as u64 + 1
}

/// Marks a collective as running for as long as the guard lives.
struct Watched;

impl Watched {
    fn start(kind: u32) -> Watched {
        COLLECTIVE_KIND.store(kind, Ordering::Relaxed);
        COLLECTIVE_SINCE.store(now_ms(), Ordering::Release);
        Watched
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        COLLECTIVE_SINCE.store(0, Ordering::Release);
    }
}

/// A thread that ends this process when a collective has waited longer than the timeout for a
/// rank that never comes (hung, or stuck in a loop): MPI cannot cancel a blocked collective, but
/// once this rank exits with an error, mpirun ends every rank of the job.
fn start_watchdog(rank: i32, size: i32) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(100));
        let limit = TIMEOUT_MS.load(Ordering::Relaxed);
        let since = COLLECTIVE_SINCE.load(Ordering::Acquire);
        if limit == 0 || since == 0 {
            continue;
        }
        let waited = now_ms().saturating_sub(since);
        if waited > limit {
            let kind = KINDS.get(COLLECTIVE_KIND.load(Ordering::Relaxed) as usize).unwrap_or(&"a collective");
            eprintln!(
                "descent-optim/distributed: rank {rank} of {size} waited {:.1} s in {kind} for the other ranks \
                 (timeoutSeconds {:.1}); ending this rank so that mpirun ends the job",
                waited as f64 / 1000.0,
                limit as f64 / 1000.0
            );
            // SAFETY: _exit ends the process at once, without running handlers that could block on MPI.
            unsafe { libc::_exit(70) };
        }
    });
}

/// How long a collective may wait for the other ranks before this rank gives up and ends (0: no
/// limit).
#[napi]
pub fn set_timeout(seconds: f64) -> Result<()> {
    if !(seconds.is_finite() && seconds >= 0.0) {
        return Err(Error::from_reason(format!(
            "DESCENT_INVALID: timeoutSeconds must be a number >= 0, got {seconds}"
        )));
    }
    TIMEOUT_MS.store((seconds * 1000.0).round() as u64, Ordering::Relaxed);
    Ok(())
}

/// Initialises MPI on the first call (later calls return the same world). Errors on the world
/// communicator are returned to the caller instead of aborting the job.
#[napi]
pub fn init() -> Result<WorldInfo> {
    let mut held = UNIVERSE.lock().map_err(|_| Error::from_reason("DESCENT_MPI: state poisoned"))?;
    if let Some(Held(universe)) = held.as_ref() {
        return Ok(world_info(universe));
    }
    if *FINALIZED.lock().map_err(|_| Error::from_reason("DESCENT_MPI: state poisoned"))? {
        return Err(Error::from_reason("DESCENT_MPI: MPI was finalized; it cannot start again in this process"));
    }
    let universe = mpi::initialize().ok_or_else(|| {
        Error::from_reason("DESCENT_MPI: MPI is already initialised by another library in this process")
    })?;
    // SAFETY: MPI is initialised; the world communicator and the handler are MPI constants.
    check("MPI_Comm_set_errhandler", unsafe {
        ffi::MPI_Comm_set_errhandler(ffi::RSMPI_COMM_WORLD, ffi::RSMPI_ERRORS_RETURN)
    })?;
    let info = world_info(&universe);
    start_watchdog(info.rank as i32, info.size as i32);
    *held = Some(Held(universe));
    Ok(info)
}

/// Calls MPI_Finalize (at process exit); a no-op when MPI was never initialised.
#[napi]
pub fn finalize() {
    if let Ok(mut held) = UNIVERSE.lock() {
        if held.take().is_some() {
            if let Ok(mut done) = FINALIZED.lock() {
                *done = true;
            }
        }
    }
}

fn initialised() -> Result<()> {
    let held = UNIVERSE.lock().map_err(|_| Error::from_reason("DESCENT_MPI: state poisoned"))?;
    if held.is_none() {
        return Err(Error::from_reason("DESCENT_MPI: MPI is not initialised (call init first)"));
    }
    Ok(())
}

/// Largest element count one MPI call takes (its counts are C ints); longer arrays go in chunks.
const CHUNK: usize = 1 << 30;

/// An element type whose values can be scaled in f64 and rounded back, as JS does when it stores
/// `x * s` into a Float32Array (so the scaled sum is the one the JS loop would send).
trait Scaled: Copy {
    fn scaled(self, by: f64) -> Self;
}

impl Scaled for f32 {
    fn scaled(self, by: f64) -> Self {
        (self as f64 * by) as f32
    }
}

impl Scaled for f64 {
    fn scaled(self, by: f64) -> Self {
        self * by
    }
}

fn all_reduce<T: Scaled>(data: &mut [T], scale: f64, datatype: ffi::MPI_Datatype, op: ffi::MPI_Op) -> Result<()> {
    initialised()?;
    for part in data.chunks_mut(CHUNK) {
        // The send buffer is a copy anyway (no MPI_IN_PLACE through rsmpi's constants): scaling
        // while copying costs nothing more.
        let send: Vec<T> = if scale == 1.0 { part.to_vec() } else { part.iter().map(|&x| x.scaled(scale)).collect() };
        let _watched = Watched::start(0);
        // SAFETY: send and part each hold part.len() elements of the datatype's size.
        check("MPI_Allreduce", unsafe {
            ffi::MPI_Allreduce(
                send.as_ptr() as *const c_void,
                part.as_mut_ptr() as *mut c_void,
                part.len() as c_int,
                datatype,
                op,
                ffi::RSMPI_COMM_WORLD,
            )
        })?;
    }
    Ok(())
}

fn broadcast<T>(data: &mut [T], datatype: ffi::MPI_Datatype, root: u32) -> Result<()> {
    initialised()?;
    for part in data.chunks_mut(CHUNK) {
        let _watched = Watched::start(1);
        // SAFETY: part holds part.len() elements of the datatype's size.
        check("MPI_Bcast", unsafe {
            ffi::MPI_Bcast(
                part.as_mut_ptr() as *mut c_void,
                part.len() as c_int,
                datatype,
                root as c_int,
                ffi::RSMPI_COMM_WORLD,
            )
        })?;
    }
    Ok(())
}

/// Sums `scale · data` element-wise across the ranks, in place (every rank ends with the sum);
/// the scaling (a rank's share of a batch) is done in f64 and rounded, as JS would.
#[napi]
pub fn all_reduce_sum_f32(mut data: Float32ArraySlice, scale: f64) -> Result<()> {
    // SAFETY: the view lives for this synchronous call only; RSMPI_FLOAT and RSMPI_SUM are MPI constants.
    all_reduce(unsafe { data.as_mut() }, scale, unsafe { ffi::RSMPI_FLOAT }, unsafe { ffi::RSMPI_SUM })
}

/// Sums `scale · data` element-wise across the ranks, in place.
#[napi]
pub fn all_reduce_sum_f64(mut data: Float64ArraySlice, scale: f64) -> Result<()> {
    // SAFETY: as above.
    all_reduce(unsafe { data.as_mut() }, scale, unsafe { ffi::RSMPI_DOUBLE }, unsafe { ffi::RSMPI_SUM })
}

/// The element-wise maximum across the ranks, in place (used to agree on flags and lengths).
#[napi]
pub fn all_reduce_max_f64(mut data: Float64ArraySlice) -> Result<()> {
    // SAFETY: as above.
    all_reduce(unsafe { data.as_mut() }, 1.0, unsafe { ffi::RSMPI_DOUBLE }, unsafe { ffi::RSMPI_MAX })
}

/// Rank `root`'s `data` copied into every rank's `data`.
#[napi]
pub fn broadcast_f32(mut data: Float32ArraySlice, root: u32) -> Result<()> {
    // SAFETY: as above.
    broadcast(unsafe { data.as_mut() }, unsafe { ffi::RSMPI_FLOAT }, root)
}

/// Rank `root`'s `data` copied into every rank's `data`.
#[napi]
pub fn broadcast_f64(mut data: Float64ArraySlice, root: u32) -> Result<()> {
    // SAFETY: as above.
    broadcast(unsafe { data.as_mut() }, unsafe { ffi::RSMPI_DOUBLE }, root)
}

/// Ends the whole job at once (MPI_Abort): what a rank does when it fails, so the others stop
/// with a clear message from mpirun instead of waiting in a collective for a rank that is gone.
#[napi]
pub fn abort(code: i32) {
    if let Ok(held) = UNIVERSE.lock() {
        if held.is_some() {
            // SAFETY: MPI is initialised; MPI_Abort does not return.
            unsafe { ffi::MPI_Abort(ffi::RSMPI_COMM_WORLD, code as c_int) };
        }
    }
}

/// Waits until every rank has called it.
#[napi]
pub fn barrier() -> Result<()> {
    initialised()?;
    let _watched = Watched::start(2);
    // SAFETY: the world communicator is an MPI constant.
    check("MPI_Barrier", unsafe { ffi::MPI_Barrier(ffi::RSMPI_COMM_WORLD) })
}
