/**
 * The tutorial's own formulas where they are wrong (ALGORITHMS.md §13), kept only to draw and
 * print them beside descent's, so the difference can be seen. Nothing else uses them.
 */

/**
 * The tutorial's `cosine_decay_restart` (lr0, minLr, firstDecaySteps, tMul 2, mMul 0.5), as
 * written: it divides by `firstDecaySteps·tMul^(cycle−1)`, so each cycle runs a full cosine
 * period (down and back up), and finds the cycle with log2, right only for tMul = 2 (§13.6).
 */
export function tutorialCosineDecayRestart(
  step: number,
  lr0: number,
  minLr: number,
  firstDecaySteps: number,
  tMul = 2,
  mMul = 0.5,
): number {
  const alpha = minLr / lr0
  const completedFraction = step / Math.max(1, firstDecaySteps)
  const cycle = Math.floor(Math.log2(completedFraction * (tMul - 1) + 1))
  const currentPeriod = firstDecaySteps * tMul ** (cycle - 1)
  const stepInPeriod = step - (firstDecaySteps * (tMul ** cycle - 1)) / (tMul - 1)
  const cosine = 0.5 * (1 + Math.cos((Math.PI * stepInPeriod) / currentPeriod))
  return lr0 * ((1 - alpha) * cosine + alpha) * mMul ** cycle
}
