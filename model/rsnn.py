"""Bit-exact numpy reference model of the rsnn network (docs/rsnn.md, "Arithmetic").

Written from docs/rsnn.md only. Every function is vectorized over neurons and over any
leading batch axes; the only Python loops are over frames (in ``run``) and steps (in
``step_frame``), because those are the true sequential dependences.

Index convention for all weight matrices: ``W[input j][output n]``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.errors import InputError
from model.regmap import RSNN
from model.registers import check_ranges
from model.fixed import asr, sat

# ---- sizes (docs/rsnn.md "Sizes") -------------------------------------------------
N_FEATURES = 40          # real features per frame
N_INPUT_BUF = 48         # input buffer entries; 40..47 are zero in every valid frame
N_NEURONS = 128          # L0 and L1
N_FC = 1920              # FC outputs = 15 groups of 128
N_GROUPS = N_FC // N_NEURONS
N_CLASSES = 48
POPULATION = 40          # FC outputs per class
W_MIN, W_MAX = -8, 7     # 4-bit two's complement
ACC_BITS = 12            # currents and membranes
SCORE_BITS = 18

WEIGHT_SHAPES = {
    "win": (N_INPUT_BUF, N_NEURONS),
    "wr0": (N_NEURONS, N_NEURONS),
    "wf1": (N_NEURONS, N_NEURONS),
    "wr1": (N_NEURONS, N_NEURONS),
    "wfc": (N_NEURONS, N_FC),
}

# Register name (in the model's register dataclass) -> (lowest, highest) legal value,
# from the register map (regs/rsnn.hjson, model/regmap).
REGISTER_RANGES = RSNN.legal_ranges()


# ---- weights and registers --------------------------------------------------------
@dataclass
class RsnnWeights:
    """All rsnn weights, int8 in -8..7, indexed [input j][output n]."""

    win: np.ndarray
    wr0: np.ndarray
    wf1: np.ndarray
    wr1: np.ndarray
    wfc: np.ndarray

    def validate(self, source=None) -> "RsnnWeights":
        """Raise InputError naming the field for a wrong shape, type or value."""
        for name, shape in WEIGHT_SHAPES.items():
            w = np.asarray(getattr(self, name))
            if w.shape != shape:
                raise InputError(source, f"shape {w.shape}, expected {shape}", where=name)
            if not np.issubdtype(w.dtype, np.integer):
                raise InputError(source, f"dtype {w.dtype}, expected integers", where=name)
            bad = np.argwhere((w < W_MIN) | (w > W_MAX))
            if bad.size:
                j, n = (int(v) for v in bad[0])
                raise InputError(source, f"[{j}][{n}] = {int(w[j, n])} outside "
                                 f"{W_MIN}..{W_MAX}", where=name)
        return self

    @classmethod
    def zeros(cls) -> "RsnnWeights":
        return cls(**{k: np.zeros(s, np.int8) for k, s in WEIGHT_SHAPES.items()})

    @classmethod
    def random(cls, rng: np.random.Generator, density: float = 0.5,
               input_rows: int = N_FEATURES) -> "RsnnWeights":
        """Random weights: each one nonzero with probability ``density``, then uniform
        over -8..7 without 0. Win rows >= ``input_rows`` are zero (default: 40..47,
        which a valid frame never uses)."""
        def one(shape):
            values = rng.integers(W_MIN, W_MAX, size=shape, endpoint=True)
            values = np.where(values == 0, W_MAX, values)   # nonzero, still -8..7
            keep = rng.random(shape) < density
            return np.where(keep, values, 0).astype(np.int8)

        w = cls(**{k: one(s) for k, s in WEIGHT_SHAPES.items()})
        w.win[input_rows:] = 0
        return w

    def copy(self) -> "RsnnWeights":
        return RsnnWeights(**{k: np.array(getattr(self, k), copy=True) for k in WEIGHT_SHAPES})


@dataclass
class RsnnConfig:
    """Register values sampled at a frame start (docs/rsnn.md). Defaults are only
    convenient test values, not trained ones."""

    T: int = 2
    s_in: int = 0
    b0: int = 1
    b1: int = 1
    theta0: int = 64
    theta1: int = 64

    def validate(self, source=None) -> "RsnnConfig":
        """Raise InputError naming the register that is not an int in its legal range."""
        check_ranges(self, REGISTER_RANGES, source)
        return self

    def as_dict(self) -> dict:
        return {k: int(getattr(self, k)) for k in REGISTER_RANGES}


# ---- pure per-block functions (RTL block tests scoreboard against these) ---------
def _i64(v):
    return np.asarray(v, dtype=np.int64)


def pad_features(x) -> np.ndarray:
    """(..., 40|48) features -> (..., 48) int64; entries 40..47 of a 40-wide frame are 0."""
    x = _i64(x)
    if x.shape[-1] == N_INPUT_BUF:
        return x
    pad = [(0, 0)] * (x.ndim - 1) + [(0, N_INPUT_BUF - x.shape[-1])]
    return np.pad(x, pad)


def input_term(x, win) -> np.ndarray:
    """``A[n] = sum_{i<48} x[i] * Win[i][n]``, exact (fits 18 bits signed)."""
    return pad_features(x) @ _i64(win)


def input_current(A, s_in: int) -> np.ndarray:
    """``Iin = sat_12(A >>> s_in)``; the shift floors, also for negative A."""
    return sat(asr(A, s_in), ACC_BITS)


def leak(u, b: int) -> np.ndarray:
    """``leak(u) = u - (u >>> b)``."""
    u = _i64(u)
    return u - asr(u, b)


def lif(u_prev, i, b: int, theta: int) -> tuple[np.ndarray, np.ndarray]:
    """One LIF step for a layer: returns (membrane after reset, spikes as 0/1 uint8)."""
    u = sat(leak(u_prev, b) + _i64(i), ACC_BITS)
    s = u >= theta
    return np.where(s, 0, u), s.astype(np.uint8)


def layer_current_l0(iin, s_prev, wr0) -> np.ndarray:
    """``I0[k] = sat_12(Iin + S0[t-1][k] @ Wr0)``; s_prev may carry a step axis
    (..., T, 128), iin (..., 128) then broadcasts over it."""
    iin = _i64(iin)
    if _i64(s_prev).ndim > iin.ndim:
        iin = iin[..., None, :]
    return sat(iin + _i64(s_prev) @ _i64(wr0), ACC_BITS)


def layer_current_l1(s0, s1_prev, wf1, wr1) -> np.ndarray:
    """``I1[k] = S0[t][k] @ Wf1 + S1[t-1][k] @ Wr1``: 256 terms, always in -2048..1792,
    so no saturation is needed."""
    return _i64(s0) @ _i64(wf1) + _i64(s1_prev) @ _i64(wr1)


def merged_spikes(s1_steps) -> np.ndarray:
    """``m[j] = sum_k S1[t][k][j]`` in {0, 1, 2}; s1_steps is (..., T, 128)."""
    return _i64(s1_steps).sum(axis=-2)


def fc(m, wfc) -> np.ndarray:
    """``z[o] = sum_j m[j] * Wfc[j][o]`` (m = 2 doubles the weight)."""
    return _i64(m) @ _i64(wfc)


def class_scores(z) -> np.ndarray:
    """``score[c] = sum_{p<40} z[40c + p]``."""
    z = _i64(z)
    return z.reshape(*z.shape[:-1], N_CLASSES, POPULATION).sum(axis=-1)


def argmax_lowest(scores) -> np.ndarray:
    """Argmax over the last axis; numpy's argmax already returns the lowest index on ties."""
    return np.argmax(_i64(scores), axis=-1)


# ---- frame-at-a-time API ----------------------------------------------------------
@dataclass
class RsnnState:
    """Network state carried between the frames of one utterance.

    ``T`` is None until the utterance's first frame samples it from the config; it is
    then held for the whole utterance (docs/rsnn.md). ``u0``/``u1`` are the membranes
    after the last step of the previous frame; ``s0``/``s1`` (..., T, 128) are the
    previous frame's spikes per step.
    """

    batch_shape: tuple = ()
    T: int | None = None
    frame: int = 0
    u0: np.ndarray | None = None
    u1: np.ndarray | None = None
    s0: np.ndarray | None = None
    s1: np.ndarray | None = None

    @classmethod
    def new(cls, batch_shape: tuple = ()) -> "RsnnState":
        """State at utterance start: U = 0, S = 0 (arrays sized when T is sampled)."""
        return cls(batch_shape=tuple(batch_shape))

    def _start(self, T: int) -> None:
        b = self.batch_shape
        self.T = T
        self.u0 = np.zeros(b + (N_NEURONS,), np.int64)
        self.u1 = np.zeros(b + (N_NEURONS,), np.int64)
        self.s0 = np.zeros(b + (T, N_NEURONS), np.uint8)
        self.s1 = np.zeros(b + (T, N_NEURONS), np.uint8)


@dataclass
class FrameResult:
    """Everything the network computes for one frame (leading axes = batch)."""

    T: int
    x: np.ndarray         # (..., 48) padded input features
    A: np.ndarray         # (..., 128) exact input term
    iin: np.ndarray       # (..., 128)
    s0_prev: np.ndarray   # (..., T, 128) recurrent inputs read by this frame
    s1_prev: np.ndarray
    i0: np.ndarray        # (..., T, 128) currents per step
    u0: np.ndarray        # (..., T, 128) membranes after each step (after reset)
    s0: np.ndarray        # (..., T, 128) spikes per step
    i1: np.ndarray
    u1: np.ndarray
    s1: np.ndarray
    m: np.ndarray         # (..., 128) merged spikes 0..2
    z: np.ndarray         # (..., 1920)
    scores: np.ndarray    # (..., 48)
    pred: np.ndarray      # (...,)


def _run_layer(u_start, currents, b, theta):
    """LIF over the steps of one frame; the membrane chain is the only step dependence."""
    u_steps, s_steps = [], []
    u = u_start
    for k in range(currents.shape[-2]):
        u, s = lif(u, currents[..., k, :], b, theta)
        u_steps.append(u)
        s_steps.append(s)
    return np.stack(u_steps, axis=-2), np.stack(s_steps, axis=-2)


def step_frame(state: RsnnState, x, weights: RsnnWeights, config: RsnnConfig) -> FrameResult:
    """Process one frame (or one frame of each utterance in a batch); updates ``state``
    in place and returns the frame's values. ``config.T`` is used only at the first
    frame of an utterance."""
    config.validate()
    if state.T is None:
        state._start(config.T)
    x = _check_frame(x, state.batch_shape)
    A = input_term(x, weights.win)
    iin = input_current(A, config.s_in)

    s0_prev, s1_prev = state.s0, state.s1
    i0 = layer_current_l0(iin, s0_prev, weights.wr0)
    u0, s0 = _run_layer(state.u0, i0, config.b0, config.theta0)
    i1 = layer_current_l1(s0, s1_prev, weights.wf1, weights.wr1)
    u1, s1 = _run_layer(state.u1, i1, config.b1, config.theta1)

    m = merged_spikes(s1)
    z = fc(m, weights.wfc)
    scores = class_scores(z)

    state.u0, state.u1 = u0[..., -1, :], u1[..., -1, :]
    state.s0, state.s1 = s0, s1
    state.frame += 1
    return FrameResult(T=state.T, x=x, A=A, iin=iin, s0_prev=s0_prev, s1_prev=s1_prev,
                       i0=i0, u0=u0, s0=s0, i1=i1, u1=u1, s1=s1, m=m, z=z,
                       scores=scores, pred=argmax_lowest(scores))


def _check_frame(x, batch_shape) -> np.ndarray:
    """One frame per utterance: (*batch, 40|48) integers in 0..255, padded to 48."""
    x = np.asarray(x)
    if x.shape not in (batch_shape + (N_FEATURES,), batch_shape + (N_INPUT_BUF,)):
        raise InputError(None, f"shape {x.shape}, expected {batch_shape} + (40|48,)",
                         where="frame")
    if not np.issubdtype(x.dtype, np.integer) or (x.size and (x.min() < 0 or x.max() > 255)):
        raise InputError(None, "features must be integers in 0..255", where="frame")
    return pad_features(x)


# ---- whole utterances ------------------------------------------------------------
@dataclass
class RsnnResult:
    """Per-frame values of ``run``; leading axes (utterances,) frames."""

    T: int
    A: np.ndarray         # (..., frames, 128) int32, exact input term
    iin: np.ndarray       # (..., frames, 128) int16
    i0: np.ndarray        # (..., frames, T, 128) int16
    u0: np.ndarray        # (..., frames, T, 128) int16
    spikes0: np.ndarray   # (..., frames, T, 128) uint8
    i1: np.ndarray
    u1: np.ndarray
    spikes1: np.ndarray
    m: np.ndarray         # (..., frames, 128) uint8
    z: np.ndarray         # (..., frames, 1920) int16
    scores: np.ndarray    # (..., frames, 48) int32
    pred: np.ndarray      # (..., frames) int64

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def __getitem__(self, key):
        """Dict-style access, e.g. ``result["spikes0"]``."""
        return getattr(self, key)


# FrameResult field -> (RsnnResult field, dtype)
_COLLECT = {
    "A": ("A", np.int32), "iin": ("iin", np.int16),
    "i0": ("i0", np.int16), "u0": ("u0", np.int16), "s0": ("spikes0", np.uint8),
    "i1": ("i1", np.int16), "u1": ("u1", np.int16), "s1": ("spikes1", np.uint8),
    "m": ("m", np.uint8), "z": ("z", np.int16), "scores": ("scores", np.int32),
    "pred": ("pred", np.int64),
}


def check_features(features, source=None) -> np.ndarray:
    """Features as int64 (frames, 40|48) or (utterances, frames, 40|48), values 0..255."""
    f = np.asarray(features)
    if f.ndim not in (2, 3) or f.shape[-1] not in (N_FEATURES, N_INPUT_BUF):
        raise InputError(source, f"shape {f.shape}, expected (frames, 40|48) or "
                         "(utterances, frames, 40|48)", where="features")
    if not np.issubdtype(f.dtype, np.integer):
        raise InputError(source, f"dtype {f.dtype}, expected integers", where="features")
    if f.size and (f.min() < 0 or f.max() > 255):
        raise InputError(source, "values outside 0..255", where="features")
    if f.shape[-1] == N_INPUT_BUF and np.any(f[..., N_FEATURES:]):
        # The input buffer's entries 40..47 are padding: the accelerator flags and zeroes them.
        frame = int(np.argwhere(np.any(f[..., N_FEATURES:], axis=-1))[0][-1])
        raise InputError(source, f"frame {frame}: entries 40..47 must be 0 (padding)",
                         where="features")
    return f.astype(np.int64)


def run(weights: RsnnWeights, config: RsnnConfig, features) -> RsnnResult:
    """Run one utterance (frames, 40|48) or a batch (utterances, frames, 40|48), each
    starting from U = 0, S = 0, with the same registers for every frame."""
    weights.validate()
    config.validate()
    f = check_features(features)
    state = RsnnState.new(batch_shape=f.shape[:-2])
    frames = [step_frame(state, f[..., t, :], weights, config) for t in range(f.shape[-2])]
    T = config.T
    out = {}
    for src, (dst, dtype) in _COLLECT.items():
        if frames:
            out[dst] = np.stack([getattr(r, src) for r in frames], axis=len(state.batch_shape))
        else:  # zero frames: empty arrays of the right shape
            out[dst] = np.zeros(state.batch_shape + (0,) + _empty_tail(src, T))
        out[dst] = out[dst].astype(dtype)
    return RsnnResult(T=T, **out)


def _empty_tail(src: str, T: int) -> tuple:
    if src in ("i0", "u0", "s0", "i1", "u1", "s1"):
        return (T, N_NEURONS)
    return {"z": (N_FC,), "scores": (N_CLASSES,), "pred": ()}.get(src, (N_NEURONS,))
