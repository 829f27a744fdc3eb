"""Jobs, shards, merge and seed sweeps (spikedv/jobs.py, spikedv/merge.py, docs/regressions.md).

The main check: a small regression (tests of three RTL block files, one with functional
coverage, on both simulators with Verilator code coverage, and a model test file) run
whole and as three shards merges into the same figures: every test's outcome, every
code-coverage point's count, every functional bin, every testpoint's status. Both runs
take the same fixed seed (``--seed``): with a fresh random seed per run, coverage would
differ between any two runs, sharded or not.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from spikedv import jobs as J
from spikedv.merge import differences, figures, missing_shards
from spikedv.regress import failure_signature, mask_numbers, summarize, summarize_all
from spikedv.results import collect

ROOT = Path(__file__).resolve().parent.parent
SEED = 7
SMALL = ["verif/rsnn/test_rsnn_zs_a.py",
         "verif/common/test_axis_skid.py::test_axis_skid[icarus-d32u1]",
         "verif/common/test_axis_skid.py::test_axis_skid[verilator-d32u1]",
         "verif/qclif/test_qclif_coverage_corners.py::test_qclif_saturated_and_dense_bins"
         "[icarus-n20_np4]",
         "verif/qclif/test_qclif_coverage_corners.py::test_qclif_saturated_and_dense_bins"
         "[verilator-n20_np4]",
         "tests/model/test_qclif_schedule.py"]
NO_STEPS = ["--no-synth", "--no-formal", "--no-bench", "--no-screenshot"]


def spikedv(*args, timeout=1800, **kw) -> subprocess.CompletedProcess:
    """Run a spikedv command of this checkout (``merge`` through its module while the
    command table lacks it)."""
    from spikedv.cli import COMMANDS

    if args and (args[0],) not in COMMANDS and args[0] == "merge":
        cmd = [sys.executable, "-m", "spikedv.merge", *args[1:]]
    else:
        cmd = [sys.executable, "-m", "spikedv.cli", *args]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "SPIKEDV_RUNS_DIR"))}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, **kw)
    return proc


def _ok(proc):
    assert proc.returncode == 0, (f"exit {proc.returncode}\nstdout:\n{proc.stdout[-4000:]}"
                                  f"\nstderr:\n{proc.stderr[-4000:]}")
    return proc


# ---- the whole run against its shards ------------------------------------------------

@pytest.fixture(scope="module")
def whole(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("whole")
    _ok(spikedv("regress", "--short", "--seed", str(SEED), "--jobs", "2",
                "--results", str(base / "results"), "--reports", str(base / "reports"),
                *NO_STEPS, "--", *SMALL))
    return base / "reports"


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> tuple[Path, list[Path]]:
    base = tmp_path_factory.mktemp("sharded")
    folders = []
    for k in (1, 2, 3):
        folder = base / f"shard{k}"
        proc = _ok(spikedv("regress", "--short", "--seed", str(SEED), "--shard", f"{k}/3",
                           "--jobs", "1", "--results", str(folder), "--", *SMALL))
        assert f"shard {k}/3" in proc.stdout
        folders.append(folder)
    _ok(spikedv("merge", *map(str, folders), "--reports", str(base / "reports")))
    return base / "reports", folders


def test_merged_shards_equal_the_whole_run(whole, sharded):
    reports, folders = sharded
    a, b = figures(whole), figures(reports)
    assert a["tests"] and all(outcome == "passed" for _, _, outcome in a["tests"])
    assert {e for _, e, _ in a["tests"]} == {"python", "icarus", "verilator"}
    assert len(a["code"]) > 1000, "the small regression measured no code coverage"
    assert a["functional"], "the small regression exported no functional coverage"
    assert differences(a, b) == []
    assert a == b
    # the shards are a partition: every job in exactly one, none empty
    names = [r["job"] for f in folders for r in json.loads((f / "meta.json").read_text())["jobs"]]
    assert len(names) == len(set(names)) >= 3
    assert all(json.loads((f / "meta.json").read_text())["jobs"] for f in folders)


def test_merge_names_a_missing_shard(sharded, tmp_path):
    _, folders = sharded
    assert missing_shards(folders) == []
    assert missing_shards(folders[:2]) == ["3/3"]
    proc = spikedv("merge", *map(str, folders[:2]), "--reports", str(tmp_path / "r"))
    assert proc.returncode == 1
    assert "shard 3/3 is missing" in proc.stdout


def test_a_shard_is_a_results_folder_of_jobs(sharded):
    _, folders = sharded
    found = collect(folders)
    assert len(found.junit) == 3                     # one gathered junit.xml per shard
    job_dirs = [d for f in folders for d in sorted((f / "jobs").iterdir())]
    for d in job_dirs:                               # each job its own results folder
        assert (d / "meta.json").is_file() and (d / "junit.xml").is_file()
        assert (d / J.DONE).is_file() and (d / J.LOG).is_file()
        assert collect([d]).junit == [d / "junit.xml"]
    assert len(found.coverage_dat) == sum(len(collect([d]).coverage_dat) for d in job_dirs) > 0


# ---- seed sweeps -------------------------------------------------------------------------

def test_seed_sweep_runs_each_rtl_test_once_per_seed(tmp_path):
    out = tmp_path / "sweep"
    proc = _ok(spikedv("regress", "--short", "--no-coverage", "--seeds", "3", "--seed", "100",
                       "--seeds-per-job", "2", "--shard", "1/1", "--jobs", "2",
                       "--results", str(out), "--", "verif/rsnn/test_rsnn_zs_a.py",
                       "--sim", "icarus"))
    assert "seeds 100..102" in proc.stdout
    names = sorted(c.get("name") for c in ET.parse(out / "junit.xml").getroot().iter("testcase"))
    assert names == [f"test_rsnn_zs_a[icarus-seed{s}]" for s in (100, 101, 102)]
    meta = json.loads((out / "meta.json").read_text())
    assert meta["seeds"] == [100, 103]
    assert sorted(r["job"] for r in meta["jobs"]) == [
        "verif.rsnn.test_rsnn_zs_a-icarus-seeds100-101", "verif.rsnn.test_rsnn_zs_a-icarus-seeds102-102"]
    seeds = set()
    for d in (out / "jobs").glob("*/runs/*"):
        seeds.add(json.loads((d / "settings.json").read_text())["context"]["seed"])
    assert seeds == {100, 101, 102}


def test_a_failing_sweep_counts_distinct_failures(tmp_path):
    """A copy of the tree with a bug in rsnn_zs_a (valid1 not gated by the union
    schedule): every seed fails; the summary has one signature, with the seeds and a
    replay command that reruns one of them without the sweep."""
    copy = tmp_path / "tree"
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for rel in files:
        if rel and (ROOT / rel).is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, copy / rel)
    rtl = copy / "rtl/rsnn/rsnn_zs_a.v"
    text = rtl.read_text()
    assert "assign valid1 = active_q && split_q && " in text
    rtl.write_text(text.replace("assign valid1 = active_q && split_q && ",
                                "assign valid1 = active_q && "))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "SPIKEDV_RUNS_DIR"))}
    env["PYTHONPATH"] = str(copy)
    env.setdefault("SPIKEDV_SIM_BUILD", str(ROOT / "sim_build"))   # builds keyed by content
    out = tmp_path / "results"
    proc = subprocess.run([sys.executable, "-m", "spikedv.cli", "regress", "--short",
                           "--no-coverage", "--seed-range", "5:8", "--shard", "1/1",
                           "--jobs", "1", "--results", str(out), "--",
                           "verif/rsnn/test_rsnn_zs_a.py", "--sim", "icarus"],
                          cwd=copy, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = summarize(out / "junit.xml")
    assert len(summary["failures"]) == 3
    (sig,) = summary["signatures"]
    assert sig["count"] == 3 and sig["seeds"] == [5, 6, 7]
    assert sig["test"] == "verif/rsnn/test_rsnn_zs_a.py::test_rsnn_zs_a[icarus]"
    assert sig["line"].startswith("MISMATCH rsnn_zs_a") and "valid1" in sig["line"]
    assert sig["replay"] in [f"python -m pytest '{sig['test']}' --seed {s}" for s in (5, 6, 7)]
    assert "Distinct failures" in proc.stdout


# ---- fast checks, no simulator -----------------------------------------------------------

def _jobs(*estimates):
    return [J.Job(name=f"j{i}", tests=[f"t{i}_{k}" for k in range(3)], estimate_s=e)
            for i, e in enumerate(estimates)]


def test_balance_is_a_deterministic_partition():
    jobs = _jobs(50, 40, 30, 30, 20, 10, 10, 5)
    parts = J.balance(jobs, 3, J.Durations(), split=False)
    assert parts == J.balance(list(reversed(jobs)), 3, J.Durations(), split=False)
    assert sorted(j.name for p in parts for j in p) == sorted(j.name for j in jobs)
    loads = [sum(j.estimate_s for j in p) for p in parts]
    assert max(loads) - min(loads) <= 10          # LPT: within the smallest job's size


def test_a_job_longer_than_a_share_is_split_by_tests():
    durations = J.Durations(tests={"a.py::t0": 100.0, "a.py::t1": 100.0, "a.py::t2": 100.0,
                                   "b.py::u": 10.0}, job_overhead_s=1.0)
    big = J.Job(name="a-python", tests=["a.py::t0", "a.py::t1", "a.py::t2"], estimate_s=301)
    small = J.Job(name="b-python", tests=["b.py::u"], estimate_s=11)
    parts = J.balance([big, small], 3, durations)
    assert sorted(len(p) for p in parts) == [1, 1, 2]
    assert sorted(t for p in parts for j in p for t in j.tests) == sorted(big.tests + small.tests)


def test_plan_groups_tests_by_file_engine_and_seed_chunk():
    ids = [f"verif/x/test_a.py::test_a[{sim}-seed{s}]" for sim in ("icarus", "verilator")
           for s in range(1, 6)]
    ids += ["verif/x/test_a.py::test_fixed[icarus]", "tests/test_b.py::test_b[icarus-like]",
            "tests/test_b.py::test_c"]
    jobs = J.plan(node_ids=ids, seeds=range(1, 6), seeds_per_job=2, seed=3,
                  durations=J.Durations())
    names = [j.name for j in jobs]
    assert names == ["tests.test_b-icarus", "tests.test_b-python",
                     "verif.x.test_a-icarus-seeds1-2", "verif.x.test_a-icarus-seeds3-4",
                     "verif.x.test_a-icarus-seeds5-5", "verif.x.test_a-verilator-seeds1-2",
                     "verif.x.test_a-verilator-seeds3-4", "verif.x.test_a-verilator-seeds5-5"]
    first = jobs[2]
    assert "verif/x/test_a.py::test_fixed[icarus]" in first.tests      # unswept: once
    assert sum("test_fixed" in t for j in jobs for t in j.tests) == 1
    assert "--seed-range" in first.options and "1:6" in first.options and "--seed" in first.options
    assert sorted(t for j in jobs for t in j.tests) == sorted(ids)


def test_durations_estimate_and_fallback():
    assert J.Durations().estimate(["a.py::t", "b.py::u[icarus]"]) == 0.5 + 20.0   # counts
    d = J.Durations(tests={"a.py::t": 2.0, "a.py::u[icarus]": 8.0, "b.py::v[icarus]": 4.0})
    assert d.estimate(["a.py::t", "a.py::u[icarus-seed9]"]) == 10.0   # seed param dropped
    assert d.estimate(["c.py::new[verilator]"]) == pytest.approx(14 / 3)   # mean of all
    assert d.estimate(["c.py::new[icarus]"]) == 6.0                         # mean of engine


def test_checked_in_durations_load():
    d = J.Durations.load()
    assert d.tests and d.job_overhead_s > 0
    assert all(v > 0 for v in d.tests.values())


def test_shard_and_seed_range_arguments():
    assert J.parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "3", "a/b"):
        with pytest.raises(ValueError):
            J.parse_shard(bad)
    assert J.parse_seed_range("5:8") == range(5, 8)
    with pytest.raises(ValueError):
        J.parse_seed_range("8:5")


REPLAY = "replay: python -m pytest 'verif/rsnn/test_rsnn_lif.py::test_rsnn_lif[icarus]' --seed {s}"


def _failure(seed: int, lane: int, name: str = "test_rsnn_lif[icarus-seed{s}]") -> str:
    return (f'<testcase classname="verif.rsnn.test_rsnn_lif" name="{name.format(s=seed)}" '
            f'time="1"><failure message="verif.sim.SimulationFailed: rsnn_lif on icarus: '
            f'simulator exit status 1 (seed {seed})&#10;log: /x/sim.log&#10;'
            f'{REPLAY.format(s=seed)}&#10;--- last lines of the log ---&#10;'
            f'    81.00ns ERROR    cocotb.rsnn_lif   MISMATCH rsnn_lif u(u_prev={lane}, '
            f'i=-1, b=1, theta=1) lane {lane}: expected 0 got {lane + 7}">x</failure>'
            f'</testcase>')


def test_signatures_count_distinct_failures_not_seeds(tmp_path):
    cases = [_failure(s, lane) for s, lane in ((1, 3), (2, 17), (3, 120))]
    cases.append('<testcase classname="tests.model.test_x" name="test_y" time="0">'
                 '<failure message="AssertionError: 3 != 4">E   assert 3 == 4</failure>'
                 '</testcase>')
    cases.append('<testcase classname="tests.model.test_x" name="test_z" time="0"/>')
    junit = tmp_path / "j.xml"
    junit.write_text(f'<testsuites><testsuite>{"".join(cases)}</testsuite></testsuites>')
    s = summarize(junit)
    assert len(s["failures"]) == 4
    assert [(g["test"], g["count"], g["seeds"]) for g in s["signatures"]] == [
        ("verif/rsnn/test_rsnn_lif.py::test_rsnn_lif[icarus]", 3, [1, 2, 3]),
        ("tests/model/test_x.py::test_y", 1, [])]
    lif = s["signatures"][0]
    assert lif["line"] == "MISMATCH rsnn_lif u(u_prev=N, i=N, b=N, theta=N) lane N: expected N got N"
    assert lif["replay"] == REPLAY.format(s=1).removeprefix("replay: ")
    assert s["signatures"][1]["line"] == "AssertionError: N != N"
    both = summarize_all([junit, junit])            # shards: counts add up, seeds merge
    assert [g["count"] for g in both["signatures"]] == [6, 2]
    assert both["signatures"][0]["seeds"] == [1, 2, 3]


def test_signature_masks_numbers_but_keeps_names():
    assert mask_numbers("x[0..47]=00ff00a0 cycle 12 wfc0 d32u1 got -3 0x1F") == \
        "x[N..N]=N cycle N wfc0 d32u1 got N N"
    sig, test, line = failure_signature("a.py::t[verilator-seed12-d40u3]", "E   assert 1 == 2")
    assert test == "a.py::t[verilator-d40u3]" and line == "assert N == N"


def test_a_killed_job_is_run_once_more(tmp_path):
    """The launchers' mechanism for any list of commands (a mutation campaign's): a job
    that dies by a signal is lost and runs again; a failing one is a result."""
    from spikedv.launchers import run_commands

    flag = tmp_path / "killed-once"
    die_once = (f"import os, signal, pathlib; p = pathlib.Path({str(flag)!r})\n"
                "if not p.exists():\n    p.touch(); os.kill(os.getpid(), signal.SIGKILL)\n"
                "pathlib.Path(os.environ['SPIKEDV_JOB_DIR'], 'out.txt').write_text('ok')")
    records = run_commands([[sys.executable, "-c", die_once],
                            [sys.executable, "-c", "raise SystemExit(3)"],
                            ["sh", "-c", "echo {job_dir} > {job_dir}/where"]],
                           tmp_path / "root", names=["mutant1", "mutant2", "mutant3"],
                           workers=2, quiet=True)
    by = {r["job"]: r for r in records}
    assert by["mutant1"]["attempts"] == 2 and by["mutant1"]["exit_status"] == 0
    assert (tmp_path / "root/jobs/mutant1/out.txt").read_text() == "ok"
    assert by["mutant2"]["attempts"] == 1 and by["mutant2"]["exit_status"] == 3
    assert (tmp_path / "root/jobs/mutant3/where").read_text().strip() == \
        str(tmp_path / "root/jobs/mutant3")


def test_scaling_bench_compares_every_run_with_the_first(tmp_path):
    """bench/scaling.py (docs/benchmarks.md, "Regression scaling") on a model test file:
    one pytest run (the main job's way) and the same tests as jobs on one local worker,
    each merged into a report whose figures must equal the first run's."""
    out = tmp_path / "scaling.json"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "SPIKEDV_RUNS_DIR"))}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.scaling", "--no-warmup", "--no-build-probe",
         "--pytest", "1", "--local", "1", "--slurm", "--nodes", "1", "2",
         "--out", str(out), "--", "tests/model/test_qclif_schedule.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    _ok(proc)
    data = json.loads(out.read_text())
    first, jobs = data["runs"]
    assert (first["launcher"], jobs["launcher"]) == ("pytest", "local")
    assert first["status"] == jobs["status"] == 0
    assert first["equal_to_first"] is None and jobs["equal_to_first"] == []
    assert jobs["figures_size"]["tests"] == first["figures_size"]["tests"] >= 10
    assert [n["nodes"] for n in data["projection"]] == [1, 2]
    assert "| yes |" in out.with_suffix(".md").read_text()
