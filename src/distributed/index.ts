/**
 * Data-parallel training across processes and hosts on MPI (Open MPI): `mpirun -np 4 node
 * train.mjs`. A separate entry point, `descent-optim/distributed`, so that only programs that ask
 * for it load the MPI addon (crates/mpi), which links libmpi; the main addon never does.
 *
 * ```ts
 * import { MLP, Adam } from 'descent-optim'
 * import { initDistributed } from 'descent-optim/distributed'
 * const dist = initDistributed()                 // { rank, size }
 * const model = new MLP({ sizes: [784, 128, 10], activation: 'relu', seed: 1 })
 * dist.broadcast(model)                          // rank 0's weights everywhere
 * const optimizer = new Adam(model.parameters(), { lr: 1e-3 })
 * model.fit(x, y, { optimizer, epochs: 5, batchSize: 64, distributed: dist })
 * ```
 * @module
 */

export { MPI_INSTALL } from './addon.js'
export {
  type AllReduceOp,
  Distributed,
  type DistributedOptions,
  type DistributedTensor,
  initDistributed,
} from './world.js'
