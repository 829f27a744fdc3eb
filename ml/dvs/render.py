"""What the synthetic DVS Gesture scenes are drawn with: the five lightings, the static
cluttered background, and anti-aliased capsules (thick line segments) painted over a
chunk of frames at once (ml/dvs/scenes.py puts them together)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter

from ml.dvs.figure import HEIGHT, WIDTH
from ml.dvs.layout import LIGHTINGS


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
