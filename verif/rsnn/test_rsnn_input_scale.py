"""rsnn_input_scale (128 lanes, combinational): Iin = sat_12(A >>> s_in) against
model.rsnn.input_current.

For every s_in in 0..7: the 18-bit extremes, -1/0/1, the exact saturation edges
(+-2047 * 2^s_in and +-2048 * 2^s_in and their neighbours), the model's worst-case input
terms (+71400, -81600), then random A over the full 18-bit range and over the range a
real input term takes.
"""
from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import Timer

from model import rsnn
from verif.common.scoreboard import Scoreboard
from verif.common.tb import seeded_rng, simulator_name
from model.lanes import pack_lanes, unpack_lanes
from verif.rsnn.block_tb import check_lanes

LANES = 128
A_W = 18
A_MIN, A_MAX = -(1 << (A_W - 1)), (1 << (A_W - 1)) - 1


def _corners(s_in: int) -> np.ndarray:
    edges = []
    for v in (2047, 2048, -2048, -2049):
        e = v << s_in
        edges += [e - 1, e, e + 1, e + (1 << s_in) - 1]
    values = [A_MIN, A_MIN + 1, -1, 0, 1, A_MAX - 1, A_MAX, 71400, -81600] + edges
    values = np.clip(np.array(sorted(set(values))), A_MIN, A_MAX)
    return np.resize(values, LANES)  # repeat to fill the lanes


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def corners_and_random(dut):
    rng = seeded_rng()
    sb = Scoreboard("rsnn_input_scale", dut._log)
    n_random = 500 if simulator_name() == "verilator" else 120
    drives = 0
    for s_in in range(8):
        dut.s_in.value = s_in
        vectors = [_corners(s_in)]
        for k in range(n_random):
            lo, hi = (A_MIN, A_MAX) if k % 2 else (-81600, 71400)
            vectors.append(rng.integers(lo, hi, LANES, endpoint=True))
        for a in vectors:
            dut.a.value = pack_lanes(a, A_W)
            await Timer(1, unit="ns")
            got = unpack_lanes(dut.iin.value.to_unsigned(), LANES, 12)
            expected = rsnn.input_current(a, s_in)
            check_lanes(sb, "iin", {"A": a, "s_in": s_in}, expected, got)
            drives += 1
    sb.finish(min_compared=drives)
    dut._log.info("%d drives of %d lanes", drives, LANES)


def test_rsnn_input_scale(cocotb_run):
    cocotb_run("rsnn_input_scale", __name__)
