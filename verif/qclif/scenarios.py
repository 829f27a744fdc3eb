"""qclif_network test configurations: (N, NP) builds, their deterministic weights, and the
settings a test passes into its cocotb run (verif/settings.py).

Weights are seeded by the configuration's name, not by the run's seed, so ``--seed``
replays a failure with the same weights; they are written on the pytest side as a
weights directory (manifest + logical images, read back by the testbench) plus the
per-unit bank images the RTL preloads at run time (``+weights=DIR``).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.qclif import QclifRegs, QclifWeights
from model.qclif_memory import load_weights_dir, write_weights_dir
from verif.qclif.qclif_tb import write_bank_images

CONFIGS = {   # name: (N, NP, bins per lockstep sample)
    "n20_np1": (20, 1, 12),
    "n20_np4": (20, 4, 12),
    "n20_np20": (20, 20, 12),
    "n200_np20": (200, 20, 6),
    # NP = N = 2: P = 1, the fewest cycles per bin and the cheapest build per cycle
    "corners_n2_np2": (2, 2, 6),
}


@dataclass(frozen=True)
class NetworkSettings:
    """What a qclif_network cocotb test reads from its pytest side."""

    weights_dir: Path
    bins: int = 6          # bins per lockstep sample


def config_weights(name: str) -> QclifWeights:
    """The deterministic weights of configuration ``name``."""
    n = CONFIGS[name][0]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    return QclifWeights.random(rng, n, density=float(rng.uniform(0.3, 0.7)))


def write_config_weights(name: str, folder: Path, preload: bool = True) -> Path:
    """Weights directory of ``name`` in ``folder``, with the bank images if ``preload``."""
    n, np_units, _ = CONFIGS[name]
    weights = config_weights(name)
    write_weights_dir(folder, weights, QclifRegs())
    if preload:
        write_bank_images(folder, weights, np_units)
    return folder


def settings_weights(settings: NetworkSettings) -> QclifWeights:
    """cocotb side: the weights the pytest side wrote."""
    weights, _, _ = load_weights_dir(settings.weights_dir)
    return weights
