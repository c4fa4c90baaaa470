import { join } from 'node:path'
import { DescentError } from '../errors.js'

/** The MPI addon's exports (crates/mpi/src/lib.rs). */
export interface MpiAddon {
  init(): { rank: number; size: number; library: string }
  finalize(): void
  setTimeout(seconds: number): void
  abort(code: number): void
  allReduceSumF32(data: Float32Array, scale: number): void
  allReduceSumF64(data: Float64Array, scale: number): void
  allReduceMaxF64(data: Float64Array): void
  broadcastF32(data: Float32Array, root: number): void
  broadcastF64(data: Float64Array, root: number): void
  barrier(): void
}

/** What to install and run when the addon is missing. */
export const MPI_INSTALL =
  "install Open MPI (Debian: 'apt-get install openmpi-bin libopenmpi-dev libclang-dev') and build the " +
  "MPI addon in a clone of descent with 'npm run build:mpi' (it links the MPI library installed here)"

/** Where the addon is built: <package root>/native-mpi (dist/src/distributed → ../../..). */
export const MPI_ADDON_PATH = join(__dirname, '..', '..', '..', 'native-mpi', 'descent-mpi.node')

let loaded: MpiAddon | undefined

/**
 * The MPI addon, loaded on first use: it links libmpi, which the main addon never does. Throws a
 * DescentError (DESCENT_NO_MPI) saying what to install when it is not built or libmpi is absent.
 */
export function mpiAddon(): MpiAddon {
  if (loaded) return loaded
  try {
    loaded = require(MPI_ADDON_PATH) as MpiAddon
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0]
    const failure = new DescentError(
      'DESCENT_NO_MPI',
      `descent-optim/distributed needs MPI and its addon, which did not load (${reason}): ${MPI_INSTALL}`,
    )
    failure.cause = error
    throw failure
  }
  return loaded
}
