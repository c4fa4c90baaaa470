"""Shared helpers for the NumPy reference benchmarks (benches/python/).

Both scripts print exactly one JSON line on stdout.  When NumPy cannot be imported they print
{"impl": "numpy", "available": false, "reason": "..."} and exit with status 3, so a driver can
report "numpy: not available" instead of failing.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys

EXIT_UNAVAILABLE = 3

OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def import_numpy():
    """Import numpy, or print the 'not available' JSON line and exit 3."""
    try:
        import numpy as np  # noqa: PLC0415
    except Exception as exc:  # ImportError, or a broken binary wheel
        emit({"impl": "numpy", "available": False, "reason": f"{type(exc).__name__}: {exc}",
              "python": platform.python_version()})
        sys.exit(EXIT_UNAVAILABLE)
    return np


def emit(record: dict) -> None:
    """Print one JSON line (no NaN/Infinity: they are not JSON)."""
    print(json.dumps(_finite(record), separators=(",", ":")), flush=True)


def _finite(x):
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


def median(xs):
    return statistics.median(xs)


def blas_info(np) -> dict:
    """Which BLAS NumPy runs, and which kernel it picked.

    threadpoolctl (when installed) reports what is loaded at run time, including OpenBLAS's
    `architecture` (the core type whose kernels it dispatched to, e.g. "SkylakeX" or "Haswell")
    and its thread count.  Otherwise fall back to NumPy's build configuration.
    """
    info: dict = {
        "openblasEnv": {k: os.environ.get(k) for k in OPENBLAS_VARS},
    }
    try:
        from threadpoolctl import threadpool_info  # noqa: PLC0415

        libs = [lib for lib in threadpool_info() if lib.get("user_api") == "blas"]
        if libs:
            lib = libs[0]
            info.update({
                "source": "threadpoolctl",
                "library": lib.get("internal_api"),
                "version": lib.get("version"),
                "architecture": lib.get("architecture"),
                "threads": lib.get("num_threads"),
                "threadingLayer": lib.get("threading_layer"),
                "file": os.path.basename(lib.get("filepath") or ""),
            })
            if len(libs) > 1:
                info["others"] = [lib2.get("internal_api") for lib2 in libs[1:]]
            return info
    except Exception as exc:  # not installed, or it failed
        info["threadpoolctl"] = f"unavailable ({type(exc).__name__})"
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info.update({
            "source": "numpy.show_config",
            "library": blas.get("name"),
            "version": blas.get("version"),
            "config": blas.get("openblas configuration"),
        })
    except Exception as exc:  # numpy < 1.26 has no mode="dicts"
        info["source"] = f"unknown ({type(exc).__name__})"
    return info


def limit_threads(n: int | None):
    """Context manager limiting BLAS threads to n (threadpoolctl), or a no-op."""
    import contextlib  # noqa: PLC0415

    if n is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415
    except ImportError:
        sys.exit("--threads needs threadpoolctl (pip install -r benches/python/requirements.txt)")
    return threadpool_limits(limits=n, user_api="blas")


def environment(np) -> dict:
    return {
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        # Other work on the machine skews timings (a 2-thread BLAS on 2 busy cores most of all).
        "loadavg1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
