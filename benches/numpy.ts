/**
 * Runs the NumPy reference scripts of benches/python through their runner (run.sh: the venv's
 * Python if `bash benches/python/run.sh --setup` made one, OpenBLAS variables unset for that
 * command only) and parses the one JSON line each prints.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const RUNNER = join(__dirname, '..', '..', 'benches', 'python', 'run.sh')

/** Why NumPy results are missing, once, so every section can say "numpy: not available". */
export let numpyUnavailable: string | undefined

/**
 * The parsed JSON line of `script args`, or undefined when python3 or numpy is not available
 * (exit status 3; the reason is kept in `numpyUnavailable`). Any other failure throws.
 */
export function runNumpy<T>(script: string, args: readonly (string | number)[]): T | undefined {
  if (numpyUnavailable !== undefined) return undefined
  const run = spawnSync('bash', [RUNNER, script, ...args.map(String)], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  const last = run.stdout?.trim().split('\n').pop() ?? ''
  if (run.status === 3 || run.error) {
    numpyUnavailable = run.error?.message ?? reasonOf(last)
    return undefined
  }
  if (run.status !== 0) throw new Error(`${script} failed (status ${run.status}): ${run.stderr.trim()}`)
  return JSON.parse(last) as T
}

function reasonOf(line: string): string {
  try {
    return (JSON.parse(line) as { reason?: string }).reason ?? 'exit status 3'
  } catch {
    return 'exit status 3'
  }
}
