"""The rsnn training form: ``RsnnNet`` and its proof of equality with ``model.rsnn``.

``RsnnNet`` is the integer network of docs/rsnn.md written in torch:

- ``mode="int"``: float64 tensors holding integers, no autograd: exactly the integer
  network (``assert_integer_equal`` checks it against ``model.rsnn.run``).
- ``mode="qat"``: the same forward values in float32 (every intermediate is an integer
  well below 2^24: |A| <= 81,600, currents and membranes 12-bit, class scores < 2^17),
  with straight-through gradients for the 4-bit weight rounding, the floor shifts
  (``A >>> s_in`` and the leak) and the saturations, and a fast-sigmoid surrogate
  gradient for the spike. The training loss is computed on the network the hardware runs.
- ``mode="float"``: the same graph without weight rounding and without floors (clamps,
  spike step and reset kept): the float baseline (``train --float`` trains it separately
  with the same schedule).

Weights are latent float parameters in units of the 4-bit range: ``w_int =
clamp(round(8 * w), -8, 7)``. The per-layer scale is fixed (8 for every layer) and is
folded into the integer registers: theta0/theta1, s_in and the leak shifts b0/b1 are
plain integers chosen before training (``s_in`` calibrated on data, see
``ml.train.rsnn.loop.calibrate_s_in``) and never change, so the exported integers run
unchanged.

The population readout ``score[c] = sum_{p<40} z[40c+p]`` equals ``m @ Wcls`` with
``Wcls[j][c] = sum_p Wfc[j][40c+p]`` (integer sums, exact), which is how it is computed.
Sizes, weight range and accumulator width are ``model.rsnn``'s.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math

import numpy as np
import torch
from torch import nn

from ml.train.common import floor_shift, quantize_range, saturate, spike_fn
from ml.train.rsnn.data import length_batches, pad_batch
from model.rsnn import (
    ACC_BITS, N_CLASSES, N_FC, N_FEATURES, N_INPUT_BUF, N_NEURONS, POPULATION, W_MAX, W_MIN,
    RsnnConfig, RsnnWeights,
)
from model.rsnn import run as rsnn_run

W_SCALE = float(-W_MIN)       # latent 1.0 = 8 integer units: w_int = round(8 * latent)
MODES = ("int", "qat", "float")


# ---- the training form -----------------------------------------------------------
class RsnnNet(nn.Module):
    """Two recurrent LIF layers + merged-spike FC with population readout (docs/rsnn.md).

    ``hidden`` is 256 while training before pruning and 128 (the hardware size) after.
    ``fc_mask`` (hidden, 1920) holds the unstructured FC pruning (1 keep, 0 pruned).
    """

    def __init__(self, hidden: int, regs: RsnnConfig, *, slope: float = 4.0,
                 seed: int | None = None):
        super().__init__()
        self.hidden = hidden
        self.regs = regs
        self.slope = slope
        H = hidden
        self.win = nn.Parameter(torch.zeros(N_FEATURES, H))
        self.wr0 = nn.Parameter(torch.zeros(H, H))
        self.wf1 = nn.Parameter(torch.zeros(H, H))
        self.wr1 = nn.Parameter(torch.zeros(H, H))
        self.wfc = nn.Parameter(torch.zeros(H, N_FC))
        self.log_temp = nn.Parameter(torch.tensor(math.log(0.03)))   # logits = score * temp
        self.register_buffer("fc_mask", torch.ones(H, N_FC))
        self.reset_parameters()

    NAMES = ("win", "wr0", "wf1", "wr1", "wfc")

    def reset_parameters(self) -> None:
        """Integer-unit standard deviations at init: Win 3, Wr0 1, Wf1 3.5, Wr1 1,
        Wfc 2 (latent = integer / 8)."""
        std = {"win": 3.0, "wr0": 1.0, "wf1": 3.5, "wr1": 1.0, "wfc": 2.0}
        with torch.no_grad():
            for name, s in std.items():
                getattr(self, name).normal_(0.0, s / W_SCALE)
        self.clip_latent_()

    def clip_latent_(self) -> None:
        """Keep latent weights inside the 4-bit range (+ half a step)."""
        with torch.no_grad():
            for name in self.NAMES:
                getattr(self, name).clamp_((W_MIN - 0.5) / W_SCALE, (W_MAX + 0.5) / W_SCALE)

    def effective_weights(self, mode: str, dtype=torch.float32) -> dict:
        """Weights in integer units as used by ``mode``."""
        out = {}
        for name in self.NAMES:
            w = getattr(self, name).to(dtype) * W_SCALE
            if name == "wfc":
                w = w * self.fc_mask.to(dtype)
            if mode == "qat":
                w = quantize_range(w, W_MIN, W_MAX)
            elif mode == "int":
                w = torch.clamp(torch.round(w), W_MIN, W_MAX)
            else:
                w = torch.clamp(w, float(W_MIN), float(W_MAX))
            out[name] = w
        return out

    # -- integer weights in and out --
    def rsnn_weights(self) -> RsnnWeights:
        if self.hidden != N_NEURONS:
            raise ValueError(f"hidden = {self.hidden}; prune to {N_NEURONS} before export")
        with torch.no_grad():
            w = {k: v.numpy().astype(np.int8) for k, v in
                 self.effective_weights("int", torch.float64).items()}
        win = np.zeros((N_INPUT_BUF, N_NEURONS), np.int8)
        win[:N_FEATURES] = w["win"]
        return RsnnWeights(win=win, wr0=w["wr0"], wf1=w["wf1"], wr1=w["wr1"], wfc=w["wfc"])

    @classmethod
    def from_rsnn(cls, weights: RsnnWeights, regs: RsnnConfig) -> "RsnnNet":
        weights.validate()
        if np.any(weights.win[N_FEATURES:]):
            raise ValueError("win rows 40..47 must be 0 (never read)")
        H = weights.wr0.shape[0]
        net = cls(H, regs)
        with torch.no_grad():
            for name in cls.NAMES:
                w = np.asarray(getattr(weights, name), np.float64)
                if name == "win":
                    w = w[:N_FEATURES]
                getattr(net, name).copy_(torch.from_numpy(w / W_SCALE))
        return net

    # -- forward --
    def initial_state(self, batch: int, T: int, dtype) -> tuple:
        z = torch.zeros(batch, self.hidden, dtype=dtype)
        s = torch.zeros(batch, T, self.hidden, dtype=dtype)
        return (z, z.clone(), s, s.clone())

    def _lif(self, u, i, b: int, theta: int, mode: str, exact: bool):
        """U = sat_12(leak(U) + I); S = U >= theta; reset to 0."""
        if exact:
            u = u - floor_shift(u, b, True)
        else:
            u = u * (1.0 - 2.0 ** -b)
        u = saturate(u + i, ACC_BITS)
        if mode == "int":
            s = (u >= theta).to(u.dtype)
        else:
            s = spike_fn((u - theta) / theta, self.slope, 1.0 / theta)
        u = u * (1.0 - s.detach())
        return u, s

    def forward(self, x, mode: str = "qat", state=None, T: int | None = None,
                weights: dict | None = None) -> dict:
        """x (B, F, 40) features 0..255. Returns scores (B, F, 48), spikes s0/s1
        (B, F, T, H) and the state after the last frame (carry it into the next chunk)."""
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}, expected one of {MODES}")
        r = self.regs
        T = T or r.T
        dtype = torch.float64 if mode == "int" else torch.float32
        exact = mode != "float"
        ctx = torch.no_grad() if mode == "int" else contextlib.nullcontext()
        with ctx:
            w = weights if weights is not None else self.effective_weights(mode, dtype)
            x = torch.as_tensor(x).to(dtype)
            B, nF, _ = x.shape
            if state is None:
                state = self.initial_state(B, T, dtype)
            u0, u1, s0p, s1p = state
            A = x @ w["win"]                                             # exact
            iin = saturate(floor_shift(A, r.s_in, exact), ACC_BITS)
            S0, S1 = [], []
            for t in range(nF):
                i0 = saturate(iin[:, t, None, :] + s0p @ w["wr0"], ACC_BITS)  # (B, T, H)
                steps = []
                for k in range(T):
                    u0, s = self._lif(u0, i0[:, k], r.b0, r.theta0, mode, exact)
                    steps.append(s)
                s0 = torch.stack(steps, 1)
                i1 = s0 @ w["wf1"] + s1p @ w["wr1"]                      # fits 12 bits at H=128
                steps = []
                for k in range(T):
                    u1, s = self._lif(u1, i1[:, k], r.b1, r.theta1, mode, exact)
                    steps.append(s)
                s1 = torch.stack(steps, 1)
                S0.append(s0)
                S1.append(s1)
                s0p, s1p = s0, s1
            S0 = torch.stack(S0, 1)
            S1 = torch.stack(S1, 1)
            m = S1.sum(2)                                                 # (B, F, H) in 0..T
            wcls = w["wfc"].reshape(self.hidden, N_CLASSES, POPULATION).sum(-1)
            scores = m @ wcls
        return {"scores": scores, "s0": S0, "s1": S1, "m": m, "state": (u0, u1, s0p, s1p)}

    def logits(self, scores):
        return scores * self.log_temp.exp()


# ---- proof of equality ----------------------------------------------------------
def assert_integer_equal(net: RsnnNet, features, T: int | None = None) -> dict:
    """Run ``features`` (U, F, 40|48) or (F, 40|48) through the torch integer mode and
    ``model.rsnn.run``; raise AssertionError unless spikes, scores and predictions are
    identical. Returns the numpy result."""
    f = np.asarray(features)
    single = f.ndim == 2
    if single:
        f = f[None]
    T = T or net.regs.T
    cfg = dataclasses.replace(net.regs, T=T)
    ref = rsnn_run(net.rsnn_weights(), cfg, f)
    out = net(torch.from_numpy(f[..., :N_FEATURES].astype(np.float64)), "int", T=T)
    got = {"spikes0": out["s0"].numpy(), "spikes1": out["s1"].numpy(),
           "scores": out["scores"].numpy(), "pred": out["scores"].argmax(-1).numpy()}
    for key, val in got.items():
        if not np.array_equal(val.astype(np.int64), np.asarray(ref[key]).astype(np.int64)):
            bad = np.argwhere(val.astype(np.int64) != np.asarray(ref[key]).astype(np.int64))
            raise AssertionError(f"{key} differs at {bad[0].tolist()} "
                                 f"({bad.shape[0]} entries)")
    return ref


def assert_integer_equal_all(net: RsnnNet, items, T: int | None = None,
                             batch: int = 64, bar=None) -> dict:
    """``assert_integer_equal`` over every utterance of ``items`` (batched by length,
    padded at the end, compared on each utterance's own frames). Raises AssertionError
    naming the utterance index, the array and the first differing entry.
    Returns {"utterances", "frames"} checked. ``bar`` advances per utterance."""
    T = T or net.regs.T
    cfg = dataclasses.replace(net.regs, T=T)
    weights = net.rsnn_weights()
    frames = 0
    for idx in length_batches(items, batch, None):
        group = [items[i] for i in idx]
        x, _ = pad_batch(group)
        xn = x.numpy().astype(np.int64)
        ref = rsnn_run(weights, cfg, xn)
        out = net(x.double(), "int", T=T)
        got = {"spikes0": out["s0"].numpy(), "spikes1": out["s1"].numpy(),
               "scores": out["scores"].numpy(), "pred": out["scores"].argmax(-1).numpy()}
        for b, it in enumerate(group):
            n = len(it[0])
            for key, val in got.items():
                a = val[b, :n].astype(np.int64)
                r = np.asarray(ref[key])[b, :n].astype(np.int64)
                if not np.array_equal(a, r):
                    bad = np.argwhere(a != r)
                    raise AssertionError(f"utterance {idx[b]}: {key} differs at "
                                         f"{bad[0].tolist()} ({bad.shape[0]} entries)")
            frames += n
        if bar is not None:
            bar.advance(len(group))
    return {"utterances": len(items), "frames": frames}
