/**
 * Which backend serves by default, in a fresh process each: NAPI_RS_NATIVE_LIBRARY_PATH pointing
 * at nothing makes napi-rs's loader fail as it does where no binary was installed.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import test from 'ava'

const INDEX = join(__dirname, '..', 'src', 'index.js')
const SCRIPT = `const d = require(${JSON.stringify(INDEX)})
const p = new d.Parameter(new Float32Array([1, 2]), [2])
new d.Adam([p], { lr: 0.1 }).step()
new d.SGD([p], { lr: 0.1 }).step()
console.log(d.info().backend)`

function node(env: Record<string, string>, script = SCRIPT) {
  return spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, DESCENT_BACKEND: '', ...env },
  })
}
const NO_BINARY = { NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/descent.node' }

test('no binary: the JS backend serves, with one warning naming the platform package', (t) => {
  const result = node(NO_BINARY)
  t.is(result.status, 0, result.stderr)
  t.is(result.stdout.trim(), 'js')
  t.is(result.stderr.match(/DescentWarning/g)?.length, 1, result.stderr)
  t.regex(result.stderr, /\[DESCENT_NO_NATIVE\].*install the optional package 'descent-optim-linux-x64-gnu'/i)
})

test('DESCENT_BACKEND=js: the JS backend, no warning, with or without a binary', (t) => {
  for (const env of [{}, NO_BINARY]) {
    const result = node({ ...env, DESCENT_BACKEND: 'js' })
    t.is(result.status, 0, result.stderr)
    t.is(result.stdout.trim(), 'js')
    t.is(result.stderr, '')
  }
})

test('DESCENT_BACKEND=native without a binary: a DescentError that says what to install', (t) => {
  const result = node(
    { ...NO_BINARY, DESCENT_BACKEND: 'native' },
    `try { require(${JSON.stringify(INDEX)}).info() } catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })) }`,
  )
  t.is(result.status, 0, result.stderr)
  const error = JSON.parse(result.stdout)
  t.like(error, { name: 'DescentError', code: 'DESCENT_NO_NATIVE' })
  t.regex(error.message, /install the package 'descent-optim-linux-x64-gnu'/)
  t.is(result.stderr, '')
})

test('a binary and no DESCENT_BACKEND: native, silently', (t) => {
  const result = node({})
  t.is(result.status, 0, result.stderr)
  t.is(result.stdout.trim(), 'native')
  t.is(result.stderr, '')
})

test('DESCENT_BACKEND set to anything else is a RangeError naming the variable', (t) => {
  const result = node({ DESCENT_BACKEND: 'fast' })
  t.not(result.status, 0)
  t.regex(
    result.stderr,
    /RangeError: descent: the environment variable DESCENT_BACKEND must be 'js' or 'native', got "fast"/,
  )
})

test('without a binary, info() says why it did not load', (t) => {
  const result = node(
    { ...NO_BINARY, DESCENT_BACKEND: 'js' },
    `const i = require(${JSON.stringify(INDEX)}).info(); console.log(JSON.stringify([i.binaryPath, i.nativeLoadError]))`,
  )
  t.is(result.status, 0, result.stderr)
  const [binary, error] = JSON.parse(result.stdout) as [string | null, string | null]
  t.is(binary, null)
  t.regex(error ?? '', /nonexistent\/descent\.node|Cannot find|cannot open/i)
  const loaded = node(
    {},
    `console.log(JSON.stringify(require(${JSON.stringify(INDEX)}).info().nativeLoadError))`,
  )
  t.is(loaded.stdout.trim(), 'null')
})
