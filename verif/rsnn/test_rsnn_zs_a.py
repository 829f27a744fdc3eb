"""rsnn_zs_a (Type A, IN phase).

Feature frames swept from all zero to all 255: the fraction of nonzero features and
the density of their bits both from 0 to 1, single features at either end, one bit per
feature, and frames using the whole 48-entry buffer; back to back with 0..2 idle cycles.
For each:
- the exact cycle-by-cycle output against the documented schedule: the first nonzero
  feature's row read in the start cycle, then one item (feature, bit) per cycle in
  ascending feature then bit order, the next nonzero feature's read in the cycle of the
  current one's last bit, `last` on the final item, `done` in the cycle after it;
- phase cycles (start to done, + the done cycle) and rows read against
  model.rsnn_schedule.phase_in;
- the input term: random Win rows read at the emitted addresses (SRAM output = the row
  of the latest read, one cycle later) and accumulated acc += w << bit at every item
  (where the row on the output must be the item's feature's), compared with
  model.rsnn.input_term.
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
OUTPUTS = ("row_rd", "row_addr", "row_last", "valid", "feat", "bit_idx", "last", "done")


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


def _expected(x: np.ndarray) -> list[dict]:
    quiet = {"row_rd": 0, "row_addr": None, "row_last": 0}
    nonzero = [i for i in range(NF) if x[i]]
    items = [(i, b) for i in nonzero for b in range(8) if (x[i] >> b) & 1]
    rows = [{**quiet, "valid": 0, "feat": None, "bit_idx": None, "last": 0, "done": 0}]
    if nonzero:
        rows[0].update(row_rd=1, row_addr=nonzero[0], row_last=int(len(nonzero) == 1))
    for t, (i, b) in enumerate(items):
        row = {**quiet, "valid": 1, "feat": i, "bit_idx": b, "last": int(t == len(items) - 1),
               "done": 0}
        feature_ends = t == len(items) - 1 or items[t + 1][0] != i
        if feature_ends and t != len(items) - 1:
            nxt = items[t + 1][0]
            row.update(row_rd=1, row_addr=nxt, row_last=int(nxt == nonzero[-1]))
        rows.append(row)
    rows.append({**quiet, "valid": 0, "feat": None, "bit_idx": None, "last": 0, "done": 1})
    return rows


def _input_term_from_trace(walk: list[dict], win: np.ndarray, sb, where: str) -> np.ndarray:
    acc = np.zeros(rsnn.N_NEURONS, np.int64)
    on_output = None  # row address whose data the SRAM shows this cycle
    for c, cyc in enumerate(walk):
        if cyc["valid"]:
            if on_output != cyc["feat"]:
                sb.check(f"{where}: cycle {c} row on the SRAM output for feature",
                         cyc["feat"], -1 if on_output is None else on_output)
            row = win[on_output if on_output is not None else 0]
            acc += row.astype(np.int64) << cyc["bit_idx"]
        if cyc["row_rd"]:
            on_output = cyc["row_addr"]
    return acc


@cocotb.test(timeout_time=300, timeout_unit="ms")
async def density_sweep(dut):
    tb = TbBase(dut)
    sb = Scoreboard("rsnn_zs_a", tb.log)
    dut.start.value, dut.x.value = 0, 0
    await tb.reset()
    weights = rsnn.RsnnWeights.random(tb.rng, density=0.8, input_rows=NF)
    frames = _special_frames()
    levels = (0.0, 0.1, 0.5, 0.9, 1.0)
    for fd in levels:
        for bd in levels:
            frames.append(_frame(tb.rng, fd, bd))
    n_whole = 20 if simulator_name() == "verilator" else 4
    frames += [_frame(tb.rng, 0.5, 0.5, NF) for _ in range(n_whole)]  # 40..47 used too
    items = 0
    for n, x in enumerate(frames):
        gap = int(tb.rng.integers(0, 3))
        walk, idle = await run_phase(tb, {"x": pack_lanes(x, 8)}, OUTPUTS, idle_after=gap + 1)
        where = f"frame {n} x[0..47]={bytes(x.astype(np.uint8).tolist()).hex()}"
        check_trace(sb, where, _expected(x), walk)
        phase = sched.phase_in(x)
        sb.check(f"{where}: IN phase cycles (start to done + 1) vs model", int(phase["cyc"]),
                 len(walk))
        sb.check(f"{where}: win rows read vs model", int(phase["reads"]),
                 sum(r["row_rd"] for r in walk))
        got = _input_term_from_trace(walk, weights.win, sb, where)
        sb.check(f"{where}: input term from the emitted reads and shifts, neuron",
                 rsnn.input_term(x, weights.win), got)
        for c, row in enumerate(idle):
            sb.check(f"{where}: idle cycle {c} (row_rd, valid, last, done)", (0, 0, 0, 1),
                     (row["row_rd"], row["valid"], row["last"], row["done"]))
        items += sum(r["valid"] for r in walk)
    sb.finish(min_compared=len(frames) * 4)
    tb.log.info("%d frames, %d shift-adds", len(frames), items)


def test_rsnn_zs_a(cocotb_run):
    cocotb_run("rsnn_zs_a", __name__)
