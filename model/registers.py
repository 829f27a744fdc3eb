"""Checks of register values shared by both designs' models."""
from __future__ import annotations

import numpy as np

from model.errors import InputError


def is_int(v) -> bool:
    """A Python or numpy integer, not a bool."""
    return not isinstance(v, (bool, np.bool_)) and isinstance(v, (int, np.integer))


def check_ranges(values, ranges: dict[str, tuple[int, int]], source=None) -> None:
    """Raise InputError naming the register that is not an int in its legal range."""
    for name, (lo, hi) in ranges.items():
        v = getattr(values, name)
        if not is_int(v):
            raise InputError(source, f"{v!r} is not an integer", where=name)
        if not lo <= v <= hi:
            raise InputError(source, f"{v} outside {lo}..{hi}", where=name)
