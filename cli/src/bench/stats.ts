/** Median of `values` (mean of the middle two for an even count); NaN for none. Infinity sorts last. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * The first epoch (1-based) whose loss is ≤ 1.1 × the run's minimum: how long the run took to
 * get within 10% of the best it ever did. (The tutorial's `convergence_speed` counted how many
 * epochs were within 10% of the minimum instead, which grows when a run converges early.)
 * null for an empty or non-finite history.
 */
export function epochsToConverge(loss: readonly number[]): number | null {
  const finite = loss.filter(Number.isFinite)
  if (finite.length === 0) return null
  const best = Math.min(...finite)
  const index = loss.findIndex((l) => Number.isFinite(l) && l <= 1.1 * best)
  return index + 1
}

/** Element-wise median of equally long series. */
export function medianSeries(series: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...series.map((s) => s.length))
  return Array.from({ length }, (_, i) =>
    median(series.map((s) => s[i] ?? Number.NaN).filter((v) => !Number.isNaN(v))),
  )
}
