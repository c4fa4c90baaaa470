import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The CLI package's build (cli/dist), as `npx descent-optim-cli` runs it. */
export const DESCENT_MAIN = join(__dirname, '..', '..', '..', 'cli', 'dist', 'main.js')

/** Exit status and output of one `descent` run. */
export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
}

/**
 * Runs `node cli/dist/main.js ...args` without a terminal (so progress is plain lines) and
 * with the default backend (DESCENT_BACKEND cleared).
 */
export function descent(...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DESCENT_MAIN, ...args], {
      env: { ...process.env, DESCENT_BACKEND: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

/** A fresh empty directory under the system temp dir. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `descent-${prefix}-`))
}

/** Small settings for each report-writing command, so the end-to-end tests take seconds. */
export const SMALL_RUNS: Readonly<Record<string, string[]>> = {
  tour: ['tour', '--quick'],
  bench: [
    'bench',
    '--sizes',
    '5,8',
    '--epochs',
    '4',
    '--repeats',
    '2',
    '--datasets',
    'iris',
    '--optimizers',
    'sgd,adam',
  ],
  trajectories: ['trajectories', '--steps', '30'],
  schedules: ['schedules'],
  'lr-find': ['lr-find', '--steps', '40'],
}
