"""The Slurm launcher against a real single-node Slurm (scripts/slurm/start.sh).

Starts the daemons (idempotent; root only, as on CI: .ci/run starts them before the
tests and sets SPIKEDV_REQUIRE_SLURM=1, which turns a skip here into a failure), runs a
small regression through ``spikedv regress --launcher slurm --max-jobs 3``, cancels one
array task while its job runs (``scancel``), and checks that the launcher submitted it
once more, that the other tasks ran once, and that the merged report has the same
figures as the same regression run here with one pytest (same seed).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spikedv.merge import differences, figures

pytestmark = pytest.mark.slurm

ROOT = Path(__file__).resolve().parent.parent
SEED = 11
SMALL = ["verif/rsnn/test_rsnn_zs_a.py", "verif/qclif/test_qclif_threshold.py",
         "tests/model/test_qclif_schedule.py"]
NO_STEPS = ["--no-synth", "--no-formal", "--no-bench", "--no-screenshot"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("PYTEST_", "SPIKEDV_RUNS_DIR"))}


REQUIRE = "SPIKEDV_REQUIRE_SLURM"     # .ci/run sets it: on CI this test must not skip


def _cannot(why: str):
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{why} (and {REQUIRE}=1: on CI this test must run)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def slurm():
    if os.geteuid() != 0:
        _cannot("starting Slurm's daemons needs root (scripts/slurm/start.sh)")
    if shutil.which("slurmctld") is None and os.environ.get(REQUIRE) != "1":
        _cannot("Slurm is not installed: bash scripts/slurm/start.sh installs and starts it")
    proc = subprocess.run(["bash", str(ROOT / "scripts/slurm/start.sh")], capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    again = subprocess.run(["bash", str(ROOT / "scripts/slurm/start.sh")], capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0 and "already running" in again.stdout, again.stdout + again.stderr
    return proc.stdout


def _running_task_with_a_started_job(results: Path) -> str | None:
    """``ARRAY_K`` of a running task whose current job has started and not finished."""
    log = results / "slurm" / "slurm.json"
    if not log.is_file():
        return None
    try:
        data = json.loads(log.read_text())
    except ValueError:
        return None
    if not data["arrays"]:
        return None
    array = data["arrays"][0]["array_id"]
    q = subprocess.run(["squeue", "-h", "-r", "-j", array, "-o", "%i %T"],
                       capture_output=True, text=True).stdout.split("\n")
    running = [line.split()[0] for line in q if line.endswith(" RUNNING")]
    for task in running:
        index = int(task.split("_")[1])
        for name in data["parts"][index]["jobs"]:
            folder = results / "jobs" / name
            if (folder / "started.json").is_file() and not (folder / "done.json").is_file():
                return task
    return None


def test_slurm_regression_with_a_killed_task_equals_the_local_run(slurm, tmp_path):
    local = tmp_path / "local"
    proc = subprocess.run([sys.executable, "-m", "spikedv.cli", "regress", "--short",
                           "--seed", str(SEED), "--jobs", "2", "--results", str(local / "results"),
                           "--reports", str(local / "reports"), *NO_STEPS, "--", *SMALL],
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    remote = tmp_path / "slurm"
    results = remote / "results"
    out = open(tmp_path / "slurm.log", "w")
    run = subprocess.Popen([sys.executable, "-m", "spikedv.cli", "regress", "--short",
                            "--seed", str(SEED), "--launcher", "slurm", "--max-jobs", "3",
                            "--results", str(results), "--reports", str(remote / "reports"),
                            *NO_STEPS, "--", *SMALL],
                           cwd=ROOT, env=_env(), stdout=out, stderr=subprocess.STDOUT)
    killed = None
    deadline = time.monotonic() + 900
    while run.poll() is None and time.monotonic() < deadline:
        killed = _running_task_with_a_started_job(results)
        if killed:
            time.sleep(1.0)          # well into the job
            subprocess.run(["scancel", killed], check=True)
            break
        time.sleep(0.5)
    assert killed, "no array task was seen running a job"
    rc = run.wait(timeout=1800)
    out.close()
    log = (tmp_path / "slurm.log").read_text()
    assert rc == 0, log[-5000:]
    assert "submitted array job" in log and "resubmitting once" in log

    slurm_log = json.loads((results / "slurm" / "slurm.json").read_text())
    assert len(slurm_log["parts"]) == 3
    index = int(killed.split("_")[1])
    attempts = slurm_log["parts"][index]["attempts"]
    assert len(attempts) == 2 and attempts[0]["task"] == killed
    assert attempts[0]["state"] in ("CANCELLED", "UNKNOWN") and attempts[0]["lost"]
    assert attempts[1]["state"] == "COMPLETED"
    others = [p for i, p in enumerate(slurm_log["parts"]) if i != index]
    assert all(len(p["attempts"]) == 1 for p in others)

    meta = json.loads((results / "meta.json").read_text())
    assert meta["launcher"] == "slurm" and meta["lost_jobs"] == []
    assert max(r["attempts"] for r in meta["jobs"]) == 2
    assert {r["job"] for r in meta["jobs"] if r["attempts"] == 2} <= \
        set(slurm_log["parts"][index]["jobs"])

    a, b = figures(local / "reports"), figures(remote / "reports")
    assert a["tests"] and len(a["code"]) > 500      # rsnn_zs_a and qclif_threshold
    assert differences(a, b) == []
    assert a == b


def test_mutation_campaign_on_slurm(slurm, tmp_path):
    """``spikedv mutate --launcher slurm``: the control and one yosys mutant of
    qclif_threshold (the sample of tests/test_mutate.py, seed 1) each run as a job of a
    Slurm array; the results equal the local campaign's: control passes, the mutant is
    killed."""
    out, work = tmp_path / "mutation.json", tmp_path / "work"
    proc = subprocess.run(
        [sys.executable, "-m", "spikedv.cli", "mutate", "qclif_threshold", "--sample", "1",
         "--seed", "1", "--launcher", "slurm", "--work", str(work), "--out", str(out)],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    entry = next(e for e in json.loads(out.read_text())["modules"]
                 if e["name"] == "qclif_threshold")
    assert (entry["mutants"], entry["killed"], entry["errors"]) == (1, 1, 0), entry
    jobs = sorted(p.name for p in (work / "slurm" / "jobs").iterdir())
    assert len(jobs) == 2 and any("control" in j for j in jobs), jobs
    slurm_log = json.loads((work / "slurm" / "slurm" / "slurm.json").read_text())
    states = [a["state"] for p in slurm_log["parts"] for a in p["attempts"]]
    assert states == ["COMPLETED"], states    # the last array (the mutant's): one task
