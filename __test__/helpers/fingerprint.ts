import type { Optimizer, Parameter, Scheduler } from '../../src/index.js'

/**
 * A canonical string of a value for byte-for-byte comparisons: typed arrays become the hex of
 * their bytes (so NaN payloads and -0 count), numbers keep -0 and NaN, objects sort their keys.
 */
export function fingerprint(value: unknown): string {
  return JSON.stringify(canonical(value))
}

function canonical(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'symbol' || typeof value === 'function') return String(value)
  if (value === undefined) return 'undefined'
  if (typeof value === 'number')
    return Object.is(value, -0) ? '-0' : Number.isFinite(value) ? value : String(value)
  if (ArrayBuffer.isView(value)) {
    // A detached buffer has no bytes (and Buffer.from would throw on it).
    const bytes =
      value.buffer.byteLength === 0
        ? ''
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
    return `${value.constructor.name}:${bytes}`
  }
  if (Array.isArray(value)) return value.map(canonical)
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    )
  }
  return value
}

/**
 * Everything a training step or a checkpoint load may change: values, gradients (unless
 * `withGrads` is false), optimizer and scheduler state, lrs.
 */
export function trainingFingerprint(
  parts: {
    params?: readonly Parameter[]
    // biome-ignore lint/suspicious/noExplicitAny: any optimizer
    optimizer?: Optimizer<any>
    scheduler?: Scheduler | undefined
  },
  withGrads = true,
): string {
  return fingerprint({
    params: parts.params?.map((p) => ({
      data: p.data,
      ...(withGrads ? { grad: p.grad } : {}),
      shape: p.shape,
    })),
    optimizer: parts.optimizer?.stateDict(),
    lrs: parts.optimizer?.paramGroups.map((g) => g.lr),
    skipped: parts.optimizer?.skippedSteps,
    scheduler: parts.scheduler?.stateDict(),
  })
}
