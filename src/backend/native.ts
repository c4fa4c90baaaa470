import { DescentError } from '../errors.js'
import { type FloatArray, overlaps } from '../parameter.js'
import type { Backend, JsKernel, NormPart, StepCache, StepEntry } from './types.js'

type Addon = typeof import('../../native/index.js')
type StepLayout = import('../../native/index.js').StepLayout
type RunPlan = import('../../native/index.js').RunPlan
type BatchRange = import('../../native/index.js').BatchRange

/** Why the addon did not load, when it did not. */
export let nativeLoadError: Error | undefined

function load(): Addon | undefined {
  try {
    // dist/src/backend/native.js → <package root>/native/index.js (napi-rs's generated loader).
    return require('../../../native/index.js') as Addon
  } catch (error) {
    nativeLoadError = error as Error
    return undefined
  }
}

/** The loaded addon, or undefined when no binary for this platform could be loaded. */
export const addon: Addon | undefined = load()

/** The `.node` file the addon was loaded from, or null when none loaded. */
export const binaryPath: string | null = addon ? loadedFile(addon) : null

function loadedFile(a: Addon): string | null {
  // napi-rs's loader re-exports the binding object itself (`module.exports = nativeBinding`), so
  // the .node module whose exports are that object is the file that loaded, wherever it came
  // from (./native, the platform package, or NAPI_RS_NATIVE_LIBRARY_PATH).
  for (const [file, module] of Object.entries(require.cache)) {
    if (file.endsWith('.node') && module?.exports === a) return file
  }
  return null
}

let platformPackage: string | undefined

/**
 * The npm package that carries this platform's binary, named as napi-rs names it:
 * `descent-optim-<platform>-<arch>[-<abi>]`, e.g. descent-optim-linux-x64-gnu, descent-optim-darwin-arm64.
 */
export function platformPackageName(): string {
  if (platformPackage === undefined) {
    const { platform, arch } = process
    const abi = platform === 'linux' ? (isMusl() ? '-musl' : '-gnu') : platform === 'win32' ? '-msvc' : ''
    platformPackage = `descent-optim-${platform}-${arch}${abi}`
  }
  return platformPackage
}

function isMusl(): boolean {
  // glibc reports its version in the diagnostic report header; musl does not.
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined
  return report !== undefined && report.header?.glibcVersionRuntime === undefined
}

/** The one place where native errors become JS errors (codes set in crates/node/src/errors.rs). */
function rethrow(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error)
  const match = /^(DESCENT_[A-Z]+): ([\s\S]*)$/.exec(message)
  if (match?.[1] === 'DESCENT_INVALID') throw new RangeError(match[2])
  if (match) throw new DescentError(match[1] as string, `native kernel failed: ${match[2]}`)
  if (/Expected (Float32Array|Float64Array)|TypedArray/.test(message)) throw new TypeError(message)
  throw new DescentError('DESCENT_NATIVE', message)
}

/** Runs a native call, turning its errors into descent's JS errors. */
export function callNative<R>(f: () => R): R {
  try {
    return f()
  } catch (error) {
    rethrow(error)
  }
}

/**
 * The addon's exports for one element type, typed over either buffer kind: every export comes
 * as a pair (`stepF32` / `stepF64`, …), and `typedExports` picks the pair's member once, so no
 * caller mirrors a call per dtype.
 */
export interface TypedExports {
  stepBound(layout: StepLayout, scalars: Float64Array): void
  firstNonFinite(tensors: FloatArray[]): number
  normParts(part: NormPart, tensors: FloatArray[], out: Float64Array): void
  scale(tensors: FloatArray[], coefficient: number): void
  addScaled(y: FloatArray, alpha: number, x: Float64Array): void
  predict(network: Uint32Array, params: FloatArray, x: FloatArray, out: FloatArray): void
  lossAndGrad(
    network: Uint32Array,
    params: FloatArray,
    grads: FloatArray,
    x: FloatArray,
    labels: Int32Array,
    values: FloatArray,
  ): number
  evaluate(
    network: Uint32Array,
    params: FloatArray,
    x: FloatArray,
    labels: Int32Array,
    values: FloatArray,
  ): { loss: number; hits: number }
  trainEpoch(
    network: Uint32Array,
    params: FloatArray,
    grads: FloatArray,
    plan: RunPlan,
    state: FloatArray[],
    scalars: Float64Array,
    x: FloatArray,
    labels: Int32Array,
    values: FloatArray,
    order: Uint32Array,
    batches: BatchRange,
  ): { losses: Float64Array; steps: number; nonFinite: number }
}

const typedCache = new WeakMap<Addon, { f32: TypedExports; f64: TypedExports }>()

/** The exports for the element type of `like` (a buffer, or the first of a list). */
export function typedExports(a: Addon, like: FloatArray | readonly FloatArray[]): TypedExports {
  let pair = typedCache.get(a)
  if (pair === undefined) {
    const f32 = {
      stepBound: a.stepBoundF32,
      firstNonFinite: a.firstNonFiniteF32,
      normParts: a.normPartsF32,
      scale: a.scaleF32,
      addScaled: a.addScaledF32,
      predict: a.predictF32,
      lossAndGrad: a.lossAndGradF32,
      evaluate: a.evaluateF32,
      trainEpoch: a.trainEpochF32,
    }
    const f64 = {
      stepBound: a.stepBoundF64,
      firstNonFinite: a.firstNonFiniteF64,
      normParts: a.normPartsF64,
      scale: a.scaleF64,
      addScaled: a.addScaledF64,
      predict: a.predictF64,
      lossAndGrad: a.lossAndGradF64,
      evaluate: a.evaluateF64,
      trainEpoch: a.trainEpochF64,
    }
    pair = { f32: f32 as unknown as TypedExports, f64: f64 as unknown as TypedExports }
    typedCache.set(a, pair)
  }
  const first = Array.isArray(like) ? like[0] : like
  return first instanceof Float32Array ? pair.f32 : pair.f64
}

/**
 * A step's native layout, the tensors bound to it and the reused scalars, kept in the optimizer's
 * `StepCache` while its parameters keep their rule, shapes, state and scalar counts.
 */
interface NativeStep {
  readonly rule: string
  /** Per entry: state count, scalar count, rank, ...dims (what the layout was built from). */
  readonly signature: readonly number[]
  readonly layout: StepLayout
  /** The tensors whose data the layout points at, and their lengths when bound. */
  bound: FloatArray[]
  lengths: number[]
  readonly scalars: Float64Array
}

function matches(step: NativeStep, rule: string, entries: readonly StepEntry[]): boolean {
  if (step.rule !== rule) return false
  const sig = step.signature
  let at = 0
  for (const e of entries) {
    if (sig[at] !== e.state.length || sig[at + 1] !== e.scalars.length || sig[at + 2] !== e.shape.length)
      return false
    at += 3
    for (const d of e.shape) if (sig[at++] !== d) return false
  }
  return at === sig.length
}

function buildStep(a: Addon, rule: string, entries: readonly StepEntry[]): NativeStep {
  const spec = {
    rule,
    params: entries.map((e) => ({
      stateCount: e.state.length,
      scalarCount: e.scalars.length,
      shape: [...e.shape],
    })),
  }
  const layout = callNative(() => new a.StepLayout(spec))
  const signature = entries.flatMap((e) => [e.state.length, e.scalars.length, e.shape.length, ...e.shape])
  const scalarCount = entries.reduce((n, e) => n + e.scalars.length, 0)
  return { rule, signature, layout, bound: [], lengths: [], scalars: new Float64Array(scalarCount) }
}

/** Whether `t` is the tensor bound at `at`, still of its bound length (a detached array has length 0). */
function isBound(step: NativeStep, at: number, t: FloatArray): boolean {
  return step.bound[at] === t && step.lengths[at] === t.length
}

/**
 * The step's layout (from `cache` when the entries still match it) with this step's scalars
 * filled in, and its tensors bound: the native side keeps pointers to their data, so this checks
 * that every tensor is the very array bound, attached and of its bound length, and binds them
 * again otherwise. That check is what keeps the pointers valid: an array cannot move or be
 * freed while it is the same, attached, same-length object held here.
 */
function prepareStep(a: Addon, rule: string, entries: readonly StepEntry[], cache: StepCache): NativeStep {
  let step = cache.native as NativeStep | undefined
  if (step === undefined || !matches(step, rule, entries)) {
    step = buildStep(a, rule, entries)
    cache.native = step
  }
  const { scalars } = step
  let at = 0
  let bound = step.bound.length > 0
  let s = 0
  for (const e of entries) {
    bound = bound && isBound(step, at, e.param) && isBound(step, at + 1, e.grad)
    at += 2
    for (const t of e.state) bound = bound && isBound(step, at++, t)
    for (const x of e.scalars) scalars[s++] = x
  }
  if (!bound) {
    const tensors: FloatArray[] = []
    for (const e of entries) tensors.push(e.param, e.grad, ...e.state)
    const layout = step.layout
    callNative(() =>
      tensors[0] instanceof Float32Array
        ? layout.bindF32(tensors as Float32Array[])
        : layout.bindF64(tensors as Float64Array[]),
    )
    step.bound = tensors
    step.lengths = tensors.map((t) => t.length)
  }
  return step
}

/** Builds the native backend over a loaded addon. */
export function nativeBackend(a: Addon): Backend {
  return {
    name: 'native',
    step(rule: string, _kernel: JsKernel, entries: readonly StepEntry[], cache: StepCache = {}): void {
      if (entries.length === 0) return
      const { layout, bound, scalars } = prepareStep(a, rule, entries, cache)
      callNative(() => typedExports(a, bound).stepBound(layout, scalars))
    },
    firstNonFinite(tensors) {
      if (tensors.length === 0) return -1
      return callNative(() => typedExports(a, tensors).firstNonFinite(tensors as FloatArray[]))
    },
    normParts(part: NormPart, tensors) {
      const out = new Float64Array(tensors.length)
      if (tensors.length === 0) return out
      callNative(() => typedExports(a, tensors).normParts(part, tensors as FloatArray[], out))
      return out
    },
    scale(tensors, coefficient) {
      if (tensors.length === 0) return
      callNative(() => typedExports(a, tensors).scale(tensors as FloatArray[], coefficient))
    },
    dot(x, y) {
      return callNative(() => a.dotF64(x, y))
    },
    addScaled(y, alpha, x) {
      // The addon borrows y mutably and x shared: the two must not overlap in memory.
      const source = overlaps(y, x) ? x.slice() : x
      callNative(() => typedExports(a, y).addScaled(y, alpha, source))
    },
  }
}

/**
 * The loaded addon, for callers that already resolved the backend to `'native'`. Kept here so
 * that no public declaration file refers to the addon's generated types (whose relative path
 * differs between src/ and dist/src/).
 */
export function nativeAddon(): Addon {
  if (addon === undefined) throw new DescentError('DESCENT_NO_NATIVE', 'the native addon is not loaded')
  return addon
}
