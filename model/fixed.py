"""Fixed-point helpers shared by the rsnn and qclif models (SPEC notation).

All functions take Python ints or numpy integer arrays and compute in int64,
so no intermediate of either design can overflow.
"""
from __future__ import annotations

import numpy as np


def _as_int64(v):
    return np.asarray(v, dtype=np.int64)


def smin(width: int) -> int:
    """Smallest value of a ``width``-bit two's-complement number."""
    return -(1 << (width - 1))


def smax(width: int) -> int:
    """Largest value of a ``width``-bit two's-complement number."""
    return (1 << (width - 1)) - 1


def sat(v, width: int):
    """``sat_w(v)``: clamp to [-2^(w-1), 2^(w-1)-1]."""
    return np.clip(_as_int64(v), smin(width), smax(width))


def clamp_u(v, width: int = 8):
    """``clamp_u8(v)`` for width 8: clamp to [0, 2^w - 1]."""
    return np.clip(_as_int64(v), 0, (1 << width) - 1)


def clamp_u8(v):
    return clamp_u(v, 8)


def asr(v, shift):
    """``v >>> shift``: arithmetic right shift, floor division by 2^shift."""
    return np.right_shift(_as_int64(v), _as_int64(shift))


def to_unsigned(v, width: int):
    """Two's-complement bit pattern of ``v`` in ``width`` bits (for hex files, buses)."""
    return _as_int64(v) & ((1 << width) - 1)


def from_unsigned(v, width: int):
    """Signed value of a ``width``-bit two's-complement pattern."""
    v = _as_int64(v) & ((1 << width) - 1)
    return np.where(v >= (1 << (width - 1)), v - (1 << width), v)


def popcount8(v):
    """Number of set bits of each 8-bit value."""
    v = _as_int64(v) & 0xFF
    return np.unpackbits(v.astype(np.uint8)[..., None], axis=-1).sum(axis=-1).astype(np.int64)
