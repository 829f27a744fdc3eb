"""rsnn_zs_b (Type B zero-skip) for WIDTH 128/256 and PARITY 0/1.

Spike vectors swept over densities from 0 to 1 (plus vectors with only the other
parity's bits, a single bit at either end, alternating patterns), back to back with
0..2 idle cycles between walks. For each: the exact cycle-by-cycle output (the set
indices of the instance's parity, ascending, one per cycle from the start cycle on,
`last` on the final one, `done` in the cycle after it and while idle); the walk's
length equals the model's ne/no (model.rsnn_schedule), whose max over the two banks is
the phase's work W. The vector input is scrambled after the start cycle: the unit must
have sampled it.
"""
from __future__ import annotations

import cocotb
import numpy as np
import pytest

from model import rsnn_schedule as sched
from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase, simulator_name
from model.lanes import pack_bits
from verif.rsnn.block_tb import check_trace, hex_bits, run_phase, spike_vector

DENSITIES = (0.0, 0.01, 0.05, 0.2, 0.4, 0.5, 0.6, 0.8, 0.95, 0.99, 1.0)
OUTPUTS = ("valid", "idx", "last", "done")


def _special_vectors(width: int, parity: int) -> list[np.ndarray]:
    j = np.arange(width)
    own, other = (j % 2 == parity), (j % 2 != parity)
    first, final = np.zeros(width, np.uint8), np.zeros(width, np.uint8)
    first[parity] = 1
    final[width - 2 + parity] = 1
    return [other.astype(np.uint8), own.astype(np.uint8), first, final,
            ((j // 2) % 2 == 0).astype(np.uint8), ((j // 2) % 2 == 1).astype(np.uint8)]


def _expected(vec: np.ndarray, parity: int) -> list[dict]:
    indices = [j for j in range(vec.size) if vec[j] and j % 2 == parity]
    rows = [{"valid": 1, "idx": j, "last": int(k == len(indices) - 1), "done": 0}
            for k, j in enumerate(indices)]
    return rows + [{"valid": 0, "idx": None, "last": 0, "done": 1}]


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def density_sweep(dut):
    tb = TbBase(dut)
    width, parity = int(dut.WIDTH.value), int(dut.PARITY.value)
    sb = Scoreboard(f"rsnn_zs_b(WIDTH={width},PARITY={parity})", tb.log)
    dut.start.value, dut.vec.value = 0, 0
    await tb.reset()
    reps = 10 if simulator_name() == "verilator" else 4
    vectors = _special_vectors(width, parity)
    vectors += [spike_vector(tb.rng, width, d) for d in DENSITIES for _ in range(reps)]
    walked = 0
    for n, vec in enumerate(vectors):
        def scramble(_cycle):
            dut.vec.value = int.from_bytes(tb.rng.bytes(width // 8), "little")
        gap = int(tb.rng.integers(0, 3))
        walk, idle = await run_phase(tb, {"vec": pack_bits(vec)}, OUTPUTS, scramble,
                                     idle_after=gap + 1)
        where = f"vector {n} {hex_bits(vec)}"
        check_trace(sb, where, _expected(vec, parity), walk)
        # The model's count of this bank's inputs (its share of the phase work W).
        model_count = int((sched.ne if parity == 0 else sched.no)(vec))
        sb.check(f"{where}: walk length vs model {'ne' if parity == 0 else 'no'}",
                 model_count, len(walk) - 1)
        for c, row in enumerate(idle):
            sb.check(f"{where}: idle cycle {c} (valid, last, done)", (0, 0, 1),
                     (row["valid"], row["last"], row["done"]))
        walked += len(walk) - 1
    sb.finish(min_compared=len(vectors) * 3)
    tb.log.info("%d walks, %d indices", len(vectors), walked)


@pytest.mark.parametrize("width", [128, 256])
@pytest.mark.parametrize("parity", [0, 1])
def test_rsnn_zs_b(cocotb_run, width, parity):
    cocotb_run("rsnn_zs_b", __name__, parameters={"WIDTH": width, "PARITY": parity})
