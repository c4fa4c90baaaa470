import { DescentError, rangeError, typeError, warnOnce } from '../errors.js'
import { jsBackend } from './js.js'
import { addon, nativeBackend, nativeLoadError, platformPackageName } from './native.js'
import type { Backend, BackendName } from './types.js'

const native: Backend | undefined = addon ? nativeBackend(addon) : undefined

/** Whether the native addon loaded on this platform. */
export function nativeAvailable(): boolean {
  return native !== undefined
}

function missingNative(): DescentError {
  const name = platformPackageName()
  const error = new DescentError(
    'DESCENT_NO_NATIVE',
    `the native backend was requested (backend: 'native' or DESCENT_BACKEND=native) but no native binary ` +
      `loaded for ${process.platform}-${process.arch}: install the package '${name}' (npm install ${name}; ` +
      `'npm install descent' adds it unless optional dependencies are omitted), build from source with ` +
      `'npm run build:native', or use the JS backend`,
  )
  error.cause = nativeLoadError
  return error
}

/** Says once per process that the JS backend stands in for a missing binary. */
function warnFallback(): void {
  warnOnce(
    'DESCENT_NO_NATIVE',
    `no native binary loaded for ${process.platform}-${process.arch}, so the pure-JS backend runs ` +
      `(same results, slower). Install the optional package '${platformPackageName()}' for the native ` +
      `backend, or set DESCENT_BACKEND=js to choose the JS backend and silence this warning.`,
  )
}

/**
 * The backend used when an optimizer or model does not name one: `DESCENT_BACKEND` (`js` or
 * `native`) if set, else native if the addon loaded, else js with a one-time warning.
 */
export function defaultBackendName(): BackendName {
  const forced = process.env.DESCENT_BACKEND
  if (forced === 'js' || forced === 'native') return forced
  if (forced)
    throw rangeError('descent', 'the environment variable DESCENT_BACKEND', "'js' or 'native'", forced)
  if (native) return 'native'
  warnFallback()
  return 'js'
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
