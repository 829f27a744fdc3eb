"""rsnn in-order checker: compares each output packet the monitors saw with the next
frame the predictor expects on that stream, and the counter registers with the model's
counters of the last finished frame. Every mismatch is one line of the Scoreboard naming
utterance, frame, layer, step and neuron (or class, or counter), expected and got.
"""
from __future__ import annotations

import numpy as np
from cocotb.triggers import Event

from model.rsnn_schedule import COUNTER_NAMES
from verif.common.components import ExpectedQueue
from verif.common.scoreboard import Scoreboard
from verif.rsnn.agents import OutputPacket
from verif.rsnn.predictor import FrameExpectation

N_SCORE_WORDS = 49       # 48 class scores, then the predicted class
SPIKE_BEAT_BYTES = 16    # 128 neurons


def spike_bits(data: bytes) -> np.ndarray:
    return np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little").astype(np.uint8)


def decode_scores(data: bytes) -> tuple[np.ndarray, int] | None:
    """(48 scores, prediction) of a score packet, None if it is not 49 words."""
    if len(data) != 4 * N_SCORE_WORDS:
        return None
    words = np.frombuffer(data, dtype="<i4").astype(np.int64)
    return words[:48], int(words[48])


def decode_spikes(data: bytes, T: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(S0, S1), each (T, 128), of a spike-tap packet; None if it is not 2T beats."""
    if len(data) != 2 * T * SPIKE_BEAT_BYTES:
        return None
    beats = np.stack([spike_bits(data[SPIKE_BEAT_BYTES * b:SPIKE_BEAT_BYTES * (b + 1)])
                      for b in range(2 * T)])
    return beats[0::2], beats[1::2]     # beats: S0[0], S1[0], S0[1], S1[1]


class RsnnChecker:
    def __init__(self, scoreboard: Scoreboard):
        self.sb = scoreboard
        self.scores = ExpectedQueue[FrameExpectation]("scores")
        self.spikes = ExpectedQueue[FrameExpectation]("spikes")
        self.finished: list[FrameExpectation] = []   # frames whose every output was seen
        self._due: dict[int, set[str]] = {}             # frame -> streams still to come
        self._progress = Event()
        self.cycles: dict[int, list[int]] = {1: [], 2: []}

    # ---- wiring ----
    def expect(self, exp: FrameExpectation) -> None:
        self.scores.put(exp)
        if exp.tap:
            self.spikes.put(exp)
        self._due[exp.frame] = {"scores", "spikes"} if exp.tap else {"scores"}

    def on_output(self, packet: OutputPacket) -> None:
        if packet.stream == "scores":
            self._check_scores(packet.data)
        else:
            self._check_spikes(packet.data)

    def reset(self) -> None:
        """Outputs in flight at a reset are lost by design."""
        self.scores.clear()
        self.spikes.clear()
        self._due.clear()

    # ---- checks ----
    def _check_scores(self, data: bytes) -> None:
        exp = self.scores.take()
        if exp is None:
            self.sb.check("score packet with no frame expected (words)", 0, len(data) // 4)
            return
        where = exp.where
        decoded = decode_scores(data)
        if not self.sb.check(f"{where} score packet words", N_SCORE_WORDS, len(data) // 4):
            self.sb.log.error("expected scores: %s pred %d", exp.result.scores.tolist(),
                              int(exp.result.pred))
        if decoded is not None:
            scores, pred = decoded
            self.sb.check(f"{where} score of class", exp.result.scores, scores)
            self.sb.check(f"{where} argmax", int(exp.result.pred), pred)
        self._done(exp, "scores")

    def _check_spikes(self, data: bytes) -> None:
        exp = self.spikes.take()
        if exp is None:
            self.sb.check("spike-tap packet with no frame expected (beats)", 0,
                          len(data) // SPIKE_BEAT_BYTES)
            return
        res, where = exp.result, exp.where
        self.sb.check(f"{where} spike tap beats", 2 * res.T, len(data) // SPIKE_BEAT_BYTES)
        decoded = decode_spikes(data, res.T)
        if decoded is not None:
            for layer, ref, got in (("L0", res.s0, decoded[0]), ("L1", res.s1, decoded[1])):
                for k in range(res.T):
                    self.sb.check(f"{where} layer {layer} step {k} neuron", ref[k], got[k])
        self._done(exp, "spikes")

    def _done(self, exp: FrameExpectation, stream: str) -> None:
        due = self._due.get(exp.frame)
        if due is None:
            return
        due.discard(stream)
        if not due:
            del self._due[exp.frame]
            self.finished.append(exp)
            self._progress.set()

    def pending_frames(self) -> int:
        """Frames expected whose outputs are not all in yet."""
        return len(self._due)

    async def wait_finished(self, count: int) -> None:
        """Until ``count`` frames (since the checker's start) had all their outputs."""
        while len(self.finished) < count:
            self._progress.clear()
            await self._progress.wait()

    def check_counters(self, exp: FrameExpectation, values: dict[str, int]) -> None:
        for name in COUNTER_NAMES:
            self.sb.check(f"{exp.where} counter {name}", exp.counters[name], values[name])
        self.cycles[exp.result.T].append(exp.counters["cyc_total"])

    def outstanding(self) -> list[str]:
        """Expected outputs never seen."""
        return ([f"{e.where}: score packet never came" for e in self.scores]
                + [f"{e.where}: spike-tap packet never came" for e in self.spikes])
