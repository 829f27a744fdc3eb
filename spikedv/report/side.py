"""The side results the report reads beside the results folders, each optional ("not
run" when its file is absent): ``synth.json`` (``spikedv synth``), ``formal.json``
(``spikedv formal``), ``mutation.json`` (``spikedv mutate``), ``bench_rsnn.json`` and
``bench_qclif.json`` (``spikedv rsnn|qclif bench --no-sim``), and the assertion cover
counts (``spikedv.assertions``, when that module exists).

The formal and mutation files are read leniently (docs/signoff.md lists the keys looked
for), so that the report does not break while those tools grow.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path

NOT_RUN = "not run"
_PASS_WORDS = ("pass", "proved", "proven", "ok", "success", "holds", "bounded", "safe")


def read_json(path: Path):
    """The JSON of ``path``; None when absent; {"error": ...} when unreadable."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        return {"error": f"{path.name}: {exc}"}


# ---- synthesis ----------------------------------------------------------------------

def synthesis(side_dir: Path, design_modules: dict[str, set[str]]) -> dict:
    data = read_json(Path(side_dir) / "synth.json")
    if data is None:
        return {"status": NOT_RUN, "modules": [], "designs": {d: {"status": NOT_RUN}
                                                              for d in design_modules}}
    if "error" in data:
        return {"status": "error", "error": data["error"], "modules": [],
                "designs": {d: {"status": "error"} for d in design_modules}}
    results = data.get("modules", {})
    rows = []
    for m, r in results.items():
        mem = r.get("memories") or {}
        rows.append({"module": m, "ok": bool(r.get("ok")), "macro": bool(r.get("macro")),
                     "cells": r.get("cells_total"), "ff_bits": r.get("ff_bits"),
                     "memory_bits": mem.get("bits", 0), "sram_bits": r.get("sram_bits", 0),
                     "nand2": r.get("nand2"), "seconds": r.get("seconds"),
                     "cached": bool(r.get("cached")), "problems": list(r.get("problems", []))})
    try:
        from spikedv.synth import paper_lines
        papers = [line.removeprefix("- ") for line in paper_lines(results)]
    except Exception:  # an old or partial synth.json: the table is still shown
        papers = []
    designs = {}
    for d, mods in design_modules.items():
        missing = sorted(m for m in mods if m not in results)
        bad = sorted(m for m in mods if m in results and not results[m].get("ok"))
        designs[d] = {"status": "failed" if bad else "incomplete" if missing else "clean",
                      "failed": bad, "missing": missing}
    return {"status": "clean" if data.get("ok") else "failed", "wall_s": data.get("wall_s"),
            "modules": rows, "papers": papers, "designs": designs}


# ---- formal -------------------------------------------------------------------------

def _entries(data, *keys):
    """A list of dicts from a list, or from the first of ``keys`` holding a list or a
    {name: dict} mapping (the name put in as "name")."""
    if isinstance(data, list):
        return [e for e in data if isinstance(e, dict)]
    for key in keys:
        value = data.get(key) if isinstance(data, dict) else None
        if isinstance(value, list):
            return [e for e in value if isinstance(e, dict)]
        if isinstance(value, dict):
            return [{"name": k, **v} for k, v in value.items() if isinstance(v, dict)]
    return []


def _first(entry: dict, *keys, default=None):
    for k in keys:
        if entry.get(k) not in (None, ""):
            return entry[k]
    return default


def passed_word(status) -> bool:
    if isinstance(status, bool):
        return status
    text = str(status).strip().lower()
    return any(text.startswith(w) for w in _PASS_WORDS)


def _depth_text(method: str, depth, passed: bool) -> str:
    """What the depth column says: ``spikedv formal`` gives an unbounded proof
    (``prove``) the frame of its inductive invariant as ``depth``, a bounded one
    (``bmc``) the frames checked, a failure the counterexample's frame."""
    if depth is None:
        return "-"
    if passed and method == "prove":
        return "unbounded"
    if not passed:
        return f"cex at {depth}"
    return str(depth)


def formal(side_dir: Path, design_modules: dict[str, set[str]]) -> dict:
    data = read_json(Path(side_dir) / "formal.json")
    empty = {d: {"status": NOT_RUN, "proofs": 0, "failed": []} for d in design_modules}
    if data is None:
        return {"status": NOT_RUN, "proofs": [], "designs": empty}
    if isinstance(data, dict) and "error" in data and len(data) == 1:
        return {"status": "error", "error": data["error"], "proofs": [], "designs": empty}
    proofs = []
    for e in _entries(data, "proofs", "results", "blocks", "modules"):
        name = str(_first(e, "name", "proof", "id", default="?"))
        status = _first(e, "status", "result", "verdict",
                        default="pass" if e.get("ok") or e.get("passed") else "fail")
        method = str(_first(e, "method", "mode", "engine", default=""))
        depth = _first(e, "depth", "bound")
        passed = passed_word(status)
        proofs.append({"name": name, "module": str(_first(e, "module", "block", "top",
                                                           default=name)),
                       "method": method, "engine": str(e.get("engine") or ""),
                       "depth": depth, "depth_text": _depth_text(method, depth, passed),
                       "status": str(status), "passed": passed,
                       "seconds": _first(e, "seconds", "time_s", "wall_s", "time"),
                       "detail": str(_first(e, "detail", "message", default="")),
                       "counterexample": [str(c) for c in e.get("counterexample") or []]})
    designs = {}
    for d, mods in design_modules.items():
        mine = [p for p in proofs if p["module"] in mods or p["name"] in mods]
        failed = [p["name"] for p in mine if not p["passed"]]
        designs[d] = {"status": "failed" if failed else "passed" if mine else "no proofs",
                      "proofs": len(mine), "failed": failed}
    status = "failed" if any(not p["passed"] for p in proofs) else \
        "passed" if proofs else "empty"
    return {"status": status, "proofs": proofs, "designs": designs}


# ---- mutation -----------------------------------------------------------------------

def _score(e: dict) -> float | None:
    """killed / non-equivalent in percent: from ``non_equivalent``, else from
    ``killed + survived - equivalent`` (equivalent mutants counted among the survivors),
    else the entry's own ``score`` (a fraction or a percent)."""
    killed = e.get("killed")
    non_eq = _first(e, "non_equivalent", "nonequivalent")
    survived = e.get("survived")
    if isinstance(survived, list):
        survived = len(survived)
    if non_eq is None and isinstance(killed, (int, float)) and isinstance(survived, (int, float)):
        non_eq = killed + survived - (e.get("equivalent") or 0)
    if isinstance(killed, (int, float)) and isinstance(non_eq, (int, float)) and non_eq:
        return 100.0 * killed / non_eq
    score = e.get("score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        return float(score) * (100.0 if score <= 1.0 else 1.0)
    return None


def mutation(side_dir: Path, design_modules: dict[str, set[str]]) -> dict:
    data = read_json(Path(side_dir) / "mutation.json")
    empty = {d: {"status": NOT_RUN, "score": None} for d in design_modules}
    if data is None:
        return {"status": NOT_RUN, "modules": [], "designs": empty}
    if isinstance(data, dict) and "error" in data and len(data) == 1:
        return {"status": "error", "error": data["error"], "modules": [], "designs": empty}
    modules = []
    for e in _entries(data, "modules", "per_module"):
        name = str(_first(e, "name", "module", default="?"))
        modules.append({"module": name, "mutants": _first(e, "mutants", "total"),
                        "killed": e.get("killed"),
                        "survived": (len(e["survived"]) if isinstance(e.get("survived"), list)
                                     else e.get("survived")),
                        "equivalent": e.get("equivalent"),
                        "non_equivalent": _first(e, "non_equivalent", "nonequivalent"),
                        "score": _score(e)})
    raw_designs = data.get("designs", {}) if isinstance(data, dict) else {}
    designs = {}
    for d, mods in design_modules.items():
        e = raw_designs.get(d) if isinstance(raw_designs, dict) else None
        if isinstance(e, dict) and _score(e) is not None:
            designs[d] = {"status": "run", "score": _score(e), "killed": e.get("killed"),
                          "non_equivalent": _first(e, "non_equivalent", "nonequivalent")}
            continue
        mine = [m for m in modules if m["module"] in mods]
        killed = sum(m["killed"] or 0 for m in mine)
        non_eq = sum((m["non_equivalent"] if m["non_equivalent"] is not None else
                      (m["killed"] or 0) + (m["survived"] or 0) - (m["equivalent"] or 0))
                     for m in mine)
        designs[d] = {"status": "run" if mine else "no mutants",
                      "score": 100.0 * killed / non_eq if non_eq else None,
                      "killed": killed, "non_equivalent": non_eq}
    survivors = data.get("survivors", []) if isinstance(data, dict) else []
    return {"status": "run", "modules": modules, "designs": designs,
            "survivors": [_survivor(s) for s in survivors if isinstance(s, dict)][:200],
            "total": data.get("total") if isinstance(data, dict) else None}


def _survivor(e: dict) -> dict:
    """A surviving mutant as the page shows it (the entry's own keys kept beside)."""
    return {**e, "module": str(_first(e, "module", "name", "file", default="")),
            "line": _first(e, "line", "lineno"),
            "mutant": str(_first(e, "mutant", "mutation", "description", "desc", "op", "id",
                                 default="")),
            "status": str(_first(e, "status", "verdict", default="survived"))}


# ---- assertions ---------------------------------------------------------------------

def assertions(results_folders, side_dir: Path, user_points: list[dict]) -> dict:
    """Assertion and cover counts: from ``spikedv.assertions`` (its ``report_data``,
    ``summary`` or ``summarize`` function, given the results folders) when that module
    exists, else ``assertions.json`` beside the report, else the user cover points
    (``cover property``) of the merged Verilator coverage."""
    if importlib.util.find_spec("spikedv.assertions") is not None:
        try:
            mod = importlib.import_module("spikedv.assertions")
            for fn in ("report_data", "summary", "summarize"):
                if callable(getattr(mod, fn, None)):
                    data = getattr(mod, fn)([Path(f) for f in results_folders])
                    items = _entries(data, "assertions", "items", "checkers", "covers")
                    return {"status": "run", "source": f"spikedv.assertions.{fn}",
                            "items": [_assertion_row(e) for e in items]}
        except Exception as exc:  # the module is being written: report, do not fail
            return {"status": "error", "error": f"spikedv.assertions: {exc}", "items": []}
    data = read_json(Path(side_dir) / "assertions.json")
    if isinstance(data, (dict, list)) and not (isinstance(data, dict) and "error" in data):
        items = _entries(data, "assertions", "items", "checkers", "covers")
        return {"status": "run", "source": "assertions.json",
                "items": [_assertion_row(e) for e in items]}
    if user_points:
        return {"status": "run", "source": "Verilator user coverage (cover points)",
                "items": user_points}
    return {"status": NOT_RUN, "items": []}


def _assertion_row(e: dict) -> dict:
    covered = _first(e, "covered", "cover_count", "hits", "count", default=0)
    return {"name": str(_first(e, "name", "assertion", "id", default="?")),
            "module": str(_first(e, "module", "checker", "file", default="")),
            "covered": covered, "failed": _first(e, "failed", "failures", "fails", default=0)}


# ---- performance --------------------------------------------------------------------

def _mean(d: dict, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d.get("mean") if isinstance(d, dict) else d


def performance(side_dir: Path) -> dict:
    out = {}
    r = read_json(Path(side_dir) / "bench_rsnn.json")
    if r is None or "error" in r:
        out["rsnn"] = {"status": NOT_RUN if r is None else "error"}
    else:
        configs = []
        for key, fig in r.get("model", {}).items():
            configs.append({
                "config": key, "T": fig.get("registers", {}).get("T"),
                "schedule": fig.get("schedule"), "frames": fig.get("frames"),
                "phases": {p: _mean(fig, "cycles", f"cyc_{p}") for p in ("in", "l0", "l1", "fc")},
                "cycles_mean": _mean(fig, "cycles", "cyc_total"),
                "cycles_max": (fig.get("cycles", {}).get("cyc_total") or {}).get("max"),
                "fc_unmerged": _mean(fig, "cyc_fc_unmerged"),
                "sparsity": fig.get("sparsity"),
                "mac_per_s_dense": fig.get("mac_per_s_dense"),
                "mac_per_s_effective": fig.get("mac_per_s_effective"),
                "cycles_per_s_at_fps": fig.get("cycles_per_s_at_fps")})
        out["rsnn"] = {"status": "run", "inputs": r.get("inputs", ""),
                       "paper": r.get("paper", {}), "configs": configs}
    q = read_json(Path(side_dir) / "bench_qclif.json")
    if q is None or "error" in q:
        out["qclif"] = {"status": NOT_RUN if q is None else "error"}
    else:
        out["qclif"] = {"status": "run", "n": q.get("n"), "synapses": q.get("synapses"),
                        "np": q.get("np"), "bin_us": q.get("bin_us"), "bins": q.get("bins"),
                        "paper": q.get("paper", {}), "cycles_vs_np": q.get("cycles_vs_np", []),
                        "activity": q.get("activity", {}),
                        "samples": q.get("samples"), "correct": q.get("correct")}
    return out
