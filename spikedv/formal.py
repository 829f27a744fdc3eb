"""``spikedv formal``: the formal proofs of the blocks (formal/, docs/formal.md).

Each proof is a harness under ``formal/`` that instantiates one RTL block, writes the
spec formula of docs/*.md as a reference model in Verilog (or reuses the protocol
checkers of rtl/*/sva/) and asserts that the block agrees, for every input (sequence).
The flow uses the tools ``scripts/setup.sh`` installs (Debian yosys 0.23 with its ABC):

    yosys   read_verilog -formal -sv <harness, checkers>; read_verilog -formal <RTL>
            chparam; prep -top <harness>; flatten; setundef -anyseq; ...; aigmap
            write_aiger -zinit                 asserts -> bad states, assumes -> constraints
    yosys-abc  read_aiger; fold; strash; pdr   (or dprove, or bmc3 -F <depth>)

Methods: ``prove`` is an unbounded proof (IC3/PDR finds an inductive invariant, so the
property holds in every reachable state, for any number of cycles; for a combinational
block it is a complete SAT proof, with SAT sweeping (``dprove``) for the adder trees);
``bmc`` is a bounded check to the stated depth. A counterexample is reported with the
frame it was found in, and the failing assertion's name is recovered with
a bounded check of each assertion alone on the same model (``counterexample`` in the JSON).

``proofs()`` is the registry (stable names ``<block>.<property set>``); ``run_proof``
runs one; ``spikedv formal [BLOCK ...] [--jobs N] [--out reports/formal.json]`` runs
them and prints one line per proof: block, property set, method, depth, result, seconds.

A definite answer (proved, passed, FAILED) is kept under ``<sim_build>/formal/cache/``,
keyed by the yosys script, the ABC command, every file the proof reads and the yosys
version; a later run with the same key reports it as cached (``"cached": true``, its
original time) instead of proving again. ``--no-cache`` proves everything afresh.
"""
from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from verif.sources import PROJECT_ROOT, include_dirs, sources

FORMAL_ROOT = PROJECT_ROOT / "formal"
SVA = {  # checker files a harness may reuse
    "axis_checker": PROJECT_ROOT / "rtl/common/sva/axis_checker.sv",
    "axil_checker": PROJECT_ROOT / "rtl/common/sva/axil_checker.sv",
    "reg_bus_checker": PROJECT_ROOT / "rtl/common/sva/reg_bus_checker.sv",
}
CSA_STAND_IN = FORMAL_ROOT / "qclif/csa_tree_sum.v"
DEFAULT_TIMEOUT_S = 1800


@dataclass(frozen=True)
class Proof:
    """One proof: ``harness`` (under formal/, module ``top``) with ``parameters`` over the
    RTL of ``rtl`` (module names, sources from their .f files), ``checkers`` (rtl/*/sva
    modules), and ``stand_ins`` (files replacing the RTL module of the same name)."""

    name: str
    block: str
    properties: str
    harness: str
    top: str
    rtl: tuple[str, ...]
    parameters: tuple[tuple[str, int], ...] = ()
    method: str = "prove"          # prove | bmc
    engine: str = "pdr"            # pdr | dprove | bmc3
    depth: int = 0                 # bmc: frames checked
    fast: bool = True              # in the default test suite
    checkers: tuple[str, ...] = ()
    stand_ins: tuple[str, ...] = ()
    parts: tuple["Proof", ...] = ()   # a compositional proof: every part must hold
    note: str = ""


def _csa_chain(n: int = 200, w: int = 17) -> tuple[Proof, ...]:
    """Parts of the compositional proof of qclif_csa_tree at (N, W): the compressor
    lemma, the steps N -> N - N // 3 down to 4, and the base N = 4 proven directly."""
    parts = [Proof(f"qclif_csa_tree.compressor_w{w}", "qclif_csa_tree", "3:2 compressor keeps the sum",
                   "qclif/qclif_csa_compressor_fv.sv", "qclif_csa_compressor_fv",
                   ("qclif_csa_tree",), (("W", w),))]
    while n > 4:
        k = n // 3
        parts.append(Proof(f"qclif_csa_tree.step_{n}_{n - k}", "qclif_csa_tree",
                           f"tree({n}) = tree({n - k}) after {k} compressors",
                           "qclif/qclif_csa_tree_step_fv.sv", "qclif_csa_tree_step_fv",
                           ("qclif_csa_tree",), (("N", n), ("K", k), ("W", w))))
        n -= k
    parts.append(Proof(f"qclif_csa_tree.base_{n}", "qclif_csa_tree", f"tree({n}) = sum",
                       "qclif/qclif_csa_tree_base_fv.sv", "qclif_csa_tree_base_fv",
                       ("qclif_csa_tree",), (("N", n), ("W", w))))
    return tuple(parts)


def _rsnn_lane_proofs(lanes: int, fast: bool) -> list[Proof]:
    """The proofs of the rsnn lane blocks at ``lanes`` lanes (names get ``_l<lanes>``)."""
    l = (("LANES", lanes),)
    tag = f"_l{lanes}"
    return [
        Proof(f"rsnn_lif.formula{tag}", "rsnn_lif",
              f"U = sat_12(u - (u >>> b) + I), spike U >= theta, reset to 0 ({lanes} lanes)",
              "rsnn/rsnn_lif_fv.sv", "rsnn_lif_fv", ("rsnn_lif",), l, fast=fast,
              # PDR gave no answer in 2400 s at 128 lanes; SAT sweeping (dprove) proves
              # it (354 s on a loaded machine), the per-lane logic being the same.
              engine="pdr" if lanes <= 4 else "dprove"),
        Proof(f"rsnn_input_scale.formula{tag}", "rsnn_input_scale",
              f"Iin = sat_12(A >>> s_in) ({lanes} lanes)",
              "rsnn/rsnn_input_scale_fv.sv", "rsnn_input_scale_fv", ("rsnn_input_scale",),
              l + (("A_W", 18),), fast=fast),
        Proof(f"rsnn_current.formula{tag}", "rsnn_current",
              f"I = sat_12(base + acc0 + acc1) (12/18/12 bits, {lanes} lanes)",
              "rsnn/rsnn_current_fv.sv", "rsnn_current_fv", ("rsnn_current",),
              l + (("BASE_W", 12), ("ACC0_W", 18), ("ACC1_W", 12)), fast=fast),
        Proof(f"rsnn_current.formula_18_18{tag}", "rsnn_current",
              f"I = sat_12(base + acc0 + acc1) (12/18/18 bits, rsnn_state, {lanes} lanes)",
              "rsnn/rsnn_current_fv.sv", "rsnn_current_fv", ("rsnn_current",),
              l + (("BASE_W", 12), ("ACC0_W", 18), ("ACC1_W", 18)), fast=fast),
        Proof(f"rsnn_pe_set.acc18{tag}", "rsnn_pe_set",
              f"acc follows the clear/en table, op = sext(w) << shift (18 bits, {lanes} lanes)",
              "rsnn/rsnn_pe_set_fv.sv", "rsnn_pe_set_fv", ("rsnn_pe_set",),
              l + (("ACC_W", 18),), fast=fast),
        Proof(f"rsnn_pe_set.acc12{tag}", "rsnn_pe_set",
              f"acc follows the clear/en table, op = sext(w) << shift (12 bits, {lanes} lanes)",
              "rsnn/rsnn_pe_set_fv.sv", "rsnn_pe_set_fv", ("rsnn_pe_set",),
              l + (("ACC_W", 12),), fast=fast),
    ]


def proofs() -> list[Proof]:
    """Every proof, fast ones first."""
    return [
        Proof("strobe_merge.formula", "strobe_merge", "merged = (current & ~mask) | (wdata & mask); written = |strb",
              "common/strobe_merge_fv.sv", "strobe_merge_fv", ("strobe_merge",), (("BYTES", 4),)),
        Proof("axis_skid.stream", "axis_skid",
              "AXI4-Stream rules out; no loss, no duplicate, order kept; latency 1, full throughput",
              "common/axis_skid_fv.sv", "axis_skid_fv", ("axis_skid",),
              (("DATA_W", 32), ("USER_W", 1)), checkers=("axis_checker",)),
        Proof("axil_regs.protocol", "axil_regs",
              "AXI4-Lite slave rules and register handshake (axil_checker, reg_bus_checker); one B/R per acked request",
              "common/axil_regs_fv.sv", "axil_regs_fv", ("axil_regs",), (("ADDR_W", 16),),
              checkers=("axil_checker", "reg_bus_checker")),
        # rsnn lane blocks: every lane is the same generate body; the fast proofs take 4
        # lanes (lane indexing included), the long ones the 128 lanes of the design.
        *_rsnn_lane_proofs(4, fast=True),
        Proof("qclif_apical.formula", "qclif_apical", "Va' = clamp_u8(Va - la + Ia), g = g0 + Va'",
              "qclif/qclif_apical_fv.sv", "qclif_apical_fv", ("qclif_apical",)),
        Proof("qclif_mult.formula", "qclif_mult", "D = (Is * g) >>> sd",
              "qclif/qclif_mult_fv.sv", "qclif_mult_fv", ("qclif_mult",), engine="dprove"),
        Proof("qclif_soma.formula", "qclif_soma", "V' = clamp_u8(V - ls + D)",
              "qclif/qclif_soma_fv.sv", "qclif_soma_fv", ("qclif_soma",)),
        Proof("qclif_threshold.formula", "qclif_threshold", "s = V' >= theta; V' - theta on a spike",
              "qclif/qclif_threshold_fv.sv", "qclif_threshold_fv", ("qclif_threshold",)),
        Proof("qclif_spike_weighting.k4", "qclif_spike_weighting",
              "result = sat_8((sum bits*w) >>> shift), K = 4, RTL adder tree",
              "qclif/qclif_spike_weighting_fv.sv", "qclif_spike_weighting_fv",
              ("qclif_spike_weighting",), (("K", 4),), engine="dprove"),
        Proof("qclif_neuron_datapath.n3", "qclif_neuron_datapath",
              "the five blocks chained = the neuron formulas, 3 inputs, 3 context, RTL adder trees",
              "qclif/qclif_neuron_datapath_fv.sv", "qclif_neuron_datapath_fv",
              ("qclif_neuron_datapath",), (("N_IN", 3), ("N_CTX", 3)), engine="dprove",
              fast=False),   # about 70 s of CPU: the multiplier after the clamps
        # ---- long: the 128-lane rsnn blocks, the 200-operand adder trees ----
        *_rsnn_lane_proofs(128, fast=False),
        Proof("qclif_csa_tree.sum", "qclif_csa_tree",
              "tree(200 operands, 17 bits) = their sum mod 2^17 (compositional)",
              "qclif/qclif_csa_tree_step_fv.sv", "qclif_csa_tree_step_fv", ("qclif_csa_tree",),
              fast=False, parts=_csa_chain(200, 17),
              note="compressor lemma + FIFO-structure steps (each an equivalence of two RTL "
                   "trees) + base N = 4; together: tree(200) = sum (docs/formal.md)"),
        Proof("qclif_spike_weighting.k200", "qclif_spike_weighting",
              "result = sat_8((sum bits*w) >>> shift), K = 200 (tree by qclif_csa_tree.sum)",
              "qclif/qclif_spike_weighting_fv.sv", "qclif_spike_weighting_fv",
              ("qclif_spike_weighting",), (("K", 200),), engine="dprove", fast=False,
              stand_ins=("qclif/csa_tree_sum.v",)),
        Proof("qclif_neuron_datapath.n200", "qclif_neuron_datapath",
              "the five blocks chained = the neuron formulas, 200 inputs, 200 context "
              "(trees by qclif_csa_tree.sum)",
              "qclif/qclif_neuron_datapath_fv.sv", "qclif_neuron_datapath_fv",
              ("qclif_neuron_datapath",), (("N_IN", 200), ("N_CTX", 200)), engine="dprove",
              fast=False, stand_ins=("qclif/csa_tree_sum.v",)),
    ]


def select(names: list[str] | None, fast_only: bool = False) -> list[Proof]:
    """Proofs whose block or name matches one of ``names`` (globs allowed); all if none."""
    chosen = [p for p in proofs() if not fast_only or p.fast]
    if not names:
        return chosen
    out = [p for p in chosen
           if any(fnmatch.fnmatchcase(p.block, n) or fnmatch.fnmatchcase(p.name, n) for n in names)]
    return out


# ---- the flow ------------------------------------------------------------------------
def _files(proof: Proof) -> tuple[list[Path], list[Path]]:
    """(SystemVerilog files: harness and checkers, Verilog files: RTL and stand-ins)."""
    stand_ins = [FORMAL_ROOT / s for s in proof.stand_ins]
    replaced = {m for s in stand_ins for m in re.findall(r"^\s*module\s+(\w+)", s.read_text(), re.M)}
    rtl: list[Path] = []
    for module in proof.rtl:
        for f in sources(module):
            defined = set(re.findall(r"^\s*module\s+(\w+)", f.read_text(), re.M))
            if f not in rtl and not (defined & replaced):
                rtl.append(f)
    sv = [SVA[c] for c in proof.checkers] + [FORMAL_ROOT / proof.harness]
    return sv, rtl + stand_ins


AIGER_STEPS = ["setattr -unset keep", "delete -output", "opt -full", "techmap", "opt -fast",
               "dffunmap", "aigmap", "opt_clean"]


def yosys_script(proof: Proof) -> str:
    """The yosys script: the harness with its RTL -> ``model.aig`` (asserts -> bad
    states, assumes -> constraints), and ``model.il``, the model before the AIGER
    mapping (to isolate a failing assertion)."""
    sv, v = _files(proof)
    incs = " ".join(f"-I{d}" for d in include_dirs(v))
    lines = [f"read_verilog -formal -sv {incs} {' '.join(map(str, sv))}",
             f"read_verilog -formal {incs} {' '.join(map(str, v))}"]
    if proof.parameters:
        sets = " ".join(f"-set {k} {v}" for k, v in proof.parameters)
        lines.append(f"chparam {sets} {proof.top}")
    # The checkers' covers count exercised cycles in simulation; a proof has no use for
    # them (and write_aiger has no cell for them).
    lines += [f"prep -top {proof.top}", "flatten", "chformal -cover -remove",
              "setundef -anyseq", "opt -keepdc -fast", "check", "write_rtlil model.il",
              "select -list t:$assert"]
    lines += AIGER_STEPS + ["stat", "write_aiger -I -B -zinit -map model.aim model.aig"]
    return "\n".join(lines) + "\n"


def abc_command(proof: Proof) -> str:
    if proof.engine == "bmc3":
        return f"read_aiger model.aig; fold; strash; bmc3 -F {proof.depth}; write_cex -a cex.aiw"
    if proof.engine == "dprove":
        return "read_aiger model.aig; fold; strash; dprove"
    return "read_aiger model.aig; fold; strash; pdr; write_cex -a cex.aiw"


def parse_abc(proof: Proof, text: str) -> tuple[str, int | None, str]:
    """(result, depth or counterexample frame, detail) from ABC's output."""
    frame = re.search(r"was asserted in frame (\d+)", text)
    if frame or "Networks are NOT EQUIVALENT" in text or re.search(r"^SATISFIABLE", text, re.M):
        return "FAILED", int(frame.group(1)) if frame else 0, "counterexample"
    if proof.engine == "bmc3":
        done = re.search(r"No output asserted in (\d+) frames", text)
        if done:
            return "passed", int(done.group(1)), f"no counterexample in {done.group(1)} frames"
        return "error", None, text.strip().splitlines()[-1] if text.strip() else "no output"
    if "Property proved" in text:
        inv = re.findall(r"Invariant F\[(\d+)\]", text)
        k = int(inv[-1]) if inv else 0
        return "proved", k, f"inductive invariant at frame {k}" if inv else "proved"
    if re.search(r"^UNSATISFIABLE", text, re.M) or "Networks are equivalent" in text:
        return "proved", 0, "proved"
    return "error", None, text.strip().splitlines()[-1] if text.strip() else "no output"


def _run(cmd: list[str], cwd: Path, timeout_s: float, cpu: list | None = None) -> tuple[int, str]:
    """(exit status or -1 on a timeout, stdout and stderr); the child's CPU seconds are
    added to ``cpu[0]`` (wall time says little on a busy machine)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env=dict(os.environ))
        expired = threading.Event()

        def _kill() -> None:
            expired.set()
            proc.kill()

        timer = threading.Timer(timeout_s, _kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if cpu is not None:
            cpu[0] += usage.ru_utime + usage.ru_stime
        out.seek(0)
        text = out.read().decode(errors="replace")
    if expired.is_set():
        return -1, text
    return proc.returncode, text


def _assert_names(log: str, top: str) -> list[str]:
    """The $assert cells of ``top`` that ``select -list`` printed into the yosys log."""
    return sorted({m.group(1).lstrip("\\") for m in
                   re.finditer(rf"^{re.escape(top)}/(\S+)$", log, re.M)
                   if not m.group(1).startswith("$auto")})


def _name_failure(proof: Proof, work: Path, frame: int, timeout_s: float) -> list[str]:
    """The assertions that fail on their own within ``frame`` + 2 frames: each is kept
    alone in a copy of the model (``model.il``) and checked by BMC."""
    names = _assert_names((work / "yosys.log").read_text(errors="replace"), proof.top)
    if not names:
        return []
    script = ["read_rtlil model.il", "design -save base"]
    for i, name in enumerate(names):
        script += ["design -load base", f"chformal -assert -remove t:$assert n:{name} %d",
                   *AIGER_STEPS, f"write_aiger -I -B -zinit one_{i}.aig"]
    (work / "isolate.ys").write_text("\n".join(script) + "\n")
    rc, _ = _run(["yosys", "-q", "-s", "isolate.ys"], work, timeout_s)
    if rc != 0:
        return []
    failing = []
    for i, name in enumerate(names):
        rc, out = _run(["yosys-abc", "-c", f"read_aiger one_{i}.aig; fold; strash; "
                        f"bmc3 -F {frame + 2}"], work, timeout_s)
        if "combinational" in out:   # bmc3 wants latches: a combinational miter is a SAT check
            rc, out = _run(["yosys-abc", "-c", f"read_aiger one_{i}.aig; fold; strash; iprove"],
                           work, timeout_s)
        if re.search(r"was asserted in frame|^SATISFIABLE", out, re.M):
            failing.append(name)
    return failing


def work_dir(proof: Proof, root: Path | None = None) -> Path:
    from verif.sim import sim_build_dir

    base = root if root is not None else sim_build_dir() / "formal"
    return base / re.sub(r"[^A-Za-z0-9_.-]+", "_", proof.name)


_DEFINITE = ("proved", "passed", "FAILED")


def cache_key(proof: Proof) -> str:
    """What a proof's answer depends on: its yosys script and ABC command, the content
    of every file it reads (parts included) and the yosys version."""
    h = hashlib.sha256()
    for part in (proof, *proof.parts):
        h.update(part.name.encode())
        if part.parts:
            continue
        h.update(yosys_script(part).encode())
        h.update(abc_command(part).encode())
        sv, v = _files(part)
        headers = [hdr for d in include_dirs(v) for hdr in sorted(d.glob("*.vh"))]
        for f in [*sv, *v, *headers]:
            h.update(hashlib.sha256(f.read_bytes()).digest())
    h.update(_yosys_version().encode())
    return h.hexdigest()[:20]


@functools.lru_cache(maxsize=1)
def _yosys_version() -> str:
    return _tool_versions()["yosys"]


def _cache_file(proof: Proof, root: Path | None) -> Path:
    work = work_dir(proof, root)
    return work.parent / "cache" / f"{work.name}-{cache_key(proof)}.json"


def run_proof(proof: Proof, root: Path | None = None,
              timeout_s: float = DEFAULT_TIMEOUT_S, use_cache: bool = False) -> dict:
    """Run one proof (all its parts), or with ``use_cache`` take its cached answer;
    a dict for the report."""
    if use_cache:
        cached = _cache_file(proof, root)
        if cached.is_file():
            return {**json.loads(cached.read_text()), "cached": True}
        row = run_proof(proof, root, timeout_s)
        if row["result"] in _DEFINITE:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(row))
        return {**row, "cached": False}
    if proof.parts:
        start = time.monotonic()
        parts = [run_proof(p, root, timeout_s) for p in proof.parts]
        bad = [p for p in parts if p["result"] not in ("proved", "passed")]
        return {**_row(proof), "result": bad[0]["result"] if bad else "proved",
                "depth": 0, "seconds": round(time.monotonic() - start, 1),
                "cpu_seconds": round(sum(p.get("cpu_seconds") or 0 for p in parts), 1),
                "detail": (f"{len(parts)} parts proved: " if not bad else
                           f"part {bad[0]['name']}: {bad[0]['detail']}; ") + proof.note,
                "counterexample": bad[0]["counterexample"] if bad else [],
                "parts": parts}
    work = work_dir(proof, root)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    start = time.monotonic()
    cpu = [0.0]
    (work / "model.ys").write_text(yosys_script(proof))
    rc, log = _run(["yosys", "-q", "-l", "yosys.log", "-s", "model.ys"], work, timeout_s, cpu)
    row = _row(proof)
    if rc == -1:
        return {**row, "result": "timeout", "depth": None,
                "seconds": round(time.monotonic() - start, 1),
                "cpu_seconds": round(cpu[0], 1),
                "detail": f"yosys: no model in {timeout_s:.0f} s", "counterexample": []}
    if rc != 0:
        tail = [ln for ln in log.splitlines() if "ERROR" in ln or "rror" in ln][:3]
        return {**row, "result": "error", "depth": None,
                "seconds": round(time.monotonic() - start, 1), "cpu_seconds": round(cpu[0], 1),
                "detail": "yosys: " + ("; ".join(tail) or log.strip()[-300:]),
                "counterexample": []}
    left = max(timeout_s - (time.monotonic() - start), 1)
    rc, out = _run(["yosys-abc", "-c", abc_command(proof)], work, left, cpu)
    (work / "abc.log").write_text(out)
    if rc == -1:
        result, depth, detail = "timeout", None, f"no answer in {timeout_s:.0f} s"
    else:
        result, depth, detail = parse_abc(proof, out)
    cex: list[str] = []
    if result == "FAILED":
        cex = _name_failure(proof, work, depth or 0, timeout_s)
        detail = (f"counterexample in frame {depth}"
                  + (f": {', '.join(cex)}" if cex else "")
                  + (f" (witness {work / 'cex.aiw'})" if (work / "cex.aiw").exists() else ""))
    return {**row, "result": result, "depth": depth,
            "seconds": round(time.monotonic() - start, 1), "cpu_seconds": round(cpu[0], 1),
            "detail": detail, "counterexample": cex}


def _row(proof: Proof) -> dict:
    method = proof.method if not proof.parts else "prove"
    how = {"pdr": "PDR (IC3)", "dprove": "SAT sweeping + SAT", "bmc3": "BMC"}[proof.engine]
    if proof.parts:
        how = f"compositional, {len(proof.parts)} parts"
    return {"name": proof.name, "block": proof.block, "properties": proof.properties,
            "method": method, "engine": how,
            "parameters": dict(proof.parameters), "harness": f"formal/{proof.harness}",
            "stand_ins": [f"formal/{s}" for s in proof.stand_ins], "fast": proof.fast}


def run_all(chosen: list[Proof], jobs: int = 1, root: Path | None = None,
            timeout_s: float = DEFAULT_TIMEOUT_S, on_done=None,
            use_cache: bool = False) -> list[dict]:
    """Every chosen proof, ``jobs`` at a time; rows in the registry's order."""
    results: dict[str, dict] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(run_proof, p, root, timeout_s, use_cache): p for p in chosen}
        for fut, p in futures.items():
            results[p.name] = fut.result()
            if on_done:
                on_done(results[p.name])
    return [results[p.name] for p in chosen]


def depth_text(row: dict) -> str:
    if row["depth"] is None:
        return "-"
    if row["method"] == "bmc":
        return str(row["depth"])
    return "unbounded" if row["result"] == "proved" else str(row["depth"])


def format_row(row: dict) -> str:
    return (f"{row['block']:24s} {row['name']:36s} {row['method']:5s} {depth_text(row):10s} "
            f"{row['result']:8s} {row['seconds']:8.1f}s {row.get('cpu_seconds') or 0:8.1f}s  "
            f"{'(cached) ' if row.get('cached') else ''}{row['properties']}")


# ---- command line --------------------------------------------------------------------
def add_arguments(p) -> None:
    from spikedv.cli_args import add_jobs, add_out

    p.add_argument("blocks", nargs="*", metavar="BLOCK",
                   help="blocks or proof names to run, globs allowed (default: all)")
    p.add_argument("--fast", action="store_true",
                   help="only the fast proofs (those the default test suite runs)")
    p.add_argument("--list", action="store_true", help="list the proofs and exit")
    p.add_argument("--no-cache", action="store_true",
                   help="prove afresh, not taking answers cached under sim_build/formal/cache")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help=f"seconds per proof (default {DEFAULT_TIMEOUT_S:.0f})")
    add_jobs(p, default="1")
    add_out(p, "JSON report (default reports/formal.json)", required=False,
            default=PROJECT_ROOT / "reports" / "formal.json")


def _jobs(text: str) -> int:
    return os.cpu_count() or 1 if text == "auto" else int(text)


def run(args) -> int:
    from model.errors import InputError

    chosen = select(args.blocks, fast_only=args.fast)
    if not chosen:
        raise InputError(None, f"no proof matches {' '.join(args.blocks)} "
                               f"(blocks: {', '.join(sorted({p.block for p in proofs()}))})")
    if args.list:
        for p in chosen:
            params = " ".join(f"{k}={v}" for k, v in p.parameters)
            print(f"{p.block:24s} {p.name:36s} {'fast' if p.fast else 'long':4s} "
                  f"formal/{p.harness} {params}")
        return 0
    missing = [t for t in ("yosys", "yosys-abc") if shutil.which(t) is None]
    if missing:
        raise InputError(None, f"missing tools: {', '.join(missing)} (scripts/setup.sh installs them)")
    print(f"{'block':24s} {'proof':36s} {'method':5s} {'depth':10s} {'result':8s} "
          f"{'wall':>9s} {'cpu':>9s}  properties")
    start = time.monotonic()
    rows = run_all(chosen, _jobs(args.jobs), timeout_s=args.timeout,
                   on_done=lambda r: print(format_row(r), flush=True),
                   use_cache=not args.no_cache)
    wall = time.monotonic() - start
    failed = [r for r in rows if r["result"] not in ("proved", "passed")]
    for r in failed:
        print(f"{r['name']}: {r['result']}: {r['detail']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"proofs": rows, "wall_seconds": round(wall, 1),
                               "tools": _tool_versions()}, indent=2))
    cached = sum(bool(r.get("cached")) for r in rows)
    print(f"formal: {len(rows) - len(failed)} of {len(rows)} proofs hold "
          f"({wall:.0f} s{f', {cached} cached' if cached else ''}); report {out}")
    return 1 if failed else 0


def _tool_versions() -> dict:
    out = {}
    for tool, cmd in {"yosys": ["yosys", "-V"], "z3": ["z3", "--version"]}.items():
        try:
            out[tool] = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            out[tool] = "not found"
    return out
