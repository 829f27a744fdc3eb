"""``spikedv mutate``: a mutation campaign over RTL modules, in the manner of YosysHQ MCY.

For each module (docs/mutation.md):

1. mutants: yosys reads the module's sources (its ``.f`` file), ``hierarchy; proc``, saves
   the design (``design.il``) and lists mutations of the module's own cells with
   ``mutate -list N -seed S -none -o mutations.ys <module>``; each mutant is that design
   with one ``mutate -mode ...`` line applied, written back with ``write_verilog``
   (MCY's flow). Modules whose tests build them with other parameters than their
   defaults (yosys writes an elaborated module, without parameters) get source-level
   mutants instead: one operator or constant of the module's own ``.v`` file changed
   (``+`` to ``-``, ``>=`` to ``>``, ``&`` to ``|``, ``>>>`` to ``>>``, a constant + 1, ...).
   A yosys campaign first runs its control mutant (``mutate -mode none``, the design as
   yosys writes it back): it must pass the tests, or the module's campaign is an error.
2. test: the module's tests (``BLOCKS``: block tests for blocks, top-level tests for tops)
   run on Verilator with the mutant in place of the module's file
   (``$SPIKEDV_SOURCE_OVERRIDE``, verif/sources.py; each mutant has its own build, since
   the build hash covers every source's path and content):
   ``python3 -m pytest -p no:benchmark -q -x <tests> --sim verilator``, with a time limit.
   The mutant is killed when a test fails, the build fails or the limit is reached.
3. equivalence: a survivor is compared with the original by a yosys miter
   (``miter -equiv -flatten -make_assert``; ``sat -verify -prove-asserts``, a complete
   proof for a combinational module, ``-tempinduct -set-init-zero -seq 1 -maxsteps K``
   for one with registers: proven, or no difference in K cycles from all-zero state).
   Equivalent mutants are set aside; the others are the survivors of the report, with
   file, line (yosys' src attribute, or the edited line) and the mutation.

score = killed / non-equivalent mutants, in percent. ``--sample N --seed S`` picks N
mutants per module (the same ones for the same seed and sources), ``--all`` every one.
Mutants run ``--jobs`` at a time, or as jobs of a Slurm array (``--launcher slurm
[--partition P] [--max-jobs M]``: one job per mutant through spikedv.launchers, a job
lost to a node failure resubmitted once; each job runs ``python -m spikedv.mutate
<job.json>``, which writes the mutant's ``result.json``). Every mutant has its own folder
``build/mutate/<module>-<hash of the sources>/<mutant>/`` with ``result.json``; a rerun
skips the mutants already done. The report (``--out``, default reports/mutation.json) is
what the signoff report reads (spikedv/report/side.py ``mutation``); the entries of the
modules run replace theirs in an existing report, the others are kept.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from model.errors import InputError
from verif.sources import (
    PROJECT_ROOT,
    SOURCE_OVERRIDE_ENV,
    filelist_of,
    include_dirs,
    sources,
)

YOSYS = "yosys"
WORK_ROOT = PROJECT_ROOT / "build" / "mutate"
DEFAULT_OUT = PROJECT_ROOT / "reports" / "mutation.json"
DEFAULT_SAMPLE = 20
DEFAULT_TIMEOUT_S = 900.0
DEFAULT_EQUIV_TIMEOUT_S = 300.0
DEFAULT_EQUIV_STEPS = 20
EQUIV_LANES = 2                # LANES of the miter of a source-level mutant (every lane alike)
ALL_LIMIT = 1_000_000          # ``--all``: mutate -list with this many (every one there is)
FLOW_VERSION = 1               # bump when a mutant's folder must not be reused
CONTROL = "control"


@dataclass(frozen=True)
class Block:
    """A module under mutation: the tests that must kill its mutants, and how mutants are
    made (``yosys``: mutate + write_verilog; ``source``: operator/constant edits, for
    modules the tests build with non-default parameters)."""

    tests: tuple[str, ...]
    method: str = "yosys"
    # Parameters of the equivalence miter of a source-level mutant: a source edit changes
    # the module alike for every size, and a small instance is decided where the full one
    # takes the SAT solver past its limit (the result says which size was checked).
    equiv_params: tuple[tuple[str, int], ...] = ()


# Module -> tests (pytest node ids, run with --sim verilator). Blocks: their block test;
# tops: their top-level tests.
BLOCKS: dict[str, Block] = {
    # rsnn datapath
    "rsnn_lif": Block(("verif/rsnn/test_rsnn_lif.py",)),
    "rsnn_input_scale": Block(("verif/rsnn/test_rsnn_input_scale.py",)),
    "rsnn_current": Block(("verif/rsnn/test_rsnn_current.py",), "source"),
    "rsnn_pe_set": Block(("verif/rsnn/test_rsnn_pe_set.py",), "source"),
    "rsnn_zs_a": Block(("verif/rsnn/test_rsnn_zs_a.py",)),
    "rsnn_zs_b": Block(("verif/rsnn/test_rsnn_zs_b.py",), "source", (("WIDTH", 8),)),
    "rsnn_zs_c": Block(("verif/rsnn/test_rsnn_zs_c.py",)),
    "rsnn_zs_d": Block(("verif/rsnn/test_rsnn_zs_d.py",), "source", (("ROWS", 8),)),
    # qclif datapath
    "qclif_apical": Block(("verif/qclif/test_qclif_apical.py",)),
    "qclif_mult": Block(("verif/qclif/test_qclif_mult.py",)),
    "qclif_soma": Block(("verif/qclif/test_qclif_soma.py",)),
    "qclif_threshold": Block(("verif/qclif/test_qclif_threshold.py",)),
    "qclif_spike_weighting": Block(("verif/qclif/test_qclif_spike_weighting.py",), "source"),
    # common
    "axis_skid": Block(("verif/common/test_axis_skid.py",), "source"),
    # tops (parameters given by the tests: source-level mutants)
    "rsnn_accel": Block(("verif/rsnn/test_rsnn_accel.py",), "source"),
    "qclif_network": Block(("verif/qclif/test_qclif_network.py",), "source"),
}
# The default campaign: the datapath blocks.
DATAPATH = ("rsnn_lif", "rsnn_input_scale", "rsnn_current", "rsnn_pe_set",
            "qclif_apical", "qclif_mult", "qclif_soma", "qclif_threshold",
            "qclif_spike_weighting")
DESIGNS = ("rsnn", "qclif")


def design_of(module: str) -> str | None:
    """rsnn or qclif (the folder under rtl/); None for rtl/common."""
    folder = filelist_of(module).parent.name
    return folder if folder in DESIGNS else None


# ---- mutants -----------------------------------------------------------------------

@dataclass
class Mutant:
    """One mutant: ``name`` (its folder), ``method``, ``command`` (the yosys mutate line,
    or the source edit as JSON), where and what."""

    name: str
    module: str
    method: str
    command: str
    file: str
    line: int | None
    mutation: str
    extra: dict = field(default_factory=dict)


def _rel(path: str | Path) -> str:
    p = Path(path)
    try:
        return str(p.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _own_file(module: str) -> Path:
    """The source file that defines ``module``."""
    pattern = re.compile(r"^\s*module\s+%s\b" % re.escape(module), re.M)
    for f in sources(module):
        if pattern.search(f.read_text(errors="replace")):
            return f
    raise InputError(filelist_of(module), f"no source defines module {module}")


def source_hash(module: str) -> str:
    """Hash of the module's sources, headers and tests: names its campaign folder."""
    h = hashlib.sha256(f"{FLOW_VERSION}\n{module}\n".encode())
    files = sources(module)
    for d in include_dirs(files):
        files += sorted(d.glob("*.vh"))
    for f in files:
        h.update(_rel(f).encode())
        h.update(Path(f).read_bytes())
    h.update(json.dumps(asdict(BLOCKS[module]) if module in BLOCKS else {}).encode())
    return h.hexdigest()[:12]


def campaign_dir(module: str, root: Path = WORK_ROOT) -> Path:
    return Path(root) / f"{module}-{source_hash(module)}"


def _name(command: str) -> str:
    return "m-" + hashlib.sha1(command.encode()).hexdigest()[:12]


def _read_script(module: str) -> str:
    files = sources(module)
    incs = " ".join(f'-I"{d}"' for d in include_dirs(files))
    return "\n".join(f'read_verilog {incs} "{f}"' for f in files)


def _yosys(script: str, cwd: Path, timeout_s: float, log: str) -> subprocess.CompletedProcess:
    cwd.mkdir(parents=True, exist_ok=True)
    (cwd / f"{log}.ys").write_text(script)
    proc = subprocess.run([YOSYS, "-q", "-l", f"{log}.log", f"{log}.ys"], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout_s, check=False)
    return proc


_SRC = re.compile(r"-src (\S+?):(\d+)(?:\.\d+-\d+\.\d+)?(?=\s|$)")


def describe_yosys(line: str) -> tuple[str, int | None, str]:
    """(file, line, description) of a ``mutate -mode ...`` line: the place is the last
    ``-src`` (the mutated cell's), the description names mode, cell, port and bit."""
    opts = dict(re.findall(r"-(mode|cell|port|portbit|ctrlbit|wire|wirebit) (\S+)", line))
    srcs = _SRC.findall(line)
    file, number = (srcs[-1][0], int(srcs[-1][1])) if srcs else ("", None)
    cell = opts.get("cell", "?")
    m = re.match(r"^\$(\w+)\$.*?\$\d+$", cell)
    cell_text = f"${m[1]} cell" if m else f"cell {cell}"
    what = {"inv": "inverted", "const0": "tied to 0", "const1": "tied to 1",
            "cnot0": f"XOR-ed with the NOT of bit {opts.get('ctrlbit')} (cnot0)",
            "cnot1": f"XOR-ed with bit {opts.get('ctrlbit')} (cnot1)"}.get(
        opts.get("mode", ""), opts.get("mode", "?"))
    desc = f"{opts.get('mode')}: bit {opts.get('portbit')} of port {opts.get('port')} of " \
           f"{cell_text} {what}"
    if "wire" in opts:
        desc += f" (wire {opts['wire']}[{opts.get('wirebit')}])"
    return _rel(file) if file else "", number, desc


def yosys_mutants(module: str, n: int, seed: int, work: Path,
                  timeout_s: float = 600.0) -> list[Mutant]:
    """The control mutant and ``n`` yosys mutants of ``module`` (``design.il`` and
    ``mutations.ys`` in ``work``)."""
    script = "\n".join([
        _read_script(module),
        f"hierarchy -check -top {module}",
        "proc",
        "opt_clean",
        "write_rtlil design.il",
        f"mutate -list {n + 1} -seed {seed} -none -o mutations_{n}_{seed}.ys {module}",
    ]) + "\n"
    proc = _yosys(script, work, timeout_s, f"list_{n}_{seed}")
    listing = work / f"mutations_{n}_{seed}.ys"
    if proc.returncode != 0 or not listing.is_file():
        raise InputError(work / f"list_{n}_{seed}.log", "yosys could not list the mutations "
                         f"of {module}: {_last_error(proc)}")
    out = []
    for line in listing.read_text().splitlines():
        line = line.strip()
        if not line.startswith("mutate "):
            continue
        if line == "mutate -mode none":
            out.append(Mutant(CONTROL, module, "yosys", line, "", None,
                              "control: the design as yosys writes it back, unmutated"))
            continue
        file, number, desc = describe_yosys(line)
        out.append(Mutant(_name(line), module, "yosys", line, file, number, desc))
    return out


def _last_error(proc: subprocess.CompletedProcess) -> str:
    """The last ERROR line of a yosys run (or its last line)."""
    lines = ((proc.stderr or "") + (proc.stdout or "")).strip().splitlines()
    errors = [ln for ln in lines if "ERROR" in ln]
    return ((errors or lines or ["no output"])[-1]).strip()[:300]


# Source-level mutation operators: token -> replacement.
OPERATORS = {
    "+": "-", "-": "+", ">>>": ">>", ">>": "<<", "<<": ">>", "<<<": ">>",
    ">=": ">", ">": ">=", "<": "<=", "==": "!=", "!=": "==",
    "&&": "||", "||": "&&", "&": "|", "|": "&", "^": "&", "~": "",
}
_TOKEN = re.compile(r">>>|<<<|>>|<<|>=|<=|==|!=|&&|\|\||[+\-&|^<>~]|\d+'[bB][01]|\b\d+\b")
_SKIP_STMT = re.compile(r"^\s*(parameter|localparam|input|output|inout|genvar|`|integer\b)")


def _code_mask(text: str) -> list[bool]:
    """True for each character that is code (not a comment, string or `directive)."""
    mask = [True] * len(text)
    for m in re.finditer(r"//[^\n]*|/\*.*?\*/|\"[^\"\n]*\"|`[^\n]*", text, flags=re.S):
        for i in range(m.start(), m.end()):
            mask[i] = False
    return mask


def _excluded_spans(text: str) -> list[tuple[int, int]]:
    """Bracketed ranges and selects ``[...]``, ``for (...)`` headers, ``#(...)`` parameter
    lists: no mutations there."""
    spans = []
    for opener in (re.compile(r"\["), re.compile(r"\bfor\s*\("), re.compile(r"#\s*\(")):
        for m in opener.finditer(text):
            open_c = "[" if text[m.end() - 1] == "[" else "("
            close_c = "]" if open_c == "[" else ")"
            depth, i = 0, m.end() - 1
            while i < len(text):
                if text[i] == open_c:
                    depth += 1
                elif text[i] == close_c:
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            spans.append((m.start(), i + 1))
    return spans


def source_candidates(path: Path) -> list[dict]:
    """Every source-level mutation of ``path``: operators and constants on the right of
    an assignment (``assign``, ``=``, ``<=``, initialised wires), outside ranges, selects,
    for headers and parameter lists. Each: offset, length, old and new text, line."""
    text = path.read_text()
    mask = _code_mask(text)
    excluded = _excluded_spans(text)
    header_end = text.find(");")           # after the port list
    out = []
    stmt_start = 0
    for end in [m.start() for m in re.finditer(";", text)]:
        stmt = text[stmt_start:end]
        base = stmt_start
        stmt_start = end + 1
        if base < header_end or not mask[end]:
            continue
        body = stmt.lstrip()
        if _SKIP_STMT.match(body):
            continue
        m = re.search(r"(?<![<>=!])(<=|=)(?!=)", stmt)
        if not m:
            continue
        rhs0 = base + m.end()
        for t in _TOKEN.finditer(text, rhs0, end):
            pos, tok = t.start(), t.group()
            if not mask[pos] or any(a <= pos < b for a, b in excluded):
                continue
            if tok in ("<=",):
                continue
            nxt = text[t.end():t.end() + 1]
            if tok in ("+", "-") and nxt == ":":
                continue
            if re.fullmatch(r"\d+'[bB][01]", tok):
                new = tok[:-1] + ("1" if tok[-1] == "0" else "0")
            elif tok.isdigit():
                new = str(int(tok) + 1)
            else:
                new = OPERATORS.get(tok)
                if new is None:
                    continue
            line = text.count("\n", 0, pos) + 1
            out.append({"offset": pos, "old": tok, "new": new, "line": line})
    return out


def source_mutants(module: str, n: int | None, seed: int) -> list[Mutant]:
    """``n`` source-level mutants of ``module``'s own file (all when ``n`` is None), the
    same ones for the same seed and source."""
    path = _own_file(module)
    cands = source_candidates(path)
    if n is not None and n < len(cands):
        cands = sorted(random.Random(seed).sample(cands, n), key=lambda c: c["offset"])
    lines = path.read_text().splitlines()
    out = []
    for c in cands:
        edit = json.dumps({"file": _rel(path), **c}, sort_keys=True)
        desc = (f"operator {c['old']} -> {c['new'] or '(removed)'}" if not c["old"][0].isdigit()
                else f"constant {c['old']} -> {c['new']}")
        code = " ".join(lines[c["line"] - 1].split())
        desc += f" in `{code[:70]}{'...' if len(code) > 70 else ''}`"
        out.append(Mutant(_name(edit), module, "source", edit, _rel(path), c["line"], desc))
    return out


def write_mutant(m: Mutant, work: Path, folder: Path, timeout_s: float = 600.0) -> Path:
    """The mutant's Verilog file in ``folder`` (``mutant.v``)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "mutant.v"
    if m.method == "source":
        edit = json.loads(m.command)
        src = PROJECT_ROOT / edit["file"]
        text = src.read_text()
        off = edit["offset"]
        if text[off:off + len(edit["old"])] != edit["old"]:
            raise InputError(src, f"source changed under mutant {m.name}", f"line {edit['line']}")
        target.write_text(text[:off] + edit["new"] + text[off + len(edit["old"]):])
        for header in src.parent.glob("*.vh"):   # `include files beside the source
            shutil.copy2(header, folder / header.name)
        return target
    script = "\n".join(["read_rtlil ../design.il", m.command, "opt_clean",
                        "write_verilog -noattr mutant.v"]) + "\n"
    proc = _yosys(script, folder, timeout_s, "write")
    if proc.returncode != 0 or not target.is_file():
        raise RuntimeError(f"yosys could not write the mutant: {_last_error(proc)}")
    return target


# ---- running the tests ----------------------------------------------------------------

def test_command(tests) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:benchmark", "-p", "no:cacheprovider",
            "-q", "-x", *tests, "--sim", "verilator"]


def run_tests(module: str, tests, mutant_file: Path, folder: Path,
              timeout_s: float) -> dict:
    """Run ``tests`` with ``mutant_file`` in place of ``module``'s file; builds and run
    folders under ``folder/sim_build`` (removed afterwards), output in ``test.log``.
    Returns {"status": passed | failed | timeout | error, "reason", "seconds"}."""
    env = dict(os.environ)
    env[SOURCE_OVERRIDE_ENV] = f"{module}={mutant_file}"
    env["SPIKEDV_SIM_BUILD"] = str(folder / "sim_build")
    env.pop("SPIKEDV_RUNS_DIR", None)
    if shutil.which("ccache") and "OBJCACHE" not in env:
        # Every mutant is a fresh Verilator build; the runtime and harness objects are the
        # same each time (build/mutate/ccache; paths under the checkout hashed relative).
        env.update(OBJCACHE="ccache", CCACHE_DIR=str(WORK_ROOT / "ccache"),
                   CCACHE_BASEDIR=str(PROJECT_ROOT), CCACHE_NOHASHDIR="1")
    env.pop("PYTEST_ADDOPTS", None)
    cmd = test_command(tests)
    start = time.monotonic()
    log = folder / "test.log"
    with open(log, "w") as out:
        out.write(" ".join(cmd) + "\n" + f"{SOURCE_OVERRIDE_ENV}={env[SOURCE_OVERRIDE_ENV]}\n")
        out.flush()
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)   # the test run we started, and its children
            proc.wait()
            rc = None
    seconds = round(time.monotonic() - start, 1)
    shutil.rmtree(folder / "sim_build", ignore_errors=True)
    text = log.read_text(errors="replace")
    if rc is None:
        return {"status": "timeout", "reason": f"tests ran past {timeout_s:g} s",
                "seconds": seconds}
    if rc == 0:
        return {"status": "passed", "reason": "every test passed", "seconds": seconds}
    failed = re.findall(r"^(?:FAILED|ERROR) (\S+)(?: - (.*))?$", text, re.M)
    if rc == 1 and failed:
        node, msg = failed[0]
        kind = "build failed" if re.search(r"%Error|build.*fail|CalledProcessError", text) \
            and "cocotb tests failed" not in text else "test failed"
        return {"status": "failed", "reason": f"{kind}: {node}" + first_error(text, msg),
                "seconds": seconds}
    if rc == 1:
        return {"status": "failed", "reason": "test failed", "seconds": seconds}
    return {"status": "error", "reason": f"pytest exit status {rc} (see {_rel(log)})",
            "seconds": seconds}


def first_error(text: str, msg: str = "") -> str:
    """`` (<first MISMATCH, assertion or ERROR line>)`` of a test log, else pytest's message."""
    for pattern in (r"MISMATCH.*", r"Assertion failed.*|%Error.*", r"ERROR\s+\S+\s+(.*)"):
        m = re.search(pattern, text)
        if m:
            return f" ({(m.group(1) if m.groups() else m.group(0)).strip()[:200]})"
    return f" ({msg.strip()[:160]})" if msg else ""


# ---- equivalence --------------------------------------------------------------------

def equivalence(module: str, mutant_file: Path, folder: Path, steps: int = DEFAULT_EQUIV_STEPS,
                timeout_s: float = DEFAULT_EQUIV_TIMEOUT_S, lanes: int | None = None,
                params: dict[str, int] | None = None) -> dict:
    """Miter of the original against the mutant (default parameters; ``lanes``: LANES set
    to that in both, for a mutant that changes every lane alike; ``params``: other
    parameters set in both, Block.equiv_params). Returns
    {"equivalent": True | False | None, "how": ..., "seconds"}: True when proven (or, for
    a module with registers, no difference within ``steps`` cycles from the all-zero
    state), False with a counterexample, None when yosys could not decide in time."""
    orig = sources(module)
    mut = [mutant_file if f == _own_file(module) else f for f in orig]
    incs = " ".join(f'-I"{d}"' for d in include_dirs(orig))
    # A source-level mutant changes every lane alike: two lanes show it, and the proof of
    # a 128-lane adder miter would take SAT minutes. A yosys mutant is in one lane: all.
    chparam = [f"chparam -set LANES {lanes} {module}"] if lanes else []
    chparam += [f"chparam -set {k} {v} {module}" for k, v in (params or {}).items()]

    def side(files, name):
        return [*(f'read_verilog {incs} "{f}"' for f in files), *chparam,
                f"hierarchy -check -top {module}", "proc", "flatten", "opt_clean",
                f"rename {module} {name}", f"design -stash {name}"]

    script = "\n".join([
        *side(orig, "gold"), *side(mut, "gate"),
        "design -copy-from gold -as gold gold",
        "design -copy-from gate -as gate gate",
        "miter -equiv -flatten -make_assert -ignore_gold_x gold gate miter",
        "hierarchy -top miter",
        "opt -fast",
        "tee -o ffs.txt select -count t:$*ff t:$*dff* t:$mem*",
        "sat -verify -prove-asserts -show-inputs -set-init-zero -tempinduct -seq 1 "
        f"-maxsteps {steps} -timeout {int(timeout_s)} miter",
    ]) + "\n"
    start = time.monotonic()
    try:
        proc = _yosys(script, folder, timeout_s + 60, "equiv")
    except subprocess.TimeoutExpired:
        return {"equivalent": None, "how": f"miter: no answer in {timeout_s:g} s",
                "seconds": round(time.monotonic() - start, 1)}
    seconds = round(time.monotonic() - start, 1)
    log = (folder / "equiv.log").read_text(errors="replace") if (folder / "equiv.log").is_file() \
        else proc.stdout + proc.stderr
    ffs = re.search(r"(\d+) objects", log)
    sequential = bool(ffs and int(ffs.group(1)) > 0)
    if proc.returncode == 0:
        if re.search(r"Induction step proven: SUCCESS|induction.*SUCCESS", log) or not sequential:
            return {"equivalent": True, "how": "miter proven (sat)", "seconds": seconds}
        return {"equivalent": True, "how": f"miter: no difference within {steps} cycles "
                f"from the all-zero state (bounded)", "seconds": seconds}
    if "model found for base case" in log or re.search(r"SAT proof finished - model found", log):
        return {"equivalent": False, "how": "miter: counterexample found (sat)" +
                counterexample(log, sequential), "seconds": seconds}
    if "Reached maximum number of time steps" in log:
        return {"equivalent": True, "how": f"miter: no difference within {steps} cycles "
                f"from the all-zero state (bounded)", "seconds": seconds}
    return {"equivalent": None, "how": f"miter undecided: {_last_error(proc)}",
            "seconds": seconds}


def _has_lanes(module: str) -> bool:
    text = _own_file(module).read_text()
    return re.search(r"\bparameter\b[^;,)]*\bLANES\b", text) is not None


def counterexample(log: str, sequential: bool = True, max_inputs: int = 6) -> str:
    """``; differs at cycle T with a=0x.. b=0x..`` from ``sat -show-inputs`` (inputs up to
    32 bits; wider buses are left out); empty when the log has no table."""
    rows = re.findall(r"^\s+(\d+) \\in_(\S+)\s+\S+\s+(\S+)\s+([01xz]+)\s*$", log, re.M)
    if not rows:
        return ""
    last = max(int(r[0]) for r in rows)
    vals = [f"{name}=0x{hexv}" for step, name, hexv, bits in rows
            if int(step) == last and len(bits) <= 32][:max_inputs]
    where = f" at step {last} of sat -seq 1" if sequential else ""
    return f"; differs{where}" + (f" with {' '.join(vals)}" if vals else "")


# ---- one mutant ------------------------------------------------------------------------

def result_key(m: Mutant, tests) -> str:
    """What a mutant's result depends on: the flow, the mutation, the tests, and the
    sizes its equivalence miter uses (Block.equiv_params), when it has any."""
    sizes = [list(kv) for kv in BLOCKS[m.module].equiv_params] if m.module in BLOCKS else []
    payload = [FLOW_VERSION, m.command, list(tests)] + ([sizes] if sizes else [])
    return hashlib.sha1(json.dumps(payload).encode()).hexdigest()


def run_mutant(m: Mutant, work: Path, tests, *, timeout_s: float = DEFAULT_TIMEOUT_S,
               equiv_steps: int = DEFAULT_EQUIV_STEPS,
               equiv_timeout_s: float = DEFAULT_EQUIV_TIMEOUT_S,
               mutant_file: Path | None = None) -> dict:
    """Write, test and (if it survives) check one mutant; writes and returns its
    ``result.json``. ``status``: killed, equivalent, survived, or error (control: pass or
    error). ``mutant_file``: a mutant written by hand (tests), used as it is."""
    folder = work / m.name
    folder.mkdir(parents=True, exist_ok=True)
    result = {**asdict(m), "key": result_key(m, tests), "tests": list(tests)}
    start = time.monotonic()
    try:
        if mutant_file is None:
            mutant_file = write_mutant(m, work, folder)
        run = run_tests(m.module, tests, Path(mutant_file).resolve(), folder, timeout_s)
        result["test"] = run
        if m.name == CONTROL:
            result["status"] = "pass" if run["status"] == "passed" else "error"
            result["reason"] = run["reason"]
        elif run["status"] in ("failed", "timeout"):
            result["status"], result["reason"] = "killed", run["reason"]
        elif run["status"] == "error":
            result["status"], result["reason"] = "error", run["reason"]
        else:
            lanes = EQUIV_LANES if m.method == "source" and _has_lanes(m.module) else None
            params = dict(BLOCKS[m.module].equiv_params) if m.method == "source" and \
                m.module in BLOCKS else {}
            eq = equivalence(m.module, Path(mutant_file).resolve(), folder, equiv_steps,
                             equiv_timeout_s, lanes, params)
            sizes = ([f"LANES = {lanes}"] if lanes else []) + \
                [f"{k} = {v}" for k, v in params.items()]
            if sizes:
                eq["how"] += f" ({', '.join(sizes)})"
            result["equivalence"] = eq
            if eq["equivalent"]:
                result["status"], result["reason"] = "equivalent", eq["how"]
            else:
                result["status"] = "survived"
                result["reason"] = ("no test failed; " +
                                    ("not equivalent: " if eq["equivalent"] is False else "")
                                    + eq["how"])
    except (RuntimeError, InputError, subprocess.TimeoutExpired, OSError) as exc:
        result["status"], result["reason"] = "error", str(exc)[:300]
    result["seconds"] = round(time.monotonic() - start, 1)
    (folder / "result.json").write_text(json.dumps(result, indent=1) + "\n")
    return result


def done_result(m: Mutant, work: Path, tests) -> dict | None:
    """The mutant's earlier result when it is complete and for the same tests."""
    path = work / m.name / "result.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if data.get("key") != result_key(m, tests) or data.get("status") == "error":
        return None
    return data


# ---- a campaign ----------------------------------------------------------------------

def campaign(modules, *, sample: int | None, seed: int, jobs: int = 1,
             timeout_s: float = DEFAULT_TIMEOUT_S, equiv_steps: int = DEFAULT_EQUIV_STEPS,
             equiv_timeout_s: float = DEFAULT_EQUIV_TIMEOUT_S, root: Path = WORK_ROOT,
             tests: dict | None = None, progress=None, log=print,
             launcher: str = "local", slurm: dict | None = None) -> dict:
    """Run the mutants of ``modules`` (``sample`` per module, or all when None), resuming;
    returns {module: [result, ...]} (control first for yosys campaigns) and the counts
    {"run": n, "reused": n} under the key ``"_counts"``. ``launcher`` "slurm" runs each
    mutant as a job of a Slurm array (``slurm``: partition, max_jobs, time_limit)."""
    plans: dict[str, tuple[Path, tuple, list[Mutant]]] = {}
    for module in modules:
        block = BLOCKS[module]
        work = campaign_dir(module, root)
        work.mkdir(parents=True, exist_ok=True)
        mod_tests = tuple((tests or {}).get(module, block.tests))
        if block.method == "yosys":
            mutants = yosys_mutants(module, sample if sample is not None else ALL_LIMIT,
                                    seed, work)
        else:
            mutants = source_mutants(module, sample, seed)
        plans[module] = (work, mod_tests, mutants)
    results: dict[str, list[dict]] = {m: [] for m in modules}
    todo: list[tuple[str, Mutant]] = []
    reused = 0
    for module, (work, mod_tests, mutants) in plans.items():
        for m in mutants:
            old = done_result(m, work, mod_tests)
            if old is not None:
                results[module].append(old)
                reused += 1
            else:
                todo.append((module, m))
    if progress is not None:
        progress.total = len(todo)
    # Controls first: a module whose control fails runs none of its mutants.
    controls = [(mod, m) for mod, m in todo if m.name == CONTROL]
    others = [(mod, m) for mod, m in todo if m.name != CONTROL]
    failed_control: set[str] = {mod for mod, rs in results.items()
                                for r in rs if r["name"] == CONTROL and r["status"] != "pass"}
    done = 0

    def submit_all(pool, items):
        return {pool.submit(run_mutant, m, plans[mod][0], plans[mod][1], timeout_s=timeout_s,
                            equiv_steps=equiv_steps, equiv_timeout_s=equiv_timeout_s): (mod, m)
                for mod, m in items if mod not in failed_control}

    def finished():
        """(module, mutant, result) as each mutant ends, controls first."""
        if launcher == "slurm":
            for batch in (controls, others):
                items = [(mod, m) for mod, m in batch if mod not in failed_control]
                yield from _run_on_slurm(items, plans, root, timeout_s, equiv_steps,
                                         equiv_timeout_s, slurm or {})
            return
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for batch in (controls, others):
                futures = submit_all(pool, batch)
                for fut in as_completed(futures):
                    mod, m = futures[fut]
                    yield mod, m, fut.result()

    if launcher not in ("local", "slurm"):
        raise InputError(None, f"launcher {launcher!r}: one of local, slurm")
    for mod, m, r in finished():
        results[mod].append(r)
        if m.name == CONTROL and r["status"] != "pass":
            failed_control.add(mod)
        done += 1
        if progress is not None:
            progress.update(done)
        if log is not None:
            where = f"{r['file']}:{r['line']}" if r.get("line") else ""
            log(f"mutate: {mod} {m.name} {r['status']} ({r.get('reason', '')}) "
                f"{where} {r.get('seconds', 0):.0f} s".rstrip())
    for mod in modules:
        order = {m.name: i for i, m in enumerate(plans[mod][2])}
        results[mod].sort(key=lambda r: order.get(r["name"], len(order)))
    results["_counts"] = {"run": done, "reused": reused}    # type: ignore[assignment]
    return results


def _run_on_slurm(items, plans, root: Path, timeout_s: float, equiv_steps: int,
                  equiv_timeout_s: float, slurm: dict):
    """Each (module, mutant) of ``items`` as one job of a Slurm array (spikedv.launchers:
    followed, a lost job resubmitted once); yields (module, mutant, result) from the
    result.json each job wrote (an error result for a job lost twice)."""
    from spikedv.launchers import run_commands

    if not items:
        return
    commands, names = [], []
    for mod, m in items:
        work, mod_tests, _ = plans[mod]
        folder = work / m.name
        folder.mkdir(parents=True, exist_ok=True)
        spec = {"mutant": asdict(m), "work": str(work), "tests": list(mod_tests),
                "timeout_s": timeout_s, "equiv_steps": equiv_steps,
                "equiv_timeout_s": equiv_timeout_s}
        (folder / "job.json").write_text(json.dumps(spec, indent=1) + "\n")
        commands.append([sys.executable, "-m", "spikedv.mutate", str(folder / "job.json")])
        names.append(f"{mod}-{m.name}")
    run_commands(commands, Path(root) / "slurm", "slurm", names=names,
                 partition=slurm.get("partition"), max_jobs=slurm.get("max_jobs"),
                 time_limit=slurm.get("time_limit"), quiet=True)
    for mod, m in items:
        path = plans[mod][0] / m.name / "result.json"
        try:
            yield mod, m, json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            yield mod, m, {**asdict(m), "status": "error", "seconds": 0,
                           "reason": f"its Slurm job wrote no result ({path})"}


def run_job_file(path: Path) -> int:
    """One mutant from the job file the Slurm launcher wrote (``python -m spikedv.mutate
    JOB.json``): written, tested, checked; its result.json beside the job file. Exit
    status 0 whatever the mutant's fate (killed is a result), 1 on an error."""
    spec = json.loads(Path(path).read_text())
    r = run_mutant(Mutant(**spec["mutant"]), Path(spec["work"]), tuple(spec["tests"]),
                   timeout_s=spec["timeout_s"], equiv_steps=spec["equiv_steps"],
                   equiv_timeout_s=spec["equiv_timeout_s"])
    return 1 if r["status"] == "error" else 0


def _counts(rs: list[dict]) -> dict:
    mutants = [r for r in rs if r["name"] != CONTROL]
    killed = sum(r["status"] == "killed" for r in mutants)
    equivalent = sum(r["status"] == "equivalent" for r in mutants)
    survived = sum(r["status"] == "survived" for r in mutants)
    errors = sum(r["status"] == "error" for r in mutants)
    non_eq = killed + survived
    return {"mutants": killed + survived + equivalent, "killed": killed,
            # survived: every mutant no test killed (equivalent ones included);
            # non_equivalent - killed of them are the real survivors.
            "survived": survived + equivalent, "equivalent": equivalent,
            "non_equivalent": non_eq, "errors": errors,
            "score": round(100.0 * killed / non_eq, 2) if non_eq else None}


def report(results: dict[str, list[dict]], seed: int, wall_s: float,
           previous: dict | None = None) -> dict:
    """The mutation.json of a campaign (spikedv/report/side.py ``mutation`` reads it);
    modules of ``previous`` that were not run now are kept."""
    entries: dict[str, dict] = {}
    survivors: list[dict] = []
    equivalents: list[dict] = []
    if isinstance(previous, dict):
        for e in previous.get("modules", []):
            if isinstance(e, dict) and e.get("name") and e["name"] not in results:
                entries[e["name"]] = e
        survivors += [s for s in previous.get("survivors", [])
                      if isinstance(s, dict) and s.get("module") not in results]
        equivalents += [s for s in previous.get("equivalents", [])
                        if isinstance(s, dict) and s.get("module") not in results]
    for module, rs in results.items():
        if module.startswith("_"):
            continue
        control = next((r for r in rs if r["name"] == CONTROL), None)
        entry = {"name": module, "design": design_of(module),
                 "method": BLOCKS[module].method if module in BLOCKS else "?",
                 "tests": rs[0]["tests"] if rs else [], **_counts(rs)}
        if control is not None:
            entry["control"] = control["status"]
            if control["status"] != "pass":
                entry["error"] = f"control mutant failed: {control.get('reason')}"
        entries[module] = entry
        for r in rs:
            row = {"module": module, "file": r.get("file"), "line": r.get("line"),
                   "mutation": r.get("mutation"), "reason": r.get("reason"),
                   "mutant": r.get("name"), "command": r.get("command")}
            if r["status"] == "survived":
                survivors.append(row)
            elif r["status"] == "equivalent":
                equivalents.append(row)
    modules = [entries[k] for k in sorted(entries)]

    def total(es):
        keys = ("mutants", "killed", "survived", "equivalent", "non_equivalent", "errors")
        t = {k: sum(e.get(k) or 0 for e in es) for k in keys}
        t["score"] = round(100.0 * t["killed"] / t["non_equivalent"], 2) \
            if t["non_equivalent"] else None
        return t

    designs = {d: total([e for e in modules if e.get("design") == d]) for d in DESIGNS
               if any(e.get("design") == d for e in modules)}
    return {"modules": modules, "designs": designs, "survivors": survivors,
            "equivalents": equivalents, "total": total(modules), "seed": seed,
            "wall_s": round(wall_s, 1)}


# ---- command line ----------------------------------------------------------------------

def add_arguments(p) -> None:
    from spikedv.cli_args import add_jobs, add_out, add_seed, path_arg

    p.add_argument("modules", nargs="*", metavar="MODULE",
                   help="modules to mutate (default: the datapath blocks: "
                        f"{', '.join(DATAPATH)})")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--sample", type=int, default=None, metavar="N",
                     help=f"N mutants per module (default {DEFAULT_SAMPLE})")
    how.add_argument("--all", action="store_true", help="every mutant (complete campaign)")
    add_seed(p, default=1, help="seed of the sample (default 1)")
    add_jobs(p)
    add_out(p, "JSON report", default=path_arg(str(DEFAULT_OUT)))
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help=f"test limit per mutant in seconds (default {DEFAULT_TIMEOUT_S:g}); "
                        "past it the mutant counts as killed")
    p.add_argument("--equiv-steps", type=int, default=DEFAULT_EQUIV_STEPS, metavar="K",
                   help=f"cycles of the bounded equivalence check (default {DEFAULT_EQUIV_STEPS})")
    p.add_argument("--work", type=path_arg, default=WORK_ROOT, metavar="DIR",
                   help="where the mutant folders go (default build/mutate)")
    p.add_argument("--list", action="store_true",
                   help="list the mutants and the tests of each module, run nothing")
    g = p.add_argument_group("launcher (docs/regressions.md)")
    g.add_argument("--launcher", choices=("local", "slurm"), default="local",
                   help="local: --jobs mutants at a time (default); slurm: one job per "
                        "mutant in a Slurm array, lost ones resubmitted once")
    g.add_argument("--partition", default=None, metavar="P", help="Slurm partition")
    g.add_argument("--max-jobs", type=int, default=None, metavar="M",
                   help="Slurm: at most M array tasks, the mutants shared among them")
    g.add_argument("--time-limit", default=None, metavar="T",
                   help="Slurm: time limit of a task (sbatch --time, e.g. 30:00)")


def _jobs(text: str) -> int:
    if text == "auto":
        return max(1, min(os.cpu_count() or 1, 4))
    return int(text)


def run(args) -> int:
    from spikedv.cli_args import quiet
    from verif.console import Progress

    modules = list(args.modules) or list(DATAPATH)
    for m in modules:
        if m not in BLOCKS:
            raise InputError(None, f"no mutation campaign for module {m} "
                             f"(one of: {', '.join(sorted(BLOCKS))})")
    if args.sample is not None and args.sample < 1:
        raise InputError(None, f"--sample {args.sample}: expected a positive number")
    if shutil.which(YOSYS) is None:
        print("spikedv: error: yosys not found (apt-get install yosys)", file=sys.stderr)
        return 2
    sample = None if args.all else (args.sample or DEFAULT_SAMPLE)
    if args.list:
        for module in modules:
            work = campaign_dir(module, args.work)
            mutants = (yosys_mutants(module, sample or ALL_LIMIT, args.seed, work)
                       if BLOCKS[module].method == "yosys"
                       else source_mutants(module, sample, args.seed))
            real = [m for m in mutants if m.name != CONTROL]
            control = " and the control" if len(real) < len(mutants) else ""
            print(f"{module}: {len(real)} {BLOCKS[module].method} mutants{control}; tests: "
                  f"{' '.join(BLOCKS[module].tests)}")
            for m in mutants:
                where = f"{m.file}:{m.line}" if m.line else "-"
                print(f"  {m.name:14}  {where:32}  {m.mutation}")
        return 0
    start = time.monotonic()
    with Progress(0, "mutate", quiet=quiet(args)) as bar:
        results = campaign(modules, sample=sample, seed=args.seed, jobs=_jobs(args.jobs),
                           timeout_s=args.timeout, equiv_steps=args.equiv_steps,
                           root=args.work, progress=bar,
                           log=None if quiet(args) else (lambda s: print(s, flush=True)),
                           launcher=args.launcher,
                           slurm={"partition": args.partition, "max_jobs": args.max_jobs,
                                  "time_limit": args.time_limit})
    counts = results.pop("_counts")
    wall = time.monotonic() - start
    out = Path(args.out)
    previous = None
    if out.is_file():
        try:
            previous = json.loads(out.read_text())
        except json.JSONDecodeError:
            previous = None
    data = report(results, args.seed, wall, previous)
    data["run"] = counts
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1) + "\n")
    status = 0
    for e in data["modules"]:
        if e["name"] not in results:
            continue
        score = "-" if e["score"] is None else f"{e['score']:.1f}%"
        print(f"mutate: {e['name']}: {e['mutants']} mutants, {e['killed']} killed, "
              f"{e['equivalent']} equivalent, {e['non_equivalent'] - e['killed']} survived, "
              f"{e['errors']} errors, score {score}" + (f"; {e['error']}" if e.get("error") else ""))
        if e.get("error") or e["errors"]:
            status = 1
    for s in data["survivors"]:
        if s["module"] in results:
            print(f"mutate: survivor {s['module']} {s['file']}:{s['line']}: {s['mutation']} "
                  f"({s['reason']})")
    print(f"mutate: {counts['run']} mutants run, {counts['reused']} reused in {wall:.0f} s; {out}")
    return status


if __name__ == "__main__":
    sys.exit(run_job_file(Path(sys.argv[1])))
