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
use std::sync::Mutex;

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

fn all_reduce<T: Copy>(data: &mut [T], datatype: ffi::MPI_Datatype, op: ffi::MPI_Op) -> Result<()> {
    initialised()?;
    for part in data.chunks_mut(CHUNK) {
        let send = part.to_vec();
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

/// Sums `data` element-wise across the ranks, in place (every rank ends with the sum).
#[napi]
pub fn all_reduce_sum_f32(mut data: Float32ArraySlice) -> Result<()> {
    // SAFETY: the view lives for this synchronous call only; RSMPI_FLOAT and RSMPI_SUM are MPI constants.
    all_reduce(unsafe { data.as_mut() }, unsafe { ffi::RSMPI_FLOAT }, unsafe { ffi::RSMPI_SUM })
}

/// Sums `data` element-wise across the ranks, in place.
#[napi]
pub fn all_reduce_sum_f64(mut data: Float64ArraySlice) -> Result<()> {
    // SAFETY: as above.
    all_reduce(unsafe { data.as_mut() }, unsafe { ffi::RSMPI_DOUBLE }, unsafe { ffi::RSMPI_SUM })
}

/// The element-wise maximum across the ranks, in place (used to agree on flags and lengths).
#[napi]
pub fn all_reduce_max_f64(mut data: Float64ArraySlice) -> Result<()> {
    // SAFETY: as above.
    all_reduce(unsafe { data.as_mut() }, unsafe { ffi::RSMPI_DOUBLE }, unsafe { ffi::RSMPI_MAX })
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
    // SAFETY: the world communicator is an MPI constant.
    check("MPI_Barrier", unsafe { ffi::MPI_Barrier(ffi::RSMPI_COMM_WORLD) })
}
