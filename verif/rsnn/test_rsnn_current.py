"""rsnn_current (128 lanes, combinational): current = sat_12(base + acc0 + acc1).

Expected values: numpy sums clamped with model.fixed.sat. Every combination of the
corner values of the three inputs (min, min + 1, -1, 0, 1, the 12-bit limits, max - 1,
max), 128 combinations per drive, then random lanes over each input's full range and
over the range the schedule produces. Parametrized over the two uses: L0 (Iin 12 bits +
set 0's 18-bit accumulator + set 1's 12-bit one) and the all-12-bit one.
"""
from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.triggers import Timer

from model.fixed import sat, smax, smin
from verif.common.scoreboard import Scoreboard
from verif.common.tb import seeded_rng, simulator_name
from model.lanes import pack_lanes, unpack_lanes
from verif.rsnn.block_tb import check_lanes

LANES = 128


def _corners(width: int) -> list[int]:
    lo, hi = smin(width), smax(width)
    values = {lo, lo + 1, -1, 0, 1, hi - 1, hi, smin(12), smax(12), smin(12) - 1, smax(12) + 1}
    return sorted(v for v in values if lo <= v <= hi)


async def _drive(dut, widths, base, acc0, acc1) -> np.ndarray:
    dut.base.value = pack_lanes(base, widths[0])
    dut.acc0.value = pack_lanes(acc0, widths[1])
    dut.acc1.value = pack_lanes(acc1, widths[2])
    await Timer(1, unit="ns")
    return unpack_lanes(dut.current.value.to_unsigned(), LANES, 12)


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def corners_and_random(dut):
    rng = seeded_rng()
    widths = (int(dut.BASE_W.value), int(dut.ACC0_W.value), int(dut.ACC1_W.value))
    sb = Scoreboard("rsnn_current", dut._log)
    # Corner grid, 128 combinations per drive (the last drive padded with zeros).
    grid = np.array(np.meshgrid(*[_corners(w) for w in widths], indexing="ij")).reshape(3, -1)
    pad = (-grid.shape[1]) % LANES
    grid = np.pad(grid, ((0, 0), (0, pad)))
    drives = []
    for start in range(0, grid.shape[1], LANES):
        drives.append(tuple(grid[:, start:start + LANES]))
    # Random: the full input ranges, and the ranges the schedule produces.
    n_random = 4000 if simulator_name() == "verilator" else 1000
    for k in range(n_random):
        if k % 2:
            lims = [(smin(w), smax(w)) for w in widths]
        else:
            lims = [(-2048, 2047), (-81600, 71400), (-2048, 1792)]
            lims = [(max(lo, smin(w)), min(hi, smax(w))) for (lo, hi), w in zip(lims, widths)]
        drives.append(tuple(rng.integers(lo, hi, LANES, endpoint=True) for lo, hi in lims))
    for base, acc0, acc1 in drives:
        got = await _drive(dut, widths, base, acc0, acc1)
        expected = sat(base + acc0 + acc1, 12)
        check_lanes(sb, "current", {"base": base, "acc0": acc0, "acc1": acc1}, expected, got)
    sb.finish(min_compared=len(drives))
    dut._log.info("widths %s: %d drives of %d lanes", widths, len(drives), LANES)


@pytest.mark.parametrize("widths", [(12, 18, 12), (12, 12, 12)], ids=["l0_18b", "all_12b"])
def test_rsnn_current(cocotb_run, widths):
    params = dict(zip(("BASE_W", "ACC0_W", "ACC1_W"), widths))
    cocotb_run("rsnn_current", __name__, parameters=params)
