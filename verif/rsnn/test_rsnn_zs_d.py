"""rsnn_zs_d (Type D) for ROWS 128 (L0) and 256 (L1: the Wf1 list, then the Wr1 list),
in both schedules (input `skip`: 0 paper, 1 union).

Pairs of step spike vectors swept over densities from 0 to 1 (independent, equal,
complementary), each pair walked in both schedules (on Icarus the pairs alternate
between them), back to back with 0..2 idle cycles between walks. For each: the exact cycle-by-cycle output (paper: every index
0..ROWS-1 once; union: only the indices where either step spiked; ascending, from the
start cycle on, en0/en1 = the index's spikes of step 0/1, `last` on the final index,
`done` after it and while idle, in the start cycle of an empty union walk); the walk's
length equals the model's T = 2 work (model.rsnn_schedule, per schedule), and the number
of adds per set its step's spike count. In the union walk the spike inputs are
scrambled after the start cycle where it does not matter (bits no step has set), to
check that the walk was sampled.
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

DENSITIES = (0.0, 0.02, 0.2, 0.5, 0.8, 0.98, 1.0)
OUTPUTS = ("valid", "idx", "en0", "en1", "last", "done")
N = 128
SCHEDULES = {0: "paper", 1: "union"}   # the `skip` input


def _expected(spk0: np.ndarray, spk1: np.ndarray, skip: int) -> list[dict]:
    rows = [j for j in range(spk0.size) if not skip or spk0[j] or spk1[j]]
    out = [{"valid": 1, "idx": j, "en0": int(spk0[j]), "en1": int(spk1[j]),
            "last": int(k == len(rows) - 1), "done": 0} for k, j in enumerate(rows)]
    return out + [{"valid": 0, "idx": None, "en0": 0, "en1": 0, "last": 0, "done": 1}]


def _model_work(spk0: np.ndarray, spk1: np.ndarray, schedule: str) -> int:
    """Work cycles of the phase at T = 2 from the schedule model (phase cycles minus
    the read latency and the two LIF cycles)."""
    T = 2
    overhead = sched.OVERHEAD["layer_read"] + T * sched.OVERHEAD["lif_per_step"]
    if spk0.size == N:  # L0: S0[t-1], both steps
        return int(sched.phase_l0(np.stack([spk0, spk1]), T, schedule)["cyc"]) - overhead
    s0_cur = np.stack([spk0[:N], spk1[:N]])     # Wf1 list: this frame's L0 spikes
    s1_prev = np.stack([spk0[N:], spk1[N:]])    # Wr1 list: last frame's L1 spikes
    return int(sched.phase_l1(s0_cur, s1_prev, T, schedule)["cyc"]) - overhead


def _schedules_of_pair(n: int) -> tuple[int, ...]:
    """Both schedules for every pair on Verilator; on Icarus (slower) the pairs
    alternate between them."""
    if simulator_name() == "verilator":
        return (0, 1) if n % 2 else (1, 0)
    return (n % 2,)


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def density_sweep(dut):
    tb = TbBase(dut)
    rows = int(dut.ROWS.value)
    sb = Scoreboard(f"rsnn_zs_d(ROWS={rows})", tb.log)
    dut.start.value, dut.spk0.value, dut.spk1.value, dut.skip.value = 0, 0, 0, 0
    await tb.reset()
    reps = 3
    pairs = []
    for d0 in DENSITIES:
        for d1 in DENSITIES:
            pairs.append((spike_vector(tb.rng, rows, d0), spike_vector(tb.rng, rows, d1)))
    for _ in range(reps):
        v = spike_vector(tb.rng, rows, 0.5)
        pairs += [(v, v.copy()), (v, 1 - v)]
    pairs.append((np.zeros(rows, np.uint8), np.zeros(rows, np.uint8)))
    one = np.zeros(rows, np.uint8)
    one[rows - 1] = 1
    pairs += [(one, np.zeros(rows, np.uint8)), (np.zeros(rows, np.uint8), one)]
    walked = {0: 0, 1: 0}
    for n, (spk0, spk1) in enumerate(pairs):
        silent = ~(spk0.astype(bool) | spk1.astype(bool))   # bits no step has set

        def scramble(_cycle, spk0=spk0, spk1=spk1, silent=silent):
            # Union walk: bits outside the sampled union must not be walked.
            noise = (tb.rng.random(rows) < 0.5) & silent
            dut.spk0.value = pack_bits(spk0 | noise)
            dut.spk1.value = pack_bits(spk1 | noise)
        for skip in _schedules_of_pair(n):
            schedule = SCHEDULES[skip]
            gap = int(tb.rng.integers(0, 3))
            inputs = {"spk0": pack_bits(spk0), "spk1": pack_bits(spk1), "skip": skip}
            walk, idle = await run_phase(tb, inputs, OUTPUTS, scramble if skip else None,
                                         idle_after=gap + 1)
            where = f"{schedule} pair {n} spk0={hex_bits(spk0)} spk1={hex_bits(spk1)}"
            check_trace(sb, where, _expected(spk0, spk1, skip), walk)
            sb.check(f"{where}: walk length vs model T = 2 work",
                     _model_work(spk0, spk1, schedule), len(walk) - 1)
            sb.check(f"{where}: adds of set 0, set 1 vs model nz",
                     (int(sched.nz(spk0)), int(sched.nz(spk1))),
                     (sum(r["en0"] for r in walk), sum(r["en1"] for r in walk)))
            for c, row in enumerate(idle):
                sb.check(f"{where}: idle cycle {c} (valid, en0, en1, last, done)",
                         (0, 0, 0, 0, 1),
                         (row["valid"], row["en0"], row["en1"], row["last"], row["done"]))
            walked[skip] += len(walk) - 1
    # One check per walk cycle at least (check_trace), plus the per-walk totals.
    sb.finish(min_compared=sum(walked.values()) + len(pairs))
    tb.log.info("%d pairs of %d rows; rows walked: paper %d, union %d", len(pairs), rows,
                walked[0], walked[1])


@pytest.mark.parametrize("rows", [128, 256])
def test_rsnn_zs_d(cocotb_run, rows):
    cocotb_run("rsnn_zs_d", __name__,
               parameters={"ROWS": rows})
