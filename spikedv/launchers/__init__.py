"""Where a regression's jobs run: here (``local``) or on a Slurm cluster (``slurm``).

Both take the same list of :class:`spikedv.jobs.Job` and a results folder, run every job
into ``<root>/jobs/<name>/``, run a lost job (killed, its node lost, out of time) once
more, and return one record per job; :func:`spikedv.jobs.gather` then writes the results
folder's ``junit.xml`` and ``meta.json``, and ``spikedv merge`` (or the end of ``spikedv
regress``) the report.

``run_commands`` is the same for any list of commands, for a mutation campaign
(``spikedv mutate``): each command runs from the checkout root with ``$SPIKEDV_JOB_DIR``
(and ``{job_dir}`` in its words) naming its own folder.
"""
from __future__ import annotations

from pathlib import Path

from spikedv.jobs import Job, balance, command_job, run_local

LAUNCHERS = ("local", "slurm")


def run_jobs(jobs: list[Job], root: Path, launcher: str = "local", *, workers: int = 1,
             partition: str | None = None, max_jobs: int | None = None,
             time_limit: str | None = None, quiet: bool = False,
             on_submit=None) -> list[dict]:
    """Run ``jobs`` into ``root`` with ``launcher``. Local: ``workers`` at a time. Slurm:
    one array task per job, or the jobs balanced into ``max_jobs`` array tasks;
    ``partition`` and ``time_limit`` (sbatch --time) as given; ``on_submit(job_id)`` is
    called after each sbatch (tests use it)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if launcher == "local":
        return run_local(jobs, root, workers=workers, quiet=quiet)
    if launcher == "slurm":
        from spikedv.launchers.slurm import run_parts

        n = min(max_jobs or len(jobs), len(jobs)) or 1
        parts = balance(jobs, n, split=False) if n < len(jobs) else [[j] for j in jobs]
        return run_parts(parts, root, partition=partition, time_limit=time_limit,
                         quiet=quiet, on_submit=on_submit)
    raise ValueError(f"unknown launcher {launcher!r} (one of {', '.join(LAUNCHERS)})")


def run_commands(commands, root: Path, launcher: str = "local", *, names=None,
                 env: dict[str, str] | None = None, **kwargs) -> list[dict]:
    """Run each command of ``commands`` (lists of words) as its own job into
    ``<root>/jobs/<name>/`` (names: ``names`` or ``job0001``...), with ``launcher`` and
    the options of :func:`run_jobs`; returns the records (``exit_status``, ``wall_s``,
    ``attempts``, ``lost``)."""
    commands = [list(c) for c in commands]
    names = list(names) if names is not None else [f"job{i:04d}" for i in range(len(commands))]
    if len(names) != len(commands) or len(set(names)) != len(names):
        raise ValueError("one unique name per command")
    jobs = [command_job(n, c, env=env) for n, c in zip(names, commands)]
    return run_jobs(jobs, root, launcher, **kwargs)
