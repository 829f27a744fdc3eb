"""rsnn_accel stream agents: the frame driver and the monitors of its three streams.

Two ways to reach the streams, with the same interface:
- ``rsnn_accel`` directly: cocotbext-axi models move the beats (the driver's
  AxiStreamSource adds TVALID gaps, the sinks' TREADY stalls), and a passive
  AxiStreamMonitor watches what the DUT accepts on s_axis; for the protocol tests;
- the HDL stream harness (verif/rsnn/hdl/rsnn_stream_harness.v): the harness moves the
  beats and Python handles whole packets (verif.common.stream), about three wake-ups per
  frame; for long runs (inference, benchmarks); no stalls.

Monitors publish transactions (``subscribe``); they check nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import cocotb
import numpy as np
from cocotbext.axi import (AxiStreamBus, AxiStreamFrame, AxiStreamMonitor, AxiStreamSink,
                           AxiStreamSource)

from model.rsnn import N_INPUT_BUF
from verif.common.components import Publisher
from verif.common.pauses import clear_pauses, stall_pattern
from verif.common.stream import HarnessFrameSource, HarnessPacketSink, unsigned_or_none

STALL_MODES = ("none", "random", "worst")


@dataclass(frozen=True)
class InputPacket:
    """A packet the DUT accepted on s_axis: its bytes and the TUSER of its first beat."""
    data: bytes
    tuser: int


@dataclass(frozen=True)
class OutputPacket:
    """A packet the DUT sent on m_axis (scores) or m_axis_spk (spike tap)."""
    stream: str          # "scores" | "spikes"
    data: bytes


def frame_bytes(x) -> bytes:
    """Features (40 or 48 values) as the 48-byte input packet, padding 0."""
    x = np.asarray(x, np.uint8)
    return bytes(np.pad(x, (0, N_INPUT_BUF - len(x))))


class FrameDriver:
    """Drives s_axis, one packet per frame; only drives."""

    def __init__(self, source):
        self.source = source
        self.mode = "none"

    async def send(self, x, first: bool) -> None:
        await self.send_raw(frame_bytes(x), tuser=1 if first else 0)

    async def send_raw(self, data: bytes, tuser: int = 0) -> None:
        """Any packet, of any length (the DUT drops a wrong one)."""
        await self.source.send(AxiStreamFrame(bytes(data), tuser=tuser))

    async def wait_sent(self) -> None:
        """Until every queued packet went out (direct mode)."""
        await self.source.wait()

    def stalls(self, rng, mode: str) -> None:
        """TVALID gaps: none, random or worst (verif.common.pauses.stall_pattern)."""
        self.mode = mode
        gen = stall_pattern(rng, mode)
        if gen is None:
            clear_pauses(self.source)
        else:
            self.source.set_pause_generator(gen)

    def clear(self) -> None:
        self.source.clear()


class PacketMonitor(Publisher[OutputPacket]):
    """Publishes every packet a sink took from an output stream. The sink is the TREADY
    driver: ``stalls`` sets its back-pressure, ``hold`` stops it taking anything."""

    def __init__(self, stream: str, sink):
        super().__init__()
        self.stream = stream
        self.sink = sink
        self.mode = "none"
        self.seen = 0
        cocotb.start_soon(self._run())

    async def _run(self) -> None:
        while True:
            frame = await self.sink.recv()
            self.seen += 1
            self.publish(OutputPacket(self.stream, bytes(frame.tdata)))

    def stalls(self, rng, mode: str) -> None:
        self.mode = mode
        gen = stall_pattern(rng, mode)
        if gen is None:
            clear_pauses(self.sink)
        else:
            self.sink.set_pause_generator(gen)

    def hold(self, on: bool) -> None:
        """TREADY held low (``on``) or released."""
        if on:
            clear_pauses(self.sink)
        self.sink.pause = on

    def clear(self) -> None:
        self.sink.clear()


class InputMonitor(Publisher[InputPacket]):
    """Publishes every packet the DUT accepted on s_axis (passive)."""

    def __init__(self, dut, clk, reset):
        super().__init__()
        self.monitor = AxiStreamMonitor(AxiStreamBus.from_prefix(dut, "s_axis"), clk,
                                        reset=reset, reset_active_level=False)
        self.monitor.log.setLevel(logging.WARNING)
        cocotb.start_soon(self._run())

    async def _run(self) -> None:
        while True:
            frame = await self.monitor.recv()
            tuser = frame.tuser
            first = tuser[0] if isinstance(tuser, (list, tuple)) else tuser
            self.publish(InputPacket(bytes(frame.tdata), int(first or 0)))

    def clear(self) -> None:
        self.monitor.clear()


class HarnessInputMonitor(Publisher[InputPacket]):
    """Publishes every frame the stream harness handed to the DUT. The harness sends
    ``frame_data`` when ``frame_req`` toggles and toggles ``frame_ack`` when the DUT took
    the last beat; the frame is read at the request (the source has just written it)
    and published at the acknowledge. Out of reset ``frame_ack`` equals ``frame_req``."""

    def __init__(self, dut):
        super().__init__()
        self.dut = dut
        self.pending: list[InputPacket] = []
        cocotb.start_soon(self._watch_requests())
        cocotb.start_soon(self._watch_acks())

    def _in_reset(self) -> bool:
        return unsigned_or_none(self.dut.rst_n) != 1

    async def _watch_requests(self) -> None:
        while True:
            await self.dut.frame_req.value_change
            if self._in_reset():
                continue
            data = self.dut.frame_data.value.to_unsigned().to_bytes(N_INPUT_BUF, "little")
            self.pending.append(InputPacket(data, int(self.dut.frame_first.value)))

    async def _watch_acks(self) -> None:
        while True:
            await self.dut.frame_ack.value_change
            if self._in_reset() or not self.pending:
                continue
            self.publish(self.pending.pop(0))

    def clear(self) -> None:
        self.pending.clear()


def direct_agents(dut, clk):
    """(driver, input monitor, score monitor, spike monitor) on rsnn_accel's ports."""
    rst = dict(reset=dut.rst_n, reset_active_level=False)
    source = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), clk, **rst)
    scores = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), clk, **rst)
    spikes = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis_spk"), clk, **rst)
    for model in (source, scores, spikes):
        model.log.setLevel(logging.WARNING)
    return (FrameDriver(source), InputMonitor(dut, clk, dut.rst_n),
            PacketMonitor("scores", scores), PacketMonitor("spikes", spikes))


def harness_agents(dut):
    """The same four on the stream harness."""
    source = HarnessFrameSource(dut.frame_data, dut.frame_first, dut.frame_req, dut.frame_ack)
    scores = HarnessPacketSink(dut.score_words, dut.score_len, dut.scores_seen, 32)
    spikes = HarnessPacketSink(dut.spike_beats, dut.spike_len, dut.spikes_seen, 128)
    return (FrameDriver(source), HarnessInputMonitor(dut),
            PacketMonitor("scores", scores), PacketMonitor("spikes", spikes))
