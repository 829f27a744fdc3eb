"""qclif predictor: turns the bins a monitor saw the DUT accept into what each bin must
produce, with the numpy model (model.qclif.step_bin, model.qclif_schedule.bin_counters)
and the rules of docs/qclif.md:

- a sample starts at the first bin after reset, after a sample's last bin (TLAST) and
  after a CTRL.SAMPLE_RESET write: Va = V = 0, zero context, zero scores;
- the registers (LA..SD) and CTRL.SPIKE_OUT are sampled when a bin starts: the predictor
  reads them from the register agent's shadow (what the registers hold by the map's
  rules) when the bin was accepted, so a test changes them only while no bin is queued;
- per bin: the spike vector (sent with SPIKE_OUT), CYCLES, SYNOPS, SPIKES, BINS, and
  SAMPLE_CYCLES (the last complete sample's cycles, 0 after reset); on the last bin the
  11 scores and the class (argmax, lowest index on ties);
- a sample is limited to 65,535 bins: the 65,536th sets ERR.SAMPLE_LEN (sticky, RW1C)
  and the sample's scores are not defined (``scores_defined`` False: only the packet's
  form is checked).

Silent stretches: a long run of all-zero bins on a silent state (Va = V = 0, no context)
stays silent (Is = Ia = 0, so D = 0 and the leaks keep 0 at 0), which the predictor can
count without the model: ``skip_silent`` counts the bins it is published without making
expectations (the bins are not checked), and ``skip_zero_bins(k)`` counts k bins the
monitor did not see (it was paused while TVALID was held high). Either way the bins
count towards BINS, the sample's length and its SAMPLE_CYCLES.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.qclif import QclifRegs, QclifState, QclifWeights, argmax_lowest, step_bin
from model.qclif_schedule import bin_counters, bin_cycles
from model.regmap import QCLIF
from verif.common.components import Publisher
from verif.common.regs import RegAccess, RegisterAgent
from verif.qclif.agents import InputBin

MAX_SAMPLE_BINS = 65535   # docs/qclif.md "Clarifications"
SAMPLE_RESET = QCLIF.field("CTRL", "SAMPLE_RESET").mask
SPIKE_OUT = QCLIF.field("CTRL", "SPIKE_OUT").mask
ERR_SAMPLE_LEN = QCLIF.err_mask("SAMPLE_LEN")
WORD = 0xFFFFFFFF


@dataclass
class BinExpectation:
    """What one bin must produce. ``sample`` counts samples from the TB's start,
    ``index`` is the bin within its sample, ``bins`` the BINS register after it."""
    sample: int
    index: int
    bins: int
    last: bool                    # TLAST: the sample's scores follow
    spike_out: bool               # CTRL.SPIKE_OUT at the bin's start: a spike vector follows
    regs: QclifRegs
    result: dict                  # model.qclif.step_bin's dict
    counters: dict                # cycles, synops, spikes (32-bit)
    sample_cycles: int            # SAMPLE_CYCLES after the bin
    start: str                    # how its sample started: "reset", "tlast", "ctrl" ("" later)
    scores: np.ndarray | None = None
    pred: int | None = None
    scores_defined: bool = True   # False for a sample longer than 65,535 bins
    context: dict = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"sample {self.sample} bin {self.index}"

    @property
    def spikes(self) -> np.ndarray:
        return self.result["spike"]

    @property
    def packets(self) -> tuple[str, ...]:
        """The m_axis packets it sends, in order."""
        return (("spikes",) if self.spike_out else ()) + (("scores",) if self.last else ())


class QclifPredictor(Publisher[BinExpectation]):
    def __init__(self, regs: RegisterAgent, weights: QclifWeights, n: int, np_units: int):
        super().__init__()
        self.regs = regs
        self.weights = weights.copy()
        self.n, self.np_units = n, np_units
        regs.subscribe(self._on_register)
        self.history: list[BinExpectation] = []
        self.samples = 0                  # samples started since the TB's start
        self.skip_silent = False
        self.context: dict = {}
        self.reset()

    def reset(self) -> None:
        """After reset: the next bin starts a sample; counters and ERR are 0."""
        self.state = QclifState.new(self.n)
        self.pending_start = "reset"
        self.bins = 0                     # BINS: bins since reset
        self.sample_cycles = 0            # SAMPLE_CYCLES
        self.sample_len_error = False     # ERR.SAMPLE_LEN
        self.index = 0
        self.sample = -1
        self.acc_cycles = 0
        self.too_long = False
        self.last: BinExpectation | None = None   # the latest bin, if it was predicted

    def _on_register(self, access: RegAccess) -> None:
        if access.kind != "write" or not access.ok or not access.strb & 1:
            return
        if access.register == "CTRL" and access.value & SAMPLE_RESET:
            self.pending_start = "ctrl"
        elif access.register == "ERR" and access.value & ERR_SAMPLE_LEN:
            self.sample_len_error = False            # RW1C, in byte 0

    def config(self) -> QclifRegs:
        return QclifRegs(**{name: self.regs.shadow_model(name)
                            for name in ("la", "ls", "g0", "theta", "si", "sa", "sd")})

    def expected_err(self) -> int:
        """The ERR bits the bins set (SAMPLE_LEN), for a test's ERR check."""
        return ERR_SAMPLE_LEN if self.sample_len_error else 0

    # ---- bins ----
    def _begin_bin(self) -> str:
        """Sample bookkeeping at a bin's start; returns how its sample started."""
        start = self.pending_start
        if start != "none":
            self.state = QclifState.new(self.n)
            self.samples += 1
            self.sample = self.samples - 1
            self.index = 0
            self.acc_cycles = 0
            self.too_long = False
            self.pending_start = "none"
            return start
        self.index += 1
        if self.index == MAX_SAMPLE_BINS:        # the 65,536th bin starts
            self.sample_len_error = True
            self.too_long = True
        return ""

    def _end_bin(self, cycles: int, last: bool) -> None:
        self.bins = (self.bins + 1) & WORD
        self.acc_cycles += cycles
        if last:
            self.sample_cycles = self.acc_cycles & WORD
            self.pending_start = "tlast"

    def on_bin(self, b: InputBin) -> BinExpectation | None:
        if self.skip_silent:
            self._skip(b.bits, b.last)
            return None
        start = self._begin_bin()
        regs = self.config()
        spike_out = bool(self.regs.shadow("CTRL") & SPIKE_OUT)
        r = step_bin(self.state, b.bits, self.weights, regs)
        cnt = bin_counters(b.bits, r["s_prev"], r["spike"], self.n, self.np_units, b.last)
        counters = {k: int(v) & WORD for k, v in cnt.items()}
        self._end_bin(int(cnt["cycles"]), b.last)
        exp = BinExpectation(self.sample, self.index, self.bins, b.last, spike_out, regs, r,
                             counters, self.sample_cycles, start, context=dict(self.context))
        if b.last:
            exp.scores = np.asarray(self.state.scores, np.int64)
            exp.pred = int(argmax_lowest(self.state.scores))
            exp.scores_defined = not self.too_long
        self.last = exp
        self.history.append(exp)
        self.publish(exp)
        return exp

    # ---- silent stretches, not checked ----
    def _skip(self, bits, last: bool) -> None:
        if last or np.any(bits) or self.regs.shadow("CTRL") & SPIKE_OUT:
            raise AssertionError("qclif predictor: only all-zero bins without TLAST and "
                                 "without CTRL.SPIKE_OUT may go unchecked")
        self._begin_bin()
        s = self.state
        if np.any(s.va) or np.any(s.v) or np.any(s.s_prev):
            raise AssertionError(f"qclif predictor: {self.where_now()} is not silent; its "
                                 "zero bins cannot go unchecked")
        self._end_bin(int(bin_cycles(self.n, self.np_units, False)), False)
        self.last = None

    def preload(self, bins: int | None = None, sample_cycles_so_far: int | None = None,
                sample_bins: int | None = None) -> None:
        """The counters a test wrote into the DUT through the simulator (QclifTb.
        preload_counters), between two bins of a sample: BINS, the cycles of the sample so
        far, the bins of the sample started so far."""
        if bins is not None:
            self.bins = bins & WORD
        if sample_cycles_so_far is not None:
            self.acc_cycles = sample_cycles_so_far
        if sample_bins is not None:
            self.index = sample_bins - 1

    def skip_zero_bins(self, count: int) -> None:
        """``count`` all-zero bins (no TLAST) the DUT took while the monitor was paused:
        the first like any skipped bin, the rest by arithmetic."""
        if count <= 0:
            return
        self._skip(np.zeros(1, np.uint8), False)
        rest = count - 1
        before = self.index
        self.index += rest
        if before < MAX_SAMPLE_BINS <= self.index:
            self.sample_len_error = True
            self.too_long = True
        self.bins = (self.bins + rest) & WORD
        self.acc_cycles += rest * int(bin_cycles(self.n, self.np_units, False))

    def where_now(self) -> str:
        return f"sample {self.sample} bin {self.index}"
