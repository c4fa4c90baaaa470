/** A restart cycle: its index i (0 for the first), the step it starts at and its length. */
export interface Cycle {
  index: number
  start: number
  length: number
}

/**
 * The cycle containing `step` when cycle i is `firstLength·multiplierⁱ` long. Found by walking
 * whole cycles, not with Keras' `⌊log(1 − s/F·(1 − m))/log m⌋`: the walk adds exact values for
 * integer (and dyadic, e.g. 1.5) lengths, so a restart step lands in the new cycle, whereas the
 * rounded log can pick the previous one (lr ≈ floor instead of peak). The walk is O(log s) for
 * multiplier ≥ 2; a multiplier of exactly 1 needs no walk.
 */
export function findCycle(step: number, firstLength: number, multiplier: number): Cycle {
  if (multiplier === 1) {
    let index = Math.floor(step / firstLength)
    // The division can round across a cycle boundary when firstLength is not an integer.
    while (index > 0 && index * firstLength > step) index--
    while ((index + 1) * firstLength <= step) index++
    return { index, start: index * firstLength, length: firstLength }
  }
  let index = 0
  let start = 0
  let length = firstLength
  while (start + length <= step) {
    start += length
    length *= multiplier
    index++
  }
  return { index, start, length }
}
