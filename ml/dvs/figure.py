"""The figure of the synthetic DVS Gesture scenes and its 11 gestures: body proportions
and clothing, hand trajectories per gesture, two-link inverse kinematics of the arms.

Conventions (ml/dvs/scenes.py has all of them): ``x`` is the image column, ``y`` the
row with row 0 at the top; the figure faces the camera, so the person's RIGHT arm
appears on the IMAGE LEFT (``RIGHT = -1``: the image-x direction of the person's right
side); clockwise is as seen in the image; angles are in image coordinates (y down).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.interpolate import PchipInterpolator

from ml.dvs.layout import CLASS_NAMES

WIDTH = 128
HEIGHT = 128
N_CLASSES = len(CLASS_NAMES)
RIGHT, LEFT = -1, +1          # image-x direction of the person's right / left side

# Capsule order in ``Scene.capsules`` (painter's order: later ones occlude earlier).
CAPSULES = ("torso", "shoulders", "head",
            "right_upper_arm", "right_forearm", "right_hand",
            "left_upper_arm", "left_forearm", "left_hand")


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


def rest_hand(body: Body, side: int, n: int) -> np.ndarray:
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
        rest = rest_hand(body, LEFT, n)
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
            return hand, rest_hand(body, LEFT, n), +1, -1
        return rest_hand(body, RIGHT, n), hand, +1, -1
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
