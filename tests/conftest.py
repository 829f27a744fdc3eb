"""Fixtures of the tests that act as a new user: a fresh copy of the working tree."""
from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tracked_and_new_files() -> list[str]:
    """What a clone of this working tree holds: tracked files and new files git does not
    ignore (so no sim_build/, reports/, build/)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, check=True).stdout
    return [f for f in out.decode().split("\0") if f and (ROOT / f).is_file()]


class FreshClone:
    """A copy of the working tree with no build folders, and an environment in which
    ``spikedv`` and ``python -m ...`` run this copy's code (as after ``pip install -e .``
    in it)."""

    def __init__(self, root: Path):
        self.root = root
        self.bin = root.parent / "bin"
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = str(root)
        self.env["PATH"] = f"{self.bin}{os.pathsep}{self.env['PATH']}"
        self.env.pop("SPIKEDV_SIM_BUILD", None)
        self.env.pop("PYTEST_XDIST_WORKER", None)
        self.env.pop("PYTEST_CURRENT_TEST", None)

    def run(self, command: str, cwd: Path | None = None, timeout: int = 900):
        return subprocess.run(["bash", "-c", command], cwd=cwd or self.root, env=self.env,
                              capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def fresh_clone(tmp_path_factory) -> FreshClone:
    """One clone per test session, shared by the pytest-xdist workers (made under a
    lock in their common base folder)."""
    base = tmp_path_factory.getbasetemp().parent
    root = base / "fresh_clone" / "spikedv"
    with open(base / "fresh_clone.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / ".copied").is_file():
            if root.parent.exists():
                shutil.rmtree(root.parent)
            for rel in _tracked_and_new_files():
                dst = root / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / rel, dst)
            bin_dir = root.parent / "bin"
            bin_dir.mkdir()
            wrapper = bin_dir / "spikedv"
            wrapper.write_text('#!/bin/sh\nexec python3 -m spikedv.cli "$@"\n')
            wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            (root / ".copied").write_text("")
    return FreshClone(root)
