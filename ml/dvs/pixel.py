"""DVS pixel model: linear-intensity frames -> polarity events.

Per pixel (state vectorized over the array; Python loops run over frames,
and per chunk of frames over "the r-th event of each pixel" for the
refractory filter):

- Log intensity ``L = log(I + dark)``; ``dark`` (photodiode dark current,
  relative units) compresses contrast in dim regions. Between two frames L is
  taken as linear in time. Optionally a first-order low-pass (the photoreceptor
  bandwidth) with cut-off ``lowpass_hz`` filters L first.
- Per-pixel contrast thresholds ``theta_on``, ``theta_off``: Gaussian around
  ``threshold_on`` / ``threshold_off`` with standard deviation
  ``threshold_sigma`` (mismatch), clipped below at ``threshold_min``; drawn once
  per sensor.
- A memorized reference level ``ref`` per pixel, initialized to the first
  frame. At each frame ``d = L - ref``; ``n = floor(d / theta_on)`` ON events
  if d > 0, ``n = floor(-d / theta_off)`` OFF events if d < 0. Event j
  (1..n) is the crossing of level ``ref +- j*theta``; its time is interpolated
  linearly within the frame interval, and ``ref`` moves by ``n*theta``.
- Refractory period: an event closer than ``refractory_us`` to the previous
  *emitted* event of the same pixel is dropped. As in v2e, the reference level
  still advances over the dropped crossing (the pixel is held in reset, the
  change is lost, not deferred).
- Leak (optional): ``ref`` drifts down by ``leak_rate_hz * theta_on`` per
  second, giving leak ON events at about that rate per pixel (per-pixel rates
  log-normal with ``leak_sigma``).
- Background activity: Poisson events, per-pixel rate log-normal around
  ``noise_rate_hz`` (``noise_sigma``; the mean over pixels is ``noise_rate_hz``),
  ON with probability ``noise_on_fraction``, uniform in time. Noise events are
  independent of the signal path (they neither reset ``ref`` nor obey the
  refractory period).

Timestamps are integer microseconds: ``floor`` of the interpolated time, so an
event of the interval ``(t_prev, t_k]`` lies in ``[t_prev, t_k]``. The output is
sorted by time (stable: ties keep generation order, so output is deterministic).
Addresses: ``x`` = column, ``y`` = row of the frame arrays. Log levels are
float32 (as computed from float32 frames); the reference and the arithmetic on
it are float64.

Defaults [ours]: thresholds 0.2 +- 0.03 (log units), 1 ms refractory period,
0.1 Hz mean background activity per pixel (``ml.dvs.synth`` scales it by
the lighting's ``noise_scale``), no leak, no low-pass.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from ml.dvs.aedat import Events


@dataclass(frozen=True)
class PixelParams:
    """DVS pixel parameters (see the module docstring); times in us, rates in Hz."""

    threshold_on: float = 0.2
    threshold_off: float = 0.2
    threshold_sigma: float = 0.03
    threshold_min: float = 0.01
    refractory_us: float = 1000.0
    dark: float = 0.01
    noise_rate_hz: float = 0.1
    noise_sigma: float = 0.5
    noise_on_fraction: float = 0.5
    leak_rate_hz: float = 0.0
    leak_sigma: float = 0.0
    lowpass_hz: float | None = None

    def __post_init__(self):
        for name in ("threshold_on", "threshold_off", "threshold_min", "dark"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("threshold_sigma", "refractory_us", "noise_rate_hz", "noise_sigma",
                     "leak_rate_hz", "leak_sigma"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if not 0 <= self.noise_on_fraction <= 1:
            raise ValueError(f"noise_on_fraction must be in [0, 1], got {self.noise_on_fraction}")
        if self.lowpass_hz is not None and not self.lowpass_hz > 0:
            raise ValueError(f"lowpass_hz must be > 0 or None, got {self.lowpass_hz!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    def replace(self, **changes) -> "PixelParams":
        return replace(self, **changes)


def _lognormal_rates(rng: np.random.Generator, mean: float, sigma: float, n: int) -> np.ndarray:
    """Rates with the given mean over pixels (log-normal spread ``sigma``)."""
    if mean <= 0:
        return np.zeros(n)
    if sigma <= 0:
        return np.full(n, float(mean))
    return mean * np.exp(rng.normal(-0.5 * sigma * sigma, sigma, n))


class DvsSensor:
    """A DVS pixel array fed with frames in time order.

    ``feed(times_us, frames)`` may be called repeatedly with consecutive chunks;
    ``finish(t_end_us)`` adds the background noise over ``[t_first, t_end)``
    and returns all events sorted by time.

    Speed: per chunk of frames, a pixel is stepped frame by frame only if its
    intensity can reach a threshold within the chunk, judged from the chunk's
    max and min against per-pixel bounds kept in linear intensity
    (``exp(ref + theta_on) - dark``, ``exp(ref - theta_off) - dark``, with a
    1e-6 relative margin and the leak allowed for), so no logarithm is taken of
    pixels that cannot fire. Exact decisions are made in the log domain.
    """

    MARGIN = 1e-6

    def __init__(self, params: PixelParams = PixelParams(), shape: tuple[int, int] = (128, 128),
                 rng: np.random.Generator | int | None = None):
        self.params = params
        self.shape = tuple(shape)
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        n = self.shape[0] * self.shape[1]
        p = params
        self.theta_on = np.maximum(self.rng.normal(p.threshold_on, p.threshold_sigma, n)
                                   if p.threshold_sigma else np.full(n, p.threshold_on),
                                   p.threshold_min)
        self.theta_off = np.maximum(self.rng.normal(p.threshold_off, p.threshold_sigma, n)
                                    if p.threshold_sigma else np.full(n, p.threshold_off),
                                    p.threshold_min)
        self.noise_rate = _lognormal_rates(self.rng, p.noise_rate_hz, p.noise_sigma, n)
        self.leak_rate = _lognormal_rates(self.rng, p.leak_rate_hz, p.leak_sigma, n)
        self._leak_per_us = self.leak_rate * self.theta_on * 1e-6
        self._leak = p.leak_rate_hz > 0
        self.ref: np.ndarray | None = None          # memorized log level (float64)
        self.last_t = np.full(n, -np.inf)           # time of the last emitted event (us)
        self._prev: np.ndarray | None = None        # last frame: intensity, or filtered log
        self._hi = self._lo = None                  # linear-intensity bounds of ref
        self._t_prev: int | None = None
        self.t_first: int | None = None
        self._parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []   # (pixel, p, t)
        self.frames = 0

    # ---------------------------------------------------------------- input
    def log_intensity(self, frames: np.ndarray) -> np.ndarray:
        """``log(I + dark)`` in float32 (the state and arithmetic on it are float64)."""
        out = np.add(frames, np.float32(self.params.dark), dtype=np.float32)
        return np.log(out, out=out)

    def feed(self, times_us, frames, chunk: int = 16) -> None:
        """Process frames (K, H, W) of linear intensity at increasing times (K,).

        Frames are taken ``chunk`` at a time (small enough to stay in cache);
        the events do not depend on ``chunk`` beyond float rounding.
        """
        times = np.asarray(times_us, dtype=np.int64).reshape(-1)
        frames = np.asarray(frames)
        if frames.ndim == 2:
            frames = frames[None]
        if frames.shape[1:] != self.shape or frames.shape[0] != len(times):
            raise ValueError(f"frames {frames.shape} do not match times {times.shape} "
                             f"and sensor {self.shape}")
        if not len(times):
            return
        prev = self._t_prev if self._t_prev is not None else times[0] - 1
        if np.any(np.diff(np.concatenate([[prev], times])) <= 0):
            raise ValueError("frame times must increase")
        flat = frames.reshape(len(times), -1)
        self.frames += len(times)
        if self.ref is None:                        # the first frame sets the reference
            L0 = self.log_intensity(flat[0])
            self.ref = L0.astype(np.float64)
            lowpass = self.params.lowpass_hz is not None
            self._prev = L0 if lowpass else flat[0].astype(np.float32)
            self._t_prev = self.t_first = int(times[0])
            self._update_bounds(slice(None))
            times, flat = times[1:], flat[1:]
        for lo in range(0, len(times), chunk):
            self._feed_chunk(times[lo:lo + chunk], flat[lo:lo + chunk])

    def _update_bounds(self, idx) -> None:
        """Linear-intensity bounds: I >= hi may fire ON, I <= lo may fire OFF."""
        if self._hi is None:
            self._hi = np.empty_like(self.ref)
            self._lo = np.empty_like(self.ref)
        ref, dark, m = self.ref[idx], self.params.dark, self.MARGIN
        self._hi[idx] = np.exp(ref + self.theta_on[idx]) * (1 - m) - dark
        self._lo[idx] = np.exp(ref - self.theta_off[idx]) * (1 + m) - dark

    def _feed_chunk(self, times: np.ndarray, flat: np.ndarray) -> None:
        t_prev = self._t_prev
        span = int(times[-1]) - t_prev
        lowpass = self.params.lowpass_hz is not None
        if lowpass:                                  # filtered log of every pixel
            logs = self._lowpass(times, self.log_intensity(flat))
            slack = self._leak_per_us * span if self._leak else 0.0
            cand = np.flatnonzero((logs.max(axis=0) - self.ref + slack >= self.theta_on)
                                  | (logs.min(axis=0) - self.ref <= -self.theta_off))
        else:
            hi = self._hi
            if self._leak:                           # the leak lowers ref during the chunk
                hi = np.exp(self.ref - self._leak_per_us * span + self.theta_on) \
                    * (1 - self.MARGIN) - self.params.dark
            cand = np.flatnonzero((flat.max(axis=0) >= hi) | (flat.min(axis=0) <= self._lo))
        if self._leak:
            self.ref -= self._leak_per_us * span     # right for all but the candidates
        if cand.size:
            if lowpass:
                sub, start = logs[:, cand], self._prev[cand]
            else:
                sub = self.log_intensity(flat[:, cand])
                start = self.log_intensity(self._prev[cand])
            self._run_pixels(cand, times, sub, start, t_prev, span)
        # the level at the end of this chunk: filtered log (low-pass) or linear intensity
        self._prev = logs[-1] if lowpass else flat[-1].astype(np.float32)
        self._t_prev = int(times[-1])
        if self._leak:
            self._update_bounds(slice(None))
        elif cand.size:
            self._update_bounds(cand)

    def _lowpass(self, times: np.ndarray, logs: np.ndarray) -> np.ndarray:
        """First-order low-pass of the log intensity, frame by frame (all pixels)."""
        out = np.empty_like(logs)
        state = self._prev
        t_prev = self._t_prev
        for k, (t, L) in enumerate(zip(times.tolist(), logs)):
            alpha = 1.0 - np.exp(-2 * np.pi * self.params.lowpass_hz * (t - t_prev) * 1e-6)
            state = state + np.float32(alpha) * (L - state)
            out[k] = state
            t_prev = t
        return out

    def _run_pixels(self, cand, times, logs, start, t_prev, span) -> None:
        """Step the candidate pixels through the chunk's frames, then emit their events.

        ``logs`` (K, n_cand) are their log levels at ``times``, ``start`` the
        levels at ``t_prev``.
        """
        leak = self._leak_per_us[cand] if self._leak else None
        ref = self.ref[cand]
        if leak is not None:
            ref += leak * span                      # undo the chunk's bulk leak for these
        th_on, th_off = self.theta_on[cand], self.theta_off[cand]
        rec = []                                    # (frame, local pixel, n, ref before, step)
        tp = t_prev
        for k, (t, L) in enumerate(zip(times.tolist(), logs)):
            if leak is not None:
                ref -= leak * (t - tp)
            tp = t
            d = L - ref
            active = np.flatnonzero((d >= th_on) | (d <= -th_off))
            if active.size:
                da = d[active]
                step = np.where(da > 0, th_on[active], -th_off[active])   # signed threshold
                n = np.floor(da / step)
                r0 = ref[active]
                ref[active] = r0 + n * step
                rec.append((np.full(active.size, k), active, n.astype(np.int64), r0, step))
        self.ref[cand] = ref
        if rec:
            self._emit(cand, times, logs, start, t_prev,
                       *(np.concatenate(c) for c in zip(*rec)))

    def _emit(self, cand, times, logs, start, t_prev, k, loc, n, r0, step) -> None:
        """Crossing times (linear interpolation in the frame interval), refractory
        filter, and the events of one chunk."""
        t_all = np.concatenate([[t_prev], times])
        lp = np.where(k > 0, logs[np.maximum(k - 1, 0), loc], start[loc])
        slope = logs[k, loc] - lp
        # expand the records: crossing j = 1..n of each
        rep = np.repeat(np.arange(len(n)), n)
        first = np.cumsum(n) - n
        j = np.arange(len(rep)) - first[rep] + 1
        level = r0[rep] + j * step[rep]
        s = slope[rep]
        frac = np.clip(np.where(s != 0, (level - lp[rep]) / np.where(s != 0, s, 1.0), 1.0),
                       0.0, 1.0)
        t0 = t_all[k][rep]
        te = t0 + frac * (t_all[k + 1][rep] - t0)
        pix = loc[rep]
        pol = (step[rep] > 0).astype(np.uint8)
        refr = self.params.refractory_us
        if refr > 0:
            keep = self._refractory(cand[pix], te, refr)
            pix, pol, te = pix[keep], pol[keep], te[keep]
        self._parts.append((cand[pix], pol, np.floor(te).astype(np.int64)))

    def _refractory(self, pix, te, refr) -> np.ndarray:
        """Keep-mask: drop events closer than ``refr`` to the pixel's last kept event.

        Events of a pixel arrive in time order (frames ascend, crossings ascend
        within a frame); the filter walks them rank by rank (the r-th event of
        every pixel at once) and updates ``last_t``.
        """
        order = np.argsort(pix, kind="stable")
        p_sorted, t_sorted = pix[order], te[order]
        starts = np.flatnonzero(np.r_[True, p_sorted[1:] != p_sorted[:-1]])
        counts = np.diff(np.r_[starts, len(p_sorted)])
        owners = p_sorted[starts]
        last = self.last_t[owners]
        keep_sorted = np.zeros(len(p_sorted), dtype=bool)
        for r in range(int(counts.max())):
            g = np.flatnonzero(counts > r) if r else np.arange(len(starts))
            idx = starts[g] + r
            ok = t_sorted[idx] - last[g] >= refr
            keep_sorted[idx[ok]] = True
            last[g[ok]] = t_sorted[idx[ok]]
        self.last_t[owners] = last
        keep = np.empty_like(keep_sorted)
        keep[order] = keep_sorted
        return keep

    # ---------------------------------------------------------------- output
    def noise_events(self, t_start: int, t_end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pixel, polarity, t) background-activity events in [t_start, t_end)."""
        span = t_end - t_start
        if span <= 0 or self.params.noise_rate_hz <= 0:
            z = np.zeros(0, np.int64)
            return z, z.astype(np.uint8), z
        counts = self.rng.poisson(self.noise_rate * span * 1e-6)
        pix = np.repeat(np.arange(counts.size), counts)
        t = t_start + np.floor(self.rng.random(pix.size) * span).astype(np.int64)
        p = (self.rng.random(pix.size) < self.params.noise_on_fraction).astype(np.uint8)
        return pix, p, t

    def finish(self, t_end_us: int | None = None) -> Events:
        """All events so far plus noise over [first frame, t_end), sorted by time.

        ``t_end_us`` defaults to the last frame time.
        """
        parts = list(self._parts)
        if self.t_first is not None:
            end = self._t_prev if t_end_us is None else int(t_end_us)
            parts.append(self.noise_events(self.t_first, end))
        if not parts:
            return Events.empty()
        pix = np.concatenate([q[0] for q in parts])
        pol = np.concatenate([q[1] for q in parts])
        t = np.concatenate([q[2] for q in parts])
        order = np.argsort(t, kind="stable")
        pix, pol, t = pix[order], pol[order], t[order]
        w = self.shape[1]
        return Events(pix % w, pix // w, pol, t)


def simulate(times_us, frames, params: PixelParams = PixelParams(),
             rng: np.random.Generator | int | None = None,
             t_end_us: int | None = None) -> Events:
    """Events of a whole in-memory frame sequence (K, H, W); see ``DvsSensor``."""
    frames = np.asarray(frames)
    sensor = DvsSensor(params, frames.shape[1:], rng)
    sensor.feed(times_us, frames)
    return sensor.finish(t_end_us)
