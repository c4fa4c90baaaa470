#!/usr/bin/env bash
# Runs the NumPy reference benchmarks (see README.md beside this file).
#
#   benches/python/run.sh --setup             make bench-results/python-venv with requirements.txt
#   benches/python/run.sh SCRIPT.py [ARGS]    run a script; SCRIPT may be a bare name in this folder
#
# The script runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from ITS environment only
# (this machine's image may set them for older OpenBLAS builds; they force a slower kernel on a
# current numpy). Set KEEP_OPENBLAS_ENV=1 to keep them, e.g. to measure their effect.
# Python: $DESCENT_PYTHON if set, else bench-results/python-venv/bin/python if it exists, else python3.
# Exit status 3 = python3 or numpy not available (the scripts then print {"available": false}).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv="$root/bench-results/python-venv"

if [[ "${1:-}" == "--setup" ]]; then
  if ! command -v python3 >/dev/null; then
    echo "numpy: not available (no python3)" >&2
    exit 3
  fi
  if [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" >/dev/null 2>&1; then
    py="$venv/bin/python"
  else
    # No venv module (Debian without python3-venv): fall back to the user site.
    rm -rf "$venv"
    py=python3
  fi
  extra=()
  [[ "$py" == python3 ]] && extra=(--user)
  if ! "$py" -m pip install --quiet --disable-pip-version-check "${extra[@]}" -r "$here/requirements.txt" >&2; then
    echo "numpy: not available (pip install failed)" >&2
    exit 3
  fi
  "$py" -c 'import numpy, sys; print(sys.executable, numpy.__version__)'
  exit 0
fi

if [[ $# -lt 1 ]]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi

if [[ -n "${DESCENT_PYTHON:-}" ]]; then
  py=$DESCENT_PYTHON
elif [[ -x "$venv/bin/python" ]]; then
  py="$venv/bin/python"
elif command -v python3 >/dev/null; then
  py=python3
else
  echo '{"impl":"numpy","available":false,"reason":"no python3"}'
  exit 3
fi

script=$1
shift
[[ "$script" == */* || -f "$script" ]] || script="$here/$script"

if [[ "${KEEP_OPENBLAS_ENV:-0}" == 1 ]]; then
  exec "$py" "$script" "$@"
fi
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$script" "$@"
