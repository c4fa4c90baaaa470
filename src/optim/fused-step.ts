import type { StepEntry } from '../backend/types.js'
import type { FloatArray, Parameter } from '../parameter.js'
import type { RuleDefinition } from './rule.js'
import type { ParamState } from './step-plan.js'

/**
 * One step over a model's single buffer. A model's parameters are back-to-back views of one
 * buffer, and so are their gradients; when an element-wise rule's state is laid out the same
 * way and every parameter gets the same scalars, the step over all of them is the step over
 * one long tensor: one kernel call instead of one per layer, bit for bit the same (an
 * element-wise kernel computes each element from that element alone).
 */

type FloatArrayConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => FloatArray

/** The last fused step's entry, reused (views included) while the buffers stay where they are. */
export interface FusedEntry {
  /** The per-parameter tensors the views were made from, and their lengths then. */
  sources: FloatArray[]
  lengths: number[]
  param: FloatArray | undefined
  grad: FloatArray | undefined
  state: FloatArray[]
  shape: readonly number[]
  scalars: readonly number[]
}

/** Which tensor of an entry: its parameter, its gradient, or state tensor k ≥ 0. */
const PARAM = -2
const GRAD = -1

function tensorOf(e: StepEntry, which: number): FloatArray {
  return which === PARAM ? e.param : which === GRAD ? e.grad : (e.state[which] as FloatArray)
}

/**
 * A view spanning tensor `which` of every entry when those lie back to back, in order, in one
 * buffer (`previous` if it is that view already); else undefined.
 */
function span(
  entries: readonly StepEntry[],
  which: number,
  previous: FloatArray | undefined,
): FloatArray | undefined {
  const first = tensorOf(entries[0] as StepEntry, which)
  if (first.length === 0) return undefined
  let end = first.byteOffset + first.byteLength
  let length = first.length
  for (let i = 1; i < entries.length; i++) {
    const a = tensorOf(entries[i] as StepEntry, which)
    if (
      a.buffer !== first.buffer ||
      a.byteOffset !== end ||
      a.length === 0 ||
      a.constructor !== first.constructor
    )
      return undefined
    end += a.byteLength
    length += a.length
  }
  if (
    previous !== undefined &&
    previous.buffer === first.buffer &&
    previous.byteOffset === first.byteOffset &&
    previous.length === length
  )
    return previous
  return new (first.constructor as FloatArrayConstructor)(first.buffer, first.byteOffset, length)
}

/**
 * `entries` as one entry over their spans, when they can run as one (see above); else
 * undefined. The entry is `fused`, updated: nothing is allocated while the buffers stay put.
 */
export function fuseEntries(entries: readonly StepEntry[], fused: FusedEntry): StepEntry | undefined {
  const first = entries[0]
  if (entries.length < 2 || first === undefined) return undefined
  const stateCount = first.state.length
  for (const e of entries) if (e.scalars !== first.scalars || e.state.length !== stateCount) return undefined
  if (fused.param !== undefined && sameSources(entries, fused)) {
    fused.scalars = first.scalars
    return fused as StepEntry
  }
  fused.param = undefined
  const param = span(entries, PARAM, fused.param)
  const grad = param && span(entries, GRAD, fused.grad)
  if (param === undefined || grad === undefined) return undefined
  const state = fused.state
  state.length = stateCount
  for (let k = 0; k < stateCount; k++) {
    const view = span(entries, k, state[k])
    if (view === undefined) return undefined
    state[k] = view
  }
  if (fused.param !== param) fused.shape = [param.length]
  fused.param = param
  fused.grad = grad
  fused.scalars = first.scalars
  fused.sources = entries.flatMap((e) => [e.param, e.grad, ...e.state])
  fused.lengths = fused.sources.map((t) => t.length)
  return fused as StepEntry
}

/**
 * Whether the entries hold the very tensors the fused views were made from, at the same
 * lengths: then they still lie where they did (a view never moves; detaching empties it).
 */
function sameSources(entries: readonly StepEntry[], fused: FusedEntry): boolean {
  const { sources, lengths } = fused
  let at = 0
  for (const e of entries) {
    if (sources[at] !== e.param || lengths[at++] !== e.param.length) return false
    if (sources[at] !== e.grad || lengths[at++] !== e.grad.length) return false
    for (const t of e.state) if (sources[at] !== t || lengths[at++] !== t.length) return false
  }
  return at === sources.length
}

/**
 * Gives fresh parameters' state tensors one buffer per state name, each parameter a view of
 * it, when the parameters themselves are views back to back in one buffer and every state
 * tensor is element-wise (as long as its parameter).
 */
export function poolStateTensors<O extends object>(
  rule: RuleDefinition<O>,
  params: readonly Parameter[],
  groups: readonly O[],
  states: readonly ParamState[],
): void {
  const asEntries = params.map((p) => ({
    param: p.data,
    grad: p.grad,
    state: [],
    shape: p.shape,
    scalars: [],
  }))
  if (span(asEntries, PARAM, undefined) === undefined) return
  const specs = params.map((p, i) => rule.stateTensors(groups[i] as O, p))
  const names = (specs[0] ?? []).map((s) => s.name).join()
  for (const [i, list] of specs.entries()) {
    const size = (params[i] as Parameter).size
    if (list.map((s) => s.name).join() !== names || list.some((s) => s.length !== size)) return
  }
  const total = params.reduce((n, p) => n + p.size, 0)
  const Float = (params[0] as Parameter).data.constructor as new (n: number) => FloatArray
  for (const [k, spec] of (specs[0] ?? []).entries()) {
    const pool = new Float(total)
    let at = 0
    for (const [i, p] of params.entries()) {
      const view = pool.subarray(at, at + p.size)
      const own = (specs[i] as (typeof specs)[number])[k]
      if (own?.copyOfParam) view.set(p.data)
      else if (own?.fill) view.fill(own.fill)
      ;(states[i] as ParamState).tensors[spec.name] = view
      at += p.size
    }
  }
}
