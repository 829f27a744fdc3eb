"""qclif_threshold (threshold comparator): spike = V' >= theta, then V' - theta, against
model.qclif.threshold, every V x theta (256 x 256, theta = 0 included: the port takes it
although the register is 1..255) on both simulators."""
from __future__ import annotations

import cocotb
import numpy as np

from model import qclif
from verif.common.scoreboard import Scoreboard
from verif.qclif.comb_sweep import check_rows, grid, sweep

U8 = np.arange(256)


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def all_v_and_theta(dut):
    theta, v = grid(U8, U8)
    got = await sweep(dut, {"theta": theta, "v": v}, {"spike": False, "v_out": False})
    v_after, spike = qclif.threshold(v, theta)
    sb = Scoreboard("qclif_threshold", dut._log)
    rows = (U8.size, U8.size)
    for name, expected in (("spike", spike), ("v_out", v_after)):
        check_rows(sb, lambda r: f"{name}(theta={U8[r]}) at v=",
                   expected.reshape(rows).astype(np.int64), got[name].reshape(rows))
    sb.finish(min_compared=2 * U8.size)


def test_qclif_threshold(cocotb_run):
    cocotb_run("qclif_threshold", __name__)
