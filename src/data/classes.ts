/**
 * How the labelled synthetic sets lay out their classes, the mirror of the helpers in
 * crates/core/src/data/mod.rs: row `i` has label `i mod classes`, so every class has
 * ⌊n/classes⌋ or ⌈n/classes⌉ rows and any contiguous batch mixes them.
 */

/** Position `k` of `m` points spread evenly over [0, 1], like `numpy.linspace(0, 1, m)` (0 when m is 1). */
export function evenFraction(k: number, m: number): number {
  return m <= 1 ? 0 : k / (m - 1)
}

/** How many of rows 0..samples have label `label` when labels cycle through `classes`. */
export function rowsOfClass(samples: number, classes: number, label: number): number {
  return Math.floor((samples + classes - 1 - label) / classes)
}
