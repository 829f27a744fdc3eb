"""The main job: run the regression under pytest, then print and save a summary.

The summary has one row per test file (an RTL block, a model, a data reader) and one
column per simulator (RTL tests) or "python" (tests that run no simulator), each cell
"passed/total"; the report goes to reports/regression.md and reports/regression.json.

``main`` is the main job: the tests, then the side results (``spikedv synth``, ``spikedv
formal``, the benchmarks), then the signoff report (spikedv/report: reports/index.html,
reports/signoff.json), checked in headless Chromium (reports/index.png); its last lines
say where the report is and the verdict per design and stage.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
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
    """Counts per (test file, engine) over several JUnit files (shards of one run), and
    the distinct failures of all of them by signature."""
    table: dict = {}
    failures: list[str] = []
    signatures: dict[str, dict] = {}
    for junit in junits:
        part = summarize(junit)
        failures += part["failures"]
        for module, cells in part["table"].items():
            for engine, counts in cells.items():
                cell = table.setdefault(module, {}).setdefault(
                    engine, {"passed": 0, "failed": 0, "skipped": 0})
                for k, v in counts.items():
                    cell[k] += v
        for sig in part["signatures"]:
            _add_signature(signatures, sig)
    return {"table": {m: table[m] for m in sorted(table)}, "failures": failures,
            "signatures": _sorted_signatures(signatures)}


# ---- failure signatures: one line per distinct failure, not one per seed ----------------

_SWEEP_PARAM = re.compile(r"-seed\d+(?=[-\]])|(?<=\[)seed\d+-|\[seed\d+\]")
_NUMBER = re.compile(r"0x[0-9a-fA-F]+|\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{4,}\b"
                     r"|(?<![A-Za-z_0-9])-?\d+(?:\.\d+)?")
_SEED_OF = re.compile(r"\(seed (\d+)\)|--seed (\d+)")
_REPLAY_OF = re.compile(r"replay: (python -m pytest .*?--seed \d+)")
_ASSERTION = re.compile(r"AssertionError|assert |Error: |Exception: |error: ")


def mask_numbers(text: str) -> str:
    """``text`` with every number (decimal, negative, ``0x`` hex, and hex words of 4 or
    more digits such as a frame's dump) replaced by ``N``."""
    return _NUMBER.sub("N", text)


def failure_line(message: str) -> str:
    """The line that says what went wrong: the first scoreboard ``MISMATCH`` line (from
    MISMATCH on), else the first assertion or error line, else the first line."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    for ln in lines:
        if "MISMATCH" in ln:
            return ln[ln.index("MISMATCH"):]
    for ln in lines:
        text = ln[1:].strip() if ln.startswith("E ") else ln
        if _ASSERTION.search(text) and not text.startswith(("log:", "replay:")):
            return text
    return lines[0] if lines else ""


def failure_signature(test_id: str, message: str) -> tuple[str, str, str]:
    """(signature, test, line) of a failure: the test's node id without a seed sweep's
    parameter, and its :func:`failure_line` with the numbers masked, so the runs of one
    bug over many seeds share one signature."""
    test = _SWEEP_PARAM.sub("", test_id)
    line = mask_numbers(failure_line(message))[:240]
    return f"{test} | {line}", test, line


def _add_signature(into: dict[str, dict], sig: dict) -> None:
    have = into.get(sig["signature"])
    if have is None:
        into[sig["signature"]] = {**sig, "seeds": list(sig["seeds"]), "cases": list(sig["cases"])}
        return
    have["count"] += sig["count"]
    have["seeds"] += [s for s in sig["seeds"] if s not in have["seeds"]]
    have["cases"] += [c for c in sig["cases"] if c not in have["cases"]]


def _sorted_signatures(sigs: dict[str, dict]) -> list[dict]:
    out = sorted(sigs.values(), key=lambda s: (-s["count"], s["signature"]))
    for s in out:
        s["seeds"] = sorted(s["seeds"])
    return out


def summarize(junit: Path) -> dict:
    """Counts per (test file, engine) from a JUnit XML file."""
    table: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: {"passed": 0, "failed": 0, "skipped": 0})
    )
    failures: list[str] = []
    signatures: dict[str, dict] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "")  # the test file as a dotted path
        name = case.get("name", "")
        cell = table[module][_engine_of(name)]
        bad = case.find("failure") if case.find("failure") is not None else case.find("error")
        if bad is not None:
            cell["failed"] += 1
            failures.append(f"{case.get('classname')}::{name}")
            message = ((bad.get("message") or "") + "\n" + (bad.text or "")).strip()
            test_id = _test_id(module, name)
            sig, test, line = failure_signature(test_id, message)
            seed = _SEED_OF.search(message)
            replay = _REPLAY_OF.search(message)
            _add_signature(signatures, {
                "signature": sig, "test": test, "line": line, "count": 1,
                "seeds": [int(seed.group(1) or seed.group(2))] if seed else [],
                "replay": replay.group(1) if replay else f"python -m pytest '{test}'",
                "cases": [test_id]})
        elif case.find("skipped") is not None:
            cell["skipped"] += 1
        else:
            cell["passed"] += 1
    return {"table": {m: dict(e) for m, e in sorted(table.items())}, "failures": failures,
            "signatures": _sorted_signatures(signatures)}


def _test_id(classname: str, name: str) -> str:
    """pytest's node id of a JUnit case (the longest dotted prefix of the classname that
    is a file of the checkout is the module)."""
    parts = classname.split(".") if classname else []
    for cut in range(len(parts), 0, -1):
        if (REPO_ROOT / ("/".join(parts[:cut]) + ".py")).is_file():
            return "::".join(["/".join(parts[:cut]) + ".py", *parts[cut:], name])
    return f"{'/'.join(parts)}.py::{name}" if parts else name


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
    sigs = summary.get("signatures") or []
    if summary["failures"] and not sigs:
        lines += ["", "Failures:", *[f"- `{f}`" for f in summary["failures"]]]
    if sigs:
        lines += ["", f"Distinct failures (by signature: the test and its first MISMATCH or "
                  f"assertion line, numbers masked): {len(sigs)}", "",
                  "| failing runs | test | first failing line | seeds | replay |",
                  "|---|---|---|---|---|"]
        for sg in sigs:
            seeds = ", ".join(map(str, sg["seeds"][:8])) + (" ..." if len(sg["seeds"]) > 8 else "")
            line = sg["line"].replace("|", "\\|")
            lines.append(f"| {sg['count']} | `{sg['test']}` | `{line}` | {seeds or '-'} | "
                         f"`{sg['replay']}` |")
    return "\n".join(lines) + "\n"


def add_arguments(p) -> None:
    from spikedv.cli_args import add_jobs, path_arg
    p.add_argument("--short", action="store_true", help="skip the tests marked long")
    p.add_argument("--tooling", action="store_true",
                   help="also run the tests of the tooling testplan (command line, "
                        "documented commands, reports, data, training, scale-out), as "
                        "`make test` does; default: the test files the design testplans "
                        "name (verif/testplan/{rsnn,qclif,common}.hjson)")
    add_jobs(p)
    p.add_argument("--no-coverage", action="store_true", help="skip Verilator code coverage")
    p.add_argument("--results", type=path_arg, default=REPORTS / "results", metavar="DIR",
                   help="results folder of this run (default reports/results)")
    p.add_argument("--reports", type=path_arg, default=REPORTS, metavar="DIR",
                   help="where the reports go (default reports/)")
    steps = p.add_argument_group("steps after the tests (each skippable)")
    steps.add_argument("--no-synth", action="store_true",
                       help="skip `spikedv synth` (cached per module; reports/synth.json)")
    steps.add_argument("--no-formal", action="store_true",
                       help="skip `spikedv formal` (cached per proof; reports/formal.json)")
    steps.add_argument("--no-bench", action="store_true",
                       help="skip `spikedv rsnn|qclif bench --no-sim` (reports/bench_*.json)")
    steps.add_argument("--no-screenshot", action="store_true",
                       help="skip the headless-Chromium check of index.html (index.png)")
    add_job_arguments(p)
    p.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                   help="extra pytest arguments, after --")


def scope_paths(pytest_args, tooling: bool) -> list[str]:
    """The test files a regression runs when its pytest arguments name none: those of
    the design testplans (every collected test with ``tooling``: pytest's testpaths)."""
    from spikedv.jobs import split_pytest_args
    from spikedv.report.testplan import load_all, test_files

    paths, _ = split_pytest_args(pytest_args)
    if paths or tooling:
        return []
    return test_files(load_all())


def run(args) -> int:
    seeds = seed_sweep(args)
    steps = Steps(synth=not args.no_synth, formal=not args.no_formal,
                  bench=not args.no_bench, screenshot=not args.no_screenshot)
    args.pytest_args = [*args.pytest_args, *scope_paths(args.pytest_args, args.tooling)]
    if args.shard or args.launcher != "pytest":
        return run_as_jobs(args, seeds, steps)
    extra = [*(["--seed", str(args.seed)] if args.seed is not None else []),
             *(["--seed-range", f"{seeds.start}:{seeds.stop}"] if seeds else []),
             *args.pytest_args]
    return main(extra_args=extra, long=not args.short, jobs=args.jobs,
                coverage=not args.no_coverage, results=args.results, reports=args.reports,
                steps=steps)


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


@dataclass(frozen=True)
class Steps:
    """What the main job runs after the tests, before the report."""
    synth: bool = True
    formal: bool = True
    bench: bool = True
    screenshot: bool = True


def _command_exists(words: tuple[str, ...]) -> bool:
    from spikedv.cli import COMMANDS

    return words in COMMANDS


def run_steps(reports: Path, jobs: str, steps: Steps) -> dict[str, str]:
    """The side results of the report, each a `spikedv` command writing into
    ``reports``: synthesis (cached per module), formal proofs (when `spikedv formal`
    exists), the model benchmarks of both designs. Returns {step: outcome}; a failing
    step is reported, it does not stop the job (the report shows it)."""
    planned = []
    if steps.synth:
        planned.append(("synth", ("synth",), ["--jobs", jobs, "--out",
                                              str(reports / "synth.json")]))
    if steps.formal:
        planned.append(("formal", ("formal",), ["--jobs", jobs, "--out",
                                                str(reports / "formal.json")]))
    if steps.bench:
        planned.append(("bench rsnn", ("rsnn", "bench"),
                        ["--no-sim", "--out", str(reports / "bench_rsnn.json")]))
        planned.append(("bench qclif", ("qclif", "bench"),
                        ["--no-sim", "--out", str(reports / "bench_qclif.json")]))
    outcome = {}
    for name, words, args in planned:
        if not _command_exists(words):
            outcome[name] = "not available"
            print(f"regression: {name}: no `spikedv {' '.join(words)}` command, skipped")
            continue
        cmd = [sys.executable, "-m", "spikedv.cli", *words, "-q", *args]
        print(f"regression: {name}: {' '.join(['spikedv', *words, *args])}", flush=True)
        start = time.monotonic()
        proc = subprocess.run(cmd, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
        outcome[name] = f"exit {proc.returncode} in {time.monotonic() - start:.0f} s"
        if proc.returncode:
            print(f"regression: {name} exited {proc.returncode}; the report shows what it "
                  "wrote", file=sys.stderr)
    return outcome


def main(extra_args: list[str] | None = None, long: bool = True, jobs: str = "auto",
         coverage: bool = True, results: Path = REPORTS / "results",
         reports: Path = REPORTS, steps: Steps | None = None, tests=None) -> int:
    """The main job: the tests into ``results``, then the side results (synthesis,
    formal, benchmarks) and the signoff report into ``reports``; the last lines say where
    the report is and the verdict. Exit status: pytest's. ``tests(results)``, when
    given, runs the tests instead of one pytest (the jobs of a launcher: run_as_jobs)."""
    steps = steps or Steps()
    if tests is not None:
        status = tests(results)
    else:
        status = run_pytest(results, extra_args or [], long=long, jobs=jobs,
                            coverage=coverage)
    if not (results / JUNIT).is_file():
        print("regression: pytest wrote no JUnit file", file=sys.stderr)
        return status or 1
    reports.mkdir(parents=True, exist_ok=True)
    run_steps(reports, jobs, steps)
    from spikedv.report import build
    from spikedv.report.status import print_outcome

    result = build([results], reports)
    index = Path(result["index"])
    if steps.screenshot:
        from spikedv.report.browser import available, check_page

        why = available()
        if why:
            print(f"regression: no browser check of the report: {why}")
        else:
            checked = check_page(index, reports / "index.png")
            for problem in checked["problems"]:
                print(f"regression: report page: {problem}", file=sys.stderr)
            print(f"screenshot: {reports / 'index.png'}")
    print_outcome(result)
    return status


# ---- jobs, shards, seed sweeps, launchers (spikedv/jobs.py, spikedv/launchers/) ---------

LAUNCHER_CHOICES = ("pytest", "local", "slurm")


def add_job_arguments(p) -> None:
    """Options of the jobs of a regression: seeds, shards, launchers
    (docs/regressions.md)."""
    from spikedv.cli_args import add_seed

    g = p.add_argument_group("seeds, shards and launchers (docs/regressions.md)")
    add_seed(g, help="seed of every RTL test (a whole run and its shards then give the "
                     "same figures); with --seeds, the first seed of the sweep")
    g.add_argument("--seeds", type=int, default=None, metavar="N",
                   help="seed sweep: run each randomized RTL test over N seeds (from "
                        "--seed, else from a random first seed that is printed)")
    g.add_argument("--seed-range", default=None, metavar="A:B",
                   help="seed sweep over the seeds A..B-1")
    g.add_argument("--seeds-per-job", type=int, default=10, metavar="K",
                   help="in a sweep, at most K seeds of a test file per job (default 10)")
    g.add_argument("--shard", default=None, metavar="K/N",
                   help="run only the K-th of N parts of about equal time (verif/"
                        "durations.json) into --results; merge the parts with "
                        "`spikedv merge`")
    g.add_argument("--launcher", choices=LAUNCHER_CHOICES, default="pytest",
                   help="pytest: one pytest -n JOBS (default); local: the regression as "
                        "independent jobs, JOBS at a time; slurm: the jobs as a Slurm "
                        "array (sbatch), followed, lost ones resubmitted once")
    g.add_argument("--partition", default=None, metavar="P", help="Slurm partition")
    g.add_argument("--max-jobs", type=int, default=None, metavar="M",
                   help="Slurm: at most M array tasks, the jobs balanced among them "
                        "(default: one task per job)")
    g.add_argument("--time-limit", default=None, metavar="T",
                   help="Slurm: time limit of a task (sbatch --time, e.g. 30:00)")


def seed_sweep(args) -> range | None:
    """The seeds of a sweep (--seeds N or --seed-range A:B), or None."""
    from spikedv.jobs import parse_seed_range

    if getattr(args, "seeds", None) is not None and getattr(args, "seed_range", None):
        raise SystemExit("spikedv: error: --seeds and --seed-range: give one of them")
    if getattr(args, "seed_range", None):
        try:
            seeds = parse_seed_range(args.seed_range)
        except ValueError as e:
            raise SystemExit(f"spikedv: error: {e}") from None
    elif getattr(args, "seeds", None) is not None:
        if args.seeds < 1:
            raise SystemExit("spikedv: error: --seeds N: N must be >= 1")
        import random

        first = args.seed if args.seed is not None else random.randrange(1, 1 << 30)
        seeds = range(first, first + args.seeds)
    else:
        return None
    print(f"regression: seed sweep over seeds {seeds.start}..{seeds.stop - 1} "
          f"(again: --seed-range {seeds.start}:{seeds.stop})", flush=True)
    return seeds


def _workers(jobs: str) -> int:
    return os.cpu_count() or 1 if jobs == "auto" else int(jobs)


def run_job_set(job_list, results: Path, launcher: str = "local", workers: int = 1,
                partition: str | None = None, max_jobs: int | None = None,
                time_limit: str | None = None, quiet: bool = False, **meta) -> int:
    """Run ``job_list`` into the results folder ``results`` (emptied first) with
    ``launcher``, then write its junit.xml and meta.json (spikedv.jobs.gather). Exit
    status: 0 when every job passed, 1 when a test failed or a job was lost."""
    from spikedv.jobs import gather
    from spikedv.launchers import run_jobs

    results = Path(results)
    if results.exists():
        shutil.rmtree(results)
    (results / RUNS).mkdir(parents=True)
    start = time.monotonic()
    records = run_jobs(job_list, results, launcher, workers=workers, partition=partition,
                       max_jobs=max_jobs, time_limit=time_limit, quiet=quiet)
    wall = time.monotonic() - start
    data = gather(results, job_list, records, wall_s=wall, launcher=launcher,
                  planned_jobs=len(job_list), **meta)
    for name in data["lost_jobs"]:
        print(f"regression: job {name} was lost twice; its tests are missing from "
              f"{results}", file=sys.stderr)
    return 0 if data["exit_status"] == 0 else 1


def run_as_jobs(args, seeds: range | None, steps: Steps) -> int:
    """``spikedv regress`` as independent jobs: ``--shard K/N`` runs part K here into
    --results (no report: `spikedv merge` makes it from all parts); ``--launcher
    local|slurm`` runs every job, then the side results and the report as the main
    job does."""
    from spikedv.jobs import balance, parse_shard, plan, split_pytest_args

    paths, options = split_pytest_args(args.pytest_args)
    command = "spikedv " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["regress"] else \
        "spikedv regress"
    job_list = plan(paths, long=not args.short, coverage=not args.no_coverage,
                    seed=args.seed, seeds=seeds, seeds_per_job=args.seeds_per_job,
                    options=options)
    meta = {"command": command, "seeds": [seeds.start, seeds.stop] if seeds else None,
            "seed": args.seed}
    if args.shard:
        if args.launcher == "slurm":
            raise SystemExit("spikedv: error: --shard runs one part here; with "
                             "--launcher slurm use --max-jobs to split the jobs")
        try:
            k, n = parse_shard(args.shard)
        except ValueError as e:
            raise SystemExit(f"spikedv: error: {e}") from None
        part = balance(job_list, n)[k - 1]
        print(f"regression: shard {k}/{n}: {len(part)} of the jobs, about "
              f"{sum(j.estimate_s for j in part):.0f} s of "
              f"{sum(j.estimate_s for j in job_list):.0f} s", flush=True)
        status = run_job_set(part, args.results, "local", workers=_workers(args.jobs),
                             shard=f"{k}/{n}", **meta)
        junit = Path(args.results) / JUNIT
        print(render(summarize(junit), 0.0, [command]).split("\n", 4)[4].rstrip())
        print(f"regression: shard {k}/{n} results in {args.results}; merge all shards "
              "with `spikedv merge DIR... --reports DIR`")
        return status
    print(f"regression: {len(job_list)} jobs, launcher {args.launcher}", flush=True)

    def tests(results: Path) -> int:
        return run_job_set(job_list, results, args.launcher, workers=_workers(args.jobs),
                           partition=args.partition, max_jobs=args.max_jobs,
                           time_limit=args.time_limit, **meta)

    return main(long=not args.short, jobs=args.jobs, coverage=not args.no_coverage,
                results=args.results, reports=args.reports, steps=steps, tests=tests)
