import { type FloatArray, overlaps, Parameter } from '../parameter.js'

/**
 * Param groups as users write them and as optimizers keep them, and the checks every group
 * passes: option copies, group recognition, no shared memory between parameters.
 */

/** A param group as the user writes it: parameters plus any hyperparameter overrides. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<Parameter> }

/** A live param group: its parameters and resolved hyperparameters (schedulers set `lr`). */
export type ParamGroup<O> = O & { readonly params: readonly Parameter[] }

function cloneValue<T>(value: T): T {
  return (Array.isArray(value) ? [...value] : value) as T
}

/** A copy of a group's options, arrays (betas, eps) copied too, so groups never share them. */
export function cloneOptions<O extends object>(options: O): O {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(options)) out[k] = cloneValue(v)
  return out as O
}

/** The options among `keys` that `source` sets, copied. */
export function pick<O extends object>(source: object, keys: readonly string[]): Partial<O> {
  const out: Record<string, unknown> = {}
  for (const k of keys) if (k in source) out[k] = cloneValue((source as Record<string, unknown>)[k])
  return out as Partial<O>
}

/** Whether a constructor argument is a param group (`{ params, …overrides }`) rather than a Parameter. */
export function isGroupInput(value: unknown): value is ParamGroupInput<unknown> {
  return typeof value === 'object' && value !== null && !(value instanceof Parameter) && 'params' in value
}

/** Throws unless no two parameters (data or grad) share memory. */
export function checkNoSharedMemory(where: string, params: readonly Parameter[]): void {
  const byBuffer = new Map<ArrayBufferLike, { view: FloatArray; label: string }[]>()
  params.forEach((p, i) => {
    for (const [view, label] of [
      [p.data, `params[${i}].data`],
      [p.grad, `params[${i}].grad`],
    ] as const) {
      const list = byBuffer.get(view.buffer) ?? []
      for (const other of list) {
        if (overlaps(view, other.view))
          throw new RangeError(`${where}: ${label} shares memory with ${other.label}`)
      }
      list.push({ view, label })
      byBuffer.set(view.buffer, list)
    }
  })
}

/**
 * A group's options as they were when last validated, so a step re-validates only after a
 * change (a scheduler's lr, a user's edit, an array option edited in place).
 */
export type OptionsSnapshot = readonly unknown[]

export function snapshotOptions(group: object, keys: readonly string[]): OptionsSnapshot {
  return keys.map((k) => cloneValue((group as Record<string, unknown>)[k]))
}

export function optionsUnchanged(group: object, keys: readonly string[], snapshot: OptionsSnapshot): boolean {
  for (let i = 0; i < keys.length; i++) {
    const now = (group as Record<string, unknown>)[keys[i] as string]
    const then = snapshot[i]
    if (Array.isArray(then)) {
      if (!Array.isArray(now) || now.length !== then.length) return false
      for (let j = 0; j < then.length; j++) if (!Object.is(now[j], then[j])) return false
    } else if (!Object.is(now, then)) return false
  }
  return true
}
