#!/usr/bin/env node
// Builds the MPI addon (crates/mpi → native-mpi/descent-mpi.node) where Open MPI is installed;
// elsewhere says what is missing and succeeds, so `npm install` works on machines without MPI
// (descent-optim/distributed then throws DESCENT_NO_MPI with the same advice). `--require` makes
// a missing MPI an error (CI).
const { execFileSync, spawnSync } = require('node:child_process')
const { copyFileSync, mkdirSync } = require('node:fs')
const { join } = require('node:path')

const root = join(__dirname, '..')
const required = process.argv.includes('--require')
const INSTALL = 'apt-get install openmpi-bin libopenmpi-dev libclang-dev'

function has(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0
}

if (!has('mpicc', ['--showme:version']) && !has('pkg-config', ['--exists', 'ompi'])) {
  const message = `build-mpi: Open MPI is not installed, so the MPI addon is not built (${INSTALL})`
  if (required) {
    console.error(message)
    process.exit(1)
  }
  console.log(`${message}; descent-optim/distributed will say so when imported.`)
  process.exit(0)
}
const manifest = join(root, 'crates', 'mpi', 'Cargo.toml')
execFileSync('cargo', ['build', '--release', '--manifest-path', manifest], { stdio: 'inherit' })
const library = { linux: 'libdescent_mpi.so', darwin: 'libdescent_mpi.dylib', win32: 'descent_mpi.dll' }[
  process.platform
]
mkdirSync(join(root, 'native-mpi'), { recursive: true })
copyFileSync(
  join(root, 'crates', 'mpi', 'target', 'release', library),
  join(root, 'native-mpi', 'descent-mpi.node'),
)
console.log('build-mpi: native-mpi/descent-mpi.node')
