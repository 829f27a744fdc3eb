"""rsnn_zs_d (Type D) for ROWS 128 (L0) and 256 (L1: the Wf1 list, then the Wr1 list).

Pairs of step spike vectors swept over densities from 0 to 1 (independent, equal,
complementary), back to back with 0..2 idle cycles between walks. For each: the exact
cycle-by-cycle output (every index 0..ROWS-1 once, ascending, from the start cycle on,
en0/en1 = the index's spikes of step 0/1, `last` on ROWS-1, `done` after it and while
idle); the walk's length equals the model's T = 2 work (model.rsnn_schedule), and the
number of adds per set its step's spike count.
"""
from __future__ import annotations

import cocotb
import numpy as np
import pytest

from model import rsnn_schedule as sched
from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase
from model.lanes import pack_bits
from verif.rsnn.block_tb import check_trace, hex_bits, run_phase, spike_vector

DENSITIES = (0.0, 0.02, 0.2, 0.5, 0.8, 0.98, 1.0)
OUTPUTS = ("valid", "idx", "en0", "en1", "last", "done")
N = 128


def _expected(spk0: np.ndarray, spk1: np.ndarray) -> list[dict]:
    rows = spk0.size
    out = [{"valid": 1, "idx": j, "en0": int(spk0[j]), "en1": int(spk1[j]),
            "last": int(j == rows - 1), "done": 0} for j in range(rows)]
    return out + [{"valid": 0, "idx": None, "en0": 0, "en1": 0, "last": 0, "done": 1}]


def _model_work(spk0: np.ndarray, spk1: np.ndarray) -> int:
    """Work cycles of the phase at T = 2 from the schedule model (phase cycles minus
    the read latency and the two LIF cycles)."""
    T = 2
    overhead = sched.OVERHEAD["layer_read"] + T * sched.OVERHEAD["lif_per_step"]
    if spk0.size == N:  # L0: S0[t-1], both steps
        return int(sched.phase_l0(np.stack([spk0, spk1]), T)["cyc"]) - overhead
    s0_cur = np.stack([spk0[:N], spk1[:N]])     # Wf1 list: this frame's L0 spikes
    s1_prev = np.stack([spk0[N:], spk1[N:]])    # Wr1 list: last frame's L1 spikes
    return int(sched.phase_l1(s0_cur, s1_prev, T)["cyc"]) - overhead


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def density_sweep(dut):
    tb = TbBase(dut)
    rows = int(dut.ROWS.value)
    sb = Scoreboard(f"rsnn_zs_d(ROWS={rows})", tb.log)
    dut.start.value, dut.spk0.value, dut.spk1.value = 0, 0, 0
    await tb.reset()
    reps = 3
    pairs = []
    for d0 in DENSITIES:
        for d1 in DENSITIES:
            pairs.append((spike_vector(tb.rng, rows, d0), spike_vector(tb.rng, rows, d1)))
    for _ in range(reps):
        v = spike_vector(tb.rng, rows, 0.5)
        pairs += [(v, v.copy()), (v, 1 - v)]
    for n, (spk0, spk1) in enumerate(pairs):
        gap = int(tb.rng.integers(0, 3))
        inputs = {"spk0": pack_bits(spk0), "spk1": pack_bits(spk1)}
        walk, idle = await run_phase(tb, inputs, OUTPUTS, idle_after=gap + 1)
        where = f"pair {n} spk0={hex_bits(spk0)} spk1={hex_bits(spk1)}"
        check_trace(sb, where, _expected(spk0, spk1), walk)
        sb.check(f"{where}: walk length vs model T = 2 work", _model_work(spk0, spk1),
                 len(walk) - 1)
        sb.check(f"{where}: adds of set 0, set 1 vs model nz",
                 (int(sched.nz(spk0)), int(sched.nz(spk1))),
                 (sum(r["en0"] for r in walk), sum(r["en1"] for r in walk)))
        for c, row in enumerate(idle):
            sb.check(f"{where}: idle cycle {c} (valid, en0, en1, last, done)", (0, 0, 0, 0, 1),
                     (row["valid"], row["en0"], row["en1"], row["last"], row["done"]))
    sb.finish(min_compared=len(pairs) * rows)
    tb.log.info("%d walks of %d rows", len(pairs), rows)


@pytest.mark.parametrize("rows", [128, 256])
def test_rsnn_zs_d(cocotb_run, rows):
    cocotb_run("rsnn_zs_d", __name__,
               parameters={"ROWS": rows})
