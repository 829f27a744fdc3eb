"""rsnn_pe_set (128 PEs): random operation sequences against a numpy accumulation, and
the worst-case sums of the schedule against the model.

random_ops: each cycle one of hold / clear / en / clear + en, shift 0..7, rows of random
weights or of -8 and 7 only (every lane's extremes); expected: the same operations on a
numpy array, wrapping in ACC_W bits (the block's documented behaviour; the schedule
never wraps). worst_cases: the largest sums the schedule accumulates, driven the way the
zero-skip units drive them, compared with the model's values: the L0 input term
(40 features of 255 x Win = -8 / 7, Type A shift-adds, ACC_W = 18 only), the FC partial
of one set (64 inputs with m = 2, Type C doubling) and the L1 current at T = 2 (256
rows, Type D), with lanes alternating -8 and 7 so both signs are checked at once.
"""
from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.triggers import ReadOnly, RisingEdge

from model import rsnn
from model.fixed import from_unsigned
from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase, simulator_name
from model.lanes import pack_lanes, unpack_lanes

LANES = 128
EXTREME_LANES = np.where(np.arange(LANES) % 2, 7, -8)  # -8 on even lanes, 7 on odd


class PeDriver:
    """Applies one operation per cycle and reads the accumulators (ops so far)."""

    def __init__(self, tb: TbBase, acc_w: int):
        self.tb, self.dut, self.acc_w = tb, tb.dut, acc_w

    async def op(self, clear: int, en: int, shift: int, row) -> None:
        await RisingEdge(self.tb.clk)
        self.dut.clear.value = clear
        self.dut.en.value = en
        self.dut.shift.value = shift
        self.dut.row.value = pack_lanes(row, 4)

    async def acc(self) -> np.ndarray:
        """Accumulators after every op applied so far (reads in the next cycle)."""
        await self.op(0, 0, 0, np.zeros(LANES, np.int64))
        await ReadOnly()
        return unpack_lanes(self.dut.acc.value.to_unsigned(), LANES, self.acc_w)


def _random_row(rng: np.random.Generator) -> np.ndarray:
    kind = rng.integers(5)
    if kind == 0:
        return np.full(LANES, -8)
    if kind == 1:
        return np.full(LANES, 7)
    if kind == 2:
        return rng.choice([-8, 7], LANES)
    return rng.integers(-8, 8, LANES)


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def random_ops(dut):
    tb = TbBase(dut)
    acc_w = int(dut.ACC_W.value)
    drv = PeDriver(tb, acc_w)
    sb = Scoreboard(f"rsnn_pe_set(ACC_W={acc_w})", tb.log)
    dut.clear.value, dut.en.value, dut.shift.value, dut.row.value = 0, 0, 0, 0
    await tb.reset()
    sb.check("acc after reset, lane", np.zeros(LANES, np.int64), await drv.acc())
    expected = np.zeros(LANES, np.int64)
    n_ops = 4000 if simulator_name() == "verilator" else 1500
    names = ("hold", "clear", "en", "clear+en")
    history: list[str] = []
    for k in range(n_ops):
        kind = int(rng_choice(tb.rng))
        clear, en = kind & 1, kind >> 1
        shift = int(tb.rng.integers(8))
        row = _random_row(tb.rng)
        await drv.op(clear, en, shift, row)
        await ReadOnly()
        # The accumulators now show the previous op; check them, then apply this one.
        got = unpack_lanes(dut.acc.value.to_unsigned(), LANES, acc_w)
        where = f"acc after op {k - 1} ({history[-1] if history else 'reset'}), lane"
        sb.check(where, expected, got)
        base = np.zeros(LANES, np.int64) if clear else expected
        expected = base + (row << shift) if en else base
        expected = from_unsigned(expected, acc_w)  # wraps in ACC_W bits
        history.append(f"{names[kind]} shift={shift} row={row[:4].tolist()}...")
    sb.check(f"acc after op {n_ops - 1}, lane", expected, await drv.acc())
    sb.finish(min_compared=n_ops)


def rng_choice(rng: np.random.Generator) -> int:
    """Operation kind: bit 0 = clear, bit 1 = en; mostly accumulating."""
    return rng.choice(4, p=[0.15, 0.08, 0.65, 0.12])


async def _accumulate(drv: PeDriver, ops) -> np.ndarray:
    """Runs (shift, row) ops, the first with clear + en (a new sum), returns the sum."""
    for k, (shift, row) in enumerate(ops):
        await drv.op(int(k == 0), 1, shift, row)
    return await drv.acc()


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def worst_cases(dut):
    tb = TbBase(dut)
    acc_w = int(dut.ACC_W.value)
    drv = PeDriver(tb, acc_w)
    sb = Scoreboard(f"rsnn_pe_set(ACC_W={acc_w})", tb.log)
    dut.clear.value, dut.en.value, dut.shift.value, dut.row.value = 0, 0, 0, 0
    await tb.reset()
    cases = 0
    if acc_w >= 18:
        # L0 input term: every bit of 40 features of 255, row -8/7 (Type A: shift = bit).
        x = np.full(rsnn.N_FEATURES, 255)
        win = np.tile(EXTREME_LANES, (rsnn.N_INPUT_BUF, 1))
        expected = rsnn.input_term(x, win)
        got = await _accumulate(drv, [(b, win[i]) for i in range(len(x)) for b in range(8)])
        sb.check("L0 input term, 40 x 255 x (-8 | 7), lane", expected, got)
        tb.log.info("extremes: L0 input term %s", sorted(set(expected.tolist())))
        cases += 1
    # FC partial of set 0: the 64 even inputs with m = 2 (Type C: shift 1 doubles).
    m = np.where(np.arange(LANES) % 2 == 0, 2, 0)
    wfc = np.tile(EXTREME_LANES, (LANES, rsnn.N_GROUPS))
    expected = rsnn.fc(m, wfc)[:LANES]
    got = await _accumulate(drv, [(1, wfc[j, :LANES]) for j in range(0, LANES, 2)])
    sb.check("FC partial, 64 x 2 x (-8 | 7), lane", expected, got)
    # L1 current at T = 2: all 256 rows added (Type D).
    ones = np.ones(LANES, np.int64)
    w = np.tile(EXTREME_LANES, (LANES, 1))
    expected = rsnn.layer_current_l1(ones, ones, w, w)
    got = await _accumulate(drv, [(0, w[j % LANES]) for j in range(2 * LANES)])
    sb.check("L1 current, 256 x (-8 | 7), lane", expected, got)
    sb.finish(min_compared=cases + 2)
    tb.log.info("extremes: FC partial %s, L1 %s", sorted(set(rsnn.fc(m, wfc)[:LANES].tolist())),
                sorted(set(expected.tolist())))


@pytest.mark.parametrize("acc_w", [12, 18])
def test_rsnn_pe_set(cocotb_run, acc_w):
    cocotb_run("rsnn_pe_set", __name__,
               parameters={"ACC_W": acc_w})
