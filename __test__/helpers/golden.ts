import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The golden vectors, copied from the reference set into the repo (format: ALGORITHMS.md §14). */
export const GOLDEN_DIR = join(__dirname, '..', '..', '..', '__test__', 'fixtures', 'golden')

export interface OptimizerCase {
  name: string
  optimizer: string
  options: Record<string, unknown>
  params: { shape: number[]; data: number[] }[]
  grads: number[][][]
  expected: number[][][]
  lrPerStep?: number[]
}

export interface GoldenFile<C> {
  file: string
  cases: C[]
}

export function readGolden<C>(file: string): GoldenFile<C> {
  const json = JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')) as { cases: C[] }
  return { file, cases: json.cases }
}

/** Every optimizer case of every golden file. */
export function optimizerCases(): (OptimizerCase & { file: string })[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => readGolden<OptimizerCase>(f).cases.map((c) => ({ ...c, file: f })))
    .filter((c) => 'optimizer' in c)
}

/** |a − e| ≤ atol + rtol·|e|, element-wise; returns the worst offender or undefined. */
export function firstMismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} vs ${expected.length}`
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number
    const e = expected[i] as number
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)))
      return `[${i}] ${a} vs ${e} (diff ${Math.abs(a - e)})`
  }
  return undefined
}
