import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

/** The compiled entry point, `npm run example:server`'s script. */
export const SERVER_MAIN = join(__dirname, 'main.js')
/** The repository root (this file is compiled to dist/examples/server/). */
const ROOT = join(__dirname, '..', '..', '..')

/** A server started by `launch`. */
export interface LaunchedServer {
  readonly child: ChildProcess
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly port: number
  /** The JSON lines it printed on stdout so far (`listening`, then `stopped`). */
  readonly events: Record<string, unknown>[]
  /** Its exit code (null if killed by a signal) once it has exited. */
  readonly exited: Promise<number | null>
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>
}

/**
 * Starts the example server in a child process on a free port (PORT=0) with `env` added to this
 * process's environment, and resolves once it prints its `listening` line (rejects if it exits
 * first or takes longer than `timeoutMs`). Used by the tests and the load bench. `command` is
 * what to run (default: node on the compiled main.js), from the repository root.
 */
export function launch(
  env: Record<string, string>,
  command: readonly string[] = [process.execPath, SERVER_MAIN],
  timeoutMs = 30_000,
): Promise<LaunchedServer> {
  const [file, ...args] = command as [string, ...string[]]
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const events: Record<string, unknown>[] = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the server did not start within ${timeoutMs} ms; stderr: ${stderr}`))
    }, timeoutMs)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`the server exited with code ${code} before listening; stderr: ${stderr}`))
    })
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let event: Record<string, unknown>
      try {
        event = JSON.parse(line)
      } catch {
        return // not one of its event lines
      }
      events.push(event)
      if (event.event !== 'listening') return
      clearTimeout(timer)
      const port = event.port as number
      resolve({
        child,
        port,
        url: `http://127.0.0.1:${port}`,
        events,
        exited,
        stop: () => {
          child.kill('SIGTERM')
          return exited
        },
      })
    })
  })
}
