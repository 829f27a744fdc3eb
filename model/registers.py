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


# ---- register writes over the bus (docs/bus.md "Register-side handshake") ----------
WORD_BYTES = 4   # 32-bit registers, one strobe bit per byte


def _check_word(value, where: str, bits: int) -> int:
    if not is_int(value):
        raise InputError(None, f"{value!r} is not an integer", where=where)
    if not 0 <= value < 1 << bits:
        raise InputError(None, f"{value:#x} outside 0..{(1 << bits) - 1:#x}", where=where)
    return int(value)


def merge_strobes(current: int, wdata: int, strb: int) -> int:
    """The word a register holds after a write, before any range check: byte i is byte i
    of ``wdata`` where strobe bit i is set and byte i of ``current`` where it is clear."""
    current = _check_word(current, "current", 8 * WORD_BYTES)
    wdata = _check_word(wdata, "wdata", 8 * WORD_BYTES)
    strb = _check_word(strb, "strb", WORD_BYTES)
    mask = sum(0xFF << (8 * i) for i in range(WORD_BYTES) if strb >> i & 1)
    return (current & ~mask) | (wdata & mask)


def checked_write(current: int, wdata: int, strb: int, lo: int, hi: int) -> tuple[int, bool]:
    """A write to a range-checked register: ``(value after the write, ERR bit raised)``.
    No strobe: nothing changes and no ERR. Otherwise the merged word (merge_strobes) is
    checked: in ``lo..hi`` it is stored, else the register keeps ``current`` and its
    ERR bit is raised."""
    merged = merge_strobes(current, wdata, strb)
    if strb == 0:
        return current, False
    if lo <= merged <= hi:
        return merged, False
    return current, True


def rw1c_write(current: int, wdata: int, strb: int) -> int:
    """A write-1-to-clear register (ERR) after a write: a bit clears where the written
    word has a 1 in a strobed byte; unstrobed bytes and a write with no strobe clear
    nothing."""
    current = _check_word(current, "current", 8 * WORD_BYTES)
    return current & ~merge_strobes(0, wdata, strb)
