import { DescentError } from '../errors.js'
import type { FloatArray } from '../parameter.js'
import type { Backend, JsKernel, NormPart, StepEntry } from './types.js'

type Addon = typeof import('../../native/index.js')

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
 * `descent-<platform>-<arch>[-<abi>]`, e.g. descent-linux-x64-gnu, descent-darwin-arm64.
 */
export function platformPackageName(): string {
  if (platformPackage === undefined) {
    const { platform, arch } = process
    const abi = platform === 'linux' ? (isMusl() ? '-musl' : '-gnu') : platform === 'win32' ? '-msvc' : ''
    platformPackage = `descent-${platform}-${arch}${abi}`
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

let ruleIndices: Map<string, number> | undefined

/** The registry index of `rule` in the loaded addon (a DescentError if it has no such rule). */
export function ruleIndex(a: Addon, rule: string): number {
  ruleIndices ??= new Map(a.ruleNames().map((name, i) => [name, i]))
  const index = ruleIndices.get(rule)
  if (index === undefined)
    throw new DescentError('DESCENT_UNKNOWN_RULE', `the native addon has no rule '${rule}'`)
  return index
}

/**
 * The addon's exports for one element type, typed over either buffer kind: every export comes
 * as a pair (`stepF32` / `stepF64`, …), and `typedExports` picks the pair's member once, so no
 * caller mirrors a call per dtype.
 */
export interface TypedExports {
  step(rule: number, tensors: FloatArray[], layout: Uint32Array, scalars: Float64Array): void
  firstNonFinite(tensors: FloatArray[]): number
  normParts(part: NormPart, tensors: FloatArray[], out: Float64Array): void
  scale(tensors: FloatArray[], coefficient: number): void
  predict(network: Uint32Array, params: FloatArray, x: FloatArray): FloatArray
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
    rule: number,
    state: FloatArray[],
    slots: Uint32Array,
    scalars: Float64Array,
    x: FloatArray,
    labels: Int32Array,
    values: FloatArray,
    order: Uint32Array,
    batches: Uint32Array,
  ): { losses: Float64Array; steps: number; nonFinite: number }
}

const typedCache = new WeakMap<Addon, { f32: TypedExports; f64: TypedExports }>()

/** The exports for the element type of `like` (a buffer, or the first of a list). */
export function typedExports(a: Addon, like: FloatArray | readonly FloatArray[]): TypedExports {
  let pair = typedCache.get(a)
  if (pair === undefined) {
    const f32 = {
      step: a.stepF32,
      firstNonFinite: a.firstNonFiniteF32,
      normParts: a.normPartsF32,
      scale: a.scaleF32,
      predict: a.predictF32,
      lossAndGrad: a.lossAndGradF32,
      evaluate: a.evaluateF32,
      trainEpoch: a.trainEpochF32,
    }
    const f64 = {
      step: a.stepF64,
      firstNonFinite: a.firstNonFiniteF64,
      normParts: a.normPartsF64,
      scale: a.scaleF64,
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

/** Packs every parameter of a step into one call: [param, grad, ...state] per entry. */
function pack(entries: readonly StepEntry[]): {
  tensors: FloatArray[]
  layout: Uint32Array
  scalars: Float64Array
} {
  const tensors: FloatArray[] = []
  const layout: number[] = []
  const scalars: number[] = []
  for (const e of entries) {
    tensors.push(e.param, e.grad, ...e.state)
    layout.push(2 + e.state.length, e.scalars.length, e.shape.length, ...e.shape)
    for (const s of e.scalars) scalars.push(s)
  }
  return { tensors, layout: Uint32Array.from(layout), scalars: Float64Array.from(scalars) }
}

/** Builds the native backend over a loaded addon. */
export function nativeBackend(a: Addon): Backend {
  return {
    name: 'native',
    step(rule: string, _kernel: JsKernel, entries: readonly StepEntry[]): void {
      if (entries.length === 0) return
      const index = ruleIndex(a, rule)
      const { tensors, layout, scalars } = pack(entries)
      callNative(() => typedExports(a, tensors).step(index, tensors, layout, scalars))
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
