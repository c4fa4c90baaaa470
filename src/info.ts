import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { addon, binaryPath, nativeLoadError, platformPackageName } from './backend/native.js'
import { resolveBackend } from './backend/select.js'
import type { BackendName } from './backend/types.js'

/** What descent runs on here, as reported by `info()` and `descent info`. */
export interface DescentInfo {
  /** descent's version (its package.json). */
  version: string
  /** The backend optimizers use when they name none: `DESCENT_BACKEND`, else native if loaded, else js. */
  backend: BackendName
  /** Absolute path of the loaded native binary (`.node`), or null when none loaded. */
  binaryPath: string | null
  /** Why the native binary did not load (the loader's message), or null when it loaded. */
  nativeLoadError: string | null
  /** Threads in the binary's rayon pool (and step pool) for long loops; null without a binary. */
  rayonThreads: number | null
  /** Rust target triple the binary was built for, e.g. `x86_64-unknown-linux-gnu`; null without a binary. */
  target: string | null
  /** The npm package that carries this platform's binary, e.g. `descent-linux-x64-gnu`. */
  platformPackage: string
}

/**
 * Reports the version, the default backend and the native binary in use. Throws the same error
 * as an optimizer would when `DESCENT_BACKEND=native` but no binary loaded.
 */
export function info(): DescentInfo {
  const native = addon?.nativeInfo()
  return {
    version: packageVersion(),
    backend: resolveBackend('info', undefined).name,
    binaryPath,
    nativeLoadError: addon === undefined ? (nativeLoadError?.message ?? 'unknown') : null,
    rayonThreads: native?.rayonThreads ?? null,
    target: native?.target ?? null,
    platformPackage: platformPackageName(),
  }
}

/** descent's version, read from the package.json next to dist/ (dist/src/info.js → ../../package.json). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'))
  return (manifest as { version: string }).version
}
