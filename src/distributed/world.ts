import { writeSync } from 'node:fs'
import { describe, typeError } from '../errors.js'
import { Parameter } from '../parameter.js'
import type { Tensor } from '../tensor.js'
import { checkPlainObject, rejectUnknownKeys } from '../validate.js'
import { type MpiAddon, mpiAddon } from './addon.js'

/** How `allReduce` combines the ranks' values. */
export type AllReduceOp = 'sum' | 'mean'

/** What `broadcast` and `allReduce` take: typed arrays, Tensors, or Parameters (their data). */
export type DistributedTensor = Float32Array | Float64Array | Tensor<Float32Array | Float64Array> | Parameter

type FloatArray = Float32Array | Float64Array

/** The float array behind one argument, or a TypeError naming it. */
function floatArray(where: string, what: string, value: unknown): FloatArray {
  if (value instanceof Float32Array || value instanceof Float64Array) return value
  if (value instanceof Parameter) return value.data
  const data = typeof value === 'object' && value !== null ? (value as { data?: unknown }).data : undefined
  if (data instanceof Float32Array || data instanceof Float64Array) return data
  throw typeError(where, what, 'a Float32Array, Float64Array, Tensor or Parameter', value)
}

/**
 * The one contiguous buffer that `views` (a model's parameters or their gradients) are consecutive
 * pieces of, so a collective moves them in one call; null when they are not laid out that way.
 */
function contiguous(views: readonly FloatArray[]): FloatArray | null {
  const first = views[0]
  if (!first) return null
  let offset = first.byteOffset
  for (const view of views) {
    if (view.buffer !== first.buffer || view.constructor !== first.constructor || view.byteOffset !== offset)
      return null
    offset += view.byteLength
  }
  const Kind = first.constructor as Float32ArrayConstructor | Float64ArrayConstructor
  return new Kind(
    first.buffer as ArrayBuffer,
    first.byteOffset,
    (offset - first.byteOffset) / Kind.BYTES_PER_ELEMENT,
  )
}

/**
 * This process's place in an MPI job, and the collectives over MPI_COMM_WORLD. Every rank must
 * make the same calls in the same order (MPI's rule); a rank that fails ends the whole job
 * (MPI_Abort, see `initDistributed`).
 */
export class Distributed {
  /** This process's rank, 0 … size − 1. */
  readonly rank: number
  /** Processes in the job. */
  readonly size: number
  /** The MPI library (e.g. "Open MPI v4.1.4 …"). */
  readonly library: string
  readonly #addon: MpiAddon

  /** @internal use `initDistributed()` */
  constructor(addon: MpiAddon, world: { rank: number; size: number; library: string }) {
    this.#addon = addon
    this.rank = world.rank
    this.size = world.size
    this.library = world.library
  }

  /**
   * Rank `root`'s values copied into every rank's: a model (its parameters), or a list of typed
   * arrays, Tensors or Parameters, in place. Call it after building the model on every rank, so
   * all ranks start from the same weights.
   */
  broadcast(target: { parameters(): Iterable<Parameter> } | readonly DistributedTensor[], root = 0): void {
    const where = 'Distributed.broadcast'
    this.#checkRoot(where, root)
    const arrays = this.#arrays(where, target)
    for (const array of groupContiguous(arrays)) {
      if (array instanceof Float32Array) this.#addon.broadcastF32(array, root)
      else this.#addon.broadcastF64(array, root)
    }
  }

  /**
   * Combines each array element-wise across the ranks, in place: `'sum'`, or `'mean'` (the sum
   * divided by the number of ranks). For hand-written loops: `model.forwardBackward(xb, yb)`,
   * then `dist.allReduce(model.parameters().map((p) => p.grad), 'mean')`, then `optimizer.step()`.
   */
  allReduce(tensors: readonly DistributedTensor[], op: AllReduceOp = 'mean'): void {
    const where = 'Distributed.allReduce'
    if (op !== 'sum' && op !== 'mean') throw typeError(where, 'op', "'sum' or 'mean'", op)
    const arrays = this.#arrays(where, tensors)
    for (const array of groupContiguous(arrays)) {
      this.allReduceSum(array)
      if (op === 'mean') for (let i = 0; i < array.length; i++) array[i] = (array[i] as number) / this.size
    }
  }

  /**
   * Sums `scale · array` across the ranks, in place (no checks: the training loop's path; the
   * scaling, done while MPI's send buffer is filled, weights a rank's mean by its share).
   */
  allReduceSum(array: FloatArray, scale = 1): void {
    if (array instanceof Float32Array) this.#addon.allReduceSumF32(array, scale)
    else this.#addon.allReduceSumF64(array, scale)
  }

  /** Waits until every rank has called it. */
  barrier(): void {
    this.#addon.barrier()
  }

  /**
   * This rank's rows of a global batch of `count` rows: a contiguous slice, the first
   * `count mod size` ranks taking one row more (so ranks differ by one row at most).
   */
  shard(count: number): { start: number; end: number } {
    const base = Math.floor(count / this.size)
    const extra = count % this.size
    const start = this.rank * base + Math.min(this.rank, extra)
    return { start, end: start + base + (this.rank < extra ? 1 : 0) }
  }

  #checkRoot(where: string, root: unknown): void {
    if (!Number.isInteger(root) || (root as number) < 0 || (root as number) >= this.size)
      throw new RangeError(`${where}: root must be a rank in [0, ${this.size}), got ${describe(root)}`)
  }

  #arrays(where: string, target: unknown): FloatArray[] {
    if (
      typeof target === 'object' &&
      target !== null &&
      typeof (target as { parameters?: unknown }).parameters === 'function'
    ) {
      return [...(target as { parameters(): Iterable<Parameter> }).parameters()].map((p) => p.data)
    }
    if (!Array.isArray(target))
      throw typeError(where, 'the first argument', 'a model or an array of tensors', target)
    return target.map((t, i) => floatArray(where, `tensors[${i}]`, t))
  }
}

/** Neighbouring views of one buffer merged into one array (one collective instead of many). */
function groupContiguous(arrays: readonly FloatArray[]): FloatArray[] {
  const whole = contiguous(arrays)
  return whole ? [whole] : [...arrays]
}

let world: Distributed | undefined

/** Options of `initDistributed`. */
export interface DistributedOptions {
  /**
   * How long one collective (a step's all-reduce, a broadcast, a barrier) may wait for the other
   * ranks, in seconds (default 600; 0: no limit). MPI cannot cancel a collective that waits for a
   * rank that hangs; past this time the waiting rank prints what it waited for and exits with
   * code 70, and mpirun then ends the job. Set it above your longest gap between collectives
   * (rank 0 evaluating alone while the others wait at the next step, say).
   */
  timeoutSeconds?: number
}

/**
 * Joins the MPI job this process was launched in (`mpirun -np N node script.js`): MPI_Init on the
 * first call, the same object after. At exit MPI is finalised; if the process exits with an error
 * (an uncaught exception, a non-zero code) it calls MPI_Abort instead, so mpirun ends every rank
 * at once rather than leaving them waiting in a collective for a rank that is gone; a rank that
 * hangs is caught by `timeoutSeconds`. Throws a DescentError (DESCENT_NO_MPI) saying what to
 * install when MPI or its addon is missing.
 */
export function initDistributed(options: DistributedOptions = {}): Distributed {
  checkPlainObject('initDistributed', 'options', options)
  rejectUnknownKeys('initDistributed', options, new Set(['timeoutSeconds']))
  const timeout = options.timeoutSeconds ?? 600
  if (typeof timeout !== 'number' || !(timeout >= 0) || !Number.isFinite(timeout))
    throw new RangeError(`initDistributed: timeoutSeconds must be a number >= 0, got ${describe(timeout)}`)
  if (world) {
    mpiAddon().setTimeout(timeout)
    return world
  }
  const addon = mpiAddon()
  const joined = new Distributed(addon, addon.init())
  addon.setTimeout(timeout)
  world = joined
  let failure: unknown
  process.on('uncaughtExceptionMonitor', (error) => {
    failure = error
  })
  process.on('exit', (code) => {
    if (code === 0) {
      addon.finalize()
      return
    }
    // Said synchronously: Node's own report of the error may still sit in a pipe's buffer, and
    // MPI_Abort ends this process before it is flushed.
    const reason = failure instanceof Error ? (failure.stack ?? failure.message) : `exit code ${code}`
    writeSync(
      2,
      `descent-optim/distributed: rank ${joined.rank} of ${joined.size} failed: ${reason}\nending the job (MPI_Abort)\n`,
    )
    addon.abort(code)
  })
  return joined
}
