"""The regression as a list of independent jobs, balanced into parts by timing data.

A job is one pytest run of the tests of one test file on one engine (``python`` for the
tests that run no simulator, ``icarus``, ``verilator``), in a seed sweep one seed range
of them; or any command (one mutant of a mutation campaign: :func:`command_job`). Each
job writes its own results folder ``<results>/jobs/<name>/`` (``meta.json``,
``junit.xml``, ``runs/`` with every simulation's ``coverage.dat``, ``fcov.yml`` and
``sim.log``, and ``job.log``: spikedv/results.py), so a job runs on any machine that sees
the results folder, and any set of jobs merges into one report.

    plan(paths, ...)              the jobs, from pytest's collection (node ids per job)
    balance(jobs, n)              n parts of about equal time (longest job first)
    run_local(jobs, root, W)      run them on this machine, W at a time
    exec_part(spec, k)            run part k of a spec file (a Slurm array task)
    gather(root, ...)             the results folder's meta.json and junit.xml

Durations: ``verif/durations.json`` holds seconds per test (node id without a sweep's
seed parameter) from earlier runs' JUnit, and the measured overhead of one job (pytest's
start and collection); ``spikedv durations RESULTS_DIR...`` refreshes it
(``add_durations_arguments``/``run_durations`` are ready for a ``spikedv durations``
verb). A test with no figure counts as the mean of the known tests of its engine, and
with no figures at all every test counts 1 (balancing by counts).

A job that ends by a signal (killed, its node lost, out of time) leaves no completion
record (``done.json``) and counts as lost: the launchers run it once more.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from spikedv.results import JOBS, JUNIT, META, RUNS, write_meta
from verif.sim import RUNS_ENV, SIMULATORS
from verif.sources import PROJECT_ROOT as REPO_ROOT

DURATIONS = REPO_ROOT / "verif" / "durations.json"

SPEC = "jobs.json"          # the planned parts, for `python -m spikedv.jobs exec`
DONE = "done.json"          # a job's completion record
LOG = "job.log"
PYTHON = "python"
JOB_DIR_ENV = "SPIKEDV_JOB_DIR"
DEFAULT_OVERHEAD_S = 5.0
# Seconds per test where there are no timing data at all (balancing by counts, an RTL
# test weighing as much as 40 python tests).
PRIOR_S = {PYTHON: 0.5, **{sim: 20.0 for sim in SIMULATORS}}
TESTPATHS = ("tests", "verif")

_SWEEP = re.compile(r"-seed(\d+)(?=[-\]])|(?<=\[)seed(\d+)-|\[seed(\d+)\]")


def base_id(node_id: str) -> str:
    """A node id without a seed sweep's parameter (``[icarus-seed5]`` -> ``[icarus]``)."""
    return _SWEEP.sub("", node_id)


def sweep_seed(node_id: str) -> int | None:
    m = _SWEEP.search(node_id)
    return None if m is None else int(next(g for g in m.groups() if g is not None))


def engine_of(node_id: str) -> str:
    """The simulator named in the test's parametrization, else ``python`` (as the
    report classifies its JUnit cases)."""
    params = node_id.rpartition("::")[2].partition("[")[2].rstrip("]")
    for sim in SIMULATORS:
        if sim in params.split("-"):
            return sim
    return PYTHON


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


@dataclass
class Job:
    """One independent piece of a regression. ``kind`` ``pytest``: ``tests`` (node ids
    or files) with ``options``; ``command``: ``argv`` run as is from the checkout root,
    ``{job_dir}`` in it replaced by the job's folder (also in ``$SPIKEDV_JOB_DIR``)."""
    name: str
    kind: str = "pytest"
    tests: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    key: str = ""                 # test file::engine (durations, the report)
    estimate_s: float = 0.0

    def command(self, folder: Path) -> list[str]:
        if self.kind == "pytest":
            return [sys.executable, "-m", "pytest", "-q", f"--junitxml={folder / JUNIT}",
                    *self.options, *self.tests]
        return [a.replace("{job_dir}", str(folder)) for a in self.argv]

    def shown(self) -> str:
        if self.kind == "pytest":
            files = sorted({t.split("::")[0] for t in self.tests})
            return f"python -m pytest {' '.join(self.options)} {' '.join(files)} " \
                   f"({len(self.tests)} tests)"
        return " ".join(self.argv)

    @classmethod
    def from_dict(cls, d: dict) -> "Job":
        return cls(**d)


def command_job(name: str, argv: list[str], env: dict[str, str] | None = None,
                estimate_s: float = 1.0) -> Job:
    """A job that runs ``argv`` (one mutant of a mutation campaign, say); it writes what
    it produces into ``$SPIKEDV_JOB_DIR`` (or ``{job_dir}`` in argv)."""
    return Job(name=_slug(name), kind="command", argv=list(argv), env=dict(env or {}),
               key=name, estimate_s=estimate_s)


# ---- durations -------------------------------------------------------------------------

@dataclass
class Durations:
    tests: dict[str, float] = field(default_factory=dict)   # base node id -> seconds
    job_overhead_s: float = DEFAULT_OVERHEAD_S

    @classmethod
    def load(cls, path: Path = DURATIONS) -> "Durations":
        path = Path(path)
        if not path.is_file():
            return cls()
        from model.errors import InputError

        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as e:
            raise InputError(path, f"invalid JSON: {e.msg}", f"line {e.lineno}") from None
        return cls(tests={str(k): float(v) for k, v in (data.get("tests") or {}).items()},
                   job_overhead_s=float(data.get("job_overhead_s", DEFAULT_OVERHEAD_S)))

    def save(self, path: Path = DURATIONS) -> Path:
        data = {"about": "seconds per test (node id without a seed sweep's parameter) from "
                         "the JUnit of earlier runs, and the overhead of one job (pytest "
                         "start and collection); refreshed by `python -m spikedv.jobs "
                         "durations RESULTS_DIR...`; balances `spikedv regress --shard` and the "
                         "launchers (spikedv/jobs.py)",
                "job_overhead_s": round(self.job_overhead_s, 2),
                "tests": {k: round(v, 2) for k, v in sorted(self.tests.items())}}
        Path(path).write_text(json.dumps(data, indent=1) + "\n")
        return Path(path)

    def estimate(self, node_ids) -> float:
        """Seconds of a job running ``node_ids`` (without the job overhead)."""
        return sum(self.per_test(node_ids))

    def per_test(self, node_ids) -> list[float]:
        """Seconds of each of ``node_ids``: measured, else the mean of its engine's
        measured tests (no timing data at all: an RTL test counts as 40 others)."""
        if not self.tests:
            return [PRIOR_S[engine_of(n)] for n in node_ids]
        means: dict[str, float] = {}
        for eng in (PYTHON, *SIMULATORS):
            known = [v for k, v in self.tests.items() if engine_of(k) == eng]
            means[eng] = sum(known) / len(known) if known else \
                sum(self.tests.values()) / len(self.tests)
        return [self.tests.get(base_id(nid), means[engine_of(base_id(nid))])
                for nid in node_ids]


def durations_from(folders) -> Durations:
    """Per-test seconds (mean over the seeds of a sweep) and the median job overhead
    (a job's wall time less its tests' times) of results folders."""
    from spikedv.report.junit import read_all
    from spikedv.results import collect

    found = collect(folders)
    sums: dict[str, list[float]] = {}
    for case in read_all(found.junit):
        if case.outcome == "not run":
            continue
        sums.setdefault(base_id(case.id), []).append(case.seconds)
    tests = {k: max(0.01, sum(v) / len(v)) for k, v in sums.items()}
    overheads = []
    for folder in found.folders:
        for job_dir in sorted((Path(folder) / JOBS).glob("*")):
            try:
                meta = json.loads((job_dir / META).read_text())
            except (OSError, ValueError):
                continue
            if meta.get("kind") != "pytest" or not (job_dir / JUNIT).is_file():
                continue
            spent = sum(c.seconds for c in read_all([job_dir / JUNIT]))
            overheads.append(max(0.0, float(meta.get("wall_s", 0.0)) - spent))
    overhead = sorted(overheads)[len(overheads) // 2] if overheads else None
    return Durations(tests=tests, job_overhead_s=overhead if overhead is not None
                     else DEFAULT_OVERHEAD_S)


def refresh_durations(folders, path: Path = DURATIONS) -> Durations:
    """Update ``path`` with the figures of ``folders`` (tests not in them keep theirs)."""
    old = Durations.load(path)
    new = durations_from(folders)
    merged = Durations(tests={**old.tests, **new.tests},
                       job_overhead_s=new.job_overhead_s
                       if any((Path(f) / JOBS).is_dir() for f in folders)
                       else old.job_overhead_s)
    merged.save(path)
    return merged


# ---- planning --------------------------------------------------------------------------

def split_pytest_args(args) -> tuple[list[str], list[str]]:
    """(paths or node ids, options) of extra pytest arguments: an argument is a path if
    it names a .py file, a folder or a node id (``::``), else an option or its value."""
    paths, options = [], []
    for a in args:
        if not a.startswith("-") and ("::" in a or a.endswith(".py")
                                      or (REPO_ROOT / a).is_dir() or Path(a).is_dir()):
            paths.append(a)
        else:
            options.append(a)
    return paths, options


def collect_ids(paths, options) -> list[str]:
    """pytest's node ids for ``paths`` (default: the testpaths) with ``options``."""
    cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", *options, *paths]
    env = _clean_env()
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 5):
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise RuntimeError(f"pytest --collect-only exited {proc.returncode}:\n{tail}")
    return [line.strip() for line in proc.stdout.splitlines()
            if "::" in line and not line.startswith((" ", "<"))]


def test_files(paths) -> list[str]:
    """The test files of ``paths`` (files, folders; default the testpaths), relative."""
    out = set()
    for p in paths or TESTPATHS:
        file = p.split("::")[0]
        full = (REPO_ROOT / file) if not Path(file).is_absolute() else Path(file)
        if full.is_dir():
            out.update(str(f.relative_to(REPO_ROOT)) for f in full.rglob("test_*.py")
                       if "fresh_clone" not in f.parts)
        elif full.is_file():
            try:
                out.add(str(full.resolve().relative_to(REPO_ROOT)))
            except ValueError:
                out.add(file)
    return sorted(out)


def _order(node_ids: list[str]) -> list[str]:
    return node_ids          # pytest's order: the collection order, kept


def plan(paths=(), *, long: bool = True, coverage: bool = True, seed: int | None = None,
         seeds: range | None = None, seeds_per_job: int = 10, sim: str = "all",
         options=(), durations: Durations | None = None,
         node_ids: list[str] | None = None) -> list[Job]:
    """The jobs of a regression of ``paths`` (default every test): one per test file and
    engine, in a seed sweep (``seeds``) one per ``seeds_per_job`` seeds of it (tests that
    take no seed stay in the first). Node ids come from pytest's collection
    (``node_ids`` skips it, for tests of this module)."""
    durations = Durations.load() if durations is None else durations
    select = []
    if long:
        select.append("--long")
    if sim != "all":
        select += ["--sim", sim]
    if seeds is not None:
        select += ["--seed-range", f"{seeds.start}:{seeds.stop}"]
    paths = list(paths)
    ids = collect_ids(paths, [*select, *options]) if node_ids is None else list(node_ids)
    run_opts = [*select, *(["--coverage"] if coverage else []),
                *(["--seed", str(seed)] if seed is not None else []), *options]
    groups: dict[tuple[str, str], list[str]] = {}
    for nid in ids:
        groups.setdefault((nid.split("::")[0], engine_of(nid)), []).append(nid)
    jobs = []
    for (file, eng), members in sorted(groups.items()):
        stem = _slug(file.removesuffix(".py").replace("/", "."))
        chunks: list[tuple[str, list[str]]] = [("", members)]
        if seeds is not None and len(seeds) > seeds_per_job:
            per_seed: dict[int, list[str]] = {}
            fixed = []
            for nid in members:
                s = sweep_seed(nid)
                (fixed if s is None else per_seed.setdefault(s, [])).append(nid)
            if per_seed:
                chunks = []
                ordered = sorted(per_seed)
                for i in range(0, len(ordered), seeds_per_job):
                    part = ordered[i:i + seeds_per_job]
                    chosen = (fixed if i == 0 else []) + [n for s in part for n in per_seed[s]]
                    chunks.append((f"-seeds{part[0]}-{part[-1]}", chosen))
        for suffix, chosen in chunks:
            jobs.append(Job(name=f"{stem}-{eng}{suffix}", tests=_order(chosen),
                            options=list(run_opts), key=f"{file}::{eng}",
                            estimate_s=durations.estimate(chosen) + durations.job_overhead_s))
    # Files that collect nothing (skipped at import: no torch, say) still run, so that
    # their skip is reported as in a single run.
    if node_ids is None:
        seen = {f for f, _ in groups}
        for file in test_files(paths):
            if file not in seen and (not paths or any(p.split("::")[0] == file or "::" not in p
                                                      for p in paths)):
                jobs.append(Job(name=f"{_slug(file.removesuffix('.py').replace('/', '.'))}"
                                     f"-{PYTHON}", tests=[file], options=list(run_opts),
                                key=f"{file}::{PYTHON}", estimate_s=durations.job_overhead_s))
    return jobs


def _split(job: Job, pieces: int, durations: Durations) -> list[Job]:
    if job.kind != "pytest" or pieces <= 1 or len(job.tests) < 2:
        return [job]
    pieces = min(pieces, len(job.tests))
    parts = _lpt([(t, durations.estimate([t])) for t in job.tests], pieces)
    out = []
    for i, part in enumerate(parts):
        tests = [t for t in job.tests if t in set(part)]
        if tests:
            out.append(Job(name=f"{job.name}-part{i + 1}", tests=tests,
                           options=list(job.options), key=job.key, env=dict(job.env),
                           estimate_s=durations.estimate(tests) + durations.job_overhead_s))
    return out


def _lpt(items: list[tuple[str, float]], n: int) -> list[list[str]]:
    """Longest processing time first: each item, longest first (ties by name), to the
    part with the least load so far (ties: the lowest index)."""
    parts: list[list[str]] = [[] for _ in range(n)]
    load = [0.0] * n
    for name, est in sorted(items, key=lambda x: (-x[1], x[0])):
        k = min(range(n), key=lambda i: (load[i], i))
        parts[k].append(name)
        load[k] += est
    return parts


def balance(jobs: list[Job], n: int, durations: Durations | None = None,
            split: bool = True) -> list[list[Job]]:
    """``n`` parts of about equal estimated time. With ``split``, a job longer than a
    part's fair share (total / n) is first split by tests into that many pieces, so one
    big test file does not set the wall time. Deterministic: every shard of a CI matrix
    computes the same parts."""
    if n < 1:
        raise ValueError("n must be >= 1")
    durations = Durations.load() if durations is None else durations
    total = sum(j.estimate_s for j in jobs)
    if split and n > 1 and total > 0:
        share = total / n
        jobs = [p for j in jobs for p in _split(j, math.ceil(j.estimate_s / share) if
                                                 j.estimate_s > share else 1, durations)]
    by_name = {j.name: j for j in jobs}
    if len(by_name) != len(jobs):
        raise ValueError("job names are not unique")
    parts = _lpt([(j.name, j.estimate_s) for j in jobs], n)
    return [[by_name[name] for name in part] for part in parts]


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1 <= K <= N) -> (K, N)."""
    k, sep, n = text.partition("/")
    if not sep or not k.isdigit() or not n.isdigit() or not 1 <= int(k) <= int(n):
        raise ValueError(f"--shard {text!r}: expected K/N with 1 <= K <= N")
    return int(k), int(n)


def parse_seed_range(text: str) -> range:
    a, sep, b = text.partition(":")
    if not sep or not a.isdigit() or not b.isdigit() or int(b) <= int(a):
        raise ValueError(f"--seed-range {text!r}: expected A:B with 0 <= A < B (seeds A..B-1)")
    return range(int(a), int(b))


# ---- running ---------------------------------------------------------------------------

def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for k in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_CURRENT_TEST",
              "PYTEST_ADDOPTS", RUNS_ENV):
        env.pop(k, None)
    return env


def job_dir(root: Path, job: Job) -> Path:
    return Path(root) / JOBS / job.name


def is_done(folder: Path) -> bool:
    return (Path(folder) / DONE).is_file()


def exec_job(job: Job, root: Path) -> dict:
    """Run ``job`` into ``<root>/jobs/<name>/`` (emptied first); returns its record. A
    job killed by a signal gets no done.json (it is lost, not failed)."""
    folder = job_dir(root, job)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / RUNS).mkdir(parents=True)
    host = socket.gethostname()
    (folder / "started.json").write_text(json.dumps(
        {"host": host, "pid": os.getpid(), "started": time.time(),
         "slurm": os.environ.get("SLURM_JOB_ID", "")}) + "\n")
    argv = job.command(folder)
    env = {**_clean_env(), **job.env, RUNS_ENV: str(folder / RUNS),
           JOB_DIR_ENV: str(folder), "SPIKEDV_JOB_NAME": job.name}
    start = time.monotonic()
    with open(folder / LOG, "w") as log:
        log.write("$ " + " ".join(argv) + "\n")
        log.flush()
        proc = subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait()
        except BaseException:           # interrupted or terminated: take the job down too
            _kill_group(proc)
            raise
    wall = time.monotonic() - start
    record = {"job": job.name, "key": job.key, "kind": job.kind, "exit_status": rc,
              "wall_s": round(wall, 3), "host": host, "estimate_s": round(job.estimate_s, 2),
              "tests": len(job.tests)}
    write_meta(folder, command=" ".join(argv), **{k: v for k, v in record.items()
                                                   if k != "host"})
    if rc >= 0:
        (folder / DONE).write_text(json.dumps(record) + "\n")
    else:
        record["lost"] = f"killed by signal {-rc}"
    return record


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()


def write_spec(root: Path, parts: list[list[Job]], **about) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    spec = root / SPEC
    spec.write_text(json.dumps({"version": 1, "root": str(root), "repo": str(REPO_ROOT),
                                "python": sys.executable, **about,
                                "parts": [[asdict(j) for j in part] for part in parts]},
                               indent=1) + "\n")
    return spec


def read_spec(spec: Path) -> tuple[Path, list[list[Job]], dict]:
    data = json.loads(Path(spec).read_text())
    parts = [[Job.from_dict(j) for j in part] for part in data["parts"]]
    return Path(data["root"]), parts, data


def exec_part(spec: Path, index: int, workers: int | None = None) -> int:
    """Run the jobs of part ``index`` of ``spec`` that have no completion record yet
    (a resubmitted part reruns only what was lost), ``workers`` at a time (default
    $SLURM_CPUS_PER_TASK or 1). Exit status: 1 if a job failed, else 0."""
    root, parts, _ = read_spec(spec)
    todo = [j for j in parts[index] if not is_done(job_dir(root, j))]
    workers = workers or int(os.environ.get("SLURM_CPUS_PER_TASK") or 1)
    status = 0
    for rec in _pool(todo, root, workers, lambda r: print(_line(r), flush=True)):
        if rec["exit_status"] != 0:
            status = 1
    return status


def _line(rec: dict) -> str:
    if rec.get("lost"):
        return f"job {rec['job']}: lost ({rec['lost']}) after {rec['wall_s']:.0f} s"
    outcome = "passed" if rec["exit_status"] == 0 else f"exit {rec['exit_status']}"
    return f"job {rec['job']}: {outcome} in {rec['wall_s']:.0f} s"


def _pool(jobs: list[Job], root: Path, workers: int, report=None):
    ordered = sorted(jobs, key=lambda j: (-j.estimate_s, j.name))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(exec_job, j, root) for j in ordered]
        for fut in as_completed(futures):
            rec = fut.result()
            if report:
                report(rec)
            yield rec


def run_local(jobs: list[Job], root: Path, workers: int = 1, retries: int = 1,
              quiet: bool = False) -> list[dict]:
    """Run ``jobs`` on this machine, ``workers`` at a time, longest first; a lost job
    (killed by a signal) runs once more (``retries``). Returns one record per job (the
    last attempt's), with ``attempts``."""
    done = 0
    total = len(jobs)

    def report(rec):
        nonlocal done
        done += 0 if rec.get("lost") else 1
        if not quiet:
            print(f"[{done}/{total}] {_line(rec)}", flush=True)

    records: dict[str, dict] = {}
    attempts: dict[str, int] = {}
    todo = list(jobs)
    for _ in range(retries + 1):
        for rec in _pool(todo, root, workers, report):
            attempts[rec["job"]] = attempts.get(rec["job"], 0) + 1
            records[rec["job"]] = rec
        todo = [j for j in todo if records[j.name].get("lost")]
        if not todo:
            break
    return [{**records[j.name], "attempts": attempts[j.name]} for j in jobs]


def gather(root: Path, jobs: list[Job], records: list[dict], **meta) -> dict:
    """The results folder ``root`` of a set of jobs: ``junit.xml`` (every job's suites
    in one file) and ``meta.json`` (what ran: the jobs with their times and outcomes,
    the lost ones, and ``meta``). Returns the meta."""
    from spikedv.report.junit import merge_junit

    junits = [job_dir(root, j) / JUNIT for j in jobs if (job_dir(root, j) / JUNIT).is_file()]
    if junits:
        merge_junit(junits, root / JUNIT)
    else:
        (root / JUNIT).write_text('<?xml version="1.0" encoding="utf-8"?><testsuites />\n')
    lost = [r["job"] for r in records if r.get("lost") or r.get("exit_status") is None]
    failed = [r["job"] for r in records if r.get("exit_status") not in (0, None)
              and not r.get("lost")]
    status = 3 if lost else 1 if failed else 0
    data = {"kind": "jobs", "exit_status": status, "lost_jobs": lost, "failed_jobs": failed,
            "jobs": records, **meta}
    write_meta(root, **data)
    return data


# ---- `python -m spikedv.jobs exec SPEC K` (what a Slurm array task runs), `durations` -----

def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m spikedv.jobs",
                                description="run part K of a jobs.json (a Slurm array task)")
    sub = p.add_subparsers(dest="what", required=True)
    e = sub.add_parser("exec", help="run the jobs of one part of a spec file")
    e.add_argument("spec", type=Path)
    e.add_argument("index", type=int, nargs="?",
                   default=int(os.environ.get("SLURM_ARRAY_TASK_ID", "0")))
    e.add_argument("--workers", type=int, default=None)
    d = sub.add_parser("durations", help="update verif/durations.json from results folders "
                                         "(what a `spikedv durations` verb would run)")
    d.add_argument("-q", "--quiet", action="store_true")
    add_durations_arguments(d)
    args = p.parse_args(argv)
    if args.what == "durations":
        return run_durations(args)

    def _terminated(signum, frame):     # scancel, a time limit: stop the job's processes
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminated)
    return exec_part(args.spec, args.index, args.workers)


# ---- `spikedv durations` ----------------------------------------------

def add_durations_arguments(p) -> None:
    from spikedv.cli_args import add_out, path_arg

    p.add_argument("results", nargs="+", type=path_arg, metavar="RESULTS_DIR",
                   help="results folders of earlier runs (`spikedv regress`, shards, jobs)")
    add_out(p, "durations file to update (default verif/durations.json)", default=DURATIONS)


def run_durations(args) -> int:
    from spikedv.cli_args import quiet

    new = durations_from(args.results)
    merged = refresh_durations(args.results, Path(args.out))
    if not quiet(args):
        print(f"durations: {len(new.tests)} tests measured, {len(merged.tests)} in "
              f"{args.out}; job overhead {merged.job_overhead_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
