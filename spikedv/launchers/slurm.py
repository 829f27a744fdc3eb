"""The Slurm launcher: a regression's parts as one job array.

    sbatch --array=0-(N-1) <root>/slurm/task.sh      one array task per part
    task K:  python -m spikedv.jobs exec <root>/jobs.json K
    follow:  squeue -r -j ID until no task is left; final states from sacct, or from
             `scontrol show job` where accounting is off
    lost:    a task whose jobs did not all leave their completion record (done.json):
             node failure, time limit, cancelled, killed. Its part is submitted once
             more (a new array of the lost indices), rerunning only the jobs without a
             record; a part lost twice is reported lost.

Every node must see the checkout, the results folder and the build cache at the same
paths (a shared file system, as on real clusters): the tasks run ``sys.executable`` of
the submitting process in the checkout, write into the results folder, and build into
``$SPIKEDV_SIM_BUILD`` (exported to the tasks; default sim_build/ of the checkout),
whose builds are locked with fcntl (on NFS that needs lockd; docs/regressions.md).

``<root>/slurm/``: task.sh, one output file per task (``%A_%a.out``), and slurm.json
(each part's submissions, array job ids and final states), written as it goes.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from spikedv.jobs import DONE, Job, is_done, job_dir, write_spec
from verif.sim import sim_build_dir
from verif.sources import PROJECT_ROOT as REPO_ROOT

# States after which a task is gone without having finished its jobs normally.
LOST_STATES = ("NODE_FAIL", "TIMEOUT", "CANCELLED", "PREEMPTED", "BOOT_FAIL", "DEADLINE",
               "OUT_OF_MEMORY", "FAILED")


class SlurmError(RuntimeError):
    pass


def available() -> str | None:
    """None when sbatch and squeue are here and the controller answers, else why not."""
    for tool in ("sbatch", "squeue", "scancel", "scontrol"):
        if shutil.which(tool) is None:
            return f"no `{tool}` on PATH (install slurm-wlm, or run scripts/slurm/start.sh)"
    proc = subprocess.run(["scontrol", "ping"], capture_output=True, text=True, timeout=30)
    if proc.returncode != 0 or "UP" not in proc.stdout:
        return f"the Slurm controller does not answer: {(proc.stdout + proc.stderr).strip()}"
    return None


def _array(indices: list[int]) -> str:
    """sbatch --array value of ``indices``: ranges where consecutive (``0-3,7``)."""
    out, run = [], []
    for i in sorted(indices):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [i]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)


def task_script(spec: Path) -> str:
    return ("#!/bin/bash\n"
            "# One array task of a spikedv regression: part $SLURM_ARRAY_TASK_ID of the\n"
            "# jobs in jobs.json (spikedv/launchers/slurm.py).\n"
            f"cd {_q(REPO_ROOT)}\n"
            f"exec {_q(sys.executable)} -m spikedv.jobs exec {_q(spec)} "
            '"$SLURM_ARRAY_TASK_ID"\n')


def _q(p) -> str:
    import shlex

    return shlex.quote(str(p))


def submit(script: Path, indices: list[int], out_dir: Path, *, name: str,
           partition: str | None = None, time_limit: str | None = None,
           cpus_per_task: int = 1, extra: tuple[str, ...] = ()) -> str:
    """sbatch the array ``indices`` of ``script``; returns the array job id."""
    cmd = ["sbatch", "--parsable", f"--array={_array(indices)}", f"--job-name={name}",
           f"--output={out_dir / '%A_%a.out'}", f"--cpus-per-task={cpus_per_task}",
           f"--chdir={REPO_ROOT}", "--no-requeue", "--export=ALL"]
    if partition:
        cmd.append(f"--partition={partition}")
    if time_limit:
        cmd.append(f"--time={time_limit}")
    cmd += [*extra, str(script)]
    env = {**os.environ, "SPIKEDV_SIM_BUILD": str(sim_build_dir())}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if proc.returncode != 0:
        raise SlurmError(f"sbatch exited {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout.strip().split(";")[0]


def queued(array_id: str) -> dict[str, str]:
    """{task id (``ID_K``): state} of the tasks of ``array_id`` still in the queue."""
    proc = subprocess.run(["squeue", "-h", "-r", "-j", array_id, "-o", "%i %T"],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:      # "Invalid job id": the whole array has left the queue
        return {}
    out = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = parts[1]
    return out


def final_states(array_id: str) -> dict[int, str]:
    """{array index: final state} from sacct, or from `scontrol show job` where the
    cluster keeps no accounting (finished jobs stay there for MinJobAge seconds)."""
    states: dict[int, str] = {}
    if shutil.which("sacct"):
        proc = subprocess.run(["sacct", "-n", "-P", "-X", "-j", array_id, "-o", "JobID,State"],
                              capture_output=True, text=True, timeout=60)
        if proc.returncode == 0:
            for line in proc.stdout.splitlines():
                jid, _, state = line.partition("|")
                if "_" in jid and jid.split("_")[1].isdigit():
                    states[int(jid.split("_")[1])] = state.split()[0] if state else "?"
            if states:
                return states
    proc = subprocess.run(["scontrol", "-o", "show", "job", array_id],
                          capture_output=True, text=True, timeout=60)
    for line in proc.stdout.splitlines():
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        task = fields.get("ArrayTaskId", "")
        if task.isdigit():
            states[int(task)] = fields.get("JobState", "?")
    return states


def cancel(array_id: str) -> None:
    subprocess.run(["scancel", array_id], capture_output=True, timeout=60)


def run_parts(parts: list[list[Job]], root: Path, *, partition: str | None = None,
              time_limit: str | None = None, quiet: bool = False, poll_s: float = 2.0,
              resubmit: int = 1, on_submit=None, cpus_per_task: int = 1,
              name: str = "spikedv") -> list[dict]:
    """Run ``parts`` (lists of jobs) as one Slurm array into ``root``, follow it, resubmit
    lost parts ``resubmit`` times; one record per job, as spikedv.jobs.run_local."""
    why = available()
    if why:
        raise SlurmError(why)
    root = Path(root).resolve()
    out_dir = root / "slurm"
    out_dir.mkdir(parents=True, exist_ok=True)
    spec = write_spec(root, parts, launcher="slurm")
    script = out_dir / "task.sh"
    script.write_text(task_script(spec))
    script.chmod(0o755)
    log = {"parts": [{"index": i, "jobs": [j.name for j in part], "attempts": []}
                     for i, part in enumerate(parts)], "arrays": []}

    def save():
        (out_dir / "slurm.json").write_text(json.dumps(log, indent=1) + "\n")

    def say(text):
        if not quiet:
            print(f"slurm: {text}", flush=True)

    todo = list(range(len(parts)))
    finished: dict[str, int] = {}        # job -> the attempt (1, 2) that completed it
    for attempt in range(resubmit + 1):
        array_id = submit(script, todo, out_dir, name=name, partition=partition,
                          time_limit=time_limit, cpus_per_task=cpus_per_task)
        log["arrays"].append({"array_id": array_id, "indices": todo, "submitted": time.time()})
        for i in todo:
            log["parts"][i]["attempts"].append({"task": f"{array_id}_{i}", "state": "PENDING"})
        save()
        say(f"submitted array job {array_id}: {len(todo)} task(s)"
            + (f" (resubmission {attempt} of lost ones)" if attempt else ""))
        if on_submit:
            on_submit(array_id)
        last = None
        try:
            while True:
                q = queued(array_id)
                counts: dict[str, int] = {}
                for st in q.values():
                    counts[st] = counts.get(st, 0) + 1
                shown = ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
                if shown != last:
                    say(f"array {array_id}: {shown or 'all finished'}")
                    last = shown
                if not q:
                    break
                time.sleep(poll_s)
        except KeyboardInterrupt:
            cancel(array_id)
            say(f"interrupted: cancelled array job {array_id}")
            raise
        states = final_states(array_id)
        lost = []
        for i in todo:
            state = states.get(i, "UNKNOWN")
            log["parts"][i]["attempts"][-1]["state"] = state
            for j in parts[i]:
                if j.name not in finished and is_done(job_dir(root, j)):
                    finished[j.name] = attempt + 1
            if not all(is_done(job_dir(root, j)) for j in parts[i]):
                lost.append(i)
                log["parts"][i]["attempts"][-1]["lost"] = True
        save()
        if lost:
            gone = ", ".join(f"{array_id}_{i} ({states.get(i, 'UNKNOWN')})" for i in lost)
            say(f"lost task(s) {gone}"
                + ("; resubmitting once" if attempt < resubmit else "; giving up"))
        todo = lost
        if not todo:
            break
    records = []
    for i, part in enumerate(parts):
        attempts = len(log["parts"][i]["attempts"])
        for j in part:
            folder = job_dir(root, j)
            if is_done(folder):
                rec = json.loads((folder / DONE).read_text())
            else:
                rec = {"job": j.name, "key": j.key, "kind": j.kind, "exit_status": None,
                       "wall_s": 0.0, "lost": "task " + log["parts"][i]["attempts"][-1]["task"]
                       + " " + log["parts"][i]["attempts"][-1]["state"]}
            records.append({**rec, "attempts": finished.get(j.name, attempts),
                            "slurm": [a["task"] for a in log["parts"][i]["attempts"]]})
    return records
