"""Pooling and time binning of DVS events into qclif input spikes (SPEC 2.2).

Channel order (200 channels; the hardware and the weights depend on it)::

    c  = p * 100 + yb * 10 + xb
    xb = (x - 4) // 12        for 4 <= x < 124   (0..9, x = sensor column)
    yb = (y - 4) // 12        for 4 <= y < 124   (0..9, y = sensor row)

- p is the event polarity bit as stored in AEDAT (0 = OFF, 1 = ON): channels
  0..99 are OFF, 100..199 are ON.
- Within a polarity, the 10 x 10 blocks are row-major: yb major, xb minor;
  channel 0 is the block x 4..15, y 4..15; channel 9 is x 112..123, y 4..15;
  channel 10 is x 4..15, y 16..27.
- x and y are the raw sensor addresses from the file (no flips, no transpose).
- Events with x or y outside [4, 124) (the 4-pixel border of the 128 x 128
  sensor) are dropped.

Time: bin ``b = (t - t_start) // bin_us``; events with b outside
``[0, n_bins)`` are dropped. ``x_c[b] = 1`` iff channel c received at least
``k_min`` events in bin b. Row b of the result is the 200-element input vector
of bin b, element c is channel c.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from ml.dvs.aedat import Events
from model.errors import InputError

N_CHANNELS = 200
BORDER = 4            # pixels dropped on each side of the 128-pixel sensor
BLOCK = 12            # pooled block edge, pixels
GRID = 10             # blocks per side
CHANNEL_ORDER = "p*100+yb*10+xb"  # recorded in manifests to catch layout changes


def channel_of(x, y, p):
    """Channel index of pixel (x, y) with polarity p; -1 where (x, y) is in the border."""
    x = np.asarray(x, dtype=np.int64)
    y = np.asarray(y, dtype=np.int64)
    p = np.asarray(p, dtype=np.int64)
    end = BORDER + GRID * BLOCK
    inside = (x >= BORDER) & (x < end) & (y >= BORDER) & (y < end)
    c = p * (GRID * GRID) + ((y - BORDER) // BLOCK) * GRID + (x - BORDER) // BLOCK
    return np.where(inside, c, -1)


def event_counts(events: Events, t_start: int, bin_us: int, n_bins: int) -> np.ndarray:
    """int64 array (n_bins, 200): events per channel and bin."""
    _check_positive(bin_us=bin_us, n_bins=n_bins)
    c = channel_of(events.x, events.y, events.p)
    b = (events.t - np.int64(t_start)) // np.int64(bin_us)
    keep = (c >= 0) & (b >= 0) & (b < n_bins)
    flat = b[keep] * N_CHANNELS + c[keep]
    return np.bincount(flat, minlength=n_bins * N_CHANNELS).reshape(n_bins, N_CHANNELS)


def pool_and_bin(events: Events, t_start: int, bin_us: int, n_bins: int, k_min: int) -> np.ndarray:
    """uint8 array (n_bins, 200): 1 where a channel saw >= k_min events in a bin."""
    _check_positive(k_min=k_min)
    return (event_counts(events, t_start, bin_us, n_bins) >= k_min).astype(np.uint8)


def _check_positive(**values) -> None:
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")


@dataclass(frozen=True)
class BinningParams:
    """Preprocessing parameters kept in the weights manifest (SPEC 2.2).

    A sample's window starts ``offset_us`` after the gesture's start time and
    spans ``n_bins`` bins of ``bin_us``.
    """

    bin_us: int
    n_bins: int
    k_min: int
    offset_us: int = 0

    def __post_init__(self):
        _check_positive(bin_us=self.bin_us, n_bins=self.n_bins, k_min=self.k_min)
        off = self.offset_us
        if isinstance(off, bool) or not isinstance(off, (int, np.integer)) or off < 0:
            raise ValueError(f"offset_us must be a non-negative integer, got {self.offset_us!r}")

    @property
    def window_us(self) -> int:
        return self.bin_us * self.n_bins

    def bin_sample(self, events: Events, sample_start_us: int) -> np.ndarray:
        """pool_and_bin over this window of a sample starting at ``sample_start_us``."""
        return pool_and_bin(events, sample_start_us + self.offset_us,
                            self.bin_us, self.n_bins, self.k_min)

    def to_dict(self) -> dict:
        return {**asdict(self), "channels": N_CHANNELS, "channel_order": CHANNEL_ORDER}

    @classmethod
    def from_dict(cls, d: dict, source=None, where: str = "binning") -> "BinningParams":
        """Inverse of to_dict; InputError names ``source`` and the field at fault."""
        if not isinstance(d, dict):
            raise InputError(source, "must be an object", where)
        names = {f.name for f in fields(cls)}
        fixed = {"channels": N_CHANNELS, "channel_order": CHANNEL_ORDER}
        for key in d:
            if key not in names and key not in fixed:
                raise InputError(source, "unknown field", f"{where}.{key}")
        for key, want in fixed.items():
            if key in d and d[key] != want:
                raise InputError(source, f"is {d[key]!r}, this model uses {want!r}",
                                 f"{where}.{key}")
        kwargs = {}
        for name in names:
            if name not in d and name != "offset_us":
                raise InputError(source, "missing field", f"{where}.{name}")
            if name in d:
                kwargs[name] = d[name]
        try:
            return cls(**kwargs)
        except ValueError as e:
            raise InputError(source, str(e), where) from None
