import { randomBytes } from 'node:crypto'
import { closeSync, constants, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/** An output folder that cannot be used. */
export class OutDirError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'OutDirError'
  }
}

/**
 * Creates `dir` and its missing parents one level at a time. Node's `mkdir(…, { recursive: true })`
 * loops forever at 100% CPU under /proc (each level reports ENOENT and it retries), so the walk
 * is done here: stat upwards to the first folder that exists, then plain mkdir downwards, which
 * fails at once where a folder cannot be made.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = []
  let current = resolve(dir)
  for (;;) {
    const kind = kindOf(current)
    if (kind === 'directory') break
    if (kind !== 'missing') throw new Error(`'${current}' is ${kind}, not a folder`)
    missing.push(current)
    const parent = dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const folder of missing.reverse()) mkdirSync(folder)
}

function kindOf(path: string): 'directory' | 'missing' | 'a file' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'a file'
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing'
    throw error
  }
}

/**
 * Makes sure a command can write its report before it does any work: creates the folder and
 * creates and removes a probe file in it. Throws an OutDirError naming the path and the reason.
 *
 * Every step is a plain system call that cannot wait: the folders are made one by one (see
 * `makeDirectory`) and the probe is a new, uniquely named file opened non-blocking. A time limit
 * in the process would not help: Node cannot abandon a blocked file-system call (even
 * `process.exit` waits for the blocked thread; tried with a FIFO).
 */
export function prepareOutDir(dir: string): void {
  try {
    makeDirectory(dir)
  } catch (error) {
    throw new OutDirError(`--out '${dir}': cannot create the folder: ${(error as Error).message}`)
  }
  const probe = join(resolve(dir), `.descent-write-probe-${process.pid}-${randomBytes(4).toString('hex')}`)
  try {
    const { O_WRONLY, O_CREAT, O_EXCL } = constants
    closeSync(openSync(probe, O_WRONLY | O_CREAT | O_EXCL | (constants.O_NONBLOCK ?? 0)))
    unlinkSync(probe)
  } catch (error) {
    throw new OutDirError(`--out '${dir}': cannot write in the folder: ${(error as Error).message}`)
  }
}
