"""qclif_network stream agents: the bin driver on s_axis, a monitor of the bins the DUT
accepted, and a monitor of the packets it sent on m_axis (whose sink drives TREADY).

- ``BinDriver`` drives one beat per bin, TLAST on a sample's last bin, with optional
  random TVALID gaps (cocotbext's AxiStreamSource ends every frame with TLAST, so it
  cannot send a sample bin by bin); ``hold``/``release`` keep TVALID high on one beat for
  long stretches with no Python per bin. It only drives.
- ``BinMonitor`` publishes each beat the DUT accepted (TVALID and TREADY at a rising
  edge, out of reset) as an ``InputBin`` with its TLAST. It sleeps while TVALID or TREADY
  is low, so it costs a wake-up per clock only while a handshake can happen. ``pause``
  stops it for a stretch the predictor is told about instead (verif/qclif/predictor.py).
- ``PacketMonitor`` publishes every m_axis packet (a spike vector, TUSER = 1, or the 11
  scores and the class, TUSER = 0; each ends with TLAST) with the TUSER of every beat. Its
  AxiStreamSink is the TREADY driver: ``stalls`` sets random back-pressure, ``hold``
  holds TREADY low.

Monitors publish transactions (``subscribe``); they check nothing.
"""
from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

import cocotb
import numpy as np
from cocotb.triggers import Event, RisingEdge
from cocotb.utils import get_sim_time
from cocotbext.axi import AxiStreamBus, AxiStreamSink

from model.qclif import N_INPUTS
from verif.common.components import Publisher
from verif.common.pauses import clear_pauses, random_pauses

BEAT_BYTES = 4   # m_axis: 32-bit TDATA


@dataclass(frozen=True)
class InputBin:
    """A bin the DUT accepted on s_axis: its 200 input bits and TLAST."""
    bits: np.ndarray     # (200,) uint8
    last: bool


@dataclass(frozen=True)
class OutputPacket:
    """A packet the DUT sent on m_axis (TLAST on its last beat): TDATA and TUSER per beat."""
    data: bytes
    tuser: tuple[int, ...]

    @property
    def beats(self) -> int:
        return len(self.data) // BEAT_BYTES


def bins_word(bits) -> int:
    """Input bits (bit c = channel c) as the TDATA integer."""
    return int.from_bytes(np.packbits(np.asarray(bits, np.uint8), bitorder="little").tobytes(),
                          "little")


def word_bins(word: int) -> np.ndarray:
    """TDATA integer -> (200,) input bits."""
    raw = np.frombuffer(int(word).to_bytes((N_INPUTS + 7) // 8, "little"), np.uint8)
    return np.unpackbits(raw, bitorder="little")[:N_INPUTS]


def _high(signal) -> bool:
    value = signal.value
    return value.is_resolvable and int(value) == 1


class BinDriver:
    """Drives s_axis: one beat per queued bin, TLAST as given, random TVALID gaps."""

    def __init__(self, dut, clk, rng):
        self.dut, self.clk, self.rng = dut, clk, rng
        self.queue: deque = deque()
        self.gap_prob = 0.0
        self.sent = 0
        self._wake = Event()
        self._idle = Event()
        self._idle.set()
        self._task = None
        dut.s_axis_tvalid.value = 0
        dut.s_axis_tlast.value = 0
        dut.s_axis_tdata.value = 0
        self._task = cocotb.start_soon(self._run())

    def send(self, bits, last: bool) -> None:
        """Queue one bin (returns at once)."""
        self.queue.append((bins_word(bits), int(bool(last))))
        self._idle.clear()
        self._wake.set()

    async def wait_sent(self) -> None:
        """Until every queued bin was taken by the DUT."""
        await self._idle.wait()

    def stalls(self, gap_prob: float) -> None:
        """TVALID gaps: before each beat, idle cycles with probability ``gap_prob`` each."""
        self.gap_prob = gap_prob

    def clear(self) -> None:
        """Drop everything queued and idle the bus (at a reset)."""
        if self._task is not None:
            self._task.cancel()
        self.queue.clear()
        self.dut.s_axis_tvalid.value = 0
        self._idle.set()
        self._task = cocotb.start_soon(self._run())

    async def _run(self) -> None:
        dut = self.dut
        while True:
            if not self.queue:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                await RisingEdge(self.clk)   # drive on a clock boundary
            data, last = self.queue.popleft()
            while self.gap_prob and self.rng.random() < self.gap_prob:
                await RisingEdge(self.clk)
            dut.s_axis_tdata.value = data
            dut.s_axis_tlast.value = last
            dut.s_axis_tvalid.value = 1
            while True:
                await RisingEdge(self.clk)
                if _high(dut.s_axis_tready):
                    break
            self.sent += 1
            dut.s_axis_tvalid.value = 0

    # ---- TVALID held high (no Python per bin) ----
    def hold(self, bits, last: bool = False) -> None:
        """Hold TVALID high on one beat: the DUT takes it again whenever it is ready.
        Only with nothing queued."""
        if self.queue:
            raise RuntimeError("hold() with bins queued")
        self._task.cancel()
        self._task = None
        self.dut.s_axis_tdata.value = bins_word(bits)
        self.dut.s_axis_tlast.value = int(bool(last))
        self.dut.s_axis_tvalid.value = 1

    async def release(self) -> None:
        """Drop TVALID right after the next transfer (AXI4-Stream: only after one)."""
        while True:
            await RisingEdge(self.clk)
            if _high(self.dut.s_axis_tready):
                break
        self.dut.s_axis_tvalid.value = 0
        self._task = cocotb.start_soon(self._run())


class BinMonitor(Publisher[InputBin]):
    """Publishes every beat the DUT accepted on s_axis, with its TLAST (passive)."""

    def __init__(self, dut, clk):
        super().__init__()
        self.dut, self.clk = dut, clk
        self.seen = 0
        self._cleared_at = -1
        self._resume = Event()
        self._resume.set()
        cocotb.start_soon(self._run())

    def pause(self) -> None:
        """Stop publishing (no wake-ups) until ``resume``; beats accepted meanwhile are
        not seen."""
        self._resume.clear()

    def resume(self) -> None:
        self._resume.set()

    def clear(self) -> None:
        """At a reset: a beat seen at this very edge (the DUT will be reset before it
        finishes it) is not published."""
        self._cleared_at = get_sim_time()

    async def _run(self) -> None:
        dut = self.dut
        edge = RisingEdge(self.clk)
        valid_rise, ready_rise = RisingEdge(dut.s_axis_tvalid), RisingEdge(dut.s_axis_tready)
        while True:
            await edge
            if not self._resume.is_set():
                await self._resume.wait()
                continue
            valid, ready = _high(dut.s_axis_tvalid), _high(dut.s_axis_tready)
            if valid and ready and _high(dut.rst_n):
                if get_sim_time() == self._cleared_at:
                    continue
                self.seen += 1
                self.publish(InputBin(word_bins(dut.s_axis_tdata.value.to_unsigned()),
                                      _high(dut.s_axis_tlast)))
            elif not valid:
                await valid_rise
            elif not ready:
                await ready_rise


def _tuser_beats(frame, beats: int) -> tuple[int, ...]:
    """TUSER per beat (cocotbext keeps one per byte lane, or one int when constant)."""
    tuser = frame.tuser
    if tuser is None:
        return ()
    if isinstance(tuser, int):
        return (tuser,) * beats
    values = [int(v) for v in tuser]
    step = len(values) // beats if beats and len(values) >= beats else 1
    return tuple(values[::step])


class PacketMonitor(Publisher[OutputPacket]):
    """Publishes every m_axis packet its sink took; the sink drives TREADY."""

    def __init__(self, dut, clk):
        super().__init__()
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), clk,
                                  reset=dut.rst_n, reset_active_level=False)
        self.sink.log.setLevel(logging.WARNING)
        self.seen = 0
        self._cleared_at = -1
        cocotb.start_soon(self._run())

    async def _run(self) -> None:
        while True:
            frame = await self.sink.recv()
            if frame.sim_time_end == self._cleared_at:
                continue          # its last beat came at the very edge of a reset
            data = bytes(frame.tdata)
            self.seen += 1
            self.publish(OutputPacket(data, _tuser_beats(frame, len(data) // BEAT_BYTES)))

    def stalls(self, rng, probability: float) -> None:
        """TREADY low with ``probability`` per cycle (0: never)."""
        if probability > 0:
            self.sink.set_pause_generator(random_pauses(rng, probability))
        else:
            clear_pauses(self.sink)

    def hold(self, on: bool) -> None:
        """TREADY held low (``on``) or released."""
        clear_pauses(self.sink)
        self.sink.pause = on

    def clear(self) -> None:
        """At a reset: packets taken but not yet published are dropped, and so is one
        whose last beat the sink takes at this very edge (it may run after the reset's
        callbacks, which have cleared what the checker expected)."""
        self.sink.clear()
        self._cleared_at = get_sim_time()
