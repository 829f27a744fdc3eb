"""``spikedv lint``: the RTL lint a reviewer runs, and the project's stricter per-module one.

Three checks, each silent when clean (tests/test_lint.py runs them all):
- every module under rtl/ and every testbench harness (verif/*/hdl) from its own ``.f``
  file: ``verilator --lint-only -Wall -F <module>.f --top-module <module>``, and for the
  top levels again with each parameter set the tests build (``TOP_PARAMETERS``);
- the whole ``rtl/`` tree at once, as a reviewer lints it:
  ``verilator --lint-only -Wall rtl/*/*.v``;
- Icarus: ``iverilog -g2012 -Wall`` of each module from its ``.f`` and of the whole tree;
- the SystemVerilog assertion checkers (rtl/*/sva/, docs/formal.md): every module that
  has checkers bound in its build, from its ``.f`` with those checkers and ``--assert``,
  as the Verilator builds of the tests compile them (top levels with each parameter set).

Waivers are metacomments beside the code they waive, each with its reason.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from verif.sources import (PROJECT_ROOT, RTL_ROOT, all_modules, assertion_sources, filelist_of,
                           include_dirs, sources)
from verif.toolchain import configure_environment

# Parameter sets the tests and engines build, beyond each module's defaults.
TOP_PARAMETERS: dict[str, list[dict[str, int]]] = {
    "qclif_network": [{"N": 20, "NP": 1}, {"N": 20, "NP": 4}, {"N": 20, "NP": 20},
                      {"N": 2, "NP": 2}, {"N": 10, "NP": 10}],
    "axis_skid": [{"DATA_W": 40, "USER_W": 3}, {"DATA_W": 128, "USER_W": 1}],
    "rsnn_zs_b": [{"WIDTH": 256, "PARITY": 1}],
}


@dataclass(frozen=True)
class LintResult:
    name: str
    command: list[str]
    report: str
    ok: bool


def _run(name: str, cmd: list[str], env: dict | None = None) -> LintResult:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT)
    lines = [line for line in (proc.stdout + proc.stderr).splitlines()
             if line.strip() and not line.startswith("- ")]   # Verilator's statistics
    return LintResult(name, cmd, "\n".join(lines), proc.returncode == 0 and not lines)


def _rel(path: Path) -> str:
    return os.path.relpath(path, PROJECT_ROOT)


def verilator_module(module: str, parameters: dict | None = None) -> LintResult:
    env = configure_environment(dict(os.environ))
    files = sources(module)
    cmd = ["verilator", "--lint-only", "-Wall", "--quiet-stats", "--top-module", module,
           *[f"-I{_rel(d)}" for d in include_dirs(files)],
           *[f"-G{k}={v}" for k, v in (parameters or {}).items()],
           "-F", _rel(filelist_of(module))]
    label = module + "".join(f" {k}={v}" for k, v in (parameters or {}).items())
    return _run(f"verilator {label}", cmd, env)


def verilator_module_sva(module: str, parameters: dict | None = None) -> LintResult:
    """The module with the assertion checkers its Verilator builds bind (``--assert``)."""
    env = configure_environment(dict(os.environ))
    files = sources(module)
    checkers = assertion_sources(files)
    cmd = ["verilator", "--lint-only", "-Wall", "--assert", "--quiet-stats",
           "--top-module", module,
           *[f"-I{_rel(d)}" for d in include_dirs([*files, *checkers])],
           *[f"-G{k}={v}" for k, v in (parameters or {}).items()],
           "-F", _rel(filelist_of(module)), *map(_rel, checkers)]
    label = module + "".join(f" {k}={v}" for k, v in (parameters or {}).items())
    return _run(f"verilator+sva {label}", cmd, env)


def rtl_files() -> list[Path]:
    return sorted(RTL_ROOT.rglob("*.v"))


def verilator_tree() -> LintResult:
    env = configure_environment(dict(os.environ))
    files = rtl_files()
    cmd = ["verilator", "--lint-only", "-Wall", "--quiet-stats",
           *[f"-I{_rel(d)}" for d in include_dirs(files)], *map(_rel, files)]
    return _run("verilator rtl/ (whole tree)", cmd, env)


def icarus(name: str, files: list[Path], top: str | None = None) -> LintResult:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["iverilog", "-g2012", "-Wall", "-o", str(Path(tmp) / "a.vvp"),
               *(["-s", top] if top else []),
               *[f"-I{_rel(d)}" for d in include_dirs(files)], *map(_rel, files)]
        return _run(name, cmd)


def icarus_module(module: str) -> LintResult:
    return icarus(f"iverilog {module}", sources(module), top=module)


def icarus_tree() -> LintResult:
    return icarus("iverilog rtl/ (whole tree)", rtl_files())


def all_checks():
    """(name, thunk) of every check, in the order ``spikedv lint`` runs them."""
    checks = [("verilator rtl/ (whole tree)", verilator_tree),
              ("iverilog rtl/ (whole tree)", icarus_tree)]
    for module in all_modules():
        checks.append((f"verilator {module}", lambda m=module: verilator_module(m)))
        for params in TOP_PARAMETERS.get(module, []):
            label = " ".join(f"{k}={v}" for k, v in params.items())
            checks.append((f"verilator {module} {label}",
                           lambda m=module, p=params: verilator_module(m, p)))
        checks.append((f"iverilog {module}", lambda m=module: icarus_module(m)))
        if assertion_sources(sources(module)):
            checks.append((f"verilator+sva {module}", lambda m=module: verilator_module_sva(m)))
            for params in TOP_PARAMETERS.get(module, []):
                label = " ".join(f"{k}={v}" for k, v in params.items())
                checks.append((f"verilator+sva {module} {label}",
                               lambda m=module, p=params: verilator_module_sva(m, p)))
    return checks


def add_arguments(p) -> None:
    p.add_argument("--tree-only", action="store_true",
                   help="only the whole-tree lint (what a reviewer runs)")


def run(args) -> int:
    from spikedv.cli_args import quiet
    from verif.console import Progress

    checks = all_checks()
    if args.tree_only:
        checks = checks[:2]
    failed = []
    with Progress(len(checks), "lint", quiet=quiet(args)) as bar:
        for _, check in checks:
            result = check()
            if not result.ok:
                failed.append(result)
            bar.advance()
    for result in failed:
        print(f"{result.name}: FAILED\n  {' '.join(result.command)}\n{result.report}")
    print(f"lint: {len(checks) - len(failed)} of {len(checks)} checks clean")
    return 1 if failed else 0
