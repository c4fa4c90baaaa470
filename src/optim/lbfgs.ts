import { resolveBackend } from '../backend/select.js'
import { type Backend, type BackendName, NormPart } from '../backend/types.js'
import { describe, typeError } from '../errors.js'
import type { DType, FloatArray, Parameter } from '../parameter.js'
import { checkPlainObject, integerOption, positiveOption, rejectUnknownKeys } from '../validate.js'
import type { OptimizerStateDict } from './state-dict.js'

/** Options of `LBFGS` (torch.optim.LBFGS; camelCase names). */
export interface LBFGSOptions {
  /** Step length (default 1). */
  lr?: number
  /** Iterations per `step` (default 20). */
  maxIter?: number
  /** Closure evaluations per `step` (default ⌊maxIter·5/4⌋). */
  maxEval?: number
  /** Stop when the largest gradient element is at most this (default 1e-7). */
  toleranceGrad?: number
  /** Stop when the step or the loss changes less than this (default 1e-9). */
  toleranceChange?: number
  /** Curvature pairs kept (default 100). */
  historySize?: number
  /** `'strong_wolfe'` for torch's strong-Wolfe line search, or null for fixed steps (default null). */
  lineSearchFn?: 'strong_wolfe' | null
}

/** `LBFGSOptions` plus the backend its vector work runs on (default: the library's default). */
export interface LBFGSConstructorOptions extends LBFGSOptions {
  backend?: BackendName
}

/** What `step` needs: computes the loss at the parameters' current values and fills their `.grad`. */
export type LBFGSClosure = () => number

const KEYS = new Set([
  'lr',
  'maxIter',
  'maxEval',
  'toleranceGrad',
  'toleranceChange',
  'historySize',
  'lineSearchFn',
  'backend',
])

/** Flat f64 vectors: the math of one step, over all parameters as one vector. */
type Vec = Float64Array

/**
 * The vector work of a step on a backend: reductions in its fixed block order and y ← y + α·x,
 * so the native and JS backends give the same bits and only the control flow runs in TS.
 */
class Vectors {
  constructor(readonly backend: Backend) {}

  dot(a: Vec, b: Vec): number {
    return this.backend.dot(a, b)
  }

  absMax(a: Vec): number {
    return this.backend.normParts(NormPart.maxAbs, [a])[0] as number
  }

  absSum(a: Vec): number {
    return this.backend.normParts(NormPart.sumAbs, [a])[0] as number
  }

  /** y ← y + α·x in place. */
  addScaled(y: Vec, alpha: number, x: Vec): Vec {
    this.backend.addScaled(y, alpha, x)
    return y
  }

  /** x ← α·x in place. */
  scaleInPlace(x: Vec, alpha: number): Vec {
    this.backend.scale([x], alpha)
    return x
  }

  /** A new α·x. */
  scaled(x: Vec, alpha: number): Vec {
    return this.addScaled(new Float64Array(x.length), alpha, x)
  }
}

function concat(vectors: readonly Vec[]): Float64Array {
  const out = new Float64Array(vectors.reduce((n, v) => n + v.length, 0))
  let at = 0
  for (const v of vectors) {
    out.set(v, at)
    at += v.length
  }
  return out
}

/** torch's `_cubic_interpolate`: the minimiser of the cubic through two points and slopes, within bounds. */
function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: readonly [number, number],
): number {
  const [low, high] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1])
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2)
  const d2Square = d1 ** 2 - g1 * g2
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square)
    const minPos =
      x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return Math.min(Math.max(minPos, low), high)
  }
  return (low + high) / 2
}

interface Probe {
  f: number
  g: Vec
}

/**
 * torch's `_strong_wolfe` (after Nocedal & Wright, Algorithm 3.5/3.6, with its cubic
 * interpolation and "insufficient progress" guard): a step length t along d satisfying the
 * strong Wolfe conditions, or the best found within 25 evaluations.
 */
function strongWolfe(
  vectors: Vectors,
  evaluate: (t: number) => Probe,
  t0: number,
  d: Vec,
  f: number,
  g: Vec,
  gtd: number,
  toleranceChange: number,
): { f: number; g: Vec; t: number; evals: number } {
  const c1 = 1e-4
  const c2 = 0.9
  const maxLs = 25
  let t = t0
  const dNorm = vectors.absMax(d)
  let { f: fNew, g: gNew } = evaluate(t)
  let evals = 1
  let gtdNew = vectors.dot(gNew, d)
  let [tPrev, fPrev, gPrev, gtdPrev] = [0, f, g, gtd]
  let done = false
  let lsIter = 0
  let bracket: number[] = []
  let bracketF: number[] = []
  let bracketG: Vec[] = []
  let bracketGtd: number[] = []
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      ;[bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ]
      break
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      ;[bracket, bracketF, bracketG] = [[t], [fNew], [gNew]]
      done = true
      break
    }
    if (gtdNew >= 0) {
      ;[bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew],
        [gtdPrev, gtdNew],
      ]
      break
    }
    const minStep = t + 0.01 * (t - tPrev)
    const maxStep = t * 10
    const previous = t
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep])
    ;[tPrev, fPrev, gPrev, gtdPrev] = [previous, fNew, gNew, gtdNew]
    ;({ f: fNew, g: gNew } = evaluate(t))
    evals++
    gtdNew = vectors.dot(gNew, d)
    lsIter++
  }
  if (lsIter === maxLs)
    [bracket, bracketF, bracketG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ]
  let insufficientProgress = false
  let [low, high] = (bracketF[0] as number) <= (bracketF.at(-1) as number) ? [0, 1] : [1, 0]
  while (!done && lsIter < maxLs) {
    const b0 = bracket[0] as number
    const b1 = bracket[1] as number
    if (Math.abs(b1 - b0) * dNorm < toleranceChange) break
    t = cubicInterpolate(
      b0,
      bracketF[0] as number,
      bracketGtd[0] as number,
      b1,
      bracketF[1] as number,
      bracketGtd[1] as number,
    )
    const top = Math.max(b0, b1)
    const bottom = Math.min(b0, b1)
    const eps = 0.1 * (top - bottom)
    if (Math.min(top - t, t - bottom) < eps) {
      if (insufficientProgress || t >= top || t <= bottom) {
        t = Math.abs(t - top) < Math.abs(t - bottom) ? top - eps : bottom + eps
        insufficientProgress = false
      } else insufficientProgress = true
    } else insufficientProgress = false
    ;({ f: fNew, g: gNew } = evaluate(t))
    evals++
    gtdNew = vectors.dot(gNew, d)
    lsIter++
    if (fNew > f + c1 * t * gtd || fNew >= (bracketF[low] as number)) {
      bracket[high] = t
      bracketF[high] = fNew
      bracketG[high] = gNew
      bracketGtd[high] = gtdNew
      ;[low, high] = (bracketF[0] as number) <= (bracketF[1] as number) ? [0, 1] : [1, 0]
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true
      else if (gtdNew * ((bracket[high] as number) - (bracket[low] as number)) >= 0) {
        bracket[high] = bracket[low] as number
        bracketF[high] = bracketF[low] as number
        bracketG[high] = bracketG[low] as Vec
        bracketGtd[high] = bracketGtd[low] as number
      }
      bracket[low] = t
      bracketF[low] = fNew
      bracketG[low] = gNew
      bracketGtd[low] = gtdNew
    }
  }
  return { f: bracketF[low] as number, g: bracketG[low] as Vec, t: bracket[low] as number, evals }
}

/** The options of a state dict's one param group (older dicts without them keep `current`). */
function savedOptions(
  where: string,
  state: OptimizerStateDict,
  current: Readonly<Required<LBFGSOptions>>,
): Readonly<Required<LBFGSOptions>> {
  const groups = state.paramGroups
  if (groups === undefined) return current
  if (!Array.isArray(groups) || groups.length !== 1)
    throw typeError(where, 'state.paramGroups', 'one param group (LBFGS has one)', groups)
  const { params: _params, lineSearchFn, ...numbers } = groups[0] as Record<string, unknown>
  return parseOptions(`${where}: state.paramGroups[0]`, {
    ...current,
    ...numbers,
    lineSearchFn: lineSearchFn === 'none' ? null : (lineSearchFn as LBFGSOptions['lineSearchFn']),
  })
}

/** What `step` restores when its closure throws. */
interface SavedState {
  d: Vec | undefined
  t: number
  oldDirs: Vec[]
  oldSteps: Vec[]
  ro: number[]
  hDiag: number
  prevFlatGrad: Vec | undefined
  prevLoss: number
  funcEvals: number
  nIter: number
}

function parseOptions(where: string, options: LBFGSOptions): Readonly<Required<LBFGSOptions>> {
  const lr = positiveOption(where, 'lr', options.lr, 1)
  const maxIter = integerOption(where, 'maxIter', options.maxIter, 20)
  const lineSearchFn = options.lineSearchFn ?? null
  if (lineSearchFn !== null && lineSearchFn !== 'strong_wolfe')
    throw typeError(where, 'lineSearchFn', "'strong_wolfe' or null", lineSearchFn)
  return Object.freeze({
    lr,
    maxIter,
    maxEval: integerOption(where, 'maxEval', options.maxEval, Math.floor((maxIter * 5) / 4)),
    toleranceGrad: positiveOption(where, 'toleranceGrad', options.toleranceGrad, 1e-7),
    toleranceChange: positiveOption(where, 'toleranceChange', options.toleranceChange, 1e-9),
    historySize: integerOption(where, 'historySize', options.historySize, 100),
    lineSearchFn,
  })
}

/**
 * L-BFGS (Liu & Nocedal 1989) with torch.optim.LBFGS's algorithm, iteration for iteration:
 * the two-loop recursion over up to `historySize` curvature pairs, torch's first step
 * min(1, 1/‖g‖₁)·lr, its stopping tests, and optionally its strong-Wolfe line search. One param
 * group, as torch requires. `step(closure)` runs up to `maxIter` iterations; the closure
 * computes the loss and fills the gradients:
 *
 * ```ts
 * const lbfgs = new LBFGS(model.parameters(), { lineSearchFn: 'strong_wolfe' })
 * lbfgs.step(() => model.forwardBackward(x, y))
 * ```
 *
 * The vectors (directions, curvature pairs) are kept in float64 whatever the parameters'
 * dtype; torch keeps them in the parameters' dtype, so float32 runs agree with torch to float32
 * rounding, float64 runs to the last bits the operation order allows.
 */
export class LBFGS {
  #options: Readonly<Required<LBFGSOptions>>
  readonly #params: readonly Parameter[]
  readonly #size: number
  readonly #vectors: Vectors
  #d: Vec | undefined
  #t = 0
  #oldDirs: Vec[] = []
  #oldSteps: Vec[] = []
  #ro: number[] = []
  #hDiag = 1
  #prevFlatGrad: Vec | undefined
  #prevLoss = 0
  /** Closure evaluations and iterations over all steps (torch's `func_evals`, `n_iter`). */
  funcEvals = 0
  nIter = 0

  /** Its one param group (torch's layout), for state dicts and checkpoints. */
  get paramGroups(): { params: readonly Parameter[] }[] {
    return [{ params: this.#params }]
  }

  /** The element type of its state: float64, whatever the parameters' dtype. */
  get dtype(): DType {
    return 'float64'
  }

  /**
   * Its state, as the other optimizers' state dicts are laid out (checkpoints hold it): the
   * counters and scalars, and the direction, last gradient and curvature pairs as float64
   * arrays (the pairs flattened, `ro.length` of them). Restored exactly by `loadStateDict`.
   */
  stateDict(): OptimizerStateDict {
    const entry: Record<string, number | Float64Array> = {
      step: this.nIter,
      funcEvals: this.funcEvals,
      t: this.#t,
      hDiag: this.#hDiag,
      prevLoss: this.#prevLoss,
    }
    if (this.#d) entry.d = this.#d.slice()
    if (this.#prevFlatGrad) entry.prevFlatGrad = this.#prevFlatGrad.slice()
    if (this.#ro.length > 0) {
      entry.ro = Float64Array.from(this.#ro)
      entry.oldDirs = concat(this.#oldDirs)
      entry.oldSteps = concat(this.#oldSteps)
    }
    const { lineSearchFn, ...numbers } = this.options
    return {
      optimizer: 'lbfgs',
      dtype: 'float64',
      state: { 0: entry as never },
      paramGroups: [
        { ...numbers, lineSearchFn: lineSearchFn ?? 'none', params: this.#params.map((_, i) => i) },
      ],
      skippedSteps: 0,
    }
  }

  /** Restores a `stateDict()` of an LBFGS over parameters of the same sizes; throws before changing anything. */
  loadStateDict(state: OptimizerStateDict): void {
    const where = 'LBFGS.loadStateDict'
    if (state?.optimizer !== 'lbfgs') throw typeError(where, 'state.optimizer', "'lbfgs'", state?.optimizer)
    const entry = (state.state as Record<string, Record<string, unknown>>)[0] ?? {}
    const options = savedOptions(where, state, this.#options)
    const number = (key: string): number => {
      const v = entry[key]
      if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError(where, key, 'a finite number', v)
      return v
    }
    const vector = (key: string, length: number): Float64Array | undefined => {
      const v = entry[key]
      if (v === undefined) return undefined
      if (!(v instanceof Float64Array) || v.length !== length)
        throw typeError(where, key, `a Float64Array of ${length} values`, v)
      return v.slice()
    }
    const counters = {
      step: number('step'),
      funcEvals: number('funcEvals'),
      t: number('t'),
      hDiag: number('hDiag'),
    }
    const prevLoss = number('prevLoss')
    const d = vector('d', this.#size)
    const prevFlatGrad = vector('prevFlatGrad', this.#size)
    const ro = entry.ro === undefined ? new Float64Array(0) : entry.ro
    if (!(ro instanceof Float64Array) || ro.length > options.historySize)
      throw typeError(
        where,
        'ro',
        `a Float64Array of at most historySize (${options.historySize}) values`,
        ro,
      )
    const dirs = ro.length === 0 ? new Float64Array(0) : vector('oldDirs', ro.length * this.#size)
    const steps = ro.length === 0 ? new Float64Array(0) : vector('oldSteps', ro.length * this.#size)
    const split = (flat: Float64Array | undefined) =>
      Array.from({ length: ro.length }, (_, i) =>
        (flat as Float64Array).slice(i * this.#size, (i + 1) * this.#size),
      )
    if (counters.step < 0 || !Number.isSafeInteger(counters.step))
      throw new RangeError(`${where}: step must be an integer >= 0, got ${describe(counters.step)}`)
    this.#options = options
    this.#loadState({
      d,
      t: counters.t,
      oldDirs: split(dirs),
      oldSteps: split(steps),
      ro: Array.from(ro),
      hDiag: counters.hDiag,
      prevFlatGrad,
      prevLoss,
      funcEvals: counters.funcEvals,
      nIter: counters.step,
    })
  }

  /** The options, defaults filled in (`loadStateDict` restores the saved ones, as torch's). */
  get options(): Readonly<Required<LBFGSOptions>> {
    return this.#options
  }

  /** The backend the vector work runs on. */
  get backend(): BackendName {
    return this.#vectors.backend.name
  }

  constructor(params: Iterable<Parameter>, options: LBFGSConstructorOptions = {}) {
    const where = 'LBFGS'
    this.#params = [...params]
    if (this.#params.length === 0) throw new RangeError(`${where}: params must hold at least one Parameter`)
    checkPlainObject(where, 'options', options)
    rejectUnknownKeys(where, options, KEYS)
    this.#options = parseOptions(where, options)
    this.#size = this.#params.reduce((n, p) => n + p.size, 0)
    this.#vectors = new Vectors(resolveBackend(where, options.backend))
  }

  #flatGrad(): Vec {
    const flat = new Float64Array(this.#size)
    let at = 0
    for (const p of this.#params) {
      flat.set(p.grad, at)
      at += p.size
    }
    return flat
  }

  /** θ ← θ + t·d (in the parameters' dtype, as torch's `_add_grad`). */
  #addDirection(t: number, d: Vec): void {
    let at = 0
    for (const p of this.#params) {
      this.#vectors.backend.addScaled(p.data, t, d.subarray(at, at + p.size))
      at += p.size
    }
  }

  #snapshot(): FloatArray[] {
    return this.#params.map((p) => p.data.slice())
  }

  #restore(values: readonly FloatArray[]): void {
    this.#params.forEach((p, i) => p.data.set(values[i] as FloatArray))
  }

  #evaluate(closure: LBFGSClosure): number {
    const loss = closure()
    if (typeof loss !== 'number')
      throw typeError('LBFGS.step', 'the closure', 'a function returning the loss (a number)', loss)
    return loss
  }

  /** Runs up to `maxIter` iterations; returns the loss the closure gave at the start. */
  step(closure: LBFGSClosure): number {
    if (typeof closure !== 'function')
      throw typeError('LBFGS.step', 'closure', 'a function () => loss that fills the gradients', closure)
    // A closure that throws (or returns a non-number) mid-step, perhaps inside the line search
    // with the parameters at a trial point, leaves parameters and state as they were.
    const params = this.#snapshot()
    const state = this.#saveState()
    try {
      return this.#iterate(closure)
    } catch (error) {
      this.#restore(params)
      this.#loadState(state)
      throw error
    }
  }

  #saveState(): SavedState {
    return {
      d: this.#d,
      t: this.#t,
      oldDirs: [...this.#oldDirs],
      oldSteps: [...this.#oldSteps],
      ro: [...this.#ro],
      hDiag: this.#hDiag,
      prevFlatGrad: this.#prevFlatGrad,
      prevLoss: this.#prevLoss,
      funcEvals: this.funcEvals,
      nIter: this.nIter,
    }
  }

  /** Vectors are never written after they are stored, so sharing them with a saved state is safe. */
  #loadState(s: SavedState): void {
    this.#d = s.d
    this.#t = s.t
    this.#oldDirs = s.oldDirs
    this.#oldSteps = s.oldSteps
    this.#ro = s.ro
    this.#hDiag = s.hDiag
    this.#prevFlatGrad = s.prevFlatGrad
    this.#prevLoss = s.prevLoss
    this.funcEvals = s.funcEvals
    this.nIter = s.nIter
  }

  #iterate(closure: LBFGSClosure): number {
    const o = this.options
    const v = this.#vectors
    const origLoss = this.#evaluate(closure)
    let loss = origLoss
    let currentEvals = 1
    this.funcEvals++
    let flatGrad = this.#flatGrad()
    if (v.absMax(flatGrad) <= o.toleranceGrad) return origLoss
    let d = this.#d
    let t = this.#t
    let nIter = 0
    while (nIter < o.maxIter) {
      nIter++
      this.nIter++
      if (this.nIter === 1) {
        d = v.scaled(flatGrad, -1)
        this.#oldDirs = []
        this.#oldSteps = []
        this.#ro = []
        this.#hDiag = 1
      } else {
        const prev = this.#prevFlatGrad as Vec
        const y = v.addScaled(flatGrad.slice(), -1, prev)
        const s = v.scaled(d as Vec, t)
        const ys = v.dot(y, s)
        if (ys > 1e-10) {
          if (this.#oldDirs.length === o.historySize) {
            this.#oldDirs.shift()
            this.#oldSteps.shift()
            this.#ro.shift()
          }
          this.#oldDirs.push(y)
          this.#oldSteps.push(s)
          this.#ro.push(1 / ys)
          this.#hDiag = ys / v.dot(y, y)
        }
        const count = this.#oldDirs.length
        const al = new Array<number>(count)
        const q = v.scaled(flatGrad, -1)
        for (let i = count - 1; i >= 0; i--) {
          al[i] = v.dot(this.#oldSteps[i] as Vec, q) * (this.#ro[i] as number)
          v.addScaled(q, -(al[i] as number), this.#oldDirs[i] as Vec)
        }
        // r = H₀·q, in q's buffer: q is not read again.
        const r = v.scaleInPlace(q, this.#hDiag)
        for (let i = 0; i < count; i++) {
          const be = v.dot(this.#oldDirs[i] as Vec, r) * (this.#ro[i] as number)
          v.addScaled(r, (al[i] as number) - be, this.#oldSteps[i] as Vec)
        }
        d = r
      }
      // Gradient vectors are never written after they are made, so no copy is needed.
      this.#prevFlatGrad = flatGrad
      this.#prevLoss = loss
      t = this.nIter === 1 ? Math.min(1, 1 / v.absSum(flatGrad)) * o.lr : o.lr
      const direction = d as Vec
      const gtd = v.dot(flatGrad, direction)
      if (gtd > -o.toleranceChange) break
      let lsEvals = 0
      let optimal = false
      if (o.lineSearchFn === 'strong_wolfe') {
        const start = this.#snapshot()
        const evaluate = (step: number): Probe => {
          this.#addDirection(step, direction)
          const f = this.#evaluate(closure)
          const g = this.#flatGrad()
          this.#restore(start)
          return { f, g }
        }
        const found = strongWolfe(v, evaluate, t, direction, loss, flatGrad, gtd, o.toleranceChange)
        ;({ f: loss, g: flatGrad, t } = found)
        lsEvals = found.evals
        this.#addDirection(t, direction)
        optimal = v.absMax(flatGrad) <= o.toleranceGrad
      } else {
        this.#addDirection(t, direction)
        if (nIter !== o.maxIter) {
          loss = this.#evaluate(closure)
          flatGrad = this.#flatGrad()
          optimal = v.absMax(flatGrad) <= o.toleranceGrad
          lsEvals = 1
        }
      }
      currentEvals += lsEvals
      this.funcEvals += lsEvals
      if (nIter === o.maxIter) break
      if (currentEvals >= o.maxEval) break
      if (optimal) break
      if (v.absMax(direction) * Math.abs(t) <= o.toleranceChange) break
      if (Math.abs(loss - this.#prevLoss) < o.toleranceChange) break
    }
    this.#d = d
    this.#t = t
    return origLoss
  }
}
