import { data, type LabelledData } from 'descent-optim'

/** The benchmark's classification data: learnable blobs (default) or the tutorial's random labels. */
export type BenchData = 'blobs' | 'random'

/** The data kinds `--data` accepts. */
export const BENCH_DATA: readonly BenchData[] = ['blobs', 'random']

/** Rows of the size benchmark, as the tutorial's (1000 × size, 3 classes). */
export const BENCH_SAMPLES = 1000

/**
 * The data of one problem size: 1000 rows of `size` features, 3 classes, float32.
 *
 * - `blobs`: three Gaussian blobs with std 10 around centres in [−10, 10)^size, divided by 10
 *   so inputs are O(1): overlapping at size 10, separable at 100 — a problem with an answer.
 * - `random`: the tutorial's `randn(1000, size)` with labels drawn independently of x; it
 *   cannot be learned beyond chance, only memorised, so its losses measure speed, not skill.
 */
export function benchData(kind: BenchData, size: number, seed: number): LabelledData {
  if (kind === 'random')
    return data.classification({ samples: BENCH_SAMPLES, features: size, classes: 3, seed })
  const set = data.blobs({ samples: BENCH_SAMPLES, features: size, centers: 3, std: 10, seed })
  const x = set.x.data
  for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) / 10
  return set
}
