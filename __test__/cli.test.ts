/** `descent` on the command line: info as text and JSON, usage errors with exit code 2. */
import { spawnSync } from 'node:child_process'
import test from 'ava'
import { info } from '../src/index.js'

import { DESCENT_MAIN as MAIN } from './helpers/cli.js'

function descent(...args: string[]) {
  const env = { ...process.env, DESCENT_BACKEND: '' }
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env })
}

test('descent info --json prints info()', (t) => {
  const result = descent('info', '--json')
  t.is(result.status, 0, result.stderr)
  t.deepEqual(JSON.parse(result.stdout), info())
  t.is(info().target, 'x86_64-unknown-linux-gnu')
  t.regex(info().binaryPath ?? '', /descent-optim\.linux-x64-gnu\.node$/)
})

test('descent info prints one line per field', (t) => {
  const result = descent('info')
  t.is(result.status, 0, result.stderr)
  t.regex(result.stdout, /^version +\d+\.\d+\.\d+/m)
  t.regex(result.stdout, /^backend +native$/m)
  t.regex(result.stdout, /^target +x86_64-unknown-linux-gnu$/m)
})

const usageErrors: [string, string[], RegExp][] = [
  ['an unknown command', ['tour-de-france'], /unknown command 'tour-de-france'/],
  ['an unknown option', ['info', '--yaml'], /unknown option '--yaml'/],
  ['no command', [], /Usage: descent/],
]
for (const [what, args, message] of usageErrors) {
  test(`${what}: usage on stderr, exit code 2, no stack trace`, (t) => {
    const result = descent(...args)
    t.is(result.status, 2)
    t.is(result.stdout, '')
    t.regex(result.stderr, message)
    t.regex(result.stderr, /Usage: descent/)
    t.notRegex(result.stderr, /\n\s+at /)
  })
}

test('--help and --version exit 0', (t) => {
  t.is(descent('--help').status, 0)
  const version = descent('--version')
  t.is(version.status, 0)
  t.is(version.stdout.trim(), info().version)
})
