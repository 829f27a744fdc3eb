"""The qclif training form: ``QclifNet``, its registers, and its proof of equality with
``model.qclif``.

``QclifNet`` is the integer network of docs/qclif.md written in torch:

- ``mode="int"``: float64 tensors holding integers, no autograd: exactly the integer
  network (asserted against ``model.qclif.run`` by ``assert_integer_equal``).
- ``mode="qat"``: the same forward values (float32 holds every intermediate exactly:
  |sums| <= 25,600, |Is * g| <= 65,280, scores < 2^24 for the 60-bin windows), with
  straight-through gradients for the weight rounding, the floor shifts and the
  saturations, and a fast-sigmoid surrogate gradient for the spike. So the training
  loss is computed on the very network the hardware runs.
- ``mode="float"``: the same graph without weight rounding and without floors (clamps
  and the spike step kept): a float baseline.

Weights are latent float parameters in units of the weight range (``w_int =
clamp(round(w * 2^(bits-1)))``); ``bits=4`` limits them to -8..7, stored in the same
int8 memories, with ``regs_for_bits(4)`` (input shifts 4 smaller). Sizes and the current
width are ``model.qclif``'s.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math

import numpy as np
import torch
from torch import nn

from ml.train.common import (
    clamp_ste, clamp_unsigned, floor_shift, int_range, quantize_int, saturate, spike_fn,
)
from model.qclif import CURRENT_BITS, N_CLASSES, N_INPUTS, QclifRegs, QclifWeights
from model.qclif import run as qclif_run

STATE_BITS = 8            # Va and V are clamp_u8 (model.fixed.clamp_u8)

# Registers for 8-bit weights [ours]; docs/training_qclif.md explains each choice.
REGS_8BIT = QclifRegs(la=4, ls=4, g0=16, theta=32, si=4, sa=4, sd=4)


def regs_for_bits(bits: int, base: QclifRegs = REGS_8BIT) -> QclifRegs:
    """Registers for ``bits``-bit weights: a b-bit weight is worth 2^(8-b) int8 weights,
    so the input shifts ``si`` and ``sa`` are 8-b smaller. With the default registers
    (si = sa = 4) a 4-bit network is then *exactly* the 8-bit network whose weights are
    multiples of 16. A shift that would go below 0 is 0 and, for ``si``, the rest is
    taken from ``sd`` (same D); ``sa`` has no such partner, so Ia is smaller then."""
    if not 1 <= bits <= 8:
        raise ValueError(f"bits must be 1..8, got {bits}")
    k = 8 - bits
    si, sa, sd = base.si - k, base.sa - k, base.sd
    if si < 0:
        sd, si = max(0, sd + si), 0
    return dataclasses.replace(base, si=si, sa=max(0, sa), sd=sd).validate()


# ---- the training form -------------------------------------------------------------
class QclifNet(nn.Module):
    """qclif network of N neurons with ``bits``-bit weights (see the module docstring).

    forward(x, mode) with x (batch, bins, 200) 0/1 returns a dict: ``scores`` (batch, 11),
    ``pred`` (batch,), ``spikes`` (batch, bins, N) and, with ``record``, ``va`` and ``v``
    (batch, bins, N; V after the threshold) as in ``model.qclif.run``.
    """

    def __init__(self, n: int = 200, bits: int = 8, regs: QclifRegs | None = None, *,
                 surrogate_slope: float = 4.0, surrogate_width: float | None = None,
                 detach_reset: bool = True, temp_init: float = 0.05,
                 init_std: tuple[float, float, float] = (0.3, 0.15, 0.1)):
        super().__init__()
        if not 1 <= n <= 200:
            raise ValueError(f"n must be 1..200, got {n}")
        self.n, self.bits = int(n), int(bits)
        self.regs = (regs or regs_for_bits(bits)).validate()
        self.qmax = float(1 << (self.bits - 1))     # latent 1.0 = 2^(bits-1) integer units
        self.w_lo, self.w_hi = int_range(self.bits)
        self.surrogate_slope = float(surrogate_slope)
        self.surrogate_width = float(surrogate_width or self.regs.theta)
        self.detach_reset = bool(detach_reset)
        self.win = nn.Parameter(torch.empty(N_INPUTS, n))
        self.wctx = nn.Parameter(torch.empty(n, n))
        self.wout = nn.Parameter(torch.empty(n, N_CLASSES))
        # readout temperature for the loss only (argmax does not depend on it)
        self.log_temp = nn.Parameter(torch.tensor(math.log(temp_init)))
        self.init_std = init_std
        self.reset_parameters()

    WEIGHT_NAMES = ("win", "wctx", "wout")

    def reset_parameters(self) -> None:
        with torch.no_grad():
            for name, std in zip(self.WEIGHT_NAMES, self.init_std):
                getattr(self, name).normal_(0.0, std)
            self.clip_latent_()

    def clip_latent_(self) -> None:
        """Keep latent weights within half a step of the integer range (call after
        each optimizer step), so a weight pushed past the end can come back at once."""
        lo, hi = (self.w_lo - 0.5) / self.qmax, (self.w_hi + 0.49) / self.qmax
        with torch.no_grad():
            for name in self.WEIGHT_NAMES:
                getattr(self, name).clamp_(lo, hi)

    # ---- weights ----
    def effective_weights(self, mode: str = "qat", dtype=torch.float32) -> dict:
        """{name: weight in integer units}: rounded and clamped ("qat", "int") or only
        clamped ("float")."""
        out = {}
        for name in self.WEIGHT_NAMES:
            w = getattr(self, name).to(dtype) * self.qmax
            if mode == "float":
                out[name] = clamp_ste(w, self.w_lo, self.w_hi, straight=True)
            else:
                out[name] = quantize_int(w, self.bits)
        return out

    def qclif_weights(self) -> QclifWeights:
        """The integer weights as ``model.qclif.QclifWeights`` (int8 arrays)."""
        with torch.no_grad():
            w = self.effective_weights("int", torch.float64)
        return QclifWeights(**{k: v.numpy().astype(np.int8) for k, v in w.items()}).validate()

    def load_qclif_weights(self, weights: QclifWeights) -> "QclifNet":
        """Set the latent weights so that the integer weights are ``weights``."""
        weights.validate()
        if weights.n != self.n:
            raise ValueError(f"weights have N = {weights.n}, this net N = {self.n}")
        for name in self.WEIGHT_NAMES:
            w = np.asarray(getattr(weights, name), np.int64)
            if w.min() < self.w_lo or w.max() > self.w_hi:
                raise ValueError(f"{name} has values outside {self.w_lo}..{self.w_hi} "
                                 f"({self.bits}-bit weights)")
            with torch.no_grad():
                getattr(self, name).copy_(torch.from_numpy(w / self.qmax))
        return self

    @classmethod
    def from_qclif(cls, weights: QclifWeights, regs: QclifRegs, bits: int = 8,
                   **kwargs) -> "QclifNet":
        return cls(weights.n, bits, regs, **kwargs).load_qclif_weights(weights)

    # ---- the network ----
    def forward(self, x, mode: str = "qat", record: bool = False) -> dict:
        if mode not in ("qat", "int", "float"):
            raise ValueError(f"mode {mode!r}, expected 'qat', 'int' or 'float'")
        dtype = torch.float64 if mode == "int" else torch.float32
        x = torch.as_tensor(x).to(dtype)
        if x.ndim != 3 or x.shape[-1] != N_INPUTS:
            raise ValueError(f"inputs of shape {tuple(x.shape)}, expected (batch, bins, "
                             f"{N_INPUTS})")
        grad = torch.no_grad() if mode == "int" else contextlib.nullcontext()
        with grad:
            return self._run(x, mode, record, dtype)

    def _run(self, x, mode, record, dtype) -> dict:
        r, exact = self.regs, mode != "float"
        w = self.effective_weights(mode, dtype)
        batch, bins, _ = x.shape
        # The input does not depend on the recurrence: all bins in one matmul.
        i_s = saturate(floor_shift(x @ w["win"], r.si, exact), CURRENT_BITS)
        va = x.new_zeros(batch, self.n)
        v = x.new_zeros(batch, self.n)
        s = x.new_zeros(batch, self.n)
        theta, width = float(r.theta), self.surrogate_width
        spikes, vas, vs = [], [], []
        for t in range(bins):
            ia = saturate(floor_shift(s @ w["wctx"], r.sa, exact), CURRENT_BITS)
            va = clamp_unsigned(va - r.la + ia, STATE_BITS)
            g = va + r.g0
            d = floor_shift(i_s[:, t] * g, r.sd, exact)
            v_soma = clamp_unsigned(v - r.ls + d, STATE_BITS)
            s = spike_fn((v_soma - theta) / width, self.surrogate_slope, 1.0 / width)
            v = v_soma - theta * (s.detach() if self.detach_reset else s)
            spikes.append(s)
            if record:
                vas.append(va)
                vs.append(v)
        spikes = torch.stack(spikes, 1) if bins else x.new_zeros(batch, 0, self.n)
        # sum_t s[t] @ Wout == (sum_t s[t]) @ Wout exactly (integer counts)
        scores = spikes.sum(1) @ w["wout"]
        out = {"scores": scores, "pred": torch.argmax(scores, -1), "spikes": spikes}
        if record:
            empty = x.new_zeros(batch, 0, self.n)
            out["va"] = torch.stack(vas, 1) if bins else empty
            out["v"] = torch.stack(vs, 1) if bins else empty
        return out

    def logits(self, scores):
        """Scores scaled for the cross-entropy: ``scores * temp / 2^(bits-1)`` with a
        learned temperature ``temp`` (not exported: the argmax does not depend on it)."""
        return scores * (self.log_temp.exp() / self.qmax)


# ---- proof of equality -------------------------------------------------------------
def assert_integer_equal(net: QclifNet, inputs) -> dict:
    """Run ``net`` in integer mode and ``model.qclif.run`` on the same inputs
    ((samples, bins, 200) or (bins, 200)); AssertionError unless spikes, Va, V, scores
    and predictions are identical. Returns {"torch": ..., "numpy": QclifResult}."""
    x = np.asarray(inputs)
    batched = x.ndim == 3
    xb = x if batched else x[None]
    ours = net(torch.from_numpy(xb.astype(np.uint8)), mode="int", record=True)
    ref = qclif_run(net.qclif_weights(), net.regs, xb)
    pairs = {"spikes": "spikes", "va": "va", "v": "v", "scores": "scores", "pred": "pred"}
    for key, ref_key in pairs.items():
        a = ours[key].numpy().astype(np.int64)
        b = np.asarray(ref[ref_key]).astype(np.int64)
        if a.shape != b.shape:
            raise AssertionError(f"{key}: shape {a.shape} (torch) != {b.shape} (numpy)")
        bad = np.argwhere(a != b)
        if bad.size:
            i = tuple(int(v) for v in bad[0])
            raise AssertionError(f"{key} differs at {i}: torch {a[i]}, numpy {b[i]} "
                                 f"({len(bad)} differences)")
    return {"torch": ours, "numpy": ref}
