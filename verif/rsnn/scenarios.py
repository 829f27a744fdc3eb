"""rsnn_accel test scenarios: deterministic weights and nominal registers per spike
density (silent to saturating), register jitter, random features, and the settings a
test passes into its cocotb run (verif/settings.py).

Weight scenarios are seeded by their name, so a replay with ``--seed`` reproduces the
weights exactly; the run's seed varies features, registers and stream stalls.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.rsnn import N_FEATURES, N_INPUT_BUF, RsnnConfig, RsnnWeights
from model.rsnn_memory import load_weights_dir, write_weights_dir


@dataclass(frozen=True)
class AccelSettings:
    """What an rsnn_accel cocotb test reads from its pytest side."""

    weights_dir: Path
    scenario: str = "medium"
    schedule: str = "paper"    # "paper" | "union" | "mixed" (chosen per utterance)
    long_run: bool = False     # the long regression's test (more and longer utterances)


def write_scenario_weights(name: str, folder: Path) -> Path:
    """Weights directory (manifest + images, the RTL's run-time preload) of ``name``."""
    sc = scenario(name)
    write_weights_dir(folder, sc.weights, sc.config)
    return folder


def settings_weights(settings: AccelSettings) -> RsnnWeights:
    """cocotb side: the weights the pytest side wrote."""
    weights, _, _ = load_weights_dir(settings.weights_dir)
    return weights


# ---- weight scenarios: spike density from silent to saturating ---------------------
def _uniform(rng, lo, hi, shape):
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(np.int8)


@dataclass
class Scenario:
    weights: RsnnWeights
    config: RsnnConfig       # nominal registers; tests jitter them
    feature_max: int = 255


SCENARIO_NAMES = ("silent", "sparse", "medium", "dense", "saturating")


def scenario(name: str) -> Scenario:
    """Deterministic weights and nominal registers of a density scenario."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    if name in ("silent", "sparse", "medium"):
        w = RsnnWeights.random(rng, density=0.5)
        cfg = {"silent": RsnnConfig(s_in=7, b0=1, b1=1, theta0=2047, theta1=2047),
               "sparse": RsnnConfig(s_in=4, b0=2, b1=2, theta0=150, theta1=60),
               "medium": RsnnConfig(s_in=3, b0=2, b1=2, theta0=40, theta1=20)}[name]
        return Scenario(w, cfg)
    if name == "dense":
        lo = (-5, -6, -5, -6)
    elif name == "saturating":
        lo = (1, 0, 0, 0)   # only excitatory weights: every neuron fires every step
    else:
        raise ValueError(name)
    win = np.zeros((N_INPUT_BUF, 128), np.int8)
    win[:N_FEATURES] = _uniform(rng, lo[0], 7, (N_FEATURES, 128))
    w = RsnnWeights(win=win, wr0=_uniform(rng, lo[1], 7, (128, 128)),
                    wf1=_uniform(rng, lo[2], 7, (128, 128)),
                    wr1=_uniform(rng, lo[3], 7, (128, 128)),
                    wfc=_uniform(rng, -8, 7, (128, 1920)))
    cfg = (RsnnConfig(s_in=4, b0=1, b1=1, theta0=120, theta1=60) if name == "dense"
           else RsnnConfig(s_in=0, b0=1, b1=1, theta0=1, theta1=1))
    return Scenario(w, cfg)


def jitter_config(rng, nominal: RsnnConfig, T: int, name: str) -> RsnnConfig:
    """Registers near the scenario's nominal values (extremes kept where they matter)."""
    if name in ("silent", "saturating"):
        return RsnnConfig(T=T, s_in=nominal.s_in, b0=int(rng.integers(1, 8)),
                          b1=int(rng.integers(1, 8)), theta0=nominal.theta0,
                          theta1=nominal.theta1)
    def th(v):
        return int(np.clip(v * rng.uniform(0.6, 1.5), 1, 2047))
    return RsnnConfig(T=T, s_in=nominal.s_in, b0=int(rng.integers(1, 4)),
                      b1=int(rng.integers(1, 4)), theta0=th(nominal.theta0),
                      theta1=th(nominal.theta1))


# Per-frame share of zero features: mostly typical frames, some with every feature
# active, some nearly empty, some silent (covergroup rsnn.in.active_features).
_ZERO_SHARES = np.array([0.3, 0.0, 0.85, 1.0])
_ZERO_SHARE_WEIGHTS = np.array([0.6, 0.15, 0.15, 0.1])


def random_features(rng, frames: int, feature_max: int = 255, zero_prob: float | None = None):
    """(frames, 40) u8 features, some zero (Type A skips them), some full-scale. With
    zero_prob None each frame draws its share of zero features from _ZERO_SHARES."""
    x = rng.integers(1, max(feature_max, 1), size=(frames, N_FEATURES), endpoint=True)
    if zero_prob is None:
        share = rng.choice(_ZERO_SHARES, size=(frames, 1), p=_ZERO_SHARE_WEIGHTS)
    else:
        share = np.full((frames, 1), zero_prob)
    x[rng.random(x.shape) < share] = 0
    x[(rng.random(x.shape) < 0.05) & (x > 0)] = 255
    return x.astype(np.int64)
