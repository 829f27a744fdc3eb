"""Functional coverage helpers around cocotb-coverage.

Testbenches declare cover points with ``cocotb_coverage.coverage.CoverPoint`` /
``CoverCross`` on sampling functions (names ``<design>.<group>.<item>``, matching the
testplan) and call :func:`export` once at the end of each cocotb test; the run folder then
holds ``fcov.yml``, which ``spikedv coverage`` merges across runs.
"""
from __future__ import annotations

from pathlib import Path

from cocotb_coverage.coverage import coverage_db

FCOV_FILE = "fcov.yml"


def export(run_dir: Path | None = None) -> Path:
    """Write the coverage database of this simulation to ``fcov.yml`` (run folder = cwd)."""
    path = (run_dir or Path.cwd()) / FCOV_FILE
    coverage_db.export_to_yaml(str(path))
    return path
