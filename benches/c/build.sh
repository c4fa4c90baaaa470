#!/usr/bin/env bash
# Builds the C Adam ceiling benchmark. Usage: benches/c/build.sh [OUT_DIR]
# Prints the OpenMP binary path on stdout (the single line that
# benches/optimizer-step.ts reads); adam_serial is built next to it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$repo/bench-results/c-build}"

if ! command -v gcc >/dev/null 2>&1; then
  echo "build.sh: gcc not found on PATH; install gcc (with libgomp) to build the C baseline" >&2
  exit 1
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
src="$here/adam_omp.c"
# -fno-math-errno: otherwise sqrtf may set errno, which blocks vectorisation
# (v >= 0 always, so results are unchanged). -std=c11 (not gnu11) leaves
# -ffp-contract=off, so no FMAs: each op rounds like the PyTorch reference.
flags=(-O3 -march=native -std=c11 -fno-math-errno -Wall -Wextra)

gcc "${flags[@]}" -fopenmp "$src" -o "$out/adam_omp" -lm
# -fopenmp-simd keeps the simd pragma without pulling in the thread runtime.
gcc "${flags[@]}" -fopenmp-simd -DSERIAL "$src" -o "$out/adam_serial" -lm

echo "$out/adam_omp"
