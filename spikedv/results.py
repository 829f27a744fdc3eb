"""A regression's results as a folder, so that one run, a shard of a run, or a job on a
cluster node leaves the same thing, and any set of them merges into one report.

    <results>/
      meta.json              what ran: command, shard, seeds, start, wall time, host, commit
      junit.xml              pytest's JUnit XML
      runs/<run>/            per simulation (the runs write here: $SPIKEDV_RUNS_DIR):
                             coverage.dat (Verilator code coverage), fcov.yml (functional
                             coverage), settings.json, results.xml, sim.log, waves
      jobs/<job>/            a regression run as independent jobs (a shard, a launcher:
                             spikedv/jobs.py): each job a results folder of its own
                             (meta.json, junit.xml, runs/, job.log); the folder's
                             junit.xml holds every job's suites, its runs are the jobs'

``collect(results_dirs)`` gathers the files of any number of results folders for the
report (spikedv/coverage.py, the signoff report); a folder that is not a results folder
is an InputError naming it.
"""
from __future__ import annotations

import json
import platform
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from model.errors import InputError
from verif.sources import PROJECT_ROOT

META = "meta.json"
JUNIT = "junit.xml"
RUNS = "runs"
JOBS = "jobs"      # a regression run as jobs: jobs/<job>/ is a results folder of its own


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, check=False)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def write_meta(folder: Path, **meta) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"host": platform.node(), "commit": git_commit(),
            "written": time.strftime("%Y-%m-%d %H:%M:%S"), **meta}
    path = folder / META
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


@dataclass
class Collected:
    """Everything a set of results folders holds, for the report."""
    folders: list[Path]
    meta: list[dict] = field(default_factory=list)
    junit: list[Path] = field(default_factory=list)
    coverage_dat: list[Path] = field(default_factory=list)
    fcov_yml: list[Path] = field(default_factory=list)
    runs: list[Path] = field(default_factory=list)

    @property
    def wall_s(self) -> float:
        return float(sum(m.get("wall_s", 0.0) for m in self.meta))


def collect(folders) -> Collected:
    out = Collected([Path(f) for f in folders])
    for folder in out.folders:
        meta = folder / META
        if not meta.is_file():
            raise InputError(folder, f"not a results folder (no {META})")
        try:
            out.meta.append(json.loads(meta.read_text()))
        except json.JSONDecodeError as e:
            raise InputError(meta, f"invalid JSON: {e.msg}", f"line {e.lineno}") from None
        if (folder / JUNIT).is_file():
            out.junit.append(folder / JUNIT)
        else:   # a folder of jobs not gathered yet (spikedv/jobs.py): the jobs' own
            out.junit += sorted((folder / JOBS).glob(f"*/{JUNIT}"))
        for run in [*sorted((folder / RUNS).glob("*")),
                    *sorted((folder / JOBS).glob(f"*/{RUNS}/*"))]:
            out.runs.append(run)
            if (run / "coverage.dat").is_file():
                out.coverage_dat.append(run / "coverage.dat")
            if (run / "fcov.yml").is_file():
                out.fcov_yml.append(run / "fcov.yml")
    return out
