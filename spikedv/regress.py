"""The main job: run the regression under pytest, then print and save a summary.

The summary has one row per test file (an RTL block, a model, a data reader) and one
column per simulator (RTL tests) or "python" (tests that run no simulator), each cell
"passed/total"; the report goes to reports/regression.md and reports/regression.json.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from verif.sim import SIMULATORS, sim_build_dir
from verif.sources import PROJECT_ROOT as REPO_ROOT

REPORTS = REPO_ROOT / "reports"


def _engine_of(name: str) -> str:
    params = name.partition("[")[2].rstrip("]")
    for sim in SIMULATORS:
        if sim in params.split("-"):
            return sim
    return "python"


def summarize(junit: Path) -> dict:
    """Counts per (test file, engine) from a JUnit XML file."""
    table: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"passed": 0, "failed": 0, "skipped": 0})
    )
    failures: list[str] = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "")  # the test file as a dotted path
        name = case.get("name", "")
        cell = table[module][_engine_of(name)]
        if case.find("failure") is not None or case.find("error") is not None:
            cell["failed"] += 1
            failures.append(f"{case.get('classname')}::{name}")
        elif case.find("skipped") is not None:
            cell["skipped"] += 1
        else:
            cell["passed"] += 1
    return {"table": {m: dict(e) for m, e in sorted(table.items())}, "failures": failures}


def render(summary: dict, wall_s: float, args: list[str]) -> str:
    engines = ["python", *SIMULATORS]
    lines = [
        "# Regression summary",
        "",
        f"Command: `python -m pytest {' '.join(args)}`, wall time {wall_s:.0f} s.",
        "",
        "| test file | " + " | ".join(engines) + " |",
        "|---|" + "---|" * len(engines),
    ]
    totals = {e: [0, 0] for e in engines}
    for module, cells in summary["table"].items():
        row = []
        for eng in engines:
            c = cells.get(eng)
            if not c or c["passed"] + c["failed"] == 0:
                row.append("-")
                continue
            run = c["passed"] + c["failed"]
            totals[eng][0] += c["passed"]
            totals[eng][1] += run
            row.append(f"{c['passed']}/{run}" + (" FAIL" if c["failed"] else ""))
        lines.append(f"| {module} | " + " | ".join(row) + " |")
    lines.append("| **total** | " + " | ".join(f"**{p}/{n}**" for p, n in totals.values()) + " |")
    if summary["failures"]:
        lines += ["", "Failures:", *[f"- `{f}`" for f in summary["failures"]]]
    return "\n".join(lines) + "\n"


def add_arguments(p) -> None:
    from spikedv.cli_args import add_jobs
    p.add_argument("--short", action="store_true", help="skip the tests marked long")
    add_jobs(p)
    p.add_argument("--no-coverage", action="store_true", help="skip Verilator code coverage")
    p.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                   help="extra pytest arguments, after --")


def run(args) -> int:
    return main(extra_args=args.pytest_args, long=not args.short, jobs=args.jobs,
                coverage=not args.no_coverage)


def main(extra_args: list[str] | None = None, long: bool = True, jobs: str = "auto",
         coverage: bool = True) -> int:
    REPORTS.mkdir(exist_ok=True)
    junit = REPORTS / "regression.junit.xml"
    # Old run folders would leak stale coverage into this regression's report.
    shutil.rmtree(sim_build_dir() / "runs", ignore_errors=True)
    args = ["-q", f"--junitxml={junit}"]
    if coverage:
        args.append("--coverage")
    if jobs != "1":
        args += ["-n", jobs]
    if long:
        args.append("--long")
    args += list(extra_args or [])
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=REPO_ROOT, env=os.environ.copy())
    wall = time.monotonic() - start
    if not junit.is_file():
        print("regression: pytest wrote no JUnit file", file=sys.stderr)
        return proc.returncode or 1
    summary = summarize(junit)
    from spikedv.shipped import render as render_shipped

    text = render(summary, wall, args) + "\n" + render_shipped()
    (REPORTS / "regression.md").write_text(text)
    (REPORTS / "regression.json").write_text(json.dumps({**summary, "wall_s": wall}, indent=2))
    print()
    print(text)
    print(f"report: {REPORTS / 'regression.md'}")
    if coverage:
        from spikedv.coverage import main as coverage_report

        coverage_report()
    return proc.returncode
