import type { JsKernel } from '../backend/types.js'
import type { Parameter } from '../parameter.js'

/** A state tensor a rule keeps per parameter (`expAvg`, `rowVar`, …). */
export interface StateTensorSpec {
  readonly name: string
  readonly length: number
  /** Initial value of every element (default 0). */
  readonly fill?: number
}

/** Per-parameter scalar state (`step`, NAdam's `muProduct`, …); always has `step`. */
export type ScalarState = Readonly<Record<string, number>> & { readonly step: number }

/** The scalars one step hands to the kernels, and the scalar state after the step. */
export interface Plan {
  readonly scalars: readonly number[]
  readonly next: ScalarState
}

/**
 * Everything one optimizer rule is, on the TypeScript side: its option defaults and checks,
 * its state, the per-step scalar math (computed once here, for both backends) and the
 * JavaScript mirror of its Rust kernel (`crates/core/src/rules/<rule>.rs`).
 */
export interface RuleDefinition<O extends object> {
  /** Registry name shared with the Rust kernel. */
  readonly rule: string
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
  /** The JavaScript mirror of the Rust kernel. */
  readonly kernel: JsKernel
}
