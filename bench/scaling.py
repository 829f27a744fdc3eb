"""Regression scaling: wall time on local workers and Slurm jobs, overhead per job, and
what N nodes would give (docs/benchmarks.md, "Regression scaling").

    python -m bench.scaling [--seed 7] [--pytest 2] [--local 1 2] [--slurm 1 2 3]
                            [--nodes 1 2 4 8 16] [--full] [--no-warmup] [--no-build-probe]
                            [--out reports/scaling.json] [-- PATHS...]

Runs one regression (default: the small regression of tests/test_shards.py; any test
files, folders or node ids after ``--``; ``--full`` for the regression `make regress`
runs: the design testplans' test files with ``--long``), with the same seed and
Verilator coverage:

* as one ``pytest -n W`` for each ``--pytest W`` (the main job's way),
* as jobs (spikedv/jobs.py) on ``W`` local workers for each ``--local W``
  (``--launcher local --jobs W``),
* as ``M`` Slurm array tasks for each ``--slurm M`` (``--launcher slurm --max-jobs M``;
  needs a running Slurm: scripts/slurm/start.sh), when Slurm answers,

and measures for each the wall time of the tests and of the merge into the report, and
whether the merged report's figures (every test's outcome, every code-coverage point's
count, every functional bin, every testpoint's status: spikedv.merge.figures) equal
those of the first run. From
the jobs' own records it takes each job's wall time, the part of it that was pytest's
start and collection (wall time less the JUnit test times), and for Slurm the wait from
submission to a task's start. ``--build-probe`` (default on) times cold builds of one
RTL top on both simulators into an empty build folder (the cost a fresh node pays once
per build, not per job). The N-node figures are a **calculation**, not a measurement:
the measured per-job wall times (each with its own pytest start) balanced into N parts
(longest first, as the launchers do), plus one Slurm task start and the merge.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SMALL = ["verif/rsnn/test_rsnn_zs_a.py", "verif/common/test_axis_skid.py",
         "verif/qclif/test_qclif_coverage_corners.py::test_qclif_saturated_and_dense_bins"
         "[icarus-n20_np4]",
         "verif/qclif/test_qclif_coverage_corners.py::test_qclif_saturated_and_dense_bins"
         "[verilator-n20_np4]",
         "tests/model/test_qclif_schedule.py"]


def _job_figures(results: Path) -> dict:
    """Per job: wall time, test time (JUnit), start overhead; Slurm start waits."""
    from spikedv.report.junit import read_all

    meta = json.loads((results / "meta.json").read_text())
    jobs = {}
    for rec in meta["jobs"]:
        folder = results / "jobs" / rec["job"]
        tests = sum(c.seconds for c in read_all([folder / "junit.xml"])) \
            if (folder / "junit.xml").is_file() else 0.0
        jobs[rec["job"]] = {"wall_s": rec.get("wall_s", 0.0), "tests_s": round(tests, 2),
                            "start_s": round(max(0.0, rec.get("wall_s", 0.0) - tests), 2),
                            "attempts": rec.get("attempts", 1)}
    waits = []
    slurm = results / "slurm" / "slurm.json"
    if slurm.is_file():
        log = json.loads(slurm.read_text())
        submitted = log["arrays"][0]["submitted"] if log["arrays"] else None
        for part in log["parts"]:
            starts = []
            for name in part["jobs"]:
                started = results / "jobs" / name / "started.json"
                if started.is_file():
                    starts.append(json.loads(started.read_text())["started"])
            if starts and submitted is not None:
                waits.append(round(min(starts) - submitted, 2))
    return {"jobs": jobs, "slurm_start_waits_s": waits}


def _lpt_makespan(times: list[float], n: int) -> float:
    load = [0.0] * n
    for t in sorted(times, reverse=True):
        load[load.index(min(load))] += t
    return max(load)


def measure(launcher: str, count: int, job_list, base: Path, seed: int,
            pytest_args=()) -> dict:
    """One run: ``launcher`` pytest (one ``pytest -n count`` of ``pytest_args``, as the
    main job runs), local (the jobs, ``count`` at a time) or slurm (``count`` array
    tasks); then the merge into a report, whose figures are kept for comparison."""
    from spikedv.merge import figures, merge
    from spikedv.regress import run_job_set, run_pytest

    results = base / f"{launcher}{count}" / "results"
    reports = base / f"{launcher}{count}" / "reports"
    start = time.monotonic()
    if launcher == "pytest":
        status = run_pytest(results, ["--seed", str(seed), *pytest_args], long=True,
                            jobs=str(count), coverage=True)
    else:
        kwargs = {"workers": count} if launcher == "local" else \
            {"max_jobs": count, "workers": 1}
        status = run_job_set(job_list, results, launcher, quiet=True, seed=seed, **kwargs)
    jobs_s = time.monotonic() - start
    start = time.monotonic()
    merge([results], reports)
    merge_s = time.monotonic() - start
    jobs = _job_figures(results) if launcher != "pytest" else \
        {"jobs": {}, "slurm_start_waits_s": []}
    return {"launcher": launcher, "count": count, "status": status,
            "jobs_wall_s": round(jobs_s, 1), "merge_s": round(merge_s, 1),
            "total_s": round(jobs_s + merge_s, 1), **jobs, "figures": figures(reports)}


def build_probe() -> dict:
    """Cold builds of rsnn_zs_a on both simulators (coverage on Verilator) into an empty
    build folder."""
    from verif.sim import SIMULATORS, build
    from verif.sources import sources

    out = {}
    with tempfile.TemporaryDirectory(prefix="spikedv-build-probe-") as tmp:
        old = os.environ.get("SPIKEDV_SIM_BUILD")
        os.environ["SPIKEDV_SIM_BUILD"] = tmp
        try:
            for sim in SIMULATORS:
                start = time.monotonic()
                build(sim, "rsnn_zs_a", sources("rsnn_zs_a"), {}, {}, (),
                      waves=False, coverage=sim == "verilator")
                out[sim] = round(time.monotonic() - start, 1)
        finally:
            if old is None:
                os.environ.pop("SPIKEDV_SIM_BUILD", None)
            else:
                os.environ["SPIKEDV_SIM_BUILD"] = old
    return out


def render(data: dict) -> str:
    lines = ["| configuration | tests (wall) | merge | total | speed-up (tests) | exit "
             "| report equal to the first run's |",
             "|---|---|---|---|---|---|---|"]
    base = next((r["jobs_wall_s"] for r in data["runs"]
                 if r["launcher"] == "local" and r["count"] == 1), None)
    for r in data["runs"]:
        what = {"pytest": f"one pytest -n {r['count']} (the main job's way)",
                "local": f"{r['count']} local worker{'s' if r['count'] > 1 else ''} (jobs)",
                "slurm": f"{r['count']} Slurm job{'s' if r['count'] > 1 else ''}"}[r["launcher"]]
        speed = f"{base / r['jobs_wall_s']:.2f}x" if base else "-"
        same = r.get("equal_to_first")
        same = "(first)" if same is None else "yes" if same == [] else \
            f"no: {len(same)} differences, e.g. {same[0]}"
        lines.append(f"| {what} | {r['jobs_wall_s']:.0f} s | {r['merge_s']:.0f} s | "
                     f"{r['total_s']:.0f} s | {speed} | {r['status']} | {same} |")
    if data["runs"]:
        f = data["runs"][0]["figures_size"]
        lines += ["", f"Figures compared: {f['tests']} test outcomes, {f['code']} code-coverage "
                  f"points, {f['functional']} functional cover points, {f['testplan']} testpoints."]
    o = data["overhead"]
    lines += ["", f"Jobs: {data['jobs']}; sum of the jobs' wall times (1 worker) "
              f"{o['sum_job_wall_s']:.0f} s, of their test times {o['sum_test_s']:.0f} s.",
              f"Overhead per job: start (pytest start and collection) median "
              f"{o['job_start_median_s']:.1f} s; Slurm submission to task start median "
              f"{o['slurm_start_median_s'] if o['slurm_start_median_s'] is not None else '-'}"
              f" s; merge into the report {o['merge_median_s']:.0f} s (once per run); "
              f"cold build of rsnn_zs_a {o['build_s'] or '-'} (once per build and cache).",
              "", "| nodes (calculated) | longest part (job walls, LPT) | + Slurm start, merge "
              "| total |",
              "|---|---|---|---|"]
    for n in data["projection"]:
        lines.append(f"| {n['nodes']} | {n['makespan_s']:.0f} s | {n['fixed_s']:.0f} s | "
                     f"{n['total_s']:.0f} s |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.scaling", description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--pytest", type=int, nargs="*", default=[], metavar="W",
                   help="also run it as one pytest -n W (the main job's way)")
    p.add_argument("--local", type=int, nargs="*", default=[1, 2], metavar="W")
    p.add_argument("--slurm", type=int, nargs="*", default=[1, 2, 3], metavar="M")
    p.add_argument("--nodes", type=int, nargs="*", default=[1, 2, 4, 8, 16], metavar="N")
    p.add_argument("--full", action="store_true",
                   help="the regression of `make regress`: the design testplans' test files, "
                        "with --long")
    p.add_argument("--no-warmup", action="store_true",
                   help="no unmeasured first run (the builds are already cached)")
    p.add_argument("--no-build-probe", action="store_true")
    p.add_argument("--work", type=Path, default=None,
                   help="where the runs go (default: a temporary folder, removed)")
    p.add_argument("--out", type=Path, default=REPO / "reports" / "scaling.json")
    p.add_argument("paths", nargs="*", help="test files, folders or node ids (after --)")
    args = p.parse_args(argv)

    from spikedv.jobs import plan
    from spikedv.merge import differences
    from spikedv.regress import scope_paths

    paths = scope_paths([], tooling=False) if args.full else (args.paths or SMALL)
    job_list = plan(paths, long=args.full, coverage=True, seed=args.seed)
    print(f"scaling: {len(job_list)} jobs of {'the full regression' if args.full else paths}",
          flush=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="spikedv-scaling-"))
    runs = []
    if not args.no_warmup:
        # A first, unmeasured run makes every simulator build (the runs measure warm builds).
        measure("local", 2, job_list, work / "warmup", args.seed)
    for w in args.pytest:
        runs.append(measure("pytest", w, job_list, work, args.seed,
                            pytest_args=paths))
        print(f"scaling: pytest -n {w}: {runs[-1]['jobs_wall_s']} s", flush=True)
    for w in args.local:
        runs.append(measure("local", w, job_list, work, args.seed))
        print(f"scaling: local {w}: {runs[-1]['jobs_wall_s']} s", flush=True)
    if args.slurm:
        from spikedv.launchers.slurm import available

        why = available()
        if why:
            print(f"scaling: no Slurm runs: {why}")
        else:
            for m in args.slurm:
                runs.append(measure("slurm", m, job_list, work, args.seed))
                print(f"scaling: slurm {m}: {runs[-1]['jobs_wall_s']} s", flush=True)
    for r in runs:
        r["equal_to_first"] = None if r is runs[0] else \
            differences(runs[0]["figures"], r["figures"])
    for r in runs:
        r["figures_size"] = {k: len(v) for k, v in r.pop("figures").items()}
    build_s = None if args.no_build_probe else build_probe()
    one = next((r for r in runs if r["launcher"] == "local" and r["count"] == 1),
               next(r for r in runs if r["jobs"]))
    walls = [j["wall_s"] for j in one["jobs"].values()]
    starts = [j["start_s"] for j in one["jobs"].values()]
    waits = [w for r in runs for w in r["slurm_start_waits_s"]]
    overhead = {
        "sum_job_wall_s": round(sum(walls), 1),
        "sum_test_s": round(sum(j["tests_s"] for j in one["jobs"].values()), 1),
        "job_start_median_s": round(statistics.median(starts), 2),
        "slurm_start_median_s": round(statistics.median(waits), 1) if waits else None,
        "merge_median_s": round(statistics.median(r["merge_s"] for r in runs), 1),
        "build_s": build_s,
    }
    fixed = (overhead["slurm_start_median_s"] or 0.0) + overhead["merge_median_s"]
    projection = []
    for n in args.nodes:
        span = _lpt_makespan(walls, n)
        projection.append({"nodes": n, "makespan_s": round(span, 1), "fixed_s": round(fixed, 1),
                           "total_s": round(span + fixed, 1)})
    data = {"machine": {"host": platform.node(), "cpus": os.cpu_count(),
                        "load_at_end": os.getloadavg()},
            "regression": "full" if args.full else paths, "seed": args.seed,
            "jobs": len(job_list), "runs": runs, "overhead": overhead,
            "projection": projection,
            "projection_is": "a calculation: the 1-worker run's per-job wall times balanced "
                             "into N parts (longest first), plus a Slurm task start and the "
                             "merge; it assumes one job at a time per node, a warm shared "
                             "build cache and no queue wait"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1) + "\n")
    text = render(data)
    args.out.with_suffix(".md").write_text(text)
    print(text)
    print(f"scaling: {args.out}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
