"""Bit-exact numpy reference model of the qclif network (docs/qclif.md, "Neuron" and
"Network").

Written from docs/qclif.md only, never from the RTL. One pure function per hardware
block (spike weighting, apical compartment, gain, multiplication unit, somatic
compartment, threshold comparator), each vectorized over neurons and any leading batch
axes, so an RTL block test can scoreboard it alone. The only Python loop is over time
bins (in ``run``): the compartments and the context are the true sequential dependence.

Index convention for all weight matrices: ``W[source][neuron]``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.errors import InputError
from model.regmap import QCLIF
from model.registers import check_ranges
from model.fixed import asr, clamp_u8, sat

# ---- sizes (docs/qclif.md "Network") ----------------------------------------------
N_INPUTS = 200           # input channels (ml/dvs/binning.py channel order)
N_MAX = 200              # largest network
N_DEFAULT = 200
N_CLASSES = 11
W_MIN, W_MAX = -128, 127  # int8 weights
CURRENT_BITS = 8          # Is and Ia are sat_8
SCORE_BITS = 32           # readout accumulators (exact in the model, see run())


def weight_shapes(n: int) -> dict[str, tuple[int, int]]:
    """Logical weight matrices for N = n neurons, index [source][neuron]."""
    return {"win": (N_INPUTS, n), "wctx": (n, n), "wout": (n, N_CLASSES)}


def synapse_count(n: int = N_DEFAULT) -> int:
    """Input + context + readout synapses (82,200 at N = 200)."""
    return sum(r * c for r, c in weight_shapes(n).values())


# Register name (in the model's register dataclass) -> (lowest, highest) legal value,
# from the register map (regs/qclif.hjson, model/regmap).
REGISTER_RANGES = QCLIF.legal_ranges()


# ---- weights and registers --------------------------------------------------------
@dataclass
class QclifWeights:
    """All qclif weights, int8, index [source][neuron]: win (200, N), wctx (N, N),
    wout (N, 11). N is taken from ``win``."""

    win: np.ndarray
    wctx: np.ndarray
    wout: np.ndarray

    @property
    def n(self) -> int:
        return int(np.shape(self.win)[1]) if np.ndim(self.win) == 2 else -1

    def validate(self, source=None) -> "QclifWeights":
        """Raise InputError naming the field for a wrong shape, type or value."""
        n = self.n
        if not 1 <= n <= N_MAX:
            raise InputError(source, f"shape {np.shape(self.win)}, expected "
                             f"({N_INPUTS}, N) with 1 <= N <= {N_MAX}", where="win")
        for name, shape in weight_shapes(n).items():
            w = np.asarray(getattr(self, name))
            if w.shape != shape:
                raise InputError(source, f"shape {w.shape}, expected {shape} (N = {n})",
                                 where=name)
            if not np.issubdtype(w.dtype, np.integer):
                raise InputError(source, f"dtype {w.dtype}, expected integers", where=name)
            bad = np.argwhere((w < W_MIN) | (w > W_MAX))
            if bad.size:
                r, c = (int(v) for v in bad[0])
                raise InputError(source, f"[{r}][{c}] = {int(w[r, c])} outside "
                                 f"{W_MIN}..{W_MAX}", where=name)
        return self

    @classmethod
    def zeros(cls, n: int = N_DEFAULT) -> "QclifWeights":
        return cls(**{k: np.zeros(s, np.int8) for k, s in weight_shapes(n).items()})

    @classmethod
    def random(cls, rng: np.random.Generator, n: int = N_DEFAULT, density: float = 0.5,
               low: int = W_MIN, high: int = W_MAX) -> "QclifWeights":
        """Random weights: each nonzero with probability ``density``, uniform over
        ``low..high`` (inclusive) otherwise."""
        def one(shape):
            values = rng.integers(low, high, size=shape, endpoint=True)
            keep = rng.random(shape) < density
            return np.where(keep, values, 0).astype(np.int8)

        return cls(**{k: one(s) for k, s in weight_shapes(n).items()})

    def copy(self) -> "QclifWeights":
        return QclifWeights(**{k: np.array(getattr(self, k), copy=True)
                               for k in ("win", "wctx", "wout")})


@dataclass
class QclifRegs:
    """Register values (docs/qclif.md). Defaults are convenient test values, not
    trained ones."""

    la: int = 1
    ls: int = 1
    g0: int = 16
    theta: int = 64
    si: int = 2
    sa: int = 2
    sd: int = 4

    def validate(self, source=None) -> "QclifRegs":
        """Raise InputError naming the register that is not an int in its legal range."""
        check_ranges(self, REGISTER_RANGES, source)
        return self

    def as_dict(self) -> dict:
        return {k: int(getattr(self, k)) for k in REGISTER_RANGES}


# ---- pure per-block functions (RTL block tests scoreboard against these) ---------
def _i64(v):
    return np.asarray(v, dtype=np.int64)


def weighted_sum(bits, weights) -> np.ndarray:
    """Adder-tree output ``sum_k bits[k] * W[k][n]``, exact (|sum| <= 200*128).
    bits (..., K) 0/1; weights (K, n) or (K,) for a single neuron."""
    return _i64(bits) @ _i64(weights)


def spike_weighting(bits, weights, shift) -> np.ndarray:
    """Spike weighting module: ``sat_8((sum_k bits[k] * W[k][n]) >>> shift)``.
    The shift floors (also for negative sums) and is applied before the saturation."""
    return sat(asr(weighted_sum(bits, weights), shift), CURRENT_BITS)


def apical(va, la, ia) -> np.ndarray:
    """Apical compartment: ``Va' = clamp_u8(Va - la + Ia)`` (one clamp, after both)."""
    return clamp_u8(_i64(va) - _i64(la) + _i64(ia))


def gain(g0, va_new) -> np.ndarray:
    """``g = g0 + Va'``, 0..510 (9-bit unsigned); uses the *new* apical value."""
    return _i64(g0) + _i64(va_new)


def multiply(i_s, g, sd) -> np.ndarray:
    """Multiplication unit: ``D = (Is * g) >>> sd``, floor shift of the signed product."""
    return asr(_i64(i_s) * _i64(g), sd)


def soma(v, ls, d) -> np.ndarray:
    """Somatic compartment: ``V' = clamp_u8(V - ls + D)`` (one clamp, after both)."""
    return clamp_u8(_i64(v) - _i64(ls) + _i64(d))


def threshold(v, theta) -> tuple[np.ndarray, np.ndarray]:
    """Threshold comparator: spike iff ``V' >= theta``, then ``V' - theta``.
    Returns (V after the subtraction, spike as 0/1 uint8)."""
    v = _i64(v)
    spike = v >= _i64(theta)
    return np.where(spike, v - _i64(theta), v), spike.astype(np.uint8)


def readout(spikes, wout) -> np.ndarray:
    """One bin's readout contribution ``sum_n s[n] * Wout[n][c]`` (..., 11)."""
    return _i64(spikes) @ _i64(wout)


def argmax_lowest(scores) -> np.ndarray:
    """Argmax over the last axis; numpy's argmax already returns the lowest index on ties."""
    return np.argmax(_i64(scores), axis=-1)


NEURON_KEYS = ("is_", "ia", "va", "g", "d", "v_soma", "v", "spike")


def neuron_step(state, x_bits, ctx_bits, win_col, wctx_col, regs: QclifRegs) -> dict:
    """One bin of ``qclif_neuron`` (or of many neurons at once).

    state: (Va, V) before the bin; x_bits (..., 200) input bits; ctx_bits (..., N) the
    previous bin's spikes; win_col (200,) / wctx_col (N,) for one neuron, or (200, n) /
    (N, n) for n neurons. Returns the dict of ``NEURON_KEYS``: ``is_``, ``ia``, ``va``
    (Va'), ``g``, ``d``, ``v_soma`` (V' before the threshold), ``v`` (V' after it, the
    stored state) and ``spike``.
    """
    va_prev, v_prev = state
    i_s = spike_weighting(x_bits, win_col, regs.si)
    ia = spike_weighting(ctx_bits, wctx_col, regs.sa)
    va = apical(va_prev, regs.la, ia)
    g = gain(regs.g0, va)
    d = multiply(i_s, g, regs.sd)
    v_soma = soma(v_prev, regs.ls, d)
    v, spike = threshold(v_soma, regs.theta)
    return {"is_": i_s, "ia": ia, "va": va, "g": g, "d": d, "v_soma": v_soma, "v": v,
            "spike": spike}


# ---- bin-at-a-time API -------------------------------------------------------------
@dataclass
class QclifState:
    """Network state carried between the bins of one sample (leading axes = batch).

    ``va``/``v`` (..., N) are the compartments after the previous bin, ``s_prev``
    (..., N) the previous bin's spikes (the context register), ``scores`` (..., 11) the
    readout accumulators, ``bin`` the number of bins processed.
    """

    va: np.ndarray
    v: np.ndarray
    s_prev: np.ndarray
    scores: np.ndarray
    bin: int = 0

    @classmethod
    def new(cls, n: int = N_DEFAULT, batch_shape: tuple = ()) -> "QclifState":
        """State at sample start: Va = V = 0, no context spikes, scores 0."""
        b = tuple(batch_shape)
        return cls(va=np.zeros(b + (n,), np.int64), v=np.zeros(b + (n,), np.int64),
                   s_prev=np.zeros(b + (n,), np.uint8),
                   scores=np.zeros(b + (N_CLASSES,), np.int64))

    @property
    def batch_shape(self) -> tuple:
        return self.va.shape[:-1]


def step_bin(state: QclifState, x_bits, weights: QclifWeights, regs: QclifRegs) -> dict:
    """Process one bin (of each sample in a batch); updates ``state`` in place.

    Returns the ``neuron_step`` dict for all N neurons plus ``s_prev`` (the context read
    by this bin) and ``scores`` (the accumulators after this bin's readout).
    """
    regs.validate()
    s_prev = state.s_prev
    out = neuron_step((state.va, state.v), x_bits, s_prev, weights.win, weights.wctx, regs)
    state.scores = state.scores + readout(out["spike"], weights.wout)
    state.va, state.v, state.s_prev = out["va"], out["v"], out["spike"]
    state.bin += 1
    return {**out, "s_prev": s_prev, "scores": state.scores}


# ---- whole samples ---------------------------------------------------------------
@dataclass
class QclifResult:
    """Values of ``run``; leading axes (samples,) then bins for the per-bin fields."""

    spikes: np.ndarray    # (..., bins, N) uint8
    va: np.ndarray        # (..., bins, N) uint8, Va' after the bin
    v: np.ndarray         # (..., bins, N) uint8, V after the threshold (stored state)
    is_: np.ndarray       # (..., bins, N) int8
    ia: np.ndarray        # (..., bins, N) int8
    g: np.ndarray         # (..., bins, N) uint16, 0..510
    d: np.ndarray         # (..., bins, N) int32 (18-bit signed)
    scores: np.ndarray    # (..., 11) int64, summed over all bins
    pred: np.ndarray      # (...,) int64, lowest index on ties

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def __getitem__(self, key):
        """Dict-style access, e.g. ``result["spikes"]``."""
        return getattr(self, key)


# step_bin key -> (QclifResult field, dtype)
_COLLECT = {
    "spike": ("spikes", np.uint8), "va": ("va", np.uint8), "v": ("v", np.uint8),
    "is_": ("is_", np.int8), "ia": ("ia", np.int8), "g": ("g", np.uint16),
    "d": ("d", np.int32),
}


def check_inputs(inputs, source=None) -> np.ndarray:
    """Input bits as uint8 (bins, 200) or (samples, bins, 200), values 0/1."""
    x = np.asarray(inputs)
    if x.ndim not in (2, 3) or x.shape[-1] != N_INPUTS:
        raise InputError(source, f"shape {x.shape}, expected (bins, {N_INPUTS}) or "
                         f"(samples, bins, {N_INPUTS})", where="inputs")
    if not (np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_):
        raise InputError(source, f"dtype {x.dtype}, expected integers or bool",
                         where="inputs")
    if x.size and ((x < 0) | (x > 1)).any():
        raise InputError(source, "values other than 0 and 1", where="inputs")
    return x.astype(np.uint8)


def run(weights: QclifWeights, regs: QclifRegs, inputs) -> QclifResult:
    """Run one sample (bins, 200) or a batch (samples, bins, 200), each starting from
    Va = V = 0 and no context, with the same registers for every bin.

    Scores are exact int64; the hardware's 32-bit accumulators hold them exactly as
    long as bins * N * 128 < 2^31 (over 80,000 bins at N = 200).
    """
    weights.validate()
    regs.validate()
    x = check_inputs(inputs)
    state = QclifState.new(weights.n, batch_shape=x.shape[:-2])
    bins = [step_bin(state, x[..., t, :], weights, regs) for t in range(x.shape[-2])]
    axis = len(state.batch_shape)
    out = {}
    for src, (dst, dtype) in _COLLECT.items():
        if bins:
            out[dst] = np.stack([b[src] for b in bins], axis=axis).astype(dtype)
        else:  # zero bins: empty arrays of the right shape
            out[dst] = np.zeros(state.batch_shape + (0, weights.n), dtype)
    return QclifResult(**out, scores=state.scores, pred=argmax_lowest(state.scores))
