/**
 * What the main package ships and how it is laid out for npm: the tarball holds compiled
 * TypeScript and napi-rs's loader only (the binary lives in npm/<platform>), every declared
 * target has its platform package, and ESM importers see every export. The real install through
 * a registry is install.test.ts.
 */
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parseTriple } from '@napi-rs/cli'
import test from 'ava'

const ROOT = join(__dirname, '..', '..')
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'))
const manifest = readJson(join(ROOT, 'package.json'))

test('npm pack ships compiled TS, the loader and the README: no Rust, tests, binaries or build folders', async (t) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    env,
  })
  const paths: string[] = JSON.parse(stdout)[0].files.map((file: { path: string }) => file.path)
  const unexpected = paths.filter(
    (path) =>
      !/^dist\/src\/.+\.(js|d\.ts|js\.map)$/.test(path) &&
      !['native/index.js', 'native/index.d.ts', 'README.md', 'package.json'].includes(path),
  )
  t.deepEqual(unexpected, [])
  for (const path of ['dist/src/index.js', 'dist/src/index.d.ts', manifest.bin.descent, 'native/index.js'])
    t.true(paths.includes(path), path)
})

test("the repo's manifest lists no optionalDependencies (the release adds them; npm install would fetch them)", (t) => {
  t.is(manifest.optionalDependencies, undefined)
})

test('every napi target has its npm/<platform> package, at the package version, for its os, cpu and libc', (t) => {
  const targets = (manifest.napi.targets as string[]).map(parseTriple)
  t.deepEqual(readdirSync(join(ROOT, 'npm')).sort(), targets.map((target) => target.platformArchABI).sort())
  for (const target of targets) {
    const platform = readJson(join(ROOT, 'npm', target.platformArchABI, 'package.json'))
    t.like(platform, {
      name: `descent-${target.platformArchABI}`,
      version: manifest.version,
      main: `descent.${target.platformArchABI}.node`,
      os: [target.platform],
      cpu: [target.arch],
      engines: manifest.engines,
    })
    if (target.platform === 'linux') t.deepEqual(platform.libc, [target.abi === 'musl' ? 'musl' : 'glibc'])
  }
})

test('ESM importers get every CommonJS export by name (cjs-module-lexer sees them all)', async (t) => {
  const entry = join(ROOT, manifest.main)
  const cjs = require(entry)
  const esm = await import(entry)
  t.deepEqual(
    Object.keys(cjs).filter((name) => !(name in esm)),
    [],
  )
  t.is(esm.Adam, cjs.Adam)
})
