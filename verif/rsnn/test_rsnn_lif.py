"""rsnn_lif (128 lanes, combinational) against model.rsnn.lif.

Every 12-bit u_prev (-2048..2047: 128 lanes x 32 drives) for each current of a spread
(corners -2048, -1, 0, 1, 2047 and a few more, plus one drive set with a random current
per lane), every b in 1..7 and theta in {1, 2, 100, 1023, 2047}.
"""
from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import Timer

from model import rsnn
from verif.common.scoreboard import Scoreboard
from verif.common.tb import seeded_rng
from model.lanes import pack_lanes, unpack_lanes
from verif.rsnn.block_tb import check_lanes

LANES = 128
U_ALL = np.arange(-2048, 2048).reshape(-1, LANES)  # 32 drives of 128 lanes
CURRENTS = (-2048, -1500, -1, 0, 1, 2, 700, 2047)
B_VALUES = range(1, 8)
THETAS = (1, 2, 100, 1023, 2047)


@cocotb.test(timeout_time=200, timeout_unit="ms")
async def exhaustive_u_prev(dut):
    rng = seeded_rng()
    sb = Scoreboard("rsnn_lif", dut._log)
    currents = [np.full(LANES, c) for c in CURRENTS] + [rng.integers(-2048, 2048, LANES)]
    u_words = [pack_lanes(u, 12) for u in U_ALL]
    spikes = 0
    for b in B_VALUES:
        dut.b.value = b
        for theta in THETAS:
            dut.theta.value = theta
            for i_lanes in currents:
                dut.i_in.value = pack_lanes(i_lanes, 12)
                for u_prev, word in zip(U_ALL, u_words):
                    dut.u_prev.value = word
                    await Timer(1, unit="ns")
                    got_u = unpack_lanes(dut.u.value.to_unsigned(), LANES, 12)
                    got_s = unpack_lanes(dut.spike.value.to_unsigned(), LANES, 1, signed=False)
                    exp_u, exp_s = rsnn.lif(u_prev, i_lanes, b, theta)
                    lanes = {"u_prev": u_prev, "i": i_lanes, "b": b, "theta": theta}
                    check_lanes(sb, "u", lanes, exp_u, got_u)
                    check_lanes(sb, "spike", lanes, exp_s, got_s)
                    spikes += int(exp_s.sum())
    n = len(B_VALUES) * len(THETAS) * len(currents) * len(U_ALL)
    sb.finish(min_compared=2 * n)
    dut._log.info("%d drives of %d lanes, %d expected spikes", n, LANES, spikes)


def test_rsnn_lif(cocotb_run):
    cocotb_run("rsnn_lif", __name__)
