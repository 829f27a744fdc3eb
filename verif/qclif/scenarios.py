"""qclif_network test configurations: (N, NP) builds, their deterministic weights, the
settings a test passes into its cocotb run (verif/settings.py), and random stimulus
(registers, input bins).

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

from model import qclif
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
    long_run: bool = False  # the long regression's test (more samples per test)


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


# ---- stimulus ------------------------------------------------------------------------
def random_inputs(rng, bins: int, density=None) -> np.ndarray:
    """(bins, 200) input bits, each bin's density drawn from a spread unless given."""
    dens = (np.full(bins, density) if density is not None
            else rng.choice([0.0, 0.02, 0.05, 0.1, 0.3, 0.6, 1.0], bins))
    return (rng.random((bins, qclif.N_INPUTS)) < dens[:, None]).astype(np.uint8)


def random_regs(rng) -> QclifRegs:
    """Registers under which a random network fires sometimes (g0 = 0 now and then)."""
    return QclifRegs(la=int(rng.integers(0, 9)), ls=int(rng.integers(0, 9)),
                     g0=int(rng.choice([0, int(rng.integers(1, 256))], p=[0.1, 0.9])),
                     theta=int(rng.integers(16, 200)), si=int(rng.integers(1, 6)),
                     sa=int(rng.integers(1, 6)), sd=int(rng.integers(3, 9)))


def firing_stimulus(rng, weights: QclifWeights, bins: int, tries: int = 200):
    """Random registers and inputs under which the model's network spikes at least once
    (the stimulus is chosen with the model, so a test is never silent by chance)."""
    for _ in range(tries):
        regs, x = random_regs(rng), random_inputs(rng, bins)
        if np.any(qclif.run(weights, regs, x).spikes):
            return regs, x
    raise AssertionError(f"no random stimulus of {bins} bins made the network fire in "
                         f"{tries} tries")
