"""rsnn_zs_a (Type A, IN phase), in both schedules (input `split`: 0 paper, 1 union).

Feature frames swept from all zero to all 255: the fraction of nonzero features and
the density of their bits both from 0 to 1, single features at either end, one bit per
feature, and frames using the whole 48-entry buffer; each frame walked in both
schedules, back to back with 0..2 idle cycles. For each walk:
- the exact cycle-by-cycle output against the documented schedule: the first nonzero
  feature's row read in the start cycle, then one item cycle per bit (paper: set 0
  takes the bit) or per two bits (union: set 0 the lower, set 1 the next one) of each
  feature, in ascending feature then bit order, the next nonzero feature's read in the
  last item cycle of the current one, `last` on the final item cycle, `done` in the
  cycle after it;
- phase cycles (start to done, + the done cycle) and rows read against
  model.rsnn_schedule.phase_in(x, schedule);
- the input term: random Win rows read at the emitted addresses (SRAM output = the row
  of the latest read, one cycle later), accumulated acc_k += w << bit_k at every item of
  set k (where the row on the output must be the item's feature's), A = acc0 + acc1
  compared with model.rsnn.input_term.
"""
from __future__ import annotations

import cocotb
import numpy as np

from model import rsnn
from model import rsnn_schedule as sched
from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase, simulator_name
from model.lanes import pack_lanes
from verif.rsnn.block_tb import check_trace, run_phase

NF = rsnn.N_INPUT_BUF
OUTPUTS = ("row_rd", "row_addr", "row_last", "valid", "feat", "bit_idx", "valid1",
           "bit_idx1", "last", "done")
SCHEDULES = {0: "paper", 1: "union"}   # the `split` input


def _frame(rng: np.random.Generator, feature_density: float, bit_density: float,
           n_features: int = rsnn.N_FEATURES) -> np.ndarray:
    x = np.zeros(NF, np.int64)
    bits = rng.random((n_features, 8)) < bit_density
    values = (bits * (1 << np.arange(8))).sum(axis=1)
    keep = rng.random(n_features) < feature_density
    x[:n_features] = np.where(keep, values, 0)
    return x


def _special_frames() -> list[np.ndarray]:
    frames = []
    for index, value in ((0, 1), (0, 128), (39, 255), (47, 1), (20, 0x81)):
        x = np.zeros(NF, np.int64)
        x[index] = value
        frames.append(x)
    frames.append(np.zeros(NF, np.int64))
    frames.append(np.r_[np.full(rsnn.N_FEATURES, 255), np.zeros(NF - rsnn.N_FEATURES)])
    frames.append(np.full(NF, 255))
    frames.append(1 << (np.arange(NF) % 8))
    frames.append(np.where(np.arange(NF) % 2, 0, 0xAA))
    return [f.astype(np.int64) for f in frames]


def _expected(x: np.ndarray, split: int) -> list[dict]:
    """The documented trace: per item cycle (feature i, set 0's bit, set 1's bit or
    None); paper one bit per cycle, union the feature's bits two at a time."""
    quiet = {"row_rd": 0, "row_addr": None, "row_last": 0}
    idle = {"valid": 0, "feat": None, "bit_idx": None, "valid1": 0, "bit_idx1": None}
    nonzero = [i for i in range(NF) if x[i]]
    items = []
    for i in nonzero:
        bits = [b for b in range(8) if (x[i] >> b) & 1]
        step = 2 if split else 1
        items += [(i, bits[k], bits[k + 1] if split and k + 1 < len(bits) else None)
                  for k in range(0, len(bits), step)]
    rows = [{**quiet, **idle, "last": 0, "done": 0}]
    if nonzero:
        rows[0].update(row_rd=1, row_addr=nonzero[0], row_last=int(len(nonzero) == 1))
    for t, (i, b0, b1) in enumerate(items):
        row = {**quiet, "valid": 1, "feat": i, "bit_idx": b0, "valid1": int(b1 is not None),
               "bit_idx1": b1, "last": int(t == len(items) - 1), "done": 0}
        feature_ends = t == len(items) - 1 or items[t + 1][0] != i
        if feature_ends and t != len(items) - 1:
            nxt = items[t + 1][0]
            row.update(row_rd=1, row_addr=nxt, row_last=int(nxt == nonzero[-1]))
        rows.append(row)
    rows.append({**quiet, **idle, "last": 0, "done": 1})
    return rows


def _input_term_from_trace(walk: list[dict], win: np.ndarray, sb, where: str) -> np.ndarray:
    acc = np.zeros((2, rsnn.N_NEURONS), np.int64)   # PE set 0, set 1
    on_output = None  # row address whose data the SRAM shows this cycle
    for c, cyc in enumerate(walk):
        for k, (valid, bit) in enumerate((("valid", "bit_idx"), ("valid1", "bit_idx1"))):
            if cyc[valid]:
                if on_output != cyc["feat"]:
                    sb.check(f"{where}: cycle {c} row on the SRAM output for feature",
                             cyc["feat"], -1 if on_output is None else on_output)
                row = win[on_output if on_output is not None else 0]
                acc[k] += row.astype(np.int64) << cyc[bit]
        if cyc["row_rd"]:
            on_output = cyc["row_addr"]
    return acc.sum(axis=0)


@cocotb.test(timeout_time=300, timeout_unit="ms")
async def density_sweep(dut):
    tb = TbBase(dut)
    sb = Scoreboard("rsnn_zs_a", tb.log)
    dut.start.value, dut.x.value, dut.split.value = 0, 0, 0
    await tb.reset()
    weights = rsnn.RsnnWeights.random(tb.rng, density=0.8, input_rows=NF)
    frames = _special_frames()
    levels = (0.0, 0.1, 0.5, 0.9, 1.0)
    for fd in levels:
        for bd in levels:
            frames.append(_frame(tb.rng, fd, bd))
    n_whole = 20 if simulator_name() == "verilator" else 4
    frames += [_frame(tb.rng, 0.5, 0.5, NF) for _ in range(n_whole)]  # 40..47 used too
    items = {0: 0, 1: 0}
    cycles = {0: 0, 1: 0}
    for n, x in enumerate(frames):
        for split in (0, 1) if n % 2 else (1, 0):
            gap = int(tb.rng.integers(0, 3))
            walk, idle = await run_phase(tb, {"x": pack_lanes(x, 8), "split": split}, OUTPUTS,
                                         idle_after=gap + 1)
            schedule = SCHEDULES[split]
            where = f"{schedule} frame {n} x[0..47]={bytes(x.astype(np.uint8).tolist()).hex()}"
            check_trace(sb, where, _expected(x, split), walk)
            phase = sched.phase_in(x, schedule)
            sb.check(f"{where}: IN phase cycles (start to done + 1) vs model",
                     int(phase["cyc"]), len(walk))
            sb.check(f"{where}: win rows read vs model", int(phase["reads"]),
                     sum(r["row_rd"] for r in walk))
            got = _input_term_from_trace(walk, weights.win, sb, where)
            sb.check(f"{where}: input term from the emitted reads and shifts, neuron",
                     rsnn.input_term(x, weights.win), got)
            for c, row in enumerate(idle):
                sb.check(f"{where}: idle cycle {c} (row_rd, valid, valid1, last, done)",
                         (0, 0, 0, 0, 1), (row["row_rd"], row["valid"], row["valid1"],
                                           row["last"], row["done"]))
            items[split] += sum(r["valid"] + r["valid1"] for r in walk)
            cycles[split] += len(walk)
    sb.finish(min_compared=len(frames) * 8)
    tb.log.info("%d frames; shift-adds, IN cycles: paper %d, %d; union %d, %d", len(frames),
                items[0], cycles[0], items[1], cycles[1])


def test_rsnn_zs_a(cocotb_run):
    cocotb_run("rsnn_zs_a", __name__)
