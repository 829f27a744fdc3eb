"""Frame-level stream endpoints for long runs (inference, benchmarks), backed by an HDL
harness that moves the beats (verif/rsnn/hdl/rsnn_stream_harness.v).

A cocotb model that handles every AXI4-Stream beat in Python (cocotbext-axi's, or any)
wakes the interpreter ~70 times per rsnn_accel frame; these wake it about once per packet:
the source writes a whole frame and toggles a request line, the sinks read a whole packet
when the harness's packet counter moves. They keep the cocotbext-axi call shapes
(``send(AxiStreamFrame)``, ``recv() -> AxiStreamFrame``, ``count``, ``clear``) so a
testbench can use either. Stalls and TVALID gaps are not available here; the protocol
tests drive the design directly with cocotbext-axi for those.
"""
from __future__ import annotations

from collections import deque

import cocotb
from cocotb.triggers import Event
from cocotbext.axi import AxiStreamFrame


def unsigned_or_none(handle) -> int | None:
    """An unsigned counter's value, or None while it is X/Z (before the first reset)."""
    value = handle.value
    if not value.is_resolvable:
        return None
    return int(value) if len(handle) == 1 else value.to_unsigned()


class HarnessFrameSource:
    """``send(frame)`` writes the frame's bytes (zero-padded to the harness's frame width)
    and TUSER, toggles ``req`` and returns once the harness toggled ``ack`` (last beat
    taken by the DUT)."""

    def __init__(self, data, first, req, ack):
        self.data, self.first, self.req, self.ack = data, first, req, ack
        self.frame_bytes = len(data) // 8
        self.req_level = 0
        self.req.value = 0

    def count(self) -> int:
        return 0  # nothing is queued: send() returns when its frame was taken

    def clear(self) -> None:
        pass

    async def wait(self) -> None:
        """Nothing is ever queued (send() returns once the frame was taken)."""

    def set_pause_generator(self, generator) -> None:
        raise ValueError("the stream harness makes no TVALID gaps; drive rsnn_accel "
                         "directly for stalls")

    def clear_pause_generator(self) -> None:
        pass

    async def send(self, frame) -> None:
        payload = bytes(frame.tdata if isinstance(frame, AxiStreamFrame) else frame)
        user = frame.tuser if isinstance(frame, AxiStreamFrame) else 0
        if isinstance(user, (list, tuple)):
            raise ValueError("HarnessFrameSource takes one integer tuser per frame")
        if len(payload) > self.frame_bytes:
            raise ValueError(f"frame of {len(payload)} bytes, the harness takes "
                             f"{self.frame_bytes}")
        self.data.value = int.from_bytes(payload.ljust(self.frame_bytes, b"\0"), "little")
        self.first.value = int(user or 0)
        self.req_level ^= 1
        self.req.value = self.req_level
        while unsigned_or_none(self.ack) != self.req_level:
            await self.ack.value_change


class HarnessPacketSink:
    """Queues each packet the harness collected: ``beats`` (packed, beat j at
    [j*W +: W]) holds the last packet, ``length`` its beat count and ``seen`` counts
    packets. A packet longer than ``beats`` holds comes back with its extra beats zero,
    so its length still shows."""

    def __init__(self, beats, length, seen, beat_bits: int):
        self.beats, self.length, self.seen = beats, length, seen
        self.beat_bytes = beat_bits // 8
        self.capacity = len(beats) // beat_bits
        self.queue: deque[AxiStreamFrame] = deque()
        self.arrived = Event()
        self.taken = 0
        self._task = cocotb.start_soon(self._run())

    def count(self) -> int:
        return len(self.queue)

    def clear(self) -> None:
        self.queue.clear()

    def set_pause_generator(self, generator) -> None:
        raise ValueError("the stream harness holds TREADY high; drive rsnn_accel "
                         "directly for stalls")

    def clear_pause_generator(self) -> None:
        pass

    async def recv(self) -> AxiStreamFrame:
        while not self.queue:
            self.arrived.clear()
            await self.arrived.wait()
        return self.queue.popleft()

    async def _run(self) -> None:
        while True:
            await self.seen.value_change
            seen = unsigned_or_none(self.seen)
            if seen is None or seen <= self.taken:   # X before reset, or a reset
                self.taken = seen or 0
                continue
            if seen != self.taken + 1:
                raise AssertionError(f"{self.seen._path}: {seen - self.taken} packets "
                                     f"arrived in one step; one was overwritten")
            self.taken = seen
            n = unsigned_or_none(self.length)
            raw = self.beats.value.to_unsigned().to_bytes(self.capacity * self.beat_bytes,
                                                          "little")
            data = raw[:min(n, self.capacity) * self.beat_bytes]
            data += bytes(max(0, n - self.capacity) * self.beat_bytes)
            self.queue.append(AxiStreamFrame(data))
            self.arrived.set()
