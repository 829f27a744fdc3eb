"""model/registers.py: byte-strobe merge and range-checked writes (docs/bus.md), checked
against hand-worked words."""
from __future__ import annotations

import numpy as np
import pytest

from model.errors import InputError
from model.registers import checked_write, merge_strobes, rw1c_write


@pytest.mark.parametrize("strb, expected", [
    (0b0000, 0x11223344),   # no strobe: the register's word
    (0b1111, 0xAABBCCDD),   # all strobes: the written word
    (0b0001, 0x112233DD),
    (0b0010, 0x1122CC44),
    (0b0100, 0x11BB3344),
    (0b1000, 0xAA223344),
    (0b0101, 0x11BB33DD),   # lanes need not be contiguous
    (0b1010, 0xAA22CC44),
    (0b1100, 0xAABB3344),
])
def test_merge_strobes(strb, expected):
    assert merge_strobes(0x11223344, 0xAABBCCDD, strb) == expected


def test_merge_strobes_accepts_numpy_ints():
    assert merge_strobes(np.uint32(0xFFFFFFFF), np.int64(0), np.uint8(0b0110)) == 0xFF0000FF


@pytest.mark.parametrize("args, where, what", [
    ((0, 0, 16), "strb", "outside 0..0xf"),
    ((0, 1 << 32, 1), "wdata", "outside 0..0xffffffff"),
    ((-1, 0, 1), "current", "outside"),
    ((0, 0, 1.0), "strb", "not an integer"),
    ((True, 0, 1), "current", "not an integer"),
])
def test_merge_strobes_names_the_bad_field(args, where, what):
    with pytest.raises(InputError, match=what) as info:
        merge_strobes(*args)
    assert info.value.where == where


@pytest.mark.parametrize("current, wdata, strb, expected", [
    (64, 0x00000080, 0b0001, (0x80, False)),   # theta 64 -> 128 through byte 0
    (64, 0x00000100, 0b0010, (64, True)),      # byte 1 = 1: 0x140 > 255, unchanged + ERR
    (64, 0xFFFFFF00, 0b0001, (64, True)),      # byte 0 = 0: theta 0 illegal
    (64, 0xFFFFFFFF, 0b0000, (64, False)),     # no strobe: nothing, not even ERR
    (0x140 & 0xFF, 0x0000FF00, 0b1100, (0x40, False)),   # upper bytes written with zeros
])
def test_checked_write(current, wdata, strb, expected):
    assert checked_write(current, wdata, strb, 1, 255) == expected


@pytest.mark.parametrize("wdata, strb, expected", [
    (0xFFFFFFFF, 0b0000, 0x301),   # no strobe: nothing clears
    (0xFFFFFFFF, 0b0010, 0x001),   # byte 1 only: bits 8, 9 clear, bit 0 stays
    (0xFFFFFF01, 0b0001, 0x300),   # byte 0, a 1 at bit 0 only
    (0x00000200, 0b1111, 0x101),   # zeros clear nothing
])
def test_rw1c_write(wdata, strb, expected):
    assert rw1c_write(0x301, wdata, strb) == expected
