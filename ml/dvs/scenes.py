"""Synthetic DVS Gesture scenes: a person-like figure performing the 11 gestures.

A scene is one trial: a figure (torso, shoulders, head, two arms of upper arm,
forearm and hand) standing in front of a cluttered static background, under one
of the five DVS Gesture lightings, performing a sequence of gestures separated
by short transitions. ``render`` turns times into 128 x 128 frames of linear
intensity (float32); ``ml.dvs.pixel`` turns the frames into events.

Conventions [ours]:

- Image coordinates: ``x`` is the column (0..127, left to right), ``y`` the row
  (0..127, top to bottom); the figure is upright when row 0 is drawn at the
  top. These are the AEDAT addresses written by ``ml.dvs.synth`` (libcaer's
  top-left origin), with no flips.
- The figure faces the camera, so the person's RIGHT arm appears on the IMAGE
  LEFT (small x) and the left arm on the image right (large x), as in a
  photograph of someone facing you.
- Clockwise and counter-clockwise are as seen in the image (by the camera):
  "right arm clockwise" moves the right hand top -> image right -> bottom ->
  image left. Seen from the person's own viewpoint the sense is reversed.
- Angles are in image coordinates (y down): direction ``(cos a, sin a)``, so an
  increasing angle turns clockwise on screen.

Geometry is a set of capsules (thick line segments, a disc when both ends
coincide) drawn with an anti-aliased edge by distance-to-segment on the pixel
grid, vectorized over a chunk of frames and restricted to each capsule's
bounding box. Arm poses come from hand trajectories and two-link inverse
kinematics with a per-gesture elbow bend sense. Frames are rendered at
adaptive times (a new frame when a joint has moved 0.75 px, at least every
10 ms); under a flickering lighting the 1 ms frames in between are linear
interpolations of the rendered ones times the flicker.

Intensity = illumination(x, t) * reflectance(x, y, t): illumination is the
lighting's level times a static shading map (gradient, vignetting) times a
temporal modulation (mains flicker for fluorescent light, slow drift for
daylight). Reflectances are in [0.03, 0.95].

Randomness: every random choice (figure size and position, clothing, gesture
speed/amplitude/phase/offset, background, lighting jitter, sway) is drawn when
the scene is built from its ``numpy.random.Generator``; rendering is then a
deterministic function of the requested times (up to the body layer being
shared within one render call, see ``Scene.render``).
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from ml.dvs.figure import (
    HEIGHT, LEFT, N_CLASSES, RIGHT, WIDTH, Body, Gesture, gesture_hands,
    gesture_params, ik, random_body, rest_hand,
)
from ml.dvs.render import (
    LIGHTING_PROFILES, N_BODY, STILL_PX, Lighting, draw_capsules, make_background,
)


def smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


class Scene:
    """One trial: a figure performing ``gestures`` under ``lighting``.

    Build with :func:`make_scene`. Times are in microseconds from the start of
    the scene (0 .. ``duration_us``).
    """

    def __init__(self, body: Body, gestures: list[Gesture], lighting: Lighting,
                 background: np.ndarray, level: float, contrast: float, shade: np.ndarray,
                 sway: tuple, modulation_phase: tuple, duration_s: float):
        self.body = body
        self.gestures = gestures
        self.lighting = lighting
        self.level = level
        self.contrast = contrast
        self.sway = sway
        self.modulation_phase = modulation_phase
        self.duration_s = duration_s
        self._illum = (level * shade).astype(np.float32)
        self._bg_int = ((0.4 + contrast * (background - 0.4)) * self._illum).astype(np.float32)
        self._grid_cache = None
        refl = body.reflectances()
        self._caps_refl = (0.4 + contrast * (refl - 0.4)).astype(np.float32)
        self._radii = body.radii()
        # each gesture's start and end poses, blended in the transitions
        self._ends = []
        for g in gestures:
            a = self._gesture_pose(g, np.array([0.0]))
            b = self._gesture_pose(g, np.array([g.duration_s]))
            self._ends.append((a, b))
        rest = (np.zeros(2), *ik(rest_hand(body, RIGHT, 1), body.upper, body.fore, +1),
                *ik(rest_hand(body, LEFT, 1), body.upper, body.fore, -1))
        self._rest = tuple(np.asarray(x).reshape(-1) for x in rest)

    # -------------------------------------------------------------- timing
    @property
    def duration_us(self) -> int:
        return int(round(self.duration_s * 1e6))

    @property
    def segments(self) -> list[tuple[int, int, int]]:
        """(class_index, start_us, end_us) of every gesture, in time order."""
        return [(g.class_index, int(round(g.start_s * 1e6)), int(round(g.end_s * 1e6)))
                for g in self.gestures]

    # -------------------------------------------------------------- pose
    def _gesture_pose(self, g: Gesture, tau: np.ndarray):
        b = self.body
        hr, hl, sr, sl = gesture_hands(g, b, tau)
        er, hr = ik(hr, b.upper, b.fore, sr)
        el, hl = ik(hl, b.upper, b.fore, sl)
        off = np.tile(np.asarray(g.params["offset"], dtype=float), (len(tau), 1))
        return off, er, hr, el, hl

    def joints(self, t_s: np.ndarray) -> dict[str, np.ndarray]:
        """Absolute joint positions (T, 2) at times ``t_s`` (seconds)."""
        t_s = np.asarray(t_s, dtype=np.float64).reshape(-1)
        n = len(t_s)
        parts = [np.zeros((n, 2)) for _ in range(5)]     # offset, er, hr, el, hl
        done = np.zeros(n, dtype=bool)
        prev = self._rest
        prev_end = 0.0
        for g, (start_pose, end_pose) in zip(self.gestures, self._ends):
            gap = (t_s >= prev_end) & (t_s < g.start_s) & ~done
            if gap.any():
                wgt = smoothstep((t_s[gap] - prev_end) / max(g.start_s - prev_end, 1e-9))
                for k in range(5):
                    a, bb = np.asarray(prev[k]).reshape(-1), start_pose[k][0]
                    parts[k][gap] = a + (bb - a) * wgt[:, None]
                done |= gap
            inside = (t_s >= g.start_s) & (t_s < g.end_s) & ~done
            if inside.any():
                pose = self._gesture_pose(g, t_s[inside] - g.start_s)
                for k in range(5):
                    parts[k][inside] = pose[k]
                done |= inside
            prev = tuple(x[0] for x in end_pose)
            prev_end = g.end_s
        tail = ~done
        if tail.any():
            wgt = smoothstep((t_s[tail] - prev_end) / max(self.duration_s - prev_end, 1e-9))
            for k in range(5):
                a, bb = np.asarray(prev[k]).reshape(-1), self._rest[k]
                parts[k][tail] = a + (bb - a) * wgt[:, None]
        off, er, hr, el, hl = parts
        ax, px, phx, ay, py, phy = self.sway
        center = np.stack([self.body.cx + off[:, 0] + ax * np.sin(2 * np.pi * t_s / px + phx),
                           self.body.neck_y + off[:, 1]
                           + ay * np.sin(2 * np.pi * t_s / py + phy)], axis=1)
        sdx = np.array([self.body.shoulder_dx, 0.0])
        s_r, s_l = center - sdx, center + sdx
        return {"neck": center, "right_shoulder": s_r, "left_shoulder": s_l,
                "right_elbow": s_r + er, "right_hand": s_r + hr,
                "left_elbow": s_l + el, "left_hand": s_l + hl}

    def capsules(self, t_s: np.ndarray, joints: dict | None = None) -> np.ndarray:
        """(T, 9, 5) capsules ``(ax, ay, bx, by, radius)`` in ``CAPSULES`` order."""
        j = self.joints(t_s) if joints is None else joints
        s = self.body.size
        neck = j["neck"]
        head = neck + np.array([0.0, -12.0 * s])
        ends = [
            (neck + np.array([0.0, 9.0 * s]), neck + np.array([0.0, 62.0 * s])),
            (j["right_shoulder"], j["left_shoulder"]),
            (head, head),
            (j["right_shoulder"], j["right_elbow"]),
            (j["right_elbow"], j["right_hand"]),
            (j["right_hand"], j["right_hand"]),
            (j["left_shoulder"], j["left_elbow"]),
            (j["left_elbow"], j["left_hand"]),
            (j["left_hand"], j["left_hand"]),
        ]
        n = len(neck)
        caps = np.empty((n, len(ends), 5))
        for c, (a, b) in enumerate(ends):
            caps[:, c, 0:2] = a
            caps[:, c, 2:4] = b
            caps[:, c, 4] = self._radii[c]
        return caps

    # -------------------------------------------------------------- lighting
    def modulation(self, t_s: np.ndarray) -> np.ndarray:
        """Temporal illumination factor m(t)."""
        lt = self.lighting
        ph1, ph2 = self.modulation_phase
        m = np.ones_like(t_s, dtype=np.float64)
        if lt.flicker_depth:
            m += lt.flicker_depth * np.cos(2 * np.pi * lt.flicker_hz * t_s + ph1)
        if lt.drift_depth:
            m += lt.drift_depth * np.sin(2 * np.pi * lt.drift_hz * t_s + ph2)
        return m

    # -------------------------------------------------------------- frames
    def _grid(self, base_us: int):
        """Joint trajectories on the time grid ``0, base_us, ..., duration`` (cached)."""
        if self._grid_cache is None or self._grid_cache[0] != base_us:
            grid = np.arange(0, self.duration_us, base_us, dtype=np.int64)
            grid = np.append(grid, self.duration_us)
            self._grid_cache = (base_us, grid, self.joints(grid * 1e-6))
        return self._grid_cache[1:]

    def frame_times_us(self, max_step_px: float = 0.75, base_us: int = 1000,
                       max_frame_us: int = 10_000) -> np.ndarray:
        """Adaptive geometry frame times (int64 us: multiples of ``base_us``, and the end).

        A new frame starts whenever any joint has moved ``max_step_px`` since
        the last one, or after ``max_frame_us``.
        """
        max_frame_us = max(base_us, int(max_frame_us))
        grid, j = self._grid(base_us)
        pts = np.stack([j[k] for k in ("neck", "right_elbow", "right_hand",
                                        "left_elbow", "left_hand")], axis=1)
        step = np.hypot(*np.moveaxis(np.diff(pts, axis=0), -1, 0)).max(axis=1)
        cum = np.concatenate([[0.0], np.cumsum(step)])
        key = np.floor(cum / max_step_px)
        moved = np.flatnonzero(np.diff(key) > 0) + 1
        every = max_frame_us // base_us
        regular = np.arange(0, len(grid), every)
        idx = np.union1d(np.union1d(moved, regular), [0, len(grid) - 1])
        return grid[idx]

    def _joints_at(self, t_us: np.ndarray) -> dict:
        """Joints at ``t_us``: looked up in the cached grid when on it."""
        if self._grid_cache is not None:
            base, grid, j = self._grid_cache
            idx = np.minimum(t_us // base, len(grid) - 1)
            idx = np.where(t_us == self.duration_us, len(grid) - 1, idx)
            if np.array_equal(grid[idx], t_us):
                return {k: v[idx] for k, v in j.items()}
        return self.joints(t_us * 1e-6)

    def render(self, t_us: np.ndarray, modulate: bool = True) -> np.ndarray:
        """(K, 128, 128) float32 linear intensity at times ``t_us``.

        Torso, shoulders and head are drawn once per call (at the middle frame)
        when they move less than ``STILL_PX`` (0.02 px) over its frames (body
        sway is slow), else per frame. ``modulate=False`` leaves out the
        temporal illumination factor.
        """
        t_us = np.asarray(t_us, dtype=np.int64).reshape(-1)
        t_s = t_us * 1e-6
        caps = self.capsules(t_s, self._joints_at(t_us))
        k = len(t_us)
        body = caps[:, :N_BODY]
        still = np.abs(body[:, :, :4] - body[k // 2, :, :4]).max() < STILL_PX
        if still:
            layer = self._bg_int[None].copy()
            for c in range(N_BODY):
                draw_capsules(layer, body[k // 2:k // 2 + 1, c], self._caps_refl[c], self._illum)
            img = np.repeat(layer, k, axis=0)
        else:
            img = np.repeat(self._bg_int[None], k, axis=0)
            for c in range(N_BODY):
                draw_capsules(img, body[:, c], self._caps_refl[c], self._illum)
        for c in range(N_BODY, caps.shape[1]):
            draw_capsules(img, caps[:, c], self._caps_refl[c], self._illum)
        if modulate and (self.lighting.flicker_depth or self.lighting.drift_depth):
            img *= self.modulation(t_s).astype(np.float32)[:, None, None]
        return img

    def output_times_us(self, max_step_px: float = 0.75, base_us: int = 1000,
                        max_frame_us: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
        """(geometry frame times, output frame times): the output adds the lighting's
        flicker sampling grid (multiples of ``max(base_us, sample_us)``)."""
        geo = self.frame_times_us(max_step_px, base_us, max_frame_us)
        sample = self.lighting.sample_us
        if sample is None:
            return geo, geo
        step = max(base_us, sample) // base_us * base_us
        return geo, np.union1d(geo, np.arange(0, self.duration_us, step, dtype=np.int64))

    def iter_frames(self, chunk: int = 16, max_step_px: float = 0.75, base_us: int = 1000,
                    max_frame_us: int = 10_000) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(t_us (K,), frames (K, 128, 128))`` covering the whole scene.

        The geometry is rendered at the adaptive ``frame_times_us`` (``chunk``
        frames per call); under a flickering lighting the frames in between are
        linear interpolations of the unmodulated neighbours, times ``m(t)``.
        """
        geo, out = self.output_times_us(max_step_px, base_us, max_frame_us)
        if len(out) == len(geo):
            for lo in range(0, len(geo), chunk):
                t = geo[lo:lo + chunk]
                yield t, self.render(t)
            return
        prev_t, prev_f = None, None
        for lo in range(0, len(geo), chunk):
            t = geo[lo:lo + chunk]
            f = self.render(t, modulate=False)
            if prev_t is not None:
                t = np.concatenate([[prev_t], t])
                f = np.concatenate([prev_f[None], f])
            a, b = np.searchsorted(out, [t[0], t[-1]], side="right")
            if prev_t is None:
                a = 0
            t_out = out[a:b]
            frames = np.empty((len(t_out), HEIGHT, WIDTH), dtype=np.float32)
            mod = self.modulation(t_out * 1e-6)
            seg = np.clip(np.searchsorted(t, t_out, side="right") - 1, 0, max(len(t) - 2, 0))
            for k, (tk, i) in enumerate(zip(t_out.tolist(), seg.tolist())):
                fk = frames[k]                    # frame by frame: stays in cache
                if tk == t[i] or len(t) == 1:
                    np.multiply(f[i], np.float32(mod[k]), out=fk)
                    continue
                wk = (tk - t[i]) / (t[i + 1] - t[i])
                np.multiply(f[i + 1], np.float32(wk * mod[k]), out=fk)
                fk += np.float32((1.0 - wk) * mod[k]) * f[i]
            prev_t, prev_f = t[-1], f[-1]
            yield t_out, frames


def make_scene(rng: np.random.Generator, lighting: str | Lighting,
               classes: Sequence[int] | None = None,
               durations_s: Sequence[float] | tuple[float, float] = (1.5, 6.0),
               gap_s: tuple[float, float] = (0.3, 0.8),
               lead_s: float = 0.5, tail_s: float = 0.3,
               sway_px: tuple[float, float] = (0.3, 1.5)) -> Scene:
    """A random trial scene.

    ``classes``: gesture class indices (0..10) in order; default one of each
    class in a random order. ``durations_s``: per-gesture durations, or a
    (low, high) range to draw them from (a 2-tuple is a range when ``classes``
    has a length other than 2; pass a list to give exact durations). Gestures
    are separated by transitions of ``gap_s`` (range), after a lead-in of
    ``lead_s`` and followed by ``tail_s`` of the figure returning to rest.
    ``sway_px``: range of the body's horizontal sway amplitude (vertical: 0.4 x).
    """
    lt = LIGHTING_PROFILES[lighting] if isinstance(lighting, str) else lighting
    if classes is None:
        classes = rng.permutation(N_CLASSES).tolist()
    classes = [int(c) for c in classes]
    for c in classes:
        if not 0 <= c < N_CLASSES:
            raise ValueError(f"class index {c} not in 0..{N_CLASSES - 1}")
    if isinstance(durations_s, tuple) and len(durations_s) == 2 and len(classes) != 2:
        durs = rng.uniform(durations_s[0], durations_s[1], len(classes))
    else:
        durs = np.asarray(durations_s, dtype=float)
        if durs.shape != (len(classes),) or np.any(durs <= 0):
            raise ValueError("durations_s must be a (low, high) range or one positive "
                             "duration per gesture")
    background = make_background(rng)
    body = random_body(rng, float(np.median(background)))
    gestures = []
    t = lead_s
    for i, (c, d) in enumerate(zip(classes, durs)):
        if i:
            t += rng.uniform(*gap_s)
        t = round(t, 6)                             # whole microseconds
        d = round(float(d), 6)
        period, params = gesture_params(c, rng, body, d)
        gestures.append(Gesture(c, t, d, float(period), params))
        t += d
    duration = round(t + tail_s, 6)
    level = lt.level * float(np.exp(rng.normal(0.0, lt.level_jitter)))
    contrast = rng.uniform(*lt.contrast)
    xx = np.linspace(-1.0, 1.0, WIDTH)[None, :]
    yy = np.linspace(-1.0, 1.0, HEIGHT)[:, None]
    gradient = 1.0 + lt.gradient * rng.choice([-1, 1]) * xx / 2     # across the width
    shade = gradient * (1.0 - 0.15 * (xx ** 2 + yy ** 2) / 2)         # and vignetting
    # body sway: (x amplitude px, x period s, x phase, y amplitude, y period, y phase)
    sway = (rng.uniform(*sway_px), rng.uniform(2.0, 5.0), rng.uniform(0, 2 * np.pi),
            rng.uniform(*sway_px) * 0.4, rng.uniform(2.0, 5.0), rng.uniform(0, 2 * np.pi))
    phases = (rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi))
    return Scene(body, gestures, lt, background, level, contrast, shade, sway, phases,
                 duration)
