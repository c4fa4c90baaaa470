/**
 * A throwaway npm registry (verdaccio) on 127.0.0.1 for the install test. descent and
 * descent-* are served only from its own storage (published by the test, never proxied, so
 * nothing of the same names on the public registry can leak in); every other package is proxied
 * from `upstream`, so descent's runtime dependencies install as they would for a user.
 *
 * The server runs in a child process that exits as soon as its parent goes away (the IPC channel
 * closes), so even a test worker killed on a timeout leaves no registry behind.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { join } from 'node:path'

export interface LocalRegistry {
  /** e.g. `http://127.0.0.1:40123/` */
  readonly url: string
  /** What the server printed so far (warnings and errors only). */
  output(): string
  /** Stops the server; resolves once its process has exited. */
  stop(): Promise<void>
}

/** Starts verdaccio with its storage in `dir` (which the caller removes) and waits until it listens. */
export async function startLocalRegistry(dir: string, upstream: string): Promise<LocalRegistry> {
  const child = fork(__filename, ['serve', dir, upstream], {
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const stop = () => stopChild(child)
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port))
    child.once('exit', (code, signal) =>
      reject(new Error(`verdaccio exited (${code ?? signal}) before listening:\n${output}`)),
    )
  }).catch(async (error) => {
    await stop()
    throw error
  })
  return { url: `http://127.0.0.1:${port}/`, output: () => output, stop }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill()
  })
}

/** Verdaccio's configuration: storage in `dir`, anonymous publish of descent*, everything else proxied. */
function config(dir: string, upstream: string): Record<string, unknown> {
  const own = { access: '$all', publish: '$all', unpublish: '$all' }
  return {
    self_path: join(dir, 'config.yaml'),
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: -1 } },
    uplinks: { upstream: { url: upstream, timeout: '60s' } },
    packages: {
      descent: own,
      'descent-*': own,
      '**': { access: '$all', proxy: 'upstream' },
    },
    logs: { type: 'stdout', format: 'pretty', level: 'warn' },
    web: { enable: false },
    max_body_size: '100mb',
  }
}

async function serve(dir: string, upstream: string): Promise<void> {
  // Exit with the parent: a registry must never outlive the test that started it.
  process.on('disconnect', () => process.exit(0))
  type App = { listen(port: number, host: string, listening: () => void): import('node:http').Server }
  const { runServer } = require('verdaccio') as { runServer(config: unknown): Promise<App> }
  const app = await runServer(config(dir, upstream))
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address()
    process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
  })
}

if (require.main === module && process.argv[2] === 'serve') {
  serve(process.argv[3] as string, process.argv[4] as string).catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
