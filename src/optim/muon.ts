import type { JsKernel, Round } from '../backend/types.js'
import { Parameter } from '../parameter.js'
import {
  checkBoolean,
  checkLearningRate,
  checkNonNegative,
  checkOneOf,
  checkUnitInterval,
} from '../validate.js'
import { optimizerClass } from './define.js'
import { lerp } from './lerp.js'
import type { ParamGroupInput } from './param-groups.js'
import { PRELUDE_SCALARS } from './prelude.js'
import { packScalars, type RuleDefinition, scalarIndex } from './rule.js'

/** The per-step scalars (crates/core/src/rules/muon.rs: `Scalars`). */
const SCALARS = [
  ...PRELUDE_SCALARS,
  'momentum',
  'nesterov',
  'a',
  'b',
  'c',
  'eps',
  'nsSteps',
  'decayFactor',
  'adjustedLr',
] as const
const S = scalarIndex(SCALARS)

/** How Muon scales its step by the matrix's shape [A, B] (torch's `adjust_lr_fn`). */
export type MuonAdjustLr = 'original' | 'match_rms_adamw' | 'spectral_unclamped'

/** Muon hyperparameters (torch.optim.Muon); all can differ per param group. */
export interface MuonOptions {
  /** Learning rate (default 1e-3). */
  lr: number
  /** Decoupled weight decay: θ ← θ(1 − lr·λ) (default 0.1). */
  weightDecay: number
  /** Momentum (default 0.95). */
  momentum: number
  /** Nesterov momentum (default true). */
  nesterov: boolean
  /** The quintic's coefficients (a, b, c) (default [3.4445, −4.775, 2.0315]). */
  nsCoefficients: readonly [number, number, number]
  /** Floor of the norm the update is divided by (default 1e-7). */
  eps: number
  /** Newton–Schulz iterations (default 5). */
  nsSteps: number
  /**
   * `'original'`: lr·√max(1, A/B); `'match_rms_adamw'`: lr·0.2·√max(A, B); `'spectral_unclamped'`:
   * lr·√(A/B), as torch 2.15 (default 'original').
   */
  adjustLrFn: MuonAdjustLr
}

/** c = a·b, every element summed k-ascending from zero (crates/core/src/ordered_matmul.rs). */
function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, r: Round): Float64Array {
  const c = new Float64Array(m * n)
  // i-l-j order: each c[i, j] still adds its products in l order, and the inner loop runs along rows.
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const x = a[i * k + l] as number
      const row = l * n
      const out = i * n
      for (let j = 0; j < n; j++) c[out + j] = r((c[out + j] as number) + r(x * (b[row + j] as number)))
    }
  }
  return c
}

/**
 * c = x·xt for x [m, n] and xt = xᵀ [n, m] (or, for a symmetric x, x itself), a product known to
 * be symmetric: each element summed l-ascending from zero as `matmul` sums it, the upper
 * triangle computed and mirrored (element (j, i) sums the same products in the same order).
 */
function symmetricProduct(x: Float64Array, xt: Float64Array, m: number, n: number, r: Round): Float64Array {
  const c = new Float64Array(m * m)
  for (let i = 0; i < m; i++) {
    const out = i * m
    for (let l = 0; l < n; l++) {
      const xi = x[i * n + l] as number
      const row = l * m
      for (let j = i; j < m; j++) c[out + j] = r((c[out + j] as number) + r(xi * (xt[row + j] as number)))
    }
    for (let j = i + 1; j < m; j++) c[j * m + i] = c[out + j] as number
  }
  return c
}

function transpose(x: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(x.length)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j] as number
  return t
}

/** Mirror of crates/core/src/rules/muon.rs `newton_schulz` (values held rounded to the element type). */
function newtonSchulz(
  g: Float64Array,
  rows: number,
  cols: number,
  s: readonly number[],
  r: Round,
): Float64Array {
  const tall = rows > cols
  const [m, n] = tall ? [cols, rows] : [rows, cols]
  let x = tall ? transpose(g, rows, cols) : g.slice()
  let squares = 0
  for (const v of x) squares += v * v
  const scale = r(Math.max(Math.sqrt(squares), s[S.eps] as number))
  x = x.map((v) => r(v / scale))
  const [a, b, c] = [r(s[S.a] as number), r(s[S.b] as number), r(s[S.c] as number)]
  for (let step = 0; step < (s[S.nsSteps] as number); step++) {
    const a2 = symmetricProduct(x, transpose(x, m, n), m, n, r)
    const a4 = symmetricProduct(a2, a2, m, m, r)
    const update = a2.map((g1, i) => r(r(b * g1) + r(c * (a4[i] as number))))
    const product = matmul(update, x, m, m, n, r)
    x = x.map((xi, i) => r(r(a * xi) + (product[i] as number)))
  }
  return tall ? transpose(x, m, n) : x
}

/** Mirror of crates/core/src/rules/muon.rs. */
const kernel: JsKernel = (p, g, [buffer], s, shape, r) => {
  const buf = buffer as typeof p
  const momentum = r(s[S.momentum] as number)
  const rest = r(1 - momentum)
  const nesterov = s[S.nesterov] !== 0
  const update = new Float64Array(p.length)
  for (let i = 0; i < p.length; i++) {
    const bi = lerp(buf[i] as number, g[i] as number, rest, r)
    buf[i] = bi
    update[i] = nesterov ? lerp(g[i] as number, bi, momentum, r) : bi
  }
  const orthogonal = newtonSchulz(update, shape[0] as number, shape[1] as number, s, r)
  const decay = r(s[S.decayFactor] as number)
  const lr = r(s[S.adjustedLr] as number)
  for (let i = 0; i < p.length; i++) p[i] = r(r((p[i] as number) * decay) - r(lr * (orthogonal[i] as number)))
}

function adjustedLr(o: MuonOptions, shape: readonly number[]): number {
  const [rows, cols] = shape as [number, number]
  if (o.adjustLrFn === 'match_rms_adamw') return o.lr * 0.2 * Math.sqrt(Math.max(rows, cols))
  if (o.adjustLrFn === 'spectral_unclamped') return o.lr * Math.sqrt(rows / cols)
  return o.lr * Math.sqrt(Math.max(1, rows / cols))
}

/**
 * Muon (Keller Jordan 2024) with torch.optim.Muon's numerics, in the matrix's dtype:
 * ```
 * buf ← lerp(buf, g, 1 − μ);  u = nesterov ? lerp(g, buf, μ) : buf
 * X = u/max(‖u‖, eps) (transposed if tall);  5×: A = XXᵀ, X ← aX + (bA + cA²)X
 * θ ← θ(1 − lr·λ) − adjustedLr · X
 * ```
 * For 2-D weight matrices only: give biases and other vectors to AdamW in a second optimizer.
 */
export const muonRule: RuleDefinition<MuonOptions> = {
  rule: 'muon',
  elementwise: false,
  planReadsParam: true,
  matrixOnly: true,
  scalars: SCALARS,
  defaults: {
    lr: 1e-3,
    weightDecay: 0.1,
    momentum: 0.95,
    nesterov: true,
    nsCoefficients: [3.4445, -4.775, 2.0315],
    eps: 1e-7,
    nsSteps: 5,
    adjustLrFn: 'original',
  },
  validate(where, o) {
    checkLearningRate(where, o.lr)
    checkNonNegative(where, 'weightDecay', o.weightDecay)
    checkUnitInterval(where, 'momentum', o.momentum)
    checkBoolean(where, 'nesterov', o.nesterov)
    const c = o.nsCoefficients
    if (!Array.isArray(c) || c.length !== 3 || !c.every((v) => typeof v === 'number' && Number.isFinite(v)))
      throw new TypeError(`${where}: nsCoefficients must be three finite numbers [a, b, c], got ${String(c)}`)
    checkNonNegative(where, 'eps', o.eps)
    if (!Number.isSafeInteger(o.nsSteps) || o.nsSteps < 0 || o.nsSteps > 100)
      throw new RangeError(`${where}: nsSteps must be an integer in [0, 100], got ${o.nsSteps}`)
    checkOneOf(where, 'adjustLrFn', o.adjustLrFn, ['original', 'match_rms_adamw', 'spectral_unclamped'])
  },
  stateTensors(_o, p: Parameter) {
    return [{ name: 'momentumBuffer', length: p.size }]
  },
  plan(o, state, p) {
    const [a, b, c] = o.nsCoefficients
    return {
      scalars: packScalars(SCALARS, {
        maximize: 0,
        coupledWeightDecay: 0,
        momentum: o.momentum,
        nesterov: +o.nesterov,
        a,
        b,
        c,
        eps: o.eps,
        nsSteps: o.nsSteps,
        decayFactor: 1 - o.lr * o.weightDecay,
        adjustedLr: adjustedLr(o, p.shape),
      }),
      next: { step: state.step + 1 },
    }
  },
  kernel,
}

/** Refuses Parameters that are not matrices (anything else is left to the optimizer's own checks). */
function checkMatrices(where: string, params: Iterable<unknown>): void {
  for (const p of params) {
    if (p instanceof Parameter && p.shape.length !== 2)
      throw new RangeError(
        `${where}: Muon orthogonalises 2-D weight matrices; ${p.label} has shape [${p.shape.join(', ')}]: ` +
          'give it to AdamW in a second optimizer (see the README, "Muon")',
      )
  }
}

/** Muon: orthogonalised momentum for 2-D weight matrices. See `muonRule`. */
export class Muon extends optimizerClass('muon', muonRule) {
  constructor(
    params: Iterable<Parameter> | Iterable<ParamGroupInput<MuonOptions>>,
    options: Partial<MuonOptions> & { backend?: 'native' | 'js' } = {},
  ) {
    super(params, options)
    checkMatrices(
      'Muon',
      this.paramGroups.flatMap((g) => g.params),
    )
  }

  override addParamGroup(group: ParamGroupInput<MuonOptions>): void {
    const params = (group as { params?: unknown } | null)?.params
    if (params !== null && typeof params === 'object' && Symbol.iterator in params) {
      const list = [...(params as Iterable<unknown>)]
      checkMatrices('Muon.addParamGroup', list)
      super.addParamGroup({ ...group, params: list as Parameter[] })
    } else super.addParamGroup(group)
  }
}
