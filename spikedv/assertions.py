"""The RTL assertions (rtl/*/sva/, docs/formal.md) and how often each was exercised.

Every assertion ``NAME: assert (...)`` in a checker module has a cover ``NAME_C: cover
(...)`` beside it that counts the cycles in which the assertion checked something (its
trigger held). Verilator ``--coverage`` runs record the covers as user coverage points
(``coverage.dat``, page ``v_user/...``, comment = the cover's label); this module lists
every assertion with the sum of its cover's hits over all instances and runs, for the
signoff report:

    from spikedv.assertions import assertion_table
    rows = assertion_table()            # merges sim_build/runs/*/coverage.dat
    rows = assertion_table(merged_dat)  # or reads an already merged coverage.dat

Each row is a plain dict: ``name``, ``checker`` (module), ``file`` (relative to the
checkout), ``line``, ``what`` (the comment above the assertion), ``cover`` (label),
``cover_line``, ``bound_in`` (modules whose bind files instantiate the checker),
``instances`` (cover points found in the coverage data: one per checker instance and
build), ``hits``.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from verif.sources import PROJECT_ROOT, sva_files

_LABEL = re.compile(r"^\s*(\w+)\s*:\s*(assert|cover)\s*\(", re.M)
_BIND = re.compile(r"^\s*bind\s+(\w+)\s+(\w+)", re.M)
_MODULE = re.compile(r"^\s*module\s+(\w+)", re.M)
COVER_SUFFIX = "_C"


def _rel(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def _comment_above(lines: list[str], index: int) -> str:
    """The ``//`` comment lines directly above line ``index`` (0-based), joined."""
    out: list[str] = []
    i = index - 1
    while i >= 0 and lines[i].strip().startswith("//"):
        out.insert(0, lines[i].strip()[2:].strip())
        i -= 1
    return " ".join(out)


def catalog() -> list[dict]:
    """Every assertion of every checker under rtl/*/sva/, in file order (no coverage)."""
    bound_in: dict[str, list[str]] = {}
    for f in sva_files():
        for target, checker in _BIND.findall(f.read_text()):
            bound_in.setdefault(checker, [])
            if target not in bound_in[checker]:
                bound_in[checker].append(target)
    rows: list[dict] = []
    for f in sva_files():
        text = f.read_text()
        modules = _MODULE.findall(text)
        if not modules:
            continue
        lines = text.splitlines()
        labels: dict[str, tuple[str, int]] = {}
        for m in _LABEL.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            labels.setdefault(m.group(1), (m.group(2), line))
        for name, (kind, line) in labels.items():
            if kind != "assert":
                continue
            cover = name + COVER_SUFFIX
            cover_line = labels.get(cover, ("", 0))[1]
            rows.append({"name": name, "checker": modules[0], "file": _rel(f), "line": line,
                         "what": _comment_above(lines, line - 1), "cover": cover,
                         "cover_line": cover_line,
                         "bound_in": sorted(bound_in.get(modules[0], [])),
                         "instances": 0, "hits": 0})
    return rows


def cover_counts(points) -> dict[tuple[str, str], list[int]]:
    """{(file name, cover label): [instances, hits]} of the user coverage points."""
    out: dict[tuple[str, str], list[int]] = {}
    for p in points:
        if p.kind != "user":
            continue
        cell = out.setdefault((Path(p.file).name, p.name), [0, 0])
        cell[0] += 1
        cell[1] += p.count
    return out


def assertion_table(merged_dat: Path | None = None, runs_root: Path | None = None) -> list[dict]:
    """The catalog with each assertion's cover hits. ``merged_dat``: a merged
    ``coverage.dat`` (spikedv coverage writes one); else every run's ``coverage.dat``
    under ``runs_root`` (default sim_build/runs) is merged first. No coverage data: all
    counts 0."""
    from spikedv.coverage import find_runs, merge_code, parse_coverage_dat

    rows = catalog()
    if merged_dat is None:
        dats = find_runs(runs_root, "coverage.dat")
        if not dats:
            return rows
        with tempfile.TemporaryDirectory() as tmp:
            points = parse_coverage_dat(merge_code(dats, Path(tmp)))
    else:
        points = parse_coverage_dat(Path(merged_dat))
    counts = cover_counts(points)
    for row in rows:
        instances, hits = counts.get((Path(row["file"]).name, row["cover"]), (0, 0))
        row["instances"], row["hits"] = instances, hits
    return rows


def report_data(results_folders) -> dict:
    """For the signoff report (spikedv/report/side.py): the table over every
    ``coverage.dat`` in the given results folders (each folder itself or its run
    folders); ``failed`` is 0 for every row: a failing assertion fails its test."""
    from spikedv.coverage import merge_code, parse_coverage_dat

    dats: list[Path] = []
    for folder in results_folders:
        folder = Path(folder)
        dats += sorted(folder.glob("coverage.dat")) + sorted(folder.glob("*/coverage.dat"))
    rows = catalog()
    if dats:
        with tempfile.TemporaryDirectory() as tmp:
            counts = cover_counts(parse_coverage_dat(merge_code(dats, Path(tmp))))
        for row in rows:
            row["instances"], row["hits"] = counts.get((Path(row["file"]).name, row["cover"]),
                                                       (0, 0))
    for row in rows:
        row["failed"] = 0
    return {"assertions": rows}


def render(rows: list[dict]) -> str:
    """A markdown table of the rows."""
    lines = ["| assertion | checker | file:line | bound in | instances | cover hits |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['checker']} | {r['file']}:{r['line']} | "
                     f"{', '.join(r['bound_in'])} | {r['instances']} | {r['hits']} |")
    exercised = sum(r["hits"] > 0 for r in rows)
    lines.append(f"\n{exercised} of {len(rows)} assertions exercised (cover hits > 0)")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m spikedv.assertions [MERGED_COVERAGE_DAT]``: print the table."""
    import sys

    argv = sys.argv[1:] if argv is None else argv
    print(render(assertion_table(Path(argv[0]) if argv else None)), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
