"""axis_skid: AXI4-Stream register slice.

cocotbext-axi's AxiStreamSource/AxiStreamSink (one beat per "byte", so tdata and tuser
are per-beat lists) with random stalls on both sides; every beat (data, last, user) is
scoreboarded in order. No stalls: N beats take exactly N + 1 cycles from the first input
handshake to the last output handshake. Mid-cycle input changes (rst_n included) must
not move any output, and a reset empties the slice.
"""
from __future__ import annotations

import logging

import cocotb
import pytest
from cocotb.triggers import ClockCycles, FallingEdge, ReadOnly, Timer
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

from verif.common.axil import random_pauses
from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase, simulator_name


def uint(sig) -> int:
    """Unsigned value of a vector or of a 1-bit signal (a Logic, which has no to_unsigned)."""
    v = sig.value
    return v.to_unsigned() if hasattr(v, "to_unsigned") else int(v)


def rand_bits(rng, width: int) -> int:
    return int.from_bytes(rng.bytes((width + 7) // 8), "little") % (1 << width)


class Env:
    def __init__(self, dut):
        self.tb = TbBase(dut)
        self.dut = dut
        self.data_w = len(dut.s_axis_tdata)
        self.user_w = len(dut.s_axis_tuser)
        self.source = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.clk,
                                      dut.rst_n, reset_active_level=False, byte_lanes=1)
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.clk,
                                  dut.rst_n, reset_active_level=False, byte_lanes=1)
        for side in (self.source, self.sink):
            side.log.setLevel(logging.WARNING)  # no line per frame
        self.expected: list[tuple[int, int, int]] = []  # (data, last, user) per beat
        self.sb = Scoreboard("axis_skid", self.tb.log)

    def random_frame(self, max_len: int) -> AxiStreamFrame:
        rng = self.tb.rng
        n = int(rng.integers(1, max_len + 1))
        data = [rand_bits(rng, self.data_w) for _ in range(n)]
        user = [int(rng.integers(1 << self.user_w)) for _ in range(n)]
        self.expected += [(d, int(i == n - 1), u) for i, (d, u) in enumerate(zip(data, user))]
        return AxiStreamFrame(data, tuser=user)

    async def send_frames(self, beats: int, max_len: int) -> None:
        sent = 0
        while sent < beats:
            frame = self.random_frame(max_len)
            sent += len(frame.tdata)
            await self.source.send(frame)

    async def receive_all(self, start: int = 0) -> None:
        """Receive until every expected beat from index start on has arrived; check each."""
        index = start
        while index < len(self.expected):
            frame = await self.sink.recv(compact=False)
            n = len(frame.tdata)
            for k in range(n):
                got = (int(frame.tdata[k]), int(k == n - 1), int(frame.tuser[k]))
                exp = self.expected[index] if index < len(self.expected) else None
                self.sb.check(f"beat {index} (beat {k} of a {n}-beat packet) (data, last, user)",
                              exp, got)
                index += 1


def _beats() -> int:
    return 40000 if simulator_name() == "verilator" else 10000


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def random_stalls(dut):
    """Thousands of beats in random packets, stall patterns from none to heavy on each side."""
    env = Env(dut)
    await env.tb.reset()
    phases = [(0.0, 0.5), (0.5, 0.0), (0.3, 0.3), (0.1, 0.8), (0.8, 0.1), (0.5, 0.5)]
    per_phase = _beats() // len(phases)
    for src_p, sink_p in phases:
        start = len(env.expected)
        env.source.set_pause_generator(random_pauses(env.tb.rng, src_p))
        env.sink.set_pause_generator(random_pauses(env.tb.rng, sink_p))
        await env.send_frames(per_phase, 16)  # queued; the source sends them as allowed
        await env.receive_all(start)
    env.sb.finish(min_compared=_beats())


async def _count_handshakes(dut, log: dict) -> None:
    cycle = 0
    while True:
        await FallingEdge(dut.clk)
        await ReadOnly()
        if uint(dut.s_axis_tvalid) and uint(dut.s_axis_tready):
            log["s"].append(cycle)
        if uint(dut.m_axis_tvalid) and uint(dut.m_axis_tready):
            log["m"].append(cycle)
        cycle += 1


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def full_throughput(dut):
    """No stalls: one beat per cycle in and out, N beats in exactly N + 1 cycles."""
    env = Env(dut)
    await env.tb.reset()
    await ClockCycles(dut.clk, 3)  # sink ready before the first beat
    n = 2000 if simulator_name() == "verilator" else 500
    hs: dict[str, list[int]] = {"s": [], "m": []}
    counter = cocotb.start_soon(_count_handshakes(dut, hs))
    frames = []  # packets of 1..10 beats, queued at once so they go back to back
    while sum(len(f.tdata) for f in frames) < n:
        frames.append(env.random_frame(10))
    n = len(env.expected)
    for frame in frames:
        env.source.send_nowait(frame)
    await env.receive_all()
    counter.cancel()
    s, m = hs["s"], hs["m"]
    env.sb.check("input handshakes", n, len(s))
    env.sb.check("output handshakes", n, len(m))
    if s and m:
        env.sb.check(f"cycles from first input to last output handshake for {n} beats",
                     n + 1, m[-1] - s[0] + 1)
        env.sb.check("input bubbles (cycles without a handshake)", 0, s[-1] - s[0] + 1 - len(s))
        env.sb.check("output bubbles (cycles without a handshake)", 0, m[-1] - m[0] + 1 - len(m))
    env.sb.finish(min_compared=n)


@cocotb.test(timeout_time=2, timeout_unit="ms")
async def outputs_are_registered(dut):
    """Inputs (rst_n too) changed at random in mid-cycle: no output may move until the next
    clock edge; after a clock edge that sampled rst_n low the slice is empty."""
    tb = TbBase(dut)
    sb = Scoreboard("axis_skid outputs", tb.log)
    ins = ["s_axis_tdata", "s_axis_tvalid", "s_axis_tlast", "s_axis_tuser", "m_axis_tready"]
    outs = ["s_axis_tready", "m_axis_tdata", "m_axis_tvalid", "m_axis_tlast", "m_axis_tuser"]
    for name in ins:
        getattr(dut, name).value = 0
    await tb.reset()
    rst_sampled = False
    for cycle in range(2000 if simulator_name() == "verilator" else 600):
        await FallingEdge(dut.clk)
        if rst_sampled:
            sb.check(f"cycle {cycle}: (s_axis_tready, m_axis_tvalid) after reset", (1, 0),
                     (uint(dut.s_axis_tready), uint(dut.m_axis_tvalid)))
        before = [str(getattr(dut, n).value) for n in outs]
        for name in ins:
            sig = getattr(dut, name)
            sig.value = rand_bits(tb.rng, len(sig))
        dut.rst_n.value = int(tb.rng.random() >= 0.05)
        await Timer(1, unit="ns")
        after = [str(getattr(dut, n).value) for n in outs]
        sb.check(f"cycle {cycle}: outputs after an input change in mid-cycle", before, after)
        rst_sampled = not uint(dut.rst_n)
    sb.finish(min_compared=600)


@pytest.mark.parametrize("data_w,user_w", [(32, 1), (40, 3)], ids=["d32u1", "d40u3"])
def test_axis_skid(cocotb_run, data_w, user_w):
    cocotb_run("axis_skid", __name__,
               parameters={"DATA_W": data_w, "USER_W": user_w})
