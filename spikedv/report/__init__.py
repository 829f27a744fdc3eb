"""The reports of a regression, built from one or more results folders
(spikedv/results.py): the test summary per file and simulator, code and functional
coverage, and what the shipped weights do. ``build`` is what ``spikedv regress`` and
``spikedv merge`` call.
"""
from __future__ import annotations

import json
from pathlib import Path

from spikedv.results import collect


def build(results_folders, out_dir: Path, quiet: bool = False) -> dict:
    """Write the reports of ``results_folders`` into ``out_dir``; returns the summary
    (tests per file and engine, failures, coverage, wall time)."""
    from spikedv.coverage import build as build_coverage
    from spikedv.regress import render, summarize_all
    from spikedv.shipped import render as render_shipped

    found = collect(results_folders)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize_all(found.junit)
    text = render(summary, found.wall_s, [m.get("command", "") for m in found.meta]) \
        + "\n" + render_shipped()
    (out_dir / "regression.md").write_text(text)
    coverage = {}
    if found.coverage_dat or found.fcov_yml:
        coverage = build_coverage(found.coverage_dat, found.fcov_yml, out_dir / "coverage",
                                  quiet=True)
    result = {**summary, "wall_s": found.wall_s, "coverage": coverage,
              "results": [str(f) for f in found.folders]}
    (out_dir / "regression.json").write_text(json.dumps(result, indent=2))
    if not quiet:
        print(text)
        print(f"report: {out_dir / 'regression.md'}")
    return result
