"""The main job: run the regression under pytest, then print and save a summary.

The summary has one row per test file (an RTL block, a model, a data reader) and one
column per simulator (RTL tests) or "python" (tests that run no simulator), each cell
"passed/total"; the report goes to reports/regression.md and reports/regression.json.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from spikedv.results import JUNIT, RUNS, write_meta
from verif.sim import RUNS_ENV, SIMULATORS
from verif.sources import PROJECT_ROOT as REPO_ROOT

REPORTS = REPO_ROOT / "reports"


def _engine_of(name: str) -> str:
    params = name.partition("[")[2].rstrip("]")
    for sim in SIMULATORS:
        if sim in params.split("-"):
            return sim
    return "python"


def summarize_all(junits) -> dict:
    """Counts per (test file, engine) over several JUnit files (shards of one run)."""
    table: dict = {}
    failures: list[str] = []
    for junit in junits:
        part = summarize(junit)
        failures += part["failures"]
        for module, cells in part["table"].items():
            for engine, counts in cells.items():
                cell = table.setdefault(module, {}).setdefault(
                    engine, {"passed": 0, "failed": 0, "skipped": 0})
                for k, v in counts.items():
                    cell[k] += v
    return {"table": {m: table[m] for m in sorted(table)}, "failures": failures}


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


def render(summary: dict, wall_s: float, commands: list[str]) -> str:
    engines = ["python", *SIMULATORS]
    shown = "; ".join(f"`{c}`" for c in commands if c) or "-"
    lines = [
        "# Regression summary",
        "",
        f"Command: {shown}, wall time {wall_s:.0f} s.",
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
    from spikedv.cli_args import add_jobs, path_arg
    p.add_argument("--short", action="store_true", help="skip the tests marked long")
    add_jobs(p)
    p.add_argument("--no-coverage", action="store_true", help="skip Verilator code coverage")
    p.add_argument("--results", type=path_arg, default=REPORTS / "results", metavar="DIR",
                   help="results folder of this run (default reports/results)")
    p.add_argument("--reports", type=path_arg, default=REPORTS, metavar="DIR",
                   help="where the reports go (default reports/)")
    p.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                   help="extra pytest arguments, after --")


def run(args) -> int:
    return main(extra_args=args.pytest_args, long=not args.short, jobs=args.jobs,
                coverage=not args.no_coverage, results=args.results, reports=args.reports)


def run_pytest(results: Path, extra_args=(), long: bool = True, jobs: str = "auto",
               coverage: bool = True, **meta) -> int:
    """Run pytest into the results folder ``results`` (spikedv/results.py); returns
    pytest's exit status."""
    # The runs write straight into the results folder (one folder per run), so nothing
    # stale from an earlier run, and nothing of another run on the machine, gets in.
    if results.exists():
        shutil.rmtree(results)
    (results / RUNS).mkdir(parents=True)
    args = ["-q", f"--junitxml={results / JUNIT}"]
    if coverage:
        args.append("--coverage")
    if jobs != "1":
        args += ["-n", jobs]
    if long:
        args.append("--long")
    args += list(extra_args)
    command = "python -m pytest " + " ".join(args)
    start = time.monotonic()
    env = {**os.environ, RUNS_ENV: str(results / RUNS)}
    proc = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=REPO_ROOT, env=env)
    wall = time.monotonic() - start
    write_meta(results, command=command, wall_s=wall, exit_status=proc.returncode, **meta)
    return proc.returncode


def main(extra_args: list[str] | None = None, long: bool = True, jobs: str = "auto",
         coverage: bool = True, results: Path = REPORTS / "results",
         reports: Path = REPORTS) -> int:
    status = run_pytest(results, extra_args or [], long=long, jobs=jobs, coverage=coverage)
    if not (results / JUNIT).is_file():
        print("regression: pytest wrote no JUnit file", file=sys.stderr)
        return status or 1
    from spikedv.report import build

    build([results], reports)
    return status
