"""Lane packing: a row of small integers as one wide word, lane 0 in the least
significant bits, each lane in two's complement when signed. The one codec behind the
``$readmemh`` files (model/weights.py), the register-bus weight rows, the lane buses of
the RTL blocks and the testbenches.

    pack_lanes([1, -2, 7], 4)             -> 0x7e1
    unpack_lanes(0x7e1, 3, 4)             -> array([ 1, -2,  7])
    pack_bits([1, 0, 1])                  -> 0b101
"""
from __future__ import annotations

import numpy as np


def pack_lanes(row, lane_bits: int) -> int:
    """One integer holding every lane of ``row`` (values wrap to ``lane_bits``)."""
    v = np.asarray(row, dtype=np.int64).ravel()
    bits = ((v[:, None] >> np.arange(lane_bits)) & 1).astype(np.uint8).ravel()
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


def unpack_lanes(value: int, lanes: int, lane_bits: int, signed: bool = True) -> np.ndarray:
    """The ``lanes`` lanes of ``value`` as int64, sign-extended when ``signed``."""
    total = lane_bits * lanes
    raw = np.frombuffer(int(value).to_bytes((total + 7) // 8, "little"), dtype=np.uint8)
    bits = np.unpackbits(raw, bitorder="little")[:total].reshape(lanes, lane_bits)
    v = bits.astype(np.int64) @ (np.int64(1) << np.arange(lane_bits, dtype=np.int64))
    if signed:
        v = np.where(v >= (1 << (lane_bits - 1)), v - (1 << lane_bits), v)
    return v


def pack_bits(bits) -> int:
    """A 0/1 vector (bit j at index j) as one integer."""
    return pack_lanes(np.asarray(bits) != 0, 1)
