#!/usr/bin/env node
// cargo fmt and clippy for the MPI crate, which has its own workspace (crates/mpi/Cargo.toml):
// run where Open MPI is installed (its bindings are generated from mpi.h), skipped elsewhere
// with a note, and required under CI.
const { execFileSync, spawnSync } = require('node:child_process')
const { join } = require('node:path')

const manifest = join(__dirname, '..', 'crates', 'mpi', 'Cargo.toml')
const hasMpi = spawnSync('mpicc', ['--showme:version'], { stdio: 'ignore' }).status === 0
if (!hasMpi) {
  if (process.env.CI) {
    console.error('lint-mpi: Open MPI is not installed (apt-get install openmpi-bin libopenmpi-dev libclang-dev)')
    process.exit(1)
  }
  console.log('lint-mpi: Open MPI is not installed here; crates/mpi not linted')
  process.exit(0)
}
execFileSync('cargo', ['fmt', '--manifest-path', manifest, '--check'], { stdio: 'inherit' })
execFileSync('cargo', ['clippy', '--manifest-path', manifest, '--release', '--', '-D', 'warnings'], { stdio: 'inherit' })
