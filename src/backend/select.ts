import { typeError } from '../errors.js'
import { jsBackend } from './js.js'
import { addon, nativeBackend, nativeLoadError } from './native.js'
import type { Backend, BackendName } from './types.js'

const native: Backend | undefined = addon ? nativeBackend(addon) : undefined

/** Whether the native addon loaded on this platform. */
export function nativeAvailable(): boolean {
  return native !== undefined
}

function missingNative(): Error {
  return new Error(
    `descent: the native backend was requested but no binary loaded for ${process.platform}-${process.arch} ` +
      `(install the package 'descent-${process.platform}-${process.arch}' or build from source with 'npm run build:native'): ` +
      `${nativeLoadError?.message ?? 'unknown reason'}`,
  )
}

/** The backend used when an optimizer or model does not name one: DESCENT_BACKEND, else native if loaded, else js. */
export function defaultBackendName(): BackendName {
  const forced = process.env.DESCENT_BACKEND
  if (forced === 'js' || forced === 'native') return forced
  return native ? 'native' : 'js'
}

/** Resolves a `backend` option to a Backend; `undefined` means the default. */
export function resolveBackend(where: string, name: unknown): Backend {
  const chosen = name ?? defaultBackendName()
  if (chosen === 'js') return jsBackend
  if (chosen === 'native') {
    if (!native) throw missingNative()
    return native
  }
  throw typeError(where, 'backend', "'native' or 'js'", name)
}
