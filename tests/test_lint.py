"""Every RTL module, and the testbench HDL under verif/*/hdl, is lint-clean under
`verilator --lint-only -Wall` and compiles warning-free in Icarus with -Wall (each module
elaborated as its own top level)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from verif.toolchain import configure_environment

REPO = Path(__file__).resolve().parent.parent
RTL = REPO / "rtl"
RTL_FILES = sorted(RTL.rglob("*.v"))
HDL_FILES = RTL_FILES + sorted((REPO / "verif").glob("*/hdl/*.v"))
INCLUDE_DIRS = sorted({p.parent for p in HDL_FILES})
HDL_IDS = [str(p.relative_to(REPO)) for p in HDL_FILES]


def _module_of(path: Path) -> str:
    match = re.search(r"^\s*module\s+(\w+)", path.read_text(), re.M)
    assert match, f"{path}: no module declaration"
    return match.group(1)


def test_rtl_exists():
    assert RTL_FILES, "no RTL found under rtl/"


@pytest.mark.parametrize("path", HDL_FILES, ids=HDL_IDS)
def test_verilator_lint(path):
    env = configure_environment(dict(__import__("os").environ))
    cmd = ["verilator", "--lint-only", "-Wall", "--quiet", "--top-module", _module_of(path),
           *[f"-I{d}" for d in INCLUDE_DIRS], str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    report = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 0 and not report, f"{' '.join(cmd)}\n{report}"


@pytest.mark.parametrize("path", HDL_FILES, ids=HDL_IDS)
def test_icarus_compiles_clean(path, tmp_path):
    cmd = ["iverilog", "-g2012", "-Wall", "-o", str(tmp_path / "a.vvp"), "-s", _module_of(path),
           *[f"-I{d}" for d in INCLUDE_DIRS], *[f"-y{d}" for d in INCLUDE_DIRS], str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    report = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 0 and not report, f"{' '.join(cmd)}\n{report}"
