"""qclif_mult (multiplication unit): D = (Is * g) >>> sd against model.qclif.multiply.

Every Is x g pair (256 x 512, g's full 9-bit range) at sd = 0, 1, 7, 15 on Verilator and
at one seed-chosen sd on Icarus; then random (Is, g, sd) over all shifts on both.
"""
from __future__ import annotations

import cocotb
import numpy as np

from model import qclif
from verif.common.scoreboard import Scoreboard
from verif.common.tb import seeded_rng, simulator_name
from verif.qclif.comb_sweep import check_each, check_rows, grid, sweep

IS_VALUES = np.arange(-128, 128)
G_VALUES = np.arange(512)
SD_ALL_PAIRS = (0, 1, 7, 15)
N_RANDOM = 20000
OUTPUTS = {"d": True}


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def all_pairs(dut):
    rng = seeded_rng()
    sds = SD_ALL_PAIRS if simulator_name() == "verilator" else (int(rng.integers(16)),)
    sb = Scoreboard("qclif_mult", dut._log)
    for sd in sds:
        i_s, g = grid(IS_VALUES, G_VALUES)
        got = (await sweep(dut, {"sd": np.full(i_s.size, sd), "i_s": i_s, "g": g}, OUTPUTS))["d"]
        expected = qclif.multiply(i_s, g, sd)
        rows = (IS_VALUES.size, G_VALUES.size)
        check_rows(sb, lambda r: f"d(i_s={IS_VALUES[r]}, sd={sd}) at g=",
                   expected.reshape(rows), got.reshape(rows))
    sb.finish(min_compared=len(sds) * IS_VALUES.size)
    dut._log.info("all %d x %d pairs at sd %s", IS_VALUES.size, G_VALUES.size, sds)


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def random_all_shifts(dut):
    rng = seeded_rng()
    i_s = rng.integers(-128, 128, N_RANDOM)
    g = rng.integers(0, 512, N_RANDOM)
    sd = rng.integers(0, 16, N_RANDOM)
    # Corners: the extreme products at every shift.
    corner_is, corner_g, corner_sd = grid([-128, -1, 0, 1, 127], [0, 1, 510, 511], range(16))
    i_s, g, sd = (np.concatenate(p) for p in ((i_s, corner_is), (g, corner_g), (sd, corner_sd)))
    got = (await sweep(dut, {"i_s": i_s, "g": g, "sd": sd}, OUTPUTS))["d"]
    sb = Scoreboard("qclif_mult", dut._log)
    check_each(sb, "d", {"i_s": i_s, "g": g, "sd": sd}, qclif.multiply(i_s, g, sd), got)
    sb.finish(min_compared=i_s.size)


def test_qclif_mult(cocotb_run):
    cocotb_run("qclif_mult", __name__)
