"""Training helpers shared by the rsnn and qclif training forms.

Quantizers keep the *forward* value exactly what the integer hardware computes (round,
floor shift, saturation) and replace the zero/undefined derivative by a straight-through
estimator (STE) in the backward pass; the spike keeps the Heaviside step forward and uses
a fast-sigmoid surrogate derivative backward.

All functions work on float tensors that hold integers. float32 holds every integer up
to 2^24 exactly and float64 up to 2^53, so as long as the caller's intermediates stay
below that, the forward pass is bit-exact integer arithmetic.

Also here: seeding, thread count, plain progress lines (no tqdm) and checkpoints.
"""
from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

__all__ = [
    "int_range", "round_ste", "floor_ste", "clamp_ste", "quantize_int", "quantize_range",
    "floor_shift", "saturate", "clamp_unsigned", "spike_fn", "fast_sigmoid_grad",
    "seed_everything",
    "set_threads", "Progress", "save_checkpoint", "load_checkpoint",
]


# ---- integer ranges --------------------------------------------------------------
def int_range(bits: int, signed: bool = True) -> tuple[int, int]:
    """(lowest, highest) integer of a ``bits``-bit number: int8 -> (-128, 127)."""
    if bits < 1:
        raise ValueError(f"bits must be >= 1, got {bits}")
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


# ---- straight-through estimators -------------------------------------------------
class _RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x)          # half to even; only the weights are rounded

    @staticmethod
    def backward(ctx, grad):
        return grad


class _FloorSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.floor(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class _ClampSTE(torch.autograd.Function):
    """clamp forward; backward passes the gradient inside [lo, hi] and, with
    ``straight``, outside it too (otherwise zero there: the true derivative)."""

    @staticmethod
    def forward(ctx, x, lo, hi, straight):
        if not straight:
            ctx.save_for_backward((x >= lo) & (x <= hi))
        ctx.straight = straight
        return torch.clamp(x, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        if ctx.straight:
            return grad, None, None, None
        (inside,) = ctx.saved_tensors
        return grad * inside, None, None, None


def round_ste(x: torch.Tensor) -> torch.Tensor:
    """round(x) forward, identity gradient."""
    return _RoundSTE.apply(x)


def floor_ste(x: torch.Tensor) -> torch.Tensor:
    """floor(x) forward, identity gradient."""
    return _FloorSTE.apply(x)


def clamp_ste(x: torch.Tensor, lo: float, hi: float, straight: bool = False) -> torch.Tensor:
    """clamp(x, lo, hi) forward; gradient 1 inside the range, outside it 0 (the true
    derivative of a saturation) or, with ``straight``, 1 (pure STE)."""
    return _ClampSTE.apply(x, float(lo), float(hi), bool(straight))


def quantize_int(x: torch.Tensor, bits: int, signed: bool = True) -> torch.Tensor:
    """``clamp(round(x))`` to the ``bits``-bit integer range, gradient 1 (STE).

    The gradient also passes outside the range (so a weight pushed past the end can
    come back); the training loop keeps the latent weights near the range instead.
    """
    return quantize_range(x, *int_range(bits, signed))


def quantize_range(x: torch.Tensor, lo: int, hi: int) -> torch.Tensor:
    """``clamp(round(x), lo, hi)`` forward, gradient 1 everywhere (STE)."""
    return clamp_ste(round_ste(x), lo, hi, straight=True)


def floor_shift(x: torch.Tensor, shift: int, exact: bool = True) -> torch.Tensor:
    """``x >>> shift`` (floor of x / 2^shift, also for negative x); gradient 2^-shift.

    With ``exact=False`` the floor is left out (a float baseline of the same graph).
    Division by a power of two is exact in floating point, so the forward value is the
    integer shift.
    """
    y = x * (1.0 / (1 << int(shift)))
    return floor_ste(y) if exact else y


def saturate(x: torch.Tensor, bits: int, straight: bool = False) -> torch.Tensor:
    """``sat_bits(x)``: clamp to the signed ``bits``-bit range (see ``clamp_ste``)."""
    lo, hi = int_range(bits, True)
    return clamp_ste(x, lo, hi, straight)


def clamp_unsigned(x: torch.Tensor, bits: int = 8, straight: bool = False) -> torch.Tensor:
    """``clamp_u8(x)`` for bits = 8: clamp to 0..2^bits-1 (see ``clamp_ste``)."""
    lo, hi = int_range(bits, False)
    return clamp_ste(x, lo, hi, straight)


# ---- surrogate spike -------------------------------------------------------------
def fast_sigmoid_grad(u: torch.Tensor, slope: float) -> torch.Tensor:
    """Derivative of the fast sigmoid ``u / (1 + slope*|u|)`` up to the factor
    ``slope``: ``1 / (1 + slope*|u|)^2`` (SuperSpike, Zenke and Ganguli 2018)."""
    return 1.0 / (1.0 + slope * u.abs()) ** 2


class _SpikeFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, u, slope, scale):
        ctx.save_for_backward(u)
        ctx.slope, ctx.scale = slope, scale
        return (u >= 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        return grad * ctx.scale * fast_sigmoid_grad(u, ctx.slope), None, None


def spike_fn(u: torch.Tensor, slope: float = 5.0, scale: float = 1.0) -> torch.Tensor:
    """Heaviside ``u >= 0`` forward (1.0 or 0.0); backward
    ``scale / (1 + slope*|u|)^2``. Pass ``u = (V - theta) / width`` and
    ``scale = 1 / width`` for a surrogate ``width`` wide in units of V."""
    return _SpikeFn.apply(u, float(slope), float(scale))


# ---- reproducibility and CPU use -------------------------------------------------
def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, numpy and torch; returns a torch.Generator seeded the same way for
    shuffling. Training on CPU with the same thread count is then deterministic."""
    random.seed(seed)
    np.random.seed(seed % (1 << 32))
    torch.manual_seed(seed)
    gen = torch.Generator()
    gen.manual_seed(seed)
    return gen


def set_threads(n: int | None) -> int:
    """Limit torch's intra-op threads (None: leave torch's default). Returns the count."""
    if n is not None:
        torch.set_num_threads(max(1, int(n)))
    return torch.get_num_threads()


# ---- progress lines --------------------------------------------------------------
class Progress:
    """Plain one-line progress messages with elapsed wall time, e.g.::

        [   12.3 s] epoch  3/40  step  28/28  loss 1.234  acc 0.567

    ``every`` prints only each ``every``-th ``step`` call (``line`` always prints);
    ``enabled=False`` (``spikedv -q``) prints nothing. ``bar(total, label)`` gives a
    ``verif.console.Progress`` (a bar with count and ETA on a terminal, lines elsewhere)
    that is silent when these lines are.
    """

    def __init__(self, stream=None, every: int = 1, enabled: bool = True):
        self.stream = stream if stream is not None else sys.stdout
        self.every = max(1, int(every))
        self.enabled = enabled
        self.t0 = time.perf_counter()
        self._count = 0

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def line(self, text: str) -> None:
        if self.enabled:
            # on a terminal, first clear a progress bar being drawn on the same screen
            clear = "\r\x1b[K" if getattr(self.stream, "isatty", lambda: False)() else ""
            print(f"{clear}[{self.elapsed:8.1f} s] {text}", file=self.stream, flush=True)

    def step(self, text: str) -> None:
        self._count += 1
        if self._count % self.every == 0:
            self.line(text)

    def bar(self, total: int, label: str, min_interval_s: float = 30.0):
        """A progress bar over ``total`` items (off a terminal: a line at most every
        ``min_interval_s`` seconds, and the last)."""
        from verif.console import Progress as Bar
        return Bar(total, label, quiet=not self.enabled, min_interval_s=min_interval_s)


# ---- checkpoints -----------------------------------------------------------------
def save_checkpoint(path, model: torch.nn.Module, optimizer=None, **state) -> Path:
    """Write model (and optimizer) state plus ``state`` (epoch, config, history, ...)
    atomically: to a temporary file, then renamed over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = {"model": model.state_dict(), **state}
    if optimizer is not None:
        blob["optimizer"] = optimizer.state_dict()
    tmp = path.with_name(path.name + ".tmp")
    torch.save(blob, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path, model: torch.nn.Module | None = None, optimizer=None) -> dict:
    """Read a checkpoint; load it into ``model`` / ``optimizer`` when given. Returns the
    whole dict (``model``, ``optimizer`` and the extra state)."""
    blob = torch.load(Path(path), map_location="cpu", weights_only=False)
    if model is not None:
        model.load_state_dict(blob["model"])
    if optimizer is not None and "optimizer" in blob:
        optimizer.load_state_dict(blob["optimizer"])
    return blob
