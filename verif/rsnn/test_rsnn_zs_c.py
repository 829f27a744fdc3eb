"""rsnn_zs_c (Type C, FC with merged spikes), both banks, in both schedules (input
`pipe`: 0 paper, 1 union).

Pairs of L1 step spike vectors swept over densities from 0 to 1 (T = 2: independent,
equal = every weight doubled, complementary; T = 1: the second vector 0), each pair
walked in both schedules (on Icarus the pairs alternate between them), back to back
with 0..2 idle cycles between phases. For each:
- the exact cycle-by-cycle output against the documented schedule: per group g, W
  cycles where bank b shows its ascending j of parity b with m[j] != 0 (dbl = AND of
  the two steps, row = the model's wfc address, model.rsnn_memory.wfc_location); paper:
  then one drain cycle and one close cycle; union: the next group follows at once
  (max(W, 1) cycles per group) and group g closes two cycles after its last index
  cycle; grp_first / grp_close / cgrp / acc_clear markers, done after group 14's close;
- phase cycles and rows read against model.rsnn_schedule.phase_fc(..., schedule);
- the FC itself: rows of random weights packed by model.rsnn_memory.pack, read at the
  emitted addresses (one-cycle SRAM latency) and added (doubled where dbl) into two
  accumulators (cleared where acc_clear, a clear with an add loading the operand, as
  rsnn_pe_set does), compared at each close with model.rsnn.fc.
"""
from __future__ import annotations

import cocotb
import numpy as np

from model import rsnn
from model import rsnn_memory as mem
from model import rsnn_schedule as sched
from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase, simulator_name
from model.lanes import pack_bits
from verif.rsnn.block_tb import check_trace, hex_bits, run_phase, spike_vector

N = rsnn.N_NEURONS
GROUPS = rsnn.N_GROUPS
DENSITIES = (0.0, 0.02, 0.3, 0.6, 0.9, 1.0)
BANK_FIELDS = ("valid", "j", "dbl", "row", "last")
OUTPUTS = tuple(f"{f}{b}" for b in (0, 1) for f in BANK_FIELDS) + (
    "grp", "grp_first", "grp_close", "cgrp", "acc_clear", "done")
SCHEDULES = {0: "paper", 1: "union"}   # the `pipe` input


def _expected(spk0: np.ndarray, spk1: np.ndarray, pipe: int) -> list[dict]:
    mnz = (spk0 | spk1) != 0
    lists = [[j for j in range(b, N, 2) if mnz[j]] for b in (0, 1)]
    work = max(len(lists[0]), len(lists[1]))
    period = max(work, 1) if pipe else work + 2        # cycles per group
    n_cycles = GROUPS * period + (2 if pipe else 0)    # start to the last close, inclusive
    # Close cycle of each group: paper its local cycle W + 1; union two cycles after its
    # last index cycle (local period - 1).
    closes = {(g * period + work + 1) if not pipe else (g * period + period + 1): g
              for g in range(GROUPS)}
    rows = []
    for c in range(n_cycles):
        g, local = divmod(c, period)
        walking = g < GROUPS
        row = {"grp": g if walking else None, "grp_first": int(walking and local == 0),
               "grp_close": int(c in closes), "cgrp": closes.get(c), "done": 0}
        row["acc_clear"] = int(c == 0 or c in closes) if pipe else row["grp_first"]
        for b in (0, 1):
            if walking and local < len(lists[b]):
                j = lists[b][local]
                bank, addr, _ = mem.wfc_location(j, N * g)
                assert bank == f"wfc_bank{b}"
                row.update({f"valid{b}": 1, f"j{b}": j, f"dbl{b}": int(spk0[j] & spk1[j]),
                            f"row{b}": addr, f"last{b}": int(local == len(lists[b]) - 1)})
            else:
                row.update({f"valid{b}": 0, f"j{b}": None, f"dbl{b}": None,
                            f"row{b}": None, f"last{b}": 0})
        rows.append(row)
    idle = {k: None for k in OUTPUTS}
    idle.update({"valid0": 0, "valid1": 0, "last0": 0, "last1": 0, "grp_first": 0,
                 "grp_close": 0, "acc_clear": 0, "done": 1})
    return rows + [idle]


def _fc_from_trace(walk: list[dict], images: dict) -> dict[int, np.ndarray]:
    """Emulate both wfc banks (row on the output the cycle after its address) and the
    two PE sets as rsnn_pe_set updates them at the clock edge: acc = (acc_clear ? 0 :
    acc) + the row read in the previous cycle (<< dbl); return z = acc0 + acc1 of each
    group as seen (before the edge) in its close cycle."""
    acc = np.zeros((2, N), np.int64)
    pending = [None, None]  # (row image, dbl) read in the previous cycle
    z = {}
    for cyc in walk:
        if cyc["grp_close"]:
            z[cyc["cgrp"]] = acc.sum(axis=0)
        if cyc["acc_clear"]:
            acc[:] = 0
        for b in (0, 1):
            if pending[b] is not None:
                acc[b] += pending[b][0] << pending[b][1]
        for b in (0, 1):
            if cyc[f"valid{b}"]:
                image = images[f"wfc_bank{b}"]
                pending[b] = (image[cyc[f"row{b}"]].astype(np.int64), cyc[f"dbl{b}"])
            else:
                pending[b] = None
    return z


def _schedules_of_pair(n: int) -> tuple[int, ...]:
    """Both schedules for every pair on Verilator; on Icarus (slower) the pairs
    alternate between them."""
    if simulator_name() == "verilator":
        return (0, 1) if n % 2 else (1, 0)
    return (n % 2,)


@cocotb.test(timeout_time=200, timeout_unit="ms")
async def density_sweep(dut):
    tb = TbBase(dut)
    sb = Scoreboard("rsnn_zs_c", tb.log)
    dut.start.value, dut.spk0.value, dut.spk1.value, dut.pipe.value = 0, 0, 0, 0
    await tb.reset()
    weights = rsnn.RsnnWeights.random(tb.rng, density=0.7)
    images = mem.pack(weights)
    pairs = []
    for d in DENSITIES:  # T = 1
        pairs.append((spike_vector(tb.rng, N, d), np.zeros(N, np.uint8)))
    densities = DENSITIES if simulator_name() == "verilator" else (0.0, 0.3, 1.0)
    for d0 in densities:  # T = 2
        for d1 in densities:
            pairs.append((spike_vector(tb.rng, N, d0), spike_vector(tb.rng, N, d1)))
    v = spike_vector(tb.rng, N, 0.4)
    pairs += [(v, v.copy()), (v, 1 - v), (v[::-1].copy(), np.zeros(N, np.uint8))]
    reads = 0
    cycles = {0: 0, 1: 0}
    for n, (spk0, spk1) in enumerate(pairs):
        for pipe in _schedules_of_pair(n):
            schedule = SCHEDULES[pipe]
            gap = int(tb.rng.integers(0, 3))
            inputs = {"spk0": pack_bits(spk0), "spk1": pack_bits(spk1), "pipe": pipe}
            walk, idle = await run_phase(tb, inputs, OUTPUTS, idle_after=gap + 1)
            where = f"{schedule} pair {n} spk0={hex_bits(spk0)} spk1={hex_bits(spk1)}"
            check_trace(sb, where, _expected(spk0, spk1, pipe), walk)
            phase = sched.phase_fc(np.stack([spk0, spk1]), schedule)
            sb.check(f"{where}: FC phase cycles vs model", int(phase["cyc"]), len(walk) - 1)
            got_reads = sum(r["valid0"] + r["valid1"] for r in walk)
            sb.check(f"{where}: wfc rows read vs model", int(phase["reads"]), got_reads)
            z = rsnn.fc(rsnn.merged_spikes(np.stack([spk0, spk1])), weights.wfc)
            got_z = _fc_from_trace(walk, images)
            for g in range(GROUPS):
                sb.check(f"{where}: z of group {g} from the emitted reads, output",
                         z[N * g:N * (g + 1)], got_z.get(g, np.full(N, -99999)))
            for c, row in enumerate(idle):
                sb.check(f"{where}: idle cycle {c} (valid0, valid1, grp_first, grp_close, "
                         "acc_clear, done)", (0, 0, 0, 0, 0, 1),
                         (row["valid0"], row["valid1"], row["grp_first"], row["grp_close"],
                          row["acc_clear"], row["done"]))
            reads += got_reads
            cycles[pipe] += len(walk) - 1
    sb.finish(min_compared=len(pairs) * GROUPS * 6)
    tb.log.info("%d pairs, %d rows read; FC cycles: paper %d, union %d",
                len(pairs), reads, cycles[0], cycles[1])


def test_rsnn_zs_c(cocotb_run):
    cocotb_run("rsnn_zs_c", __name__)
