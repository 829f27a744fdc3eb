"""``spikedv synth``: the synthesis check of every design module and both top levels.

Each module is read by yosys from its own ``.f`` file (``verif.sources``) and goes through
(docs/synthesis.md says what each step finds and what each figure counts):

    read_verilog <sources>               sram_sp with -lib: a black box (an SRAM macro)
    hierarchy -check -top M; proc        latches (proc_dlatch), missing modules and ports
    check                                multiple drivers, used undriven wires, loops
    flatten; check; stat; dump sram_sp   the same across module boundaries, memories,
                                         the SRAM instances with their parameters
    synth -top M -flatten                generic gates (abc -fast), flip-flops
    check; stat                          loops in the gate netlist, cells by type

A module fails (exit 1, one line per problem naming the module and the object) on a latch,
a multiple driver, a used wire without driver, a combinational loop, a yosys error or a
timeout. The figures per module: cells by type, flip-flop bits, memories inferred (turned
into flip-flops by synthesis), SRAM bits (rows x width of each black-box instance, not
gates), and a NAND2-equivalent gate count with the weights ``NAND2_WEIGHTS``.

Results are cached under ``<sim_build>/synth/<module>/`` keyed by a hash of the sources
(and include files), the script and the yosys version, so a second run is instant.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from model.errors import InputError
from verif.sim import sim_build_dir
from verif.sources import (
    PROJECT_ROOT,
    RTL_ROOT,
    all_modules,
    filelist_of,
    include_dirs,
    sources,
)

YOSYS = "yosys"
# Bump when the flow changes in a way the script text does not show (invalidates the
# cache).
FLOW_VERSION = 1

TOPS = ("rsnn_accel", "qclif_network")
# Testbench harnesses under verif/*/hdl are skipped, except this one: one qclif neuron
# (state registers around qclif_neuron_datapath), the unit of paper 2's area figure.
HARNESS_UNITS = ("qclif_neuron",)
# SRAM models: black boxes wherever they are instantiated (SRAM macros are not gates);
# the module itself is only checked and its memory reported.
BLACKBOXES = ("sram_sp",)
# Everything is flattened before mapping (constants and unused bits propagate across
# ports), except these submodules: qclif_network's 20 identical neuron units are kept as
# one module, mapped once and counted 20 times.
KEEP_HIERARCHY = {"qclif_network": ("qclif_unit",)}
DEFAULT_TIMEOUT_S = 3600

# NAND2 equivalents per yosys gate cell: cell area / NAND2 area, rounded, after the X1
# cells of the open 45 nm NanGate library (NAND2_X1 0.798 um^2, INV_X1 0.532, AND2_X1
# 1.064, XOR2_X1 1.596, MUX2_X1 1.862, AOI21_X1 1.064, AOI22_X1 1.33, DFF_X1 4.522).
# ANDNOT/ORNOT (one inverted input) are counted as AND2/OR2.
NAND2_WEIGHTS = {
    "$_BUF_": 1.0, "$_NOT_": 0.67,
    "$_NAND_": 1.0, "$_NOR_": 1.0,
    "$_AND_": 1.33, "$_OR_": 1.33, "$_ANDNOT_": 1.33, "$_ORNOT_": 1.33,
    "$_XOR_": 2.0, "$_XNOR_": 2.0,
    "$_MUX_": 2.33, "$_NMUX_": 2.0,
    "$_AOI3_": 1.33, "$_OAI3_": 1.33, "$_AOI4_": 1.67, "$_OAI4_": 1.67,
}
# Flip-flops: a D flip-flop (5.67), plus a MUX2 in front for a clock enable (+2.33), an
# AND2/OR2 for a synchronous reset or set (+1.33), and the difference of a flip-flop with
# asynchronous reset for each asynchronous control (+1.0). A latch: 3.0.
FF_WEIGHT = {"dff": 5.67, "enable": 2.33, "sync": 1.33, "async": 1.0, "latch": 3.0}

# The papers' figures the table is set beside (docs/synthesis.md).
NAND2_UM2_45NM = 0.798
PAPER_FIGURES = {
    "qclif_neuron": {
        "paper": "paper 2 (qCLIF, arXiv 2404.18066)",
        "figure": "900 um^2 per neuron in 45 nm",
        "nand2": round(900 / NAND2_UM2_45NM),
        "sram_included": False,
    },
    "qclif_network": {
        "paper": "paper 2 (qCLIF, arXiv 2404.18066)",
        "figure": "1.86 mm^2 for the 200-neuron network in 45 nm, SRAM included",
        "nand2": round(1.86e6 / NAND2_UM2_45NM),
        "sram_included": True,
    },
    "rsnn_accel": {
        "paper": "paper 1 (RSNN, arXiv 2503.21337)",
        "figure": "TSMC 28 nm, 71.2 uW; no area in docs (SPEC.md)",
        "nand2": None,
        "sram_included": True,
    },
}

_FF_CELL = re.compile(r"^\$_(DFF|DFFE|DFFSR|DFFSRE|SDFF|SDFFE|SDFFCE|ALDFF|ALDFFE|DLATCH|"
                      r"DLATCHSR|SR|FF)_([NP01]*)_?$")


# ---- which modules ----

def design_modules() -> list[str]:
    """Every module whose ``.f`` is under rtl/, and the harness units (qclif_neuron)."""
    out = []
    for module in all_modules():
        f = filelist_of(module)
        if RTL_ROOT in f.parents or module in HARNESS_UNITS:
            out.append(module)
    return sorted(out, key=_order)


def _order(module: str):
    f = filelist_of(module)
    folder = {"common": 0, "rsnn": 1, "qclif": 2}.get(f.parent.name, 3)
    return (module in TOPS, folder, module)


# ---- weights ----

def flop_kind(cell_type: str) -> dict | None:
    """Features of a yosys flip-flop or latch cell type (``$_SDFFE_PP0P_``: synchronous
    reset, enable); None for any other cell."""
    m = _FF_CELL.match(cell_type)
    if not m:
        return None
    base, pol = m.groups()
    n_async = (2 if base in ("DFFSR", "DFFSRE", "DLATCHSR") else
               1 if base in ("ALDFF", "ALDFFE")
               or (base in ("DFF", "DLATCH") and len(pol) == 3)
               or (base == "DFFE" and len(pol) == 4) else 0)
    return {"latch": base in ("DLATCH", "DLATCHSR", "SR"),
            "enable": base in ("DFFE", "DFFSRE", "SDFFE", "SDFFCE", "ALDFFE"),
            "sync": base.startswith("SDFF"),
            "async": n_async}


def cell_weight(cell_type: str) -> float | None:
    """NAND2 equivalents of one cell; None when the type has no weight."""
    if cell_type in NAND2_WEIGHTS:
        return NAND2_WEIGHTS[cell_type]
    kind = flop_kind(cell_type)
    if kind is None:
        return None
    if kind["latch"]:
        return FF_WEIGHT["latch"]
    w = FF_WEIGHT["dff"]
    if kind["enable"]:
        w += FF_WEIGHT["enable"]
    if kind["sync"]:
        w += FF_WEIGHT["sync"]
    w += FF_WEIGHT["async"] * kind["async"]
    return w


# ---- the yosys script ----

def _q(path: Path) -> str:
    return '"' + str(path) + '"'


def flow(module: str, files: list[Path] | None = None) -> dict:
    """What yosys runs for ``module``: the source list (default: its ``.f`` file) and the
    script text."""
    files = sources(module) if files is None else [Path(f).resolve() for f in files]
    incs = " ".join(f"-I{_q(d)}" for d in include_dirs(files))
    macro = module in BLACKBOXES
    lines = []
    for f in files:
        lib = "-lib " if f.stem in BLACKBOXES and not macro else ""
        lines.append(f"read_verilog {lib}{incs} {_q(f)}")
    lines += [
        f"hierarchy -check -top {module}",
        "proc",
        "tee -q -o check_rtl.txt check",
        "design -save rtl",
        "flatten",
        "tee -q -o check_flat.txt check",
        "tee -q -o stat_rtl.json stat -json",
        "tee -q -o srams.txt dump " + " ".join(f"t:{b}" for b in BLACKBOXES),
        "design -load rtl",
    ]
    if macro:
        lines.append(f"synth -top {module} -run coarse:fine")
    else:
        for sub in KEEP_HIERARCHY.get(module, ()):
            lines.append(f"setattr -mod -set keep_hierarchy 1 {sub} $paramod*{sub}*")
        lines += [
            f"synth -top {module} -flatten -run coarse:",
            "tee -q -o check_gates.txt check",
        ]
    lines.append("tee -q -o stat.json stat -json")
    return {"files": files, "script": "\n".join(lines) + "\n", "macro": macro}


def yosys_version() -> str:
    exe = shutil.which(YOSYS)
    if exe is None:
        return ""
    out = subprocess.run([exe, "-V"], check=False, capture_output=True,
                         text=True).stdout.strip()
    return out


def cache_key(module: str, fl: dict, version: str) -> str:
    h = hashlib.sha256()
    h.update(f"{FLOW_VERSION}\n{version}\n{module}\n".encode())
    h.update(fl["script"].replace(str(PROJECT_ROOT), "<root>").encode())
    seen = set()
    for f in fl["files"]:
        seen.add(f)
    for d in include_dirs(fl["files"]):
        seen.update(p for p in d.iterdir() if p.suffix in (".vh", ".svh"))
    for f in sorted(seen):
        h.update(str(f.relative_to(PROJECT_ROOT) if PROJECT_ROOT in f.parents else f).encode())
        h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()[:20]


# ---- reading yosys' output ----

def _rel(path: str) -> str:
    p = Path(path)
    return os.path.relpath(p, PROJECT_ROOT) if PROJECT_ROOT in p.parents else path


def _name(ident: str) -> str:
    """A yosys identifier as the source writes it: no leading backslash, no $paramod
    prefix; an internal name ``$and$rtl/x.v:12$34_Y`` becomes ``and at rtl/x.v:12``."""
    ident = ident.strip()
    if ident.startswith("$paramod"):   # $paramod$<hash>\name or $paramod\name\P=...
        ident = ident.split("\\")[1]
    m = re.match(r"^\$(\w+)\$(.+?):(\d+)\$", ident)
    if m:
        return f"{m[1]} at {_rel(m[2])}:{m[3]}"
    return ident.replace("\\", "")


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """(warning line, indented detail lines) of a check report."""
    out: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("Warning:"):
            out.append((line[len("Warning:"):].strip(), []))
        elif line.startswith("    ") and out:
            out[-1][1].append(line.strip())
    return out


def parse_check(text: str, stage: str) -> list[str]:
    """One problem line per warning of ``check``: ``<module>: <what> (<stage>)``."""
    problems = []
    for head, details in _blocks(text):
        head = head.rstrip(":")
        m = re.match(r"multiple conflicting drivers for (.+?)\.(\\\S+|\$\S+):?$", head)
        if m:
            drivers = "; ".join(details[:4]) + ("; ..." if len(details) > 4 else "")
            problems.append(f"{_name(m[1])}: multiple drivers on {_name(m[2])} "
                            f"({drivers}) [{stage}]")
            continue
        m = re.match(r"Wire (.+?)\.(\\\S+|\$\S+) is used but has no driver\.?", head)
        if m:
            problems.append(f"{_name(m[1])}: wire {_name(m[2])} is used but has no driver "
                            f"[{stage}]")
            continue
        m = re.match(r"found logic loop in module (\S+?):?$", head)
        if m:
            wires = [d[5:] for d in details if d.startswith("wire ")]
            named = [_name(w) for w in wires if not w.startswith("$")]
            cells = [_name(d[5:].split(" (")[0]) for d in details if d.startswith("cell ")]
            parts = named or sorted(set(cells))
            what = ", ".join(parts[:6]) + (", ..." if len(parts) > 6 else "")
            problems.append(f"{_name(m[1])}: combinational loop through {what} [{stage}]")
            continue
        problems.append(f"{head} [{stage}]")
    return problems


_LATCH = re.compile(r"^Latch inferred for signal `(.+?)\.(\\\S+|\$\S+)' from process "
                    r"`[^$]*\$proc\$([^$']+)")


def parse_latches(log: str) -> list[str]:
    out = []
    for line in log.splitlines():
        m = _LATCH.match(line)
        if m:
            file, _, line_no = m[3].rpartition(":")
            where = f"{_rel(file)}:{line_no}" if file else m[3]
            out.append(f"{_name(m[1])}: latch inferred for {_name(m[2])} "
                       f"(always block at {where})")
    return out


def parse_warnings(log: str) -> list[str]:
    """yosys warnings outside the check reports (reported, not failures)."""
    seen: dict[str, None] = {}
    for line in log.splitlines():
        if line.startswith("Warning:"):
            text = line[len("Warning:"):].strip().replace(str(PROJECT_ROOT) + "/", "")
            if any(k in text for k in ("conflicting drivers", "has no driver",
                                       "logic loop", "did not match any module")):
                continue
            seen.setdefault(text, None)
    return list(seen)


_SRAM_CELL = re.compile(r"^\s*cell \\?(\S+) (\S+)\s*$")
_PARAM = re.compile(r"^\s*parameter (?:signed |real )*\\(\w+) (.+?)\s*$")


def _param_value(text: str):
    text = text.strip()
    if text.startswith('"'):
        return text.strip('"')
    m = re.match(r"^(\d+)'([01xz]+)$", text)
    if m:
        return int(m[2].replace("x", "0").replace("z", "0"), 2)
    try:
        return int(text)
    except ValueError:
        return text


def _defaults(blackbox: str) -> dict:
    """Parameter defaults of a black-box module, from its source."""
    try:
        text = sources(blackbox)[0].read_text()
    except (OSError, InputError):
        return {}
    return {k: int(v) for k, v in re.findall(r"parameter\s+(?:integer\s+)?(\w+)\s*=\s*(\d+)",
                                              text)}


def parse_srams(text: str) -> list[dict]:
    """SRAM instances (rows x width) from ``dump`` of the flattened black-box cells."""
    out = []
    cell = None
    for line in text.splitlines():
        m = _SRAM_CELL.match(line)
        if m and _name(m[1]) in BLACKBOXES:
            defaults = _defaults(_name(m[1]))
            cell = {"type": _name(m[1]), "instance": _name(m[2]),
                    "width": defaults.get("WIDTH"), "depth": defaults.get("DEPTH")}
            out.append(cell)
            continue
        m = _PARAM.match(line)
        if m and cell is not None and m[1] in ("WIDTH", "DEPTH"):
            cell[m[1].lower()] = _param_value(m[2])
        if line.strip() == "end":
            cell = None
    for c in out:
        c["bits"] = int(c["width"] or 0) * int(c["depth"] or 0)
    return out


def _modules(stat: dict) -> dict[str, dict]:
    return {_key(k): v for k, v in stat.get("modules", {}).items()}


def _key(name: str) -> str:
    return name.removeprefix("\\")


def hierarchy_totals(stat: dict, top: str) -> dict[str, int]:
    """Cells by type of ``top`` with every submodule instance expanded (the instance
    counts of a hierarchical netlist); cells of black boxes stay as they are."""
    mods = _modules(stat)
    memo: dict[str, dict[str, int]] = {}

    def total(name: str) -> dict[str, int]:
        if name in memo:
            return memo[name]
        out: dict[str, int] = {}
        for cell_type, n in mods[name].get("num_cells_by_type", {}).items():
            sub = _key(cell_type)
            if sub in mods:
                for t, k in total(sub).items():
                    out[t] = out.get(t, 0) + n * k
            else:
                out[_name(cell_type)] = out.get(_name(cell_type), 0) + n
        memo[name] = out
        return out

    tops = [k for k in mods if k == top or _name(k) == top]
    return total(tops[0]) if tops else {}


def summarize(module: str, cells: dict[str, int], stat_rtl: dict, srams: list[dict],
              macro: bool) -> dict:
    """The figures of one module from its cell counts."""
    ff_bits = sum(n for t, n in cells.items() if (k := flop_kind(t)) and not k["latch"])
    nand2 = 0.0
    unweighted = {}
    for t, n in cells.items():
        if t in BLACKBOXES:
            continue
        w = cell_weight(t)
        if w is None:
            unweighted[t] = n
        else:
            nand2 += w * n
    mods = _modules(stat_rtl)    # flattened: the top module holds every memory
    design = mods.get(module) or stat_rtl.get("design") or {}
    memories = {"count": int(design.get("num_memories", 0)),
                "bits": int(design.get("num_memory_bits", 0))}
    if macro:
        sram_bits = memories["bits"]
        srams = [{"type": module, "instance": module, "bits": sram_bits}]
    else:
        sram_bits = sum(s["bits"] for s in srams)
    return {
        "cells": dict(sorted(cells.items())),
        "cells_total": sum(n for t, n in cells.items() if t not in BLACKBOXES),
        "ff_bits": ff_bits,
        "memories": memories,
        "srams": srams,
        "sram_bits": sram_bits,
        "nand2": round(nand2),
        "unweighted": unweighted,
    }


# ---- one module ----

def _run_yosys(script: str, work: Path, timeout_s: float) -> tuple[int, str, float]:
    (work / "synth.ys").write_text(script)
    for name in ("check_rtl.txt", "check_flat.txt", "check_gates.txt", "stat_rtl.json",
                 "stat.json", "srams.txt", "yosys.log"):
        (work / name).unlink(missing_ok=True)
    start = time.monotonic()
    try:
        proc = subprocess.run([YOSYS, "-q", "-l", "yosys.log", "synth.ys"], check=False,
                              cwd=work,
                              capture_output=True, text=True, timeout=timeout_s)
        rc, err = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired:
        rc, err = -1, f"timeout after {timeout_s:.0f} s"
    return rc, err, time.monotonic() - start


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


# yosys 0.23's ``stat -json`` also prints the hierarchy tree (``  name  count`` lines)
# into its JSON when the design has a top module.
_TREE_LINE = re.compile(r'^\s+[^"\s{}\[\]]\S*\s+\d+\s*$')


def _json(path: Path) -> dict:
    text = "\n".join(line for line in _read(path).splitlines()
                     if not _TREE_LINE.match(line))
    start = text.find("{")
    return json.loads(text[start:]) if start >= 0 else {}


def _collect(work: Path, rc: int, err: str, seconds: float) -> dict:
    """What a yosys run left that the result is made of (the cached part): the exit
    status, the reports, and the log lines that matter (latches, warnings, errors)."""
    log = _read(work / "yosys.log")
    keep = [line for line in log.splitlines()
            if line.startswith(("Latch inferred", "Warning:", "ERROR"))]
    cpu = re.findall(r"^End of script\..*CPU: user ([\d.]+)s system ([\d.]+)s", log, re.MULTILINE)
    return {"rc": rc, "seconds": round(seconds, 1),
            "cpu_s": round(float(cpu[-1][0]) + float(cpu[-1][1]), 1) if cpu else None,
            "messages": keep + [line for line in err.splitlines() if line.startswith("ERROR")
                                or "timeout" in line],
            "check_rtl": _read(work / "check_rtl.txt"),
            "check_flat": _read(work / "check_flat.txt"),
            "check_gates": _read(work / "check_gates.txt"),
            "stat": _json(work / "stat.json") if rc == 0 else {},
            "stat_rtl": _json(work / "stat_rtl.json") if rc == 0 else {},
            "srams": _read(work / "srams.txt")}


def evaluate(module: str, raw: dict, macro: bool) -> dict:
    """The result of one module from the outputs of its yosys run."""
    log = "\n".join(raw["messages"])
    problems = parse_latches(log)
    problems += parse_check(raw["check_rtl"], "RTL")
    # Loops: those of the modules, else those across module boundaries, else those the
    # gate netlist shows (the same loop is reported once).
    if not any("combinational loop" in p for p in problems):
        problems += [p for p in parse_check(raw["check_flat"], "flattened RTL")
                     if "combinational loop" in p]
    if not any("combinational loop" in p for p in problems):
        problems += [p for p in parse_check(raw["check_gates"], "gates")
                     if "combinational loop" in p]
    if raw["rc"] != 0:
        errors = [line for line in raw["messages"]
                  if line.startswith("ERROR") or "timeout" in line]
        what = errors[-1] if errors else f"yosys exited with status {raw['rc']}"
        problems.append(f"{module}: {what.replace(str(PROJECT_ROOT) + '/', '')}")
    result = {"module": module, "ok": False, "problems": problems,
              "warnings": parse_warnings(log), "seconds": raw["seconds"],
              "cpu_s": raw.get("cpu_s"),
              "kept_hierarchy": list(KEEP_HIERARCHY.get(module, ())), "macro": macro}
    if raw["rc"] == 0:
        cells = hierarchy_totals(raw["stat"], module)
        result.update(summarize(module, cells, raw["stat_rtl"], parse_srams(raw["srams"]),
                                macro))
        latch_cells = {t: n for t, n in cells.items()
                       if (k := flop_kind(t)) and k["latch"]}
        if latch_cells and not any("latch" in p for p in problems):
            problems.append(f"{module}: latch cells in the netlist {latch_cells}")
    result["ok"] = raw["rc"] == 0 and not problems
    if module in PAPER_FIGURES:
        result["paper"] = PAPER_FIGURES[module]
    return result


def synthesize(module: str, *, use_cache: bool = True, build_dir: Path | None = None,
               timeout_s: float = DEFAULT_TIMEOUT_S, files: list[Path] | None = None) -> dict:
    """Check and synthesize one module (or take its cached run); its result.

    Keys: module, ok, problems (one line each), warnings, cells (by type, every instance
    counted), cells_total, ff_bits, memories {count, bits}, srams (instances with width,
    depth, bits), sram_bits, nand2, unweighted (cell types without a weight), seconds
    (of the yosys run), cached, key, log. ``files``: the sources, instead of the module's
    ``.f`` file. The cache holds yosys' outputs, so the figures are recomputed from them
    (a change of the weights needs no new run)."""
    version = yosys_version()
    if not version:
        return {"module": module, "ok": False, "cached": False, "seconds": 0.0,
                "problems": [f"{module}: yosys not found (apt-get install yosys)"]}
    fl = flow(module, files)
    key = cache_key(module, fl, version)
    root = (build_dir or sim_build_dir() / "synth") / module
    raw_path = root / f"{key}.json"
    work = root / "work"
    cached = use_cache and raw_path.is_file()
    if cached:
        raw = json.loads(raw_path.read_text())
    else:
        work.mkdir(parents=True, exist_ok=True)
        rc, err, seconds = _run_yosys(fl["script"], work, timeout_s)
        raw = _collect(work, rc, err, seconds)
        if rc != -1:    # a timeout is not cached: the next run tries again
            for old in root.glob("*.json"):
                old.unlink()
            raw_path.write_text(json.dumps(raw))
    result = evaluate(module, raw, fl["macro"])
    result.update({"yosys": version, "key": key, "log": str(work / "yosys.log"),
                   "cached": cached})
    return result


# ---- many modules, the report ----

def synthesize_all(modules: list[str], *, jobs: int = 1, use_cache: bool = True,
                   timeout_s: float = DEFAULT_TIMEOUT_S, progress=None,
                   build_dir: Path | None = None) -> dict[str, dict]:
    """Results of every module (run ``jobs`` at a time, biggest first)."""
    results: dict[str, dict] = {}
    order = sorted(modules, key=lambda m: (m not in TOPS, m != "qclif_neuron"))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(synthesize, m, use_cache=use_cache, timeout_s=timeout_s,
                               build_dir=build_dir): m for m in order}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            if progress is not None:
                progress.advance()
    return {m: results[m] for m in modules}


def _fmt(n) -> str:
    if n is None:
        return "-"
    return f"{n:,}"


def table(results: dict[str, dict]) -> str:
    """The markdown table: one row per module."""
    rows = [("| module | check | cells | FF bits | memories (bits) | SRAM bits | NAND2 eq. "
            "| yosys wall s (CPU s) |"),
            "|---|---|---:|---:|---:|---:|---:|---:|"]
    for m, r in results.items():
        check = "clean" if r.get("ok") else f"FAIL ({len(r.get('problems', []))})"
        mem = r.get("memories") or {}
        mems = f"{mem.get('count', 0)} ({_fmt(mem.get('bits', 0))})" if mem.get("count") \
            else "-"
        nand2 = "macro" if r.get("macro") else _fmt(r.get("nand2"))
        rows.append(f"| {m} | {check} | {_fmt(r.get('cells_total'))} | "
                    f"{_fmt(r.get('ff_bits'))} | {mems} | "
                    f"{_fmt(r['sram_bits']) if r.get('sram_bits') else '-'} | "
                    f"{nand2} | {r.get('seconds', 0):.0f} ({_fmt(r.get('cpu_s'))})"
                    f"{', cached' if r.get('cached') else ''} |")
    return "\n".join(rows)


def paper_lines(results: dict[str, dict]) -> list[str]:
    lines = []
    for m, ref in PAPER_FIGURES.items():
        r = results.get(m)
        if not r or "nand2" not in r:
            continue
        ours = f"{m}: {_fmt(r['nand2'])} NAND2 eq. of logic"
        if r.get("sram_bits"):
            ours += f" + {_fmt(r['sram_bits'])} SRAM bits"
        theirs = f"{ref['paper']}: {ref['figure']}"
        if ref["nand2"]:
            theirs += (f" = about {_fmt(ref['nand2'])} NAND2 eq. "
                       f"({NAND2_UM2_45NM} um^2 per NAND2)")
            if not ref["sram_included"]:    # like for like: logic against logic
                ours += f" ({r['nand2'] / ref['nand2']:.2f}x)"
        lines.append(f"- {ours}; {theirs}")
    return lines


def problem_lines(results: dict[str, dict]) -> list[str]:
    """Every problem, with the synthesized module in front when the problem lies in one of
    its submodules (``rsnn_accel: rsnn_state: latch inferred for n ...``)."""
    return [p if p.startswith(f"{m}:") else f"{m}: {p}"
            for m, r in results.items() for p in r.get("problems", [])]


def markdown(results: dict[str, dict], wall_s: float) -> str:
    version = next((r.get("yosys") for r in results.values() if r.get("yosys")), "yosys")
    out = [f"# Synthesis check ({version})", "",
           (f"{len(results)} modules, {sum(r.get('ok', False) for r in results.values())} "
           f"clean; wall time {wall_s:.0f} s. Flow, weights and what each figure counts: "
           "docs/synthesis.md."), "", table(results), ""]
    papers = paper_lines(results)
    if papers:
        out += ["Beside the papers:", "", *papers, ""]
    problems = problem_lines(results)
    if problems:
        out += ["Problems:", "", *[f"- {p}" for p in problems], ""]
    srams = [(m, s) for m, r in results.items() if m in TOPS for s in r.get("srams", [])]
    if srams:
        out += ["SRAM instances of the top levels (black boxes, rows x width):", ""]
        for m in TOPS:
            groups: dict[tuple, int] = {}
            for mm, s in srams:
                if mm == m:
                    leaf = s["instance"].rsplit(".", 1)[-1]
                    k = (leaf, s.get("depth"), s.get("width"))
                    groups[k] = groups.get(k, 0) + 1
            for (leaf, d, w), n in groups.items():
                out.append(f"- {m}: {n} x {leaf} {d} x {w} = {_fmt(n * (d or 0) * (w or 0))} "
                           "bits")
        out.append("")
    return "\n".join(out)


def add_arguments(p) -> None:
    from spikedv.cli_args import add_jobs, add_out, path_arg

    p.add_argument("modules", nargs="*", metavar="MODULE",
                   help="modules to synthesize (default: every design module, both tops)")
    add_jobs(p)
    add_out(p, "JSON report (a markdown table is written beside it)",
            default=path_arg(str(PROJECT_ROOT / "reports" / "synth.json")))
    p.add_argument("--no-cache", action="store_true", help="run yosys even when cached")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help=f"per-module limit in seconds (default {DEFAULT_TIMEOUT_S})")


def _jobs(text: str) -> int:
    if text == "auto":
        return max(1, min(os.cpu_count() or 1, 4))
    return int(text)


def run(args) -> int:
    from spikedv.cli_args import quiet
    from verif.console import Progress

    known = set(design_modules())
    modules = list(args.modules) or design_modules()
    for m in modules:
        if m not in known:
            raise InputError(None, f"no design module {m} (one of: {', '.join(sorted(known))})")
    if not yosys_version():
        print("spikedv: error: yosys not found (apt-get install yosys)", file=sys.stderr)
        return 2
    start = time.monotonic()
    with Progress(len(modules), "synth", quiet=quiet(args)) as bar:
        results = synthesize_all(modules, jobs=_jobs(args.jobs), use_cache=not args.no_cache,
                                 timeout_s=args.timeout, progress=bar)
    wall = time.monotonic() - start
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"ok": all(r.get("ok") for r in results.values()), "wall_s": round(wall, 1),
              "nand2_weights": NAND2_WEIGHTS, "ff_weights": FF_WEIGHT,
              "papers": PAPER_FIGURES, "modules": results}
    out.write_text(json.dumps(report, indent=1))
    text = markdown(results, wall)
    out.with_suffix(".md").write_text(text + "\n")
    print(table(results))
    for line in paper_lines(results):
        print(line)
    for line in problem_lines(results):
        print(f"synth: {line}")
    clean = sum(1 for r in results.values() if r.get("ok"))
    print(f"synth: {clean} of {len(results)} modules clean in {wall:.0f} s; "
          f"{out} and {out.with_suffix('.md')}")
    return 0 if report["ok"] else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m spikedv.synth`` (the same as ``spikedv synth``)."""
    import argparse

    p = argparse.ArgumentParser(prog="spikedv synth", description=__doc__.split("\n")[0])
    add_arguments(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress")
    try:
        return run(p.parse_args(argv))
    except InputError as exc:
        print(f"spikedv: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
