import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'

/** A state tensor a rule keeps per parameter (`expAvg`, `rowVar`, …). */
export interface StateTensorSpec {
  readonly name: string
  readonly length: number
  /** Initial value of every element (default 0). */
  readonly fill?: number
  /** Starts as a copy of the parameter's values instead (Schedule-Free's z). */
  readonly copyOfParam?: boolean
}

/** Per-parameter scalar state (`step`, NAdam's `muProduct`, …); always has `step`. */
export type ScalarState = Readonly<Record<string, number>> & { readonly step: number }

/** Whether two scalar states hold the same values (after a shared step they are one object). */
export function sameScalars(a: ScalarState, b: ScalarState): boolean {
  if (a === b) return true
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const k of keys) if (!Object.is(a[k], b[k])) return false
  return true
}

/** The scalars one step hands to the kernels, and the scalar state after the step. */
export interface Plan {
  readonly scalars: readonly number[]
  readonly next: ScalarState
}

/**
 * `{ name: position }` for a rule's scalar layout, so a kernel reads `s[S.lr]`, never a bare
 * index. The layout itself is a `const` list of names in the rule's file; the Rust rule's
 * `Scalars` struct lists the same names (snake_case) and a test compares the two.
 */
export function scalarIndex<const N extends readonly string[]>(
  names: N,
): Readonly<Record<N[number], number>> {
  return Object.freeze(Object.fromEntries(names.map((name, i) => [name, i]))) as Record<N[number], number>
}

/** One step's scalars for one parameter, in layout order, from a record naming each. */
export function packScalars<const N extends readonly string[]>(
  names: N,
  values: Readonly<Record<N[number], number>>,
): number[] {
  return names.map((name: N[number]) => values[name])
}

/**
 * Everything one optimizer rule is, on the TypeScript side: its option defaults and checks,
 * its state, the per-step scalar math (computed once here, for both backends) and the
 * JavaScript mirror of its Rust kernel (`crates/core/src/rules/<rule>.rs`).
 */
export interface RuleDefinition<O extends object> {
  /** Registry name shared with the Rust kernel. */
  readonly rule: string
  /** The per-step scalars' names, in the order `plan` lays them out and the kernels read them. */
  readonly scalars: readonly string[]
  /** Hyperparameter defaults; their keys are the only group options accepted. */
  readonly defaults: Readonly<O>
  /** Throws a TypeError/RangeError naming the bad option. */
  validate(where: string, options: O): void
  /** The state tensors of `param` under `options`, in kernel order. */
  stateTensors(options: O, param: Parameter): readonly StateTensorSpec[]
  /** Scalar state before the first step (default `{ step: 0 }`). */
  initialScalars?(options: O): ScalarState
  /** Per-step scalars for one parameter; pure: the optimizer commits `next` after the kernels ran. */
  plan(options: O, state: ScalarState, param: Parameter): Plan
  /**
   * Whether `plan` reads the parameter (Adafactor: its shape). Otherwise parameters of one group
   * at the same scalar state share one plan per step.
   */
  readonly planReadsParam?: boolean
  /**
   * Whether the kernels compute each element from that element alone (no per-tensor norms or
   * factored moments): then a model's parameters can step as one tensor (see fused-step.ts).
   */
  readonly elementwise?: boolean
  /** The rule works on 2-D matrices only (Muon); other shapes are refused when the optimizer is built. */
  readonly matrixOnly?: boolean
  /** The JavaScript mirror of the Rust kernel. */
  readonly kernel: JsKernel
}
