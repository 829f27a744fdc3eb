"""qclif_soma (somatic compartment): V' = clamp_u8(V - ls + D) against model.qclif.soma.

Every V (0..255) against every D in -300..300 (where the clamps are decided) and D's
extremes (the multiplier's range and the full 18-bit port), at a spread of ls on
Verilator, at ls = 0 and one seed-chosen ls on Icarus; then random (V, ls, D) on both.
"""
from __future__ import annotations

import cocotb
import numpy as np

from model import qclif
from verif.common.scoreboard import Scoreboard
from verif.common.tb import seeded_rng, simulator_name
from verif.qclif.comb_sweep import check_each, check_rows, grid, sweep

V_VALUES = np.arange(256)
D_MIN, D_MAX = -(1 << 17), (1 << 17) - 1
D_VALUES = np.concatenate([
    np.arange(-300, 301),
    [D_MIN, D_MIN + 1, -128 * 511, -128 * 510, -65536, -4096, -511, -510,
     510, 511, 4096, 65535, 127 * 510, 127 * 511, D_MAX - 1, D_MAX]])
LS_SPREAD = (0, 255, 1, 100)
N_RANDOM = 20000
OUTPUTS = {"v_new": False}


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def all_states(dut):
    rng = seeded_rng()
    spread = LS_SPREAD if simulator_name() == "verilator" else (0, int(rng.integers(1, 256)))
    sb = Scoreboard("qclif_soma", dut._log)
    for ls in spread:
        d, v = grid(D_VALUES, V_VALUES)
        got = (await sweep(dut, {"ls": np.full(v.size, ls), "d": d, "v": v}, OUTPUTS))["v_new"]
        rows = (D_VALUES.size, V_VALUES.size)
        check_rows(sb, lambda r: f"v_new(ls={ls}, d={D_VALUES[r]}) at v=",
                   qclif.soma(v, ls, d).reshape(rows), got.reshape(rows))
    sb.finish(min_compared=len(spread) * D_VALUES.size)
    dut._log.info("all V x %d D values at ls %s", D_VALUES.size, spread)


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def random_inputs(dut):
    rng = seeded_rng()
    inputs = {"v": rng.integers(0, 256, N_RANDOM), "ls": rng.integers(0, 256, N_RANDOM),
              "d": np.concatenate([rng.integers(D_MIN, D_MAX + 1, N_RANDOM // 2),
                                   rng.integers(-600, 601, N_RANDOM - N_RANDOM // 2)])}
    got = (await sweep(dut, inputs, OUTPUTS))["v_new"]
    sb = Scoreboard("qclif_soma", dut._log)
    check_each(sb, "v_new", inputs, qclif.soma(inputs["v"], inputs["ls"], inputs["d"]), got)
    sb.finish(min_compared=N_RANDOM)


def test_qclif_soma(cocotb_run):
    cocotb_run("qclif_soma", __name__)
