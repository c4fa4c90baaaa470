import type { Round } from '../backend/types.js'
import { scalarIndex } from './rule.js'

/**
 * The gradient pre-processing every rule shares, written once (the mirror of
 * crates/core/src/rules/prelude.rs): every layout starts with these two scalars, and every
 * kernel's first operation on a gradient element is g ← (maximize ? −g : g) + λθ. Rules whose
 * weight decay is decoupled plan λ = 0 here.
 */
export const PRELUDE_SCALARS = ['maximize', 'coupledWeightDecay'] as const
const S = scalarIndex(PRELUDE_SCALARS)

/** The header's scalars, rounded to the element type once per step. */
export interface Prelude {
  readonly maximize: boolean
  readonly coupled: boolean
  readonly weightDecay: number
}

export function readPrelude(s: readonly number[], r: Round): Prelude {
  return {
    maximize: s[S.maximize] !== 0,
    coupled: s[S.coupledWeightDecay] !== 0,
    weightDecay: r(s[S.coupledWeightDecay] as number),
  }
}

/** g ← (maximize ? −g : g) + λθ. */
export function preprocess(prelude: Prelude, p: number, g: number, r: Round): number {
  const flipped = prelude.maximize ? -g : g
  return prelude.coupled ? r(flipped + r(prelude.weightDecay * p)) : flipped
}

/** g ← maximize ? −g : g, for passes of rules without coupled weight decay. */
export function flip(prelude: Prelude, g: number): number {
  return prelude.maximize ? -g : g
}
