"""qclif in-order checker: compares each m_axis packet the monitor saw with the next
packet the predictor expects (one stream, so spike vectors and score packets are checked
in their order too), and the counter registers with the model's counters of a bin.

Per spike vector (TUSER = 1): ceil(N/32) beats, TUSER 1 on every beat, bit n = neuron n,
the padding bits above N zero. Per score packet (TUSER = 0): 12 beats, TUSER 0 on every
beat, the 11 scores in class order and the predicted class (not for a sample longer
than 65,535 bins, whose scores are not defined). Counters of a bin: BINS, CYCLES, SYNOPS,
SPIKES and SAMPLE_CYCLES. Every mismatch is one line of the Scoreboard naming sample,
bin and neuron (or class, or counter), expected and got:
``MISMATCH qclif_network sample 2 bin 3 spike of neuron[7]: expected 1 got 0``.
"""
from __future__ import annotations

import numpy as np
from cocotb.triggers import Event

from model.qclif import N_CLASSES
from verif.common.components import ExpectedQueue
from verif.common.scoreboard import Scoreboard
from verif.qclif.agents import OutputPacket
from verif.qclif.predictor import BinExpectation

N_SCORE_BEATS = N_CLASSES + 1
COUNTERS = ("cycles", "synops", "spikes")   # CYCLES, SYNOPS, SPIKES


def spike_beats(n: int) -> int:
    return (n + 31) // 32


def decode_spikes(data: bytes) -> np.ndarray:
    """(32 * beats,) bits of a spike-vector packet: bit n = neuron n, then padding."""
    return np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little")


def decode_scores(data: bytes) -> tuple[np.ndarray, int] | None:
    """(11 scores, class) of a score packet, None if it is not 12 beats."""
    if len(data) != 4 * N_SCORE_BEATS:
        return None
    words = np.frombuffer(data, "<i4").astype(np.int64)
    return words[:N_CLASSES], int(words[N_CLASSES])


class QclifChecker:
    def __init__(self, scoreboard: Scoreboard, n: int):
        self.sb = scoreboard
        self.n = n
        self.packets = ExpectedQueue[tuple[str, BinExpectation]]("m_axis")
        self._drained = Event()
        self._drained.set()
        self.cycles: list[int] = []

    # ---- wiring ----
    def expect(self, exp: BinExpectation) -> None:
        for kind in exp.packets:
            self.packets.put((kind, exp))
            self._drained.clear()

    def on_output(self, packet: OutputPacket) -> None:
        item = self.packets.take()
        if item is None:
            self.sb.check(f"m_axis packet of {packet.beats} beats (TUSER {packet.tuser[:1]}) "
                          "with no bin expected: packets", 0, 1)
        elif item[0] == "spikes":
            self._check_spikes(item[1], packet)
        else:
            self._check_scores(item[1], packet)
        if not len(self.packets):
            self._drained.set()

    def reset(self) -> None:
        """Outputs in flight at a reset are lost by design."""
        self.packets.clear()
        self._drained.set()

    async def drained(self) -> None:
        """Until every packet expected so far was seen."""
        await self._drained.wait()

    # ---- checks ----
    def _check_spikes(self, exp: BinExpectation, packet: OutputPacket) -> None:
        where, beats = exp.where, spike_beats(self.n)
        self.sb.check(f"{where} spike beats", beats, packet.beats)
        self.sb.check(f"{where} spike TUSER", [1] * beats, list(packet.tuser))
        if packet.beats == beats:
            bits = decode_spikes(packet.data)
            self.sb.check(f"{where} spike of neuron", exp.spikes, bits[:self.n])
            self.sb.check(f"{where} spike padding bits", np.zeros(32 * beats - self.n, np.uint8),
                          bits[self.n:])

    def _check_scores(self, exp: BinExpectation, packet: OutputPacket) -> None:
        where = exp.where
        self.sb.check(f"{where} score beats", N_SCORE_BEATS, packet.beats)
        self.sb.check(f"{where} score TUSER", [0] * N_SCORE_BEATS, list(packet.tuser))
        decoded = decode_scores(packet.data)
        if decoded is not None and exp.scores_defined:
            scores, pred = decoded
            self.sb.check(f"{where} score of class", exp.scores, scores)
            self.sb.check(f"{where} predicted class", exp.pred, pred)

    def check_counters(self, exp: BinExpectation, values: dict[str, int]) -> None:
        """``values``: BINS, CYCLES, SYNOPS, SPIKES, SAMPLE_CYCLES as read after the bin."""
        where = exp.where
        self.sb.check(f"{where} BINS", exp.bins, values["BINS"])
        for name in COUNTERS:
            self.sb.check(f"{where} counter {name}", exp.counters[name], values[name.upper()])
        self.sb.check(f"{where} SAMPLE_CYCLES", exp.sample_cycles, values["SAMPLE_CYCLES"])
        self.cycles.append(exp.counters["cycles"])

    def outstanding(self) -> list[str]:
        """Expected packets never seen."""
        return [f"{exp.where}: {kind} packet never came" for kind, exp in self.packets]
