"""rsnn predictor: turns the input packets a monitor saw into the frames the DUT must
produce, with the numpy model (model/rsnn.py, model/rsnn_schedule.py) and the rules of
docs/rsnn.md "Host interfaces":

- a packet that is not 48 bytes is dropped (ERR.PKT_LEN): nothing is expected of it;
- bytes 40..47 are padding, processed as 0 (a nonzero one sets ERR.PAD_NONZERO);
- a frame starts an utterance (U = 0, S = 0) when its first beat has TUSER = 1, after a
  CTRL.UTT_RESET write, and after reset;
- T is sampled at an utterance's first frame and held; s_in, b0, b1, theta0, theta1,
  SCHEDULE (which changes only the counters) and CTRL.SPIKE_TAP are sampled when a
  frame starts. The predictor takes them from the
  register agent's shadow (what the registers hold by the map's rules) when the frame's
  packet was accepted, so a test changes them only while no frame is queued.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.regmap import RSNN
from model.rsnn import N_FEATURES, N_INPUT_BUF, RsnnConfig, RsnnState, RsnnWeights, step_frame
from model.rsnn_schedule import frame_counters
from verif.common.components import Publisher
from verif.common.regs import RegAccess, RegisterAgent
from verif.rsnn.agents import InputPacket

UTT_RESET = RSNN.field("CTRL", "UTT_RESET")
SCHEDULE_NAME = {value: name for name, value in RSNN.field("SCHEDULE").enum.items()}
SPIKE_TAP = RSNN.field("CTRL", "SPIKE_TAP")


@dataclass
class FrameExpectation:
    """What one frame must produce: the model's FrameResult, every counter, and whether
    the spike tap sends it; ``frame``/``utterance`` count from the last reset."""
    frame: int
    utterance: int
    index: int                 # frame number within its utterance
    result: object             # model.rsnn.FrameResult
    counters: dict
    tap: bool
    schedule: str              # "paper" | "union": the counters' schedule
    start: str                 # how its utterance started: "tuser", "ctrl", "reset", "none"
    context: dict = field(default_factory=dict)   # stimulus facts for coverage

    @property
    def where(self) -> str:
        return (f"utt {self.utterance} frame {self.index} T={self.result.T} "
                f"{self.schedule}")


class RsnnPredictor(Publisher[FrameExpectation]):
    def __init__(self, regs: RegisterAgent, weights: RsnnWeights):
        super().__init__()
        self.regs = regs
        self.weights = weights.copy()
        regs.subscribe(self._on_register)
        self.history: list[FrameExpectation] = []
        self.dropped = 0
        self.context: dict = {}
        self.reset()

    def reset(self) -> None:
        """After reset the first frame starts an utterance (and registers are at reset)."""
        self.state = RsnnState.new()
        self.T: int | None = None
        self.pending_start = "reset"
        self.frame = 0
        self.utterance = -1
        self.index = 0

    def _on_register(self, access: RegAccess) -> None:
        if (access.kind == "write" and access.ok and access.register == "CTRL"
                and access.strb & 1 and access.value & UTT_RESET.mask):
            self.pending_start = "ctrl"

    def config(self) -> RsnnConfig:
        values = {name: self.regs.shadow_model(name)
                  for name in ("s_in", "b0", "b1", "theta0", "theta1")}
        return RsnnConfig(T=self.T, **values)

    def on_input(self, packet: InputPacket) -> FrameExpectation | None:
        if len(packet.data) != N_INPUT_BUF:
            self.dropped += 1
            return None
        start = "tuser" if packet.tuser & 1 else self.pending_start
        if start != "none":
            self.state = RsnnState.new()
            self.T = self.regs.shadow_model("T")
            self.utterance += 1
            self.index = 0
            self.pending_start = "none"
        x = np.frombuffer(packet.data, np.uint8)[:N_FEATURES].astype(np.int64)
        res = step_frame(self.state, x, self.weights, self.config())
        schedule = SCHEDULE_NAME[self.regs.shadow("SCHEDULE")]
        cnt = frame_counters(res.x, res.s0_prev, res.s1_prev, res.s0, res.s1, res.T,
                             schedule)
        tap = bool(self.regs.shadow("CTRL") & SPIKE_TAP.mask)
        exp = FrameExpectation(self.frame, self.utterance, self.index, res, cnt, tap,
                               schedule, start, dict(self.context))
        self.frame += 1
        self.index += 1
        self.history.append(exp)
        self.publish(exp)
        return exp
