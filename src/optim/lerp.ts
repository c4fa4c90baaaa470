import type { Round } from '../backend/types.js'

/**
 * torch's `lerp(start, end, w)` with its CPU kernel's two branches (accurate near both ends),
 * each operation rounded to the element type by `r`; `w` is already rounded. The mirror of
 * `lerp` in crates/core/src/real.rs, shared by the Schedule-Free rules and Muon.
 */
export function lerp(start: number, end: number, w: number, r: Round): number {
  const d = r(end - start)
  return w < 0.5 ? r(start + r(w * d)) : r(end - r(d * r(1 - w)))
}
