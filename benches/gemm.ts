/**
 * The GEMMs one training step of a dense network runs, timed through the native addon's
 * `matmulF32` (the gemm-crate path `crates/core/src/nn/dense.rs` trains with),
 * measured the way benches/python/matmul_numpy.py measures NumPy's so the two compare.
 */
import { addon } from '../src/backend/native.js'
import { fillSeeded } from './harness.js'

/** One product c [m, n] = a [m, k] · b [k, n], with the operands stored as training stores them. */
export interface GemmCase {
  /** As matmul_numpy.py names it: `B32 fwd 784->256`, `square 1024`. */
  readonly name: string
  readonly batch: number | null
  readonly kind: 'fwd' | 'dW' | 'dA' | 'square'
  readonly m: number
  readonly n: number
  readonly k: number
}

/**
 * Per batch size and layer: fwd z = a·Wᵀ (m=B, n=out, k=in), dW = dzᵀ·a (m=out, n=in, k=B)
 * and, past the first layer, dA = dz·W (m=B, n=in, k=out); then a square product.
 */
export function gemmCases(sizes: readonly number[], batches: readonly number[], square: number): GemmCase[] {
  const cases: GemmCase[] = []
  for (const batch of batches) {
    for (let l = 0; l + 1 < sizes.length; l++) {
      const [fanIn, fanOut] = [sizes[l] as number, sizes[l + 1] as number]
      const tag = `${fanIn}->${fanOut}`
      cases.push({ name: `B${batch} fwd ${tag}`, batch, kind: 'fwd', m: batch, n: fanOut, k: fanIn })
      cases.push({ name: `B${batch} dW ${tag}`, batch, kind: 'dW', m: fanOut, n: fanIn, k: batch })
      if (l > 0) cases.push({ name: `B${batch} dA ${tag}`, batch, kind: 'dA', m: batch, n: fanIn, k: fanOut })
    }
  }
  if (square > 0)
    cases.push({ name: `square ${square}`, batch: null, kind: 'square', m: square, n: square, k: square })
  return cases
}

/** Seconds per product: the median and the fastest of `samples` samples. */
export interface GemmTiming {
  readonly secondsPerCall: number
  readonly bestSecondsPerCall: number
  readonly callsPerSample: number
}

/**
 * Times one case natively: calibrates how many back-to-back products (run inside one addon
 * call) last at least `minTime` seconds, then takes `samples` such samples.
 */
export function timeNativeGemm(c: GemmCase, samples: number, minTime: number): GemmTiming {
  const native = addon
  if (!native) throw new Error('the native addon did not load')
  // Stored as the layers store them: fwd multiplies by Wᵀ, dW by dzᵀ (see dense.rs).
  const [transposeA, transposeB] =
    c.kind === 'fwd' ? [false, true] : c.kind === 'dW' ? [true, false] : [false, false]
  const a = new Float32Array(c.m * c.k)
  const b = new Float32Array(c.k * c.n)
  const out = new Float32Array(c.m * c.n)
  fillSeeded(a, 1)
  fillSeeded(b, 2)
  const dims = Uint32Array.of(c.m, c.n, c.k)
  const run = (calls: number) => {
    const start = process.hrtime.bigint()
    native.matmulF32(a, transposeA, b, transposeB, out, dims, calls)
    return Number(process.hrtime.bigint() - start) / 1e9
  }
  run(1) // warm up caches and pages
  let calls = 1
  for (;;) {
    const seconds = run(calls)
    if (seconds >= minTime || calls >= 1 << 24) break
    calls = Math.max(calls * 2, Math.ceil((calls * minTime * 1.2) / Math.max(seconds, 1e-9)))
  }
  const perCall = Array.from({ length: samples }, () => run(calls) / calls).sort((x, y) => x - y)
  return {
    secondsPerCall: perCall[Math.floor(perCall.length / 2)] as number,
    bestSecondsPerCall: perCall[0] as number,
    callsPerSample: calls,
  }
}

/** 2·m·n·k. */
export function flops(c: GemmCase): number {
  return 2 * c.m * c.n * c.k
}
