"""40 log-mel features per 10 ms frame, and their per-feature affine u8 quantizer.

Features (SPEC 1.1 and 3): 16 kHz audio, 25 ms window (400 samples), 10 ms hop
(160 samples), 40 mel bands, computed with librosa (``librosa.stft`` and
``librosa.filters.mel``):

* samples are scaled to [-1, 1) (int16 / 32768) and pre-emphasized,
  ``y[n] = x[n] - 0.97 x[n-1]`` (``y[0] = x[0]``);
* frame k covers samples ``[160 k, 160 k + 400)``: its centre is sample
  ``160 k + 200``, exactly the sample :func:`ml.speech.phones.frame_labels`
  reads frame k's label at. Only whole windows are frames, so an utterance of
  N samples has ``n_frames(N) = 1 + (N - 400) // 160`` frames (0 if N < 400):
  no padding, no partial frame at the end;
* each frame is Hann-windowed (periodic, 400 points), zero-padded to a 512-point
  FFT (56 zeros each side, so the window keeps its centre), and its power
  spectrum ``|X|^2`` weighted by 40 triangular mel filters (HTK mel scale,
  20 Hz .. 8 kHz, peak 1, no area normalization);
* feature = ``ln(max(mel energy, 1e-10))``.

Quantizer (SPEC 3): per feature ``q = clamp_u8(floor(f * scale + offset + 0.5))``
with ``scale = 255 / (high - low)`` and ``offset = -low * scale``, where low and
high are the 0.5 and 99.5 percentiles of that feature over all frames of the
training split. ``to_dict``/``from_dict`` carry it (and the feature settings
above) in the weights manifest.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

import numpy as np

from model.errors import InputError

SAMPLE_RATE = 16000
WIN = 400            # 25 ms
HOP = 160            # 10 ms
N_FFT = 512
N_MELS = 40
FMIN = 20.0
FMAX = 8000.0
PREEMPHASIS = 0.97
LOG_FLOOR = 1e-10

# What the manifest records about how features were made; from_dict checks it.
FEATURE_CONFIG: dict = {
    "kind": "log-mel", "sample_rate": SAMPLE_RATE, "win": WIN, "hop": HOP, "n_fft": N_FFT,
    "n_mels": N_MELS, "fmin": FMIN, "fmax": FMAX, "mel_scale": "htk", "window": "hann",
    "preemphasis": PREEMPHASIS, "log": "natural", "log_floor": LOG_FLOOR,
    "frame_centre": "160*k + 200",
}


def n_frames(n_samples: int) -> int:
    """Frames of an utterance of n_samples samples (whole 400-sample windows only)."""
    return 0 if n_samples < WIN else 1 + (n_samples - WIN) // HOP


def _librosa():
    try:
        import librosa
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("ml.speech.features needs librosa: pip install librosa") from e
    return librosa


@lru_cache(maxsize=1)
def mel_filterbank() -> np.ndarray:
    """(40, 257) triangular mel filters over the 512-point FFT bins."""
    return _librosa().filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS, fmin=FMIN,
                                  fmax=FMAX, htk=True, norm=None).astype(np.float64)


def logmel(audio: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    """int16 (or float in [-1, 1)) mono audio -> (n_frames, 40) float32 log-mel."""
    if rate != SAMPLE_RATE:
        raise ValueError(f"features are defined at {SAMPLE_RATE} Hz, got {rate}")
    audio = np.asarray(audio)
    if audio.ndim != 1:
        raise ValueError(f"audio must be 1-D (mono), got shape {audio.shape}")
    x = audio.astype(np.float64)
    if np.issubdtype(audio.dtype, np.integer):
        x /= 32768.0
    frames = n_frames(len(x))
    if frames == 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    x = np.concatenate([x[:1], x[1:] - PREEMPHASIS * x[:-1]])
    pad = (N_FFT - WIN) // 2    # librosa centres the 400-point window in the 512 frame
    x = np.pad(x, (pad, pad))
    spec = _librosa().stft(x, n_fft=N_FFT, hop_length=HOP, win_length=WIN, window="hann",
                           center=False)
    power = np.abs(spec[:, :frames]) ** 2
    # einsum, not BLAS: the product is tiny, and a threaded BLAS on busy cores
    # is slower by 30x and need not sum in a fixed order.
    mel = np.einsum("mf,ft->mt", mel_filterbank(), power)
    return np.log(np.maximum(mel, LOG_FLOOR)).T.astype(np.float32)


# --------------------------------------------------------------------------- quantizer

def _bad(field: str, what: str, source) -> InputError:
    return InputError(source, what, f"quantizer.{field}" if field else "quantizer")


@dataclass(frozen=True, eq=False)
class Quantizer:
    """Per-feature affine map to u8: ``q = clamp(floor(f * scale + offset + 0.5), 0, 255)``."""

    scale: np.ndarray       # (F,) float64, > 0
    offset: np.ndarray      # (F,) float64
    low_percentile: float = 0.5
    high_percentile: float = 99.5
    n_frames: int = 0       # training frames the statistics came from

    KIND = "affine-u8"

    @property
    def n_features(self) -> int:
        return len(self.scale)

    @classmethod
    def fit(cls, feature_arrays: Iterable[np.ndarray], low_percentile: float = 0.5,
            high_percentile: float = 99.5) -> "Quantizer":
        """Statistics from the training split: per-feature low/high percentiles -> 0/255."""
        arrays = [np.asarray(a, dtype=np.float64) for a in feature_arrays]
        arrays = [a for a in arrays if a.size]
        if not arrays:
            raise ValueError("Quantizer.fit needs at least one non-empty feature array")
        widths = {a.shape[1] if a.ndim == 2 else None for a in arrays}
        if len(widths) != 1 or None in widths:
            raise ValueError(f"feature arrays must be (frames, F) with one F, got widths {widths}")
        if not 0 <= low_percentile < high_percentile <= 100:
            raise ValueError("need 0 <= low_percentile < high_percentile <= 100")
        data = np.concatenate(arrays)
        if not np.isfinite(data).all():
            raise ValueError("feature arrays contain NaN or infinity")
        low = np.percentile(data, low_percentile, axis=0)
        high = np.percentile(data, high_percentile, axis=0)
        span = high - low
        span = np.where(span > 1e-6, span, 1.0)  # a constant feature: any scale will do
        scale = 255.0 / span
        return cls(scale, -low * scale, float(low_percentile), float(high_percentile),
                   int(len(data)))

    def quantize(self, features: np.ndarray) -> np.ndarray:
        """(frames, F) float features -> (frames, F) uint8."""
        f = np.asarray(features, dtype=np.float64)
        if f.ndim != 2 or f.shape[1] != self.n_features:
            raise ValueError(f"features must be (frames, {self.n_features}), got {f.shape}")
        return np.clip(np.floor(f * self.scale + self.offset + 0.5), 0, 255).astype(np.uint8)

    def dequantize(self, q: np.ndarray) -> np.ndarray:
        """uint8 codes -> the feature values they stand for (inverse of the affine map)."""
        return ((np.asarray(q, dtype=np.float64) - self.offset) / self.scale).astype(np.float32)

    def to_dict(self) -> dict:
        """JSON-ready form for the weights manifest (floats round-trip exactly)."""
        return {
            "kind": self.KIND,
            "n_features": self.n_features,
            "formula": "q = clamp(floor(f * scale + offset + 0.5), 0, 255)",
            "scale": [float(v) for v in self.scale],
            "offset": [float(v) for v in self.offset],
            "low_percentile": self.low_percentile,
            "high_percentile": self.high_percentile,
            "n_frames": self.n_frames,
            "features": dict(FEATURE_CONFIG),
        }

    @classmethod
    def from_dict(cls, d: Mapping, source=None) -> "Quantizer":
        """Inverse of to_dict; every fault raises InputError naming the field.

        ``source``: the file the dict came from, for the error messages.
        """
        if not isinstance(d, Mapping):
            raise _bad("", "must be an object", source)
        if d.get("kind") != cls.KIND:
            raise _bad("kind", f"must be {cls.KIND!r}, got {d.get('kind')!r}", source)
        n = d.get("n_features")
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise _bad("n_features", f"must be a positive integer, got {n!r}", source)
        vectors = {}
        for key in ("scale", "offset"):
            v = d.get(key)
            if not isinstance(v, list) or len(v) != n:
                raise _bad(key, f"must be a list of {n} numbers", source)
            for i, x in enumerate(v):
                if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
                    raise _bad(f"{key}[{i}]", f"must be a finite number, got {x!r}", source)
                if key == "scale" and x <= 0:
                    raise _bad(f"{key}[{i}]", f"must be positive, got {x!r}", source)
            vectors[key] = np.array(v, dtype=np.float64)
        pct = {}
        for key, default in (("low_percentile", 0.5), ("high_percentile", 99.5)):
            x = d.get(key, default)
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x <= 100:
                raise _bad(key, f"must be a number in [0, 100], got {x!r}", source)
            pct[key] = float(x)
        if pct["low_percentile"] >= pct["high_percentile"]:
            raise _bad("low_percentile", "must be below high_percentile", source)
        frames = d.get("n_frames", 0)
        if not isinstance(frames, int) or isinstance(frames, bool) or frames < 0:
            raise _bad("n_frames", f"must be a non-negative integer, got {frames!r}", source)
        features = d.get("features")
        if features is not None:
            if not isinstance(features, Mapping):
                raise _bad("features", "must be an object", source)
            for key, want in FEATURE_CONFIG.items():
                if features.get(key) != want:
                    raise _bad(f"features.{key}", f"is {features.get(key)!r}, but this code "
                                                  f"computes features with {want!r}", source)
            if n != N_MELS:
                raise _bad("n_features", f"is {n}, but the log-mel features have {N_MELS}", source)
        return cls(vectors["scale"], vectors["offset"], pct["low_percentile"],
                   pct["high_percentile"], frames)
