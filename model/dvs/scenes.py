"""Synthetic DVS Gesture scenes: a person-like figure performing the 11 gestures.

A scene is one trial: a figure (torso, shoulders, head, two arms of upper arm,
forearm and hand) standing in front of a cluttered static background, under one
of the five DVS Gesture lightings, performing a sequence of gestures separated
by short transitions. ``render`` turns times into 128 x 128 frames of linear
intensity (float32); ``model.dvs.pixel`` turns the frames into events.

Conventions [ours]:

- Image coordinates: ``x`` is the column (0..127, left to right), ``y`` the row
  (0..127, top to bottom); the figure is upright when row 0 is drawn at the
  top. These are the AEDAT addresses written by ``model.dvs.synth`` (libcaer's
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

from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np
from scipy.interpolate import PchipInterpolator
from scipy.ndimage import gaussian_filter

from model.dvs.layout import CLASS_NAMES, LIGHTINGS

WIDTH = 128
HEIGHT = 128
N_CLASSES = len(CLASS_NAMES)
RIGHT, LEFT = -1, +1          # image-x direction of the person's right / left side

# Capsule order in ``Scene.capsules`` (painter's order: later ones occlude earlier).
CAPSULES = ("torso", "shoulders", "head",
            "right_upper_arm", "right_forearm", "right_hand",
            "left_upper_arm", "left_forearm", "left_hand")


# ------------------------------------------------------------------ lighting

@dataclass(frozen=True)
class Lighting:
    """An illumination profile [ours]; intensities are relative (1.0 = office light).

    Temporal modulation ``m(t) = 1 + flicker_depth*cos(2 pi flicker_hz t + ph)
    + drift_depth*sin(2 pi drift_hz t + ph2)``. ``gradient`` is the fractional
    illumination change across the image width; ``contrast`` the range of the
    per-trial reflectance contrast factor; ``noise_scale`` multiplies the pixel
    model's background-activity rate (dim light is noisier).
    """

    name: str
    level: float
    level_jitter: float          # log-normal sigma of the per-trial level
    contrast: tuple[float, float]
    flicker_hz: float = 0.0
    flicker_depth: float = 0.0
    drift_hz: float = 0.0
    drift_depth: float = 0.0
    gradient: float = 0.0
    noise_scale: float = 1.0

    @property
    def sample_us(self) -> int | None:
        """Frame interval that samples the flicker (8 frames a period); None if none."""
        if self.flicker_hz > 0 and self.flicker_depth > 0:
            return max(1, int(1e6 / (8 * self.flicker_hz)))
        return None


# The five DVS Gesture lighting conditions (recorded in the US: 60 Hz mains, so
# fluorescent tubes flicker at 120 Hz).
LIGHTING_PROFILES: dict[str, Lighting] = {
    "fluorescent": Lighting("fluorescent", level=1.0, level_jitter=0.15, contrast=(0.75, 1.0),
                            flicker_hz=120.0, flicker_depth=0.05, gradient=0.1,
                            noise_scale=1.0),
    "fluorescent_led": Lighting("fluorescent_led", level=0.8, level_jitter=0.15,
                                contrast=(0.7, 0.95), flicker_hz=120.0, flicker_depth=0.025,
                                gradient=0.2, noise_scale=1.0),
    "lab": Lighting("lab", level=0.35, level_jitter=0.25, contrast=(0.5, 0.8),
                    gradient=0.3, noise_scale=2.5),
    "led": Lighting("led", level=0.7, level_jitter=0.15, contrast=(0.8, 1.0),
                    gradient=0.05, noise_scale=1.0),
    "natural": Lighting("natural", level=2.0, level_jitter=0.4, contrast=(0.6, 1.0),
                        drift_hz=0.15, drift_depth=0.04, gradient=0.45, noise_scale=0.6),
}
assert tuple(LIGHTING_PROFILES) == LIGHTINGS


# ------------------------------------------------------------------ figure

@dataclass(frozen=True)
class Body:
    """Figure geometry (pixels) and clothing (reflectances) of one trial."""

    cx: float                    # body centre column
    neck_y: float                # neck row
    size: float                  # scale factor
    shirt: float
    sleeve: float                # forearm reflectance (shirt or skin)
    skin: float

    @property
    def upper(self) -> float:      # upper-arm length
        return 21.0 * self.size

    @property
    def fore(self) -> float:       # forearm length (to the hand centre)
        return 19.0 * self.size

    @property
    def reach(self) -> float:
        return self.upper + self.fore

    @property
    def shoulder_dx(self) -> float:
        return 15.0 * self.size

    def radii(self) -> np.ndarray:
        s = self.size
        return np.array([13.0, 5.5, 8.5, 4.2, 3.4, 4.6, 4.2, 3.4, 4.6]) * s

    def reflectances(self) -> np.ndarray:
        return np.array([self.shirt, self.shirt, self.skin,
                         self.shirt, self.sleeve, self.skin,
                         self.shirt, self.sleeve, self.skin])


def random_body(rng: np.random.Generator, background_level: float = 0.4) -> Body:
    """A random figure; clothing is dark or bright, and skin is kept at least 0.15
    (reflectance) away from ``background_level`` so the hands stand out."""
    size = rng.uniform(0.95, 1.3)
    dark = rng.random() < 0.5
    shirt = rng.uniform(0.06, 0.16) if dark else rng.uniform(0.65, 0.9)
    skin = rng.uniform(0.4, 0.7)
    if abs(skin - background_level) < 0.15:
        skin = background_level + (0.2 if background_level < 0.6 else -0.2)
    sleeve = shirt if rng.random() < 0.5 else skin
    return Body(cx=64.0 + rng.uniform(-8, 8), neck_y=38.0 + rng.uniform(-5, 5), size=size,
                shirt=shirt, sleeve=sleeve, skin=skin)


# ------------------------------------------------------------------ gestures

@dataclass(frozen=True)
class Gesture:
    """One gesture of a trial: class, timing (s) and its random parameters."""

    class_index: int             # 0..10 (class_id - 1)
    start_s: float
    duration_s: float
    period_s: float
    params: dict = field(default_factory=dict, compare=False)

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


def _rot(u: np.ndarray, beta: np.ndarray) -> np.ndarray:
    c, s = np.cos(beta), np.sin(beta)
    return np.stack([u[..., 0] * c - u[..., 1] * s, u[..., 0] * s + u[..., 1] * c], axis=-1)


def ik(hand: np.ndarray, upper: float, fore: float, bend: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-link IK relative to the shoulder: (elbow, hand) for hand targets (T, 2).

    ``bend`` (+1 or -1) picks the elbow side: the shoulder-to-hand direction is
    rotated by ``bend * alpha`` (positive = clockwise on screen) to point at the
    elbow. Targets out of reach are pulled onto the reachable annulus.
    """
    d = np.hypot(hand[:, 0], hand[:, 1])
    u = np.where(d[:, None] > 1e-9, hand / np.maximum(d, 1e-9)[:, None], np.array([0.0, 1.0]))
    dc = np.clip(d, abs(upper - fore) + 1e-6, upper + fore - 1e-6)
    cos_a = (upper ** 2 + dc ** 2 - fore ** 2) / (2 * upper * dc)
    alpha = np.arccos(np.clip(cos_a, -1.0, 1.0))
    elbow = upper * _rot(u, bend * alpha)
    h = u * dc[:, None]
    return elbow, h


def _mirror(x: np.ndarray) -> np.ndarray:
    return x * np.array([-1.0, 1.0])


def _rest(body: Body, side: int, n: int) -> np.ndarray:
    r = body.reach
    return np.tile([side * 0.2 * r, 0.9 * r], (n, 1))


def gesture_params(class_index: int, rng: np.random.Generator, body: Body,
                   duration_s: float) -> tuple[float, dict]:
    """Draw (period_s, params) of a gesture; amplitude, phase, direction etc."""
    u = rng.uniform
    name = CLASS_NAMES[class_index]
    p: dict = {"phase": u(0, 2 * np.pi), "offset": (u(-3, 3), u(-2, 2))}
    if name == "hand_clap":
        period = u(0.35, 0.7)
        p.update(gap=u(0.25, 0.5), height=u(0.45, 0.65))
    elif name in ("right_hand_wave", "left_hand_wave"):
        period = u(0.4, 0.9)
        p.update(swing=np.radians(u(20, 40)), tilt=np.radians(u(-15, 5)),
                 upper_angle=np.radians(180 - u(5, 30)))
    elif name.endswith("clockwise"):          # the four arm rotations
        period = u(0.8, 1.6)
        p.update(center=(u(0.05, 0.15), u(0.0, 0.15)), radius=u(0.5, 0.75))
    elif name == "arm_roll":
        period = u(0.3, 0.6)
        p.update(radius=u(4, 8), height=u(0.5, 0.65), direction=rng.choice([-1, 1]))
    elif name == "air_drums":
        period = u(0.3, 0.6)
        p.update(stroke=u(0.12, 0.25), height=u(0.5, 0.65), spread=u(10, 16),
                 jitter=u(-0.6, 0.6), drift_period=u(1.5, 3.0))
    elif name == "air_guitar":
        period = u(0.2, 0.4)
        p.update(strum=u(0.08, 0.15), strum_x=u(0, 6), strum_y=u(0.7, 0.85),
                 neck=(u(0.55, 0.75), u(0.05, 0.3)), fret_period=u(1.5, 3.0),
                 fret=u(0.04, 0.1))
    else:                                      # other: random smooth waypoints
        period = u(0.25, 0.7)                  # mean waypoint interval
        n = int(np.ceil(duration_s / period)) + 3
        hands = []
        both = rng.random() < 0.6
        moving = (True, True) if both else ((True, False) if rng.random() < 0.5
                                            else (False, True))
        for side, move in zip((RIGHT, LEFT), moving):
            if move:
                wx = side * rng.uniform(-0.3, 0.9, n)
                wy = rng.uniform(-0.6, 0.95, n)
            else:
                wx = side * (0.2 + rng.uniform(-0.05, 0.05, n))
                wy = 0.9 + rng.uniform(-0.05, 0.0, n)
            times = np.concatenate([[0.0], np.cumsum(rng.uniform(0.5, 1.5, n - 1) * period)])
            hands.append(PchipInterpolator(times, np.stack([wx, wy], axis=1), axis=0))
        p.update(waypoints=hands)
    return period, p


def gesture_hands(g: Gesture, body: Body, tau: np.ndarray):
    """Hand targets relative to each shoulder for local times ``tau`` (s).

    Returns (right (T, 2), left (T, 2), right bend, left bend).
    """
    p = g.params
    n = len(tau)
    r = body.reach
    s = body.size
    sdx = body.shoulder_dx
    w = 2 * np.pi / g.period_s * tau + p["phase"]
    name = CLASS_NAMES[g.class_index]
    if name == "hand_clap":
        gap = 9.0 * s + p["gap"] * r * (0.5 - 0.5 * np.cos(w))
        hx = sdx - gap / 2
        hy = p["height"] * r + 1.5 * s * np.sin(w)
        right = np.stack([hx, hy], axis=1)
        return right, _mirror(right), +1, -1
    if name in ("right_hand_wave", "left_hand_wave"):
        a = p["upper_angle"]
        elbow = body.upper * np.array([np.cos(a), np.sin(a)])
        th = p["tilt"] + p["swing"] * np.sin(w)
        hand = elbow + body.fore * np.stack([np.sin(th), -np.cos(th)], axis=1)
        rest = _rest(body, LEFT, n)
        if name == "right_hand_wave":
            return hand, rest, -1, -1
        return _mirror(rest), _mirror(hand), +1, +1
    if name.endswith("clockwise"):
        side = RIGHT if name.startswith("right") else LEFT
        sense = -1.0 if name.endswith("counter_clockwise") else 1.0
        cx, cy = p["center"]
        phi = p["phase"] + sense * 2 * np.pi / g.period_s * tau
        hand = np.stack([side * cx * r + p["radius"] * r * np.cos(phi),
                         cy * r + p["radius"] * r * np.sin(phi)], axis=1)
        if side == RIGHT:
            return hand, _rest(body, LEFT, n), +1, -1
        return _rest(body, RIGHT, n), hand, +1, -1
    if name == "arm_roll":
        phi = p["phase"] + p["direction"] * 2 * np.pi / g.period_s * tau
        y = p["height"] * r
        rr = p["radius"] * s
        right = np.stack([sdx - 3 * s + rr * np.cos(phi), y + rr * np.sin(phi)], axis=1)
        left = np.stack([-sdx + 3 * s + rr * np.cos(phi + np.pi),
                         y + rr * np.sin(phi + np.pi)], axis=1)
        return right, left, +1, -1
    if name == "air_drums":
        drift = 4 * s * np.sin(2 * np.pi * tau / p["drift_period"])
        x = sdx - p["spread"] * s
        y = p["height"] * r
        right = np.stack([x + drift, y - p["stroke"] * r * (0.5 + 0.5 * np.cos(w))], axis=1)
        w2 = w + np.pi + p["jitter"]
        left = np.stack([-x + drift, y - p["stroke"] * r * (0.5 + 0.5 * np.cos(w2))], axis=1)
        return right, left, +1, -1
    if name == "air_guitar":
        right = np.stack([sdx - p["strum_x"] * s + 1.0 * s * np.sin(w),
                          p["strum_y"] * r + p["strum"] * r * np.sin(w)], axis=1)
        fret = p["fret"] * r * np.sin(2 * np.pi * tau / p["fret_period"] + p["phase"])
        nx, ny = p["neck"]
        left = np.stack([nx * r + fret, ny * r - 0.3 * fret], axis=1)
        return right, left, +1, +1
    # other_gestures: waypoints (units of reach) joined by monotone cubics, no overshoot
    right, left = (path(np.clip(tau, path.x[0], path.x[-1])) * r for path in p["waypoints"])
    return right, left, +1, -1


# ------------------------------------------------------------------ scene

def smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def make_background(rng: np.random.Generator) -> np.ndarray:
    """Static cluttered background reflectance (H, W) in [0.03, 0.95]."""
    base = rng.uniform(0.25, 0.5)
    smooth = gaussian_filter(rng.normal(size=(HEIGHT, WIDTH)), 8.0)
    smooth *= 0.08 / max(smooth.std(), 1e-9)
    img = base + smooth
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    for _ in range(rng.integers(8, 20)):           # blobs: ellipses and rectangles
        refl = rng.uniform(0.08, 0.85)
        cx, cy = rng.uniform(-10, WIDTH + 10), rng.uniform(-10, HEIGHT + 10)
        ax, ay = rng.uniform(3, 18), rng.uniform(3, 18)
        if rng.random() < 0.5:
            inside = ((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2 <= 1.0
        else:
            inside = (np.abs(xx - cx) <= ax) & (np.abs(yy - cy) <= ay)
        img = np.where(inside, refl, img)
    img = gaussian_filter(img, 0.6)                 # soften edges a little
    img += rng.normal(0.0, 0.015, size=img.shape)   # fine texture
    return np.clip(img, 0.03, 0.95)


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
        rest = (np.zeros(2), *ik(_rest(body, RIGHT, 1), body.upper, body.fore, +1),
                *ik(_rest(body, LEFT, 1), body.upper, body.fore, -1))
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


N_BODY = 3      # torso, shoulders, head: the capsules that move only with the body
STILL_PX = 0.02  # body motion within a render call below which the body is drawn once


def draw_capsules(img: np.ndarray, caps: np.ndarray, refl: float,
                  illum: np.ndarray | None = None) -> None:
    """Paint one capsule per frame into ``img`` (K, H, W) in place.

    ``caps`` is (K, 5): ``ax, ay, bx, by, r``. Coverage is ``clip(r + 0.5 - d, 0, 1)``
    with d the distance from the pixel centre (integer coordinates) to the
    segment; a pixel becomes ``img + coverage * (refl * illum - img)`` (``illum``
    an (H, W) map, default 1). Work is limited to the capsule's bounding box over
    the K frames.
    """
    k, h, w = img.shape
    ax, ay, bx, by, r = (caps[:, i] for i in range(5))
    rmax = r.max()
    x0 = max(int(np.floor(min(ax.min(), bx.min()) - rmax - 1)), 0)
    x1 = min(int(np.ceil(max(ax.max(), bx.max()) + rmax + 2)), w)
    y0 = max(int(np.floor(min(ay.min(), by.min()) - rmax - 1)), 0)
    y1 = min(int(np.ceil(max(ay.max(), by.max()) + rmax + 2)), h)
    if x0 >= x1 or y0 >= y1:
        return
    dx, dy = bx - ax, by - ay
    length = np.hypot(dx, dy)
    ok = length > 1e-9
    inv = 1.0 / np.where(ok, length, 1.0)
    ux = np.where(ok, dx * inv, 1.0)
    uy = np.where(ok, dy * inv, 0.0)
    f32 = np.float32
    px = (np.arange(x0, x1)[None, :] - ax[:, None]).astype(f32)[:, None, :]   # (K, 1, w)
    py = (np.arange(y0, y1)[None, :] - ay[:, None]).astype(f32)[:, :, None]   # (K, h, 1)
    ux3, uy3 = ux.astype(f32)[:, None, None], uy.astype(f32)[:, None, None]
    along = px * ux3 + py * uy3                       # (K, h, w)
    perp = py * ux3 - px * uy3
    over = np.minimum(along, length.astype(f32)[:, None, None])
    np.maximum(over, 0.0, out=over)
    np.subtract(along, over, out=over)
    np.multiply(over, over, out=over)
    np.multiply(perp, perp, out=perp)
    perp += over
    np.sqrt(perp, out=perp)
    cov = np.subtract((r + 0.5).astype(f32)[:, None, None], perp, out=perp)
    np.clip(cov, 0.0, 1.0, out=cov)
    target = np.float32(refl) if illum is None else np.float32(refl) * illum[y0:y1, x0:x1]
    view = img[:, y0:y1, x0:x1]
    diff = np.subtract(target, view, out=along)
    diff *= cov
    view += diff


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
