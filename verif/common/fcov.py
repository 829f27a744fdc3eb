"""Functional coverage helpers around cocotb-coverage.

Testbenches declare cover points with ``cocotb_coverage.coverage.CoverPoint`` /
``CoverCross`` on sampling functions (names ``<design>.<group>.<item>``, matching the
testplan) and call :func:`export` once at the end of each cocotb test; the run folder then
holds ``fcov.yml``, which ``spikedv coverage`` merges across runs.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from cocotb_coverage.coverage import coverage_db

FCOV_FILE = "fcov.yml"
DENSITY_BINS = ("silent", "sparse", "medium", "dense", "saturated")


def density_bin(spikes) -> str:
    """Fraction of neurons that spiked, in five bins (silent = none, saturated = all)."""
    frac = float(np.mean(spikes))
    if frac == 0.0:
        return "silent"
    if frac == 1.0:
        return "saturated"
    if frac < 0.3:
        return "sparse"
    return "medium" if frac < 0.7 else "dense"


def contains(sampled: list, bin_) -> bool:
    """``rel`` for cover points whose sample is a list of facts: it hits every bin it
    contains (use with ``inj=False``: every matching bin is hit, not only the first)."""
    return bin_ in sampled


def export(run_dir: Path | None = None) -> Path:
    """Write the coverage database of this simulation to ``fcov.yml`` (run folder = cwd)."""
    path = (run_dir or Path.cwd()) / FCOV_FILE
    coverage_db.export_to_yaml(str(path))
    return path
