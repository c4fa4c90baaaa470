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

function isF32(tensors: readonly FloatArray[] | FloatArray): boolean {
  const first = Array.isArray(tensors) ? tensors[0] : tensors
  return first instanceof Float32Array
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
      callNative(() =>
        isF32(entries[0]?.param as FloatArray)
          ? a.stepF32(index, tensors as Float32Array[], layout, scalars)
          : a.stepF64(index, tensors as Float64Array[], layout, scalars),
      )
    },
    firstNonFinite(tensors) {
      if (tensors.length === 0) return -1
      return callNative(() =>
        isF32(tensors as FloatArray[])
          ? a.firstNonFiniteF32(tensors as Float32Array[])
          : a.firstNonFiniteF64(tensors as Float64Array[]),
      )
    },
    normParts(part: NormPart, tensors) {
      const out = new Float64Array(tensors.length)
      if (tensors.length === 0) return out
      callNative(() =>
        isF32(tensors as FloatArray[])
          ? a.normPartsF32(part, tensors as Float32Array[], out)
          : a.normPartsF64(part, tensors as Float64Array[], out),
      )
      return out
    },
    scale(tensors, coefficient) {
      if (tensors.length === 0) return
      callNative(() =>
        isF32(tensors as FloatArray[])
          ? a.scaleF32(tensors as Float32Array[], coefficient)
          : a.scaleF64(tensors as Float64Array[], coefficient),
      )
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
