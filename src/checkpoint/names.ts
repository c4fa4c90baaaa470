/**
 * How checkpoint entries are named: like a PyTorch `state_dict`, so a checkpoint reads
 * naturally from Python. Model parameters keep their names (`layers.0.weight`); optimizer
 * state tensors are `optimizer.state.<parameter index>.<torch name>`, where our camelCase state
 * names become torch's snake_case ones (expAvg → exp_avg, maxExpAvgSq → max_exp_avg_sq,
 * momentumBuffer → momentum_buffer, squareAvg → square_avg, rowVar → row_var, …).
 */

/** Prefix of every optimizer state tensor. */
export const OPTIMIZER_STATE_PREFIX = 'optimizer.state.'

/** `expAvgSq` → `exp_avg_sq`. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** `exp_avg_sq` → `expAvgSq` (the inverse of `snakeCase` for our names). */
export function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** The tensor name of state `state` (camelCase) of the optimizer's parameter `index`. */
export function optimizerStateTensorName(index: number, state: string): string {
  return `${OPTIMIZER_STATE_PREFIX}${index}.${snakeCase(state)}`
}

/** `optimizer.state.3.exp_avg` → `{ index: 3, state: 'expAvg' }`; undefined for other names. */
export function parseOptimizerStateTensorName(name: string): { index: number; state: string } | undefined {
  const match = /^optimizer\.state\.(0|[1-9][0-9]*)\.([a-z][a-z0-9_]*)$/.exec(name)
  if (!match) return undefined
  return { index: Number(match[1]), state: camelCase(match[2] as string) }
}

/** Keys of a record, snake_cased (hyperparameters and scalar state, as torch spells them). */
export function snakeKeys(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [snakeCase(k), v]))
}

/** The inverse of `snakeKeys`. */
export function camelKeys(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [camelCase(k), v]))
}
