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


BUILD_FOLDERS = {".git", "sim_build", "reports", "build", "__pycache__", ".pytest_cache"}


def _tracked_and_new_files() -> list[str]:
    """What a clone of this working tree holds: tracked files and new files git does not
    ignore (so no sim_build/, reports/, build/). Outside a git checkout (an unpacked
    archive): every file but the build folders."""
    proc = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                          cwd=ROOT, capture_output=True)
    if proc.returncode == 0 and (ROOT / ".git").exists():
        return [f for f in proc.stdout.decode().split("\0") if f and (ROOT / f).is_file()]
    return [str(f.relative_to(ROOT)) for f in ROOT.rglob("*")
            if f.is_file() and not BUILD_FOLDERS & set(f.relative_to(ROOT).parts)
            and ".egg-info" not in str(f)]


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


def _make_bin(bin_dir: Path) -> None:
    bin_dir.mkdir(parents=True, exist_ok=True)
    wrapper = bin_dir / "spikedv"
    wrapper.write_text('#!/bin/sh\nexec python3 -m spikedv.cli "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


@pytest.fixture(scope="session")
def pristine_tree(tmp_path_factory) -> Path:
    """The working tree's files, copied once per test session (shared by the
    pytest-xdist workers, made under a lock in their common base folder); never run in."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):   # the workers' common folder of this session
        base = base.parent
    root = base / "pristine_tree"
    with open(base / "pristine_tree.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (base / "pristine_tree.copied").is_file():
            if root.exists():
                shutil.rmtree(root)
            for rel in _tracked_and_new_files():
                dst = root / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / rel, dst)
            (base / "pristine_tree.copied").write_text("")
    return root


@pytest.fixture
def fresh_clone(pristine_tree, tmp_path) -> FreshClone:
    """A clone of its own for each test: commands that build, run or clean in it never
    meet another test's files (two tests running the same RTL test share no run folder)."""
    root = tmp_path / "clone" / "spikedv"
    shutil.copytree(pristine_tree, root, symlinks=True)
    _make_bin(root.parent / "bin")
    return FreshClone(root)
