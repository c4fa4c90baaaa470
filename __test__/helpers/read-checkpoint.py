"""Reads a descent checkpoint with Python's safetensors and numpy, as a PyTorch user would.

Prints a JSON summary on stdout: metadata keys, the parsed optimizer section, and for each
tensor its dtype, shape and values as a list (the test compares them with what was saved).

Usage: python3 read-checkpoint.py <file>
"""

import json
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file


def main(path: str) -> None:
    tensors = load_file(path)
    with safe_open(path, framework="np") as f:
        metadata = f.metadata()
    summary = {
        "metadata_keys": sorted(metadata),
        "format": metadata["format"],
        "format_version": metadata["format_version"],
        "optimizer": json.loads(metadata["optimizer"]),
        "tensors": {
            name: {
                "dtype": str(array.dtype),
                "shape": list(array.shape),
                "values": array.astype(np.float64).ravel().tolist(),
            }
            for name, array in tensors.items()
        },
    }
    json.dump(summary, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
