"""Reading ``.npy`` inputs with errors that name the file (model/errors.py)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from model.errors import InputError


def load_npy(path) -> np.ndarray:
    """The array in ``path``; InputError for a missing, unreadable or non-numeric file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found" if not path.exists() else "not a file")
    with open(path, "rb") as fh:
        magic = fh.read(6)
    if magic[:2] == b"PK":
        raise InputError(path, "a .npz archive, expected one .npy array")
    if magic != b"\x93NUMPY":
        raise InputError(path, "not a .npy file (no NUMPY magic)", where="byte 0")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as exc:
        # numpy raises ValueError for a bad header or truncated data, and for pickled
        # object arrays (which a feature or spike file never is).
        raise InputError(path, f"not a readable .npy array ({exc})") from None
    except (OSError, EOFError) as exc:
        raise InputError(path, f"cannot read ({exc})") from None
    if array.dtype.kind not in "biuf":
        raise InputError(path, f"dtype {array.dtype}, expected numbers")
    return array
