"""Helpers shared by the rsnn block tests: spike vectors, zero-skip walks and their
traces, lane checks. Lane buses pack and unpack with model/lanes.py (lane n of a W-bit
bus is bits [W*n+W-1 : W*n])."""
from __future__ import annotations

import numpy as np

from model.lanes import pack_bits


def spike_vector(rng: np.random.Generator, n: int, density: float) -> np.ndarray:
    """(n,) 0/1 uint8 vector, each bit set with probability ``density`` (0 and 1 exact)."""
    return (rng.random(n) < density).astype(np.uint8)


async def run_phase(tb, inputs: dict, outputs, scramble=None, idle_after: int = 1,
                    max_cycles: int = 5000) -> tuple[list[dict], list[dict]]:
    """Run one walk of a zero-skip unit: ``start`` = 1 with ``inputs`` in cycle 0, then
    ``start`` = 0 (and ``scramble(c)`` called to change inputs the unit must have
    sampled); sample ``outputs`` (unsigned) in every cycle, after the clock edge with
    that cycle's inputs settled, until the first cycle with ``done`` = 1. Then
    ``idle_after`` more cycles with start low. Returns (walk trace, idle trace): cycle 0
    of the walk trace is the start cycle, its last entry the first done cycle."""
    from cocotb.triggers import ReadOnly, RisingEdge

    dut = tb.dut
    handles = [(name, getattr(dut, name)) for name in outputs]
    walk: list[dict] = []
    idle: list[dict] = []
    trace = walk
    for c in range(max_cycles):
        await RisingEdge(tb.clk)
        if c == 0:
            dut.start.value = 1
            for name, value in inputs.items():
                getattr(dut, name).value = value
        else:
            dut.start.value = 0
            if scramble is not None and trace is walk:
                scramble(c)
        await ReadOnly()
        trace.append({name: read_unsigned(h) for name, h in handles})
        if trace is idle and len(idle) == idle_after:
            return walk, idle
        if trace is walk and walk[-1]["done"]:
            if idle_after == 0:
                return walk, idle
            trace = idle
    raise AssertionError(f"no done within {max_cycles} cycles of start")


def read_unsigned(handle) -> int:
    """A port's value as an unsigned int (1-bit ports read as Logic, wider ones as
    LogicArray); an X or Z raises."""
    value = handle.value
    return value.to_unsigned() if hasattr(value, "to_unsigned") else int(value)


def check_trace(sb, where: str, expected: list[dict], got: list[dict]) -> None:
    """Cycle-by-cycle comparison of a unit's outputs; a None expected value is a
    don't-care (e.g. an index while valid is low). The cycle count is compared first."""
    sb.check(f"{where}: cycles from start to done", len(expected) - 1, len(got) - 1)
    for c, (exp, act) in enumerate(zip(expected, got)):
        fields = [k for k, v in exp.items() if v is not None]
        e = [int(exp[k]) for k in fields]
        g = [int(act[k]) for k in fields]
        if e == g:
            sb.check(where, e, g)  # counted; the where string only matters on a mismatch
        else:
            for k, ev, gv in zip(fields, e, g):
                if ev != gv:
                    sb.check(f"{where}: cycle {c} {k}", ev, gv)


def hex_bits(bits) -> str:
    """A 0/1 vector as hex (bit j = bit j of the number), for mismatch messages."""
    return hex(pack_bits(bits))


def check_lanes(sb, name: str, inputs: dict, expected, got, max_lanes: int = 4) -> None:
    """Compare all lanes of a combinational output at once; on a mismatch, report each
    differing lane (up to ``max_lanes``) with that lane's inputs (``inputs``: name ->
    per-lane array or a scalar shared by all lanes)."""
    e, g = np.asarray(expected), np.asarray(got)
    if np.array_equal(e, g):
        sb.check(name, e, g)
        return
    bad = np.flatnonzero(e != g)
    for lane in bad[:max_lanes]:
        args = ", ".join(f"{k}={int(np.asarray(v)[lane]) if np.ndim(v) else v}"
                         for k, v in inputs.items())
        sb.check(f"{name}({args}) lane {lane}", int(e[lane]), int(g[lane]))
    if bad.size > max_lanes:
        sb.log.error("MISMATCH %s %s: %d more lanes differ", sb.block, name,
                     bad.size - max_lanes)
