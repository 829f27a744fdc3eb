"""qclif_apical (apical compartment and gain): Va' = clamp_u8(Va - la + Ia), g = g0 + Va',
against model.qclif.apical and model.qclif.gain.

Every Va x Ia (256 x 256) at a spread of (la, g0) on Verilator, at the first of them
plus one seed-chosen pair on Icarus; then random (Va, la, Ia, g0) on both.
"""
from __future__ import annotations

import cocotb
import numpy as np

from model import qclif
from verif.common.scoreboard import Scoreboard
from verif.common.tb import seeded_rng, simulator_name
from verif.qclif.comb_sweep import check_each, check_rows, grid, sweep

U8 = np.arange(256)
S8 = np.arange(-128, 128)
# (la, g0): no leak / no offset, the extremes, and values in between.
REGISTER_SPREAD = ((0, 0), (255, 255), (1, 128), (37, 1), (128, 200))
N_RANDOM = 20000
OUTPUTS = {"va_new": False, "g": False}


def _expected(va, la, ia, g0):
    va_new = qclif.apical(va, la, ia)
    return va_new, qclif.gain(g0, va_new)


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def all_states_and_inputs(dut):
    rng = seeded_rng()
    if simulator_name() == "verilator":
        spread = REGISTER_SPREAD
    else:
        spread = (REGISTER_SPREAD[0], tuple(int(r) for r in rng.integers(0, 256, 2)))
    sb = Scoreboard("qclif_apical", dut._log)
    for la, g0 in spread:
        ia, va = grid(S8, U8)
        n = va.size
        got = await sweep(dut, {"la": np.full(n, la), "g0": np.full(n, g0), "ia": ia, "va": va},
                          OUTPUTS)
        va_new, g = _expected(va, la, ia, g0)
        rows = (S8.size, U8.size)
        for name, expected in (("va_new", va_new), ("g", g)):
            check_rows(sb, lambda r: f"{name}(la={la}, g0={g0}, ia={S8[r]}) at va=",
                       expected.reshape(rows), got[name].reshape(rows))
    sb.finish(min_compared=2 * len(spread) * S8.size)
    dut._log.info("all Va x Ia at (la, g0) %s", spread)


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def random_registers(dut):
    rng = seeded_rng()
    inputs = {"va": rng.integers(0, 256, N_RANDOM), "la": rng.integers(0, 256, N_RANDOM),
              "ia": rng.integers(-128, 128, N_RANDOM), "g0": rng.integers(0, 256, N_RANDOM)}
    got = await sweep(dut, inputs, OUTPUTS)
    va_new, g = _expected(inputs["va"], inputs["la"], inputs["ia"], inputs["g0"])
    sb = Scoreboard("qclif_apical", dut._log)
    check_each(sb, "va_new", inputs, va_new, got["va_new"])
    check_each(sb, "g", inputs, g, got["g"])
    sb.finish(min_compared=2 * N_RANDOM)


def test_qclif_apical(cocotb_run):
    cocotb_run("qclif_apical", __name__)
