"""The reports of a regression, built from one or more results folders
(spikedv/results.py) and the side results beside the report (synth.json, formal.json,
mutation.json, bench_*.json: spikedv/report/side.py).

``build(results_folders, out_dir)`` is what ``spikedv regress``, ``spikedv report`` and
``spikedv merge`` call; it is a pure function of the folders, the side results, the
testplans (verif/testplan/*.hjson) with their waivers, and the checked-in weights. It
writes into ``out_dir``:

    index.html       the signoff report: one page, opens from disk (plots embedded)
    signoff.json     the same figures (schema: docs/signoff.md, signoff.schema.json)
    junit.xml        the JUnit XML of every folder in one file
    regression.md    tests per file and simulator, shipped weights (also .json)
    coverage/        merged coverage.dat, genhtml pages (html/), coverage.md/.json
"""
from __future__ import annotations

import json
import os
import shutil
import time
from collections import defaultdict
from pathlib import Path

from spikedv.results import collect

SCHEMA_ID = "spikedv-signoff/1"
SCHEMA_FILE = Path(__file__).resolve().parent / "signoff.schema.json"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def _rel(path: Path, base: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), Path(base).resolve())).as_posix()


def _shown(path: Path) -> str:
    """A path relative to the checkout when inside it."""
    from verif.sources import PROJECT_ROOT

    path = Path(path).resolve()
    return path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) \
        else str(path)


def design_files(plans) -> dict[str, list[str]]:
    """{design: RTL files of its top level (from the .f lists), relative paths}."""
    from spikedv.coverage import rel_path
    from verif.sources import sources

    return {name: [rel_path(str(f)) for f in sources(plan.top)]
            for name, plan in plans.items() if plan.is_design}


def design_modules(files: dict[str, list[str]]) -> dict[str, set[str]]:
    """{design: module names} (one module per file, named as the file), with the
    synthesis harness units of a design (qclif_neuron)."""
    from spikedv.synth import HARNESS_UNITS

    out = {d: {Path(f).stem for f in fs} for d, fs in files.items()}
    for unit in HARNESS_UNITS:
        for d in out:
            if unit.startswith(d + "_"):
                out[d].add(unit)
    return out


def _test_table(cases) -> list[dict]:
    table: dict[tuple, dict] = {}
    for c in cases:
        cell = table.setdefault((c.file, c.engine), {"file": c.file, "engine": c.engine,
                                                     "passed": 0, "failed": 0, "skipped": 0,
                                                     "not run": 0, "seconds": 0.0})
        cell[c.outcome] += 1
        cell["seconds"] += c.seconds
    return [table[k] for k in sorted(table)]


def _functional_rows(functional: dict, cov_designs: dict, plans) -> list[dict]:
    rows, seen = [], set()
    for d, fig in cov_designs.items():
        for g in fig["functional"]["groups"]:
            kind = functional.get(g["name"], {}).get("kind", "")
            rows.append({**g, "design": d, "kind": kind, "in_testplan": True})
            seen.add(g["name"])
        for name in fig["functional"]["missing"]:
            rows.append({"name": name, "design": d, "kind": "", "covered": 0, "size": 0,
                         "percent": None, "holes": [], "waived": [], "waived_but_hit": [],
                         "in_testplan": True, "missing": True})
            seen.add(name)
    for name, c in sorted(functional.items()):
        if name in seen or c.get("kind") == "CoverItem":
            continue
        rows.append({"name": name, "design": name.split(".")[0], "kind": c.get("kind", ""),
                     "covered": c["covered"], "size": c["size"], "percent": c["percent"],
                     "holes": c["holes"], "waived": [], "waived_but_hit": [],
                     "in_testplan": False})
    return rows


def _user_points(points) -> list[dict]:
    from spikedv.coverage import rel_path

    counts: dict[tuple, int] = defaultdict(int)
    for p in points:
        if p.kind == "user":
            counts[(rel_path(p.file), p.name)] += p.count
    return [{"name": n, "module": f, "covered": c, "failed": 0}
            for (f, n), c in sorted(counts.items())]


def build(results_folders, out_dir: Path, quiet: bool = False, side_dir: Path | None = None,
          plans_dir: Path | None = None, weights: dict | None = None) -> dict:
    """Write the reports of ``results_folders`` into ``out_dir``; returns the summary
    (tests per file and engine, failures, coverage, wall time) with the verdict and the
    paths of index.html and signoff.json. ``side_dir``: where synth.json and the other
    side results are read (default ``out_dir``); ``plans_dir``: the testplans (default
    verif/testplan); ``weights``: shipped-weights figures (default: evaluated now)."""
    from spikedv import shipped
    from spikedv.coverage import build as build_coverage
    from spikedv.coverage import (design_figures, genhtml_page, load_waivers, module_rows,
                                  parse_coverage_dat)
    from spikedv.regress import render, summarize_all
    from spikedv.report import junit, plots, side, status
    from spikedv.report.html import render_page
    from spikedv.report.testplan import TESTPLAN_DIR, load_all

    found = collect(results_folders)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    side_dir = Path(side_dir) if side_dir is not None else out_dir
    plans_dir = Path(plans_dir) if plans_dir is not None else TESTPLAN_DIR
    plans = load_all(plans_dir)

    # tests
    cases = junit.read_all(found.junit)
    junit.attach_seeds(cases, found.runs)
    if found.junit:
        junit.merge_junit(found.junit, out_dir / "junit.xml")
    summary = summarize_all(found.junit)
    accuracy = shipped.evaluate() if weights is None else weights
    text = render(summary, found.wall_s, [m.get("command", "") for m in found.meta]) \
        + "\n" + shipped.render(accuracy)
    (out_dir / "regression.md").write_text(text)

    # coverage
    cov_dir = out_dir / "coverage"
    if (cov_dir / "html").is_dir():
        shutil.rmtree(cov_dir / "html")      # pages of an earlier report would mislead
    coverage, points = {}, []
    if found.coverage_dat or found.fcov_yml:
        coverage = build_coverage(found.coverage_dat, found.fcov_yml, cov_dir, quiet=True)
        if found.coverage_dat:
            points = parse_coverage_dat(cov_dir / "coverage.dat")
    functional = coverage.get("functional", {})
    files = design_files(plans)
    waivers = {d: load_waivers(plans_dir / f"waivers_{d}.hjson", d) for d in files}
    cov_designs = {d: design_figures(points, fs, waivers[d], functional,
                                     plans[d].covergroup_names()) for d, fs in files.items()}
    modules = module_rows(points, [w for ws in waivers.values() for w in ws], files)
    for m in modules:
        page = genhtml_page(cov_dir / "html", m["file"])
        m["html"] = _rel(page, out_dir) if page else None

    # side results
    mods = design_modules(files)
    synthesis = side.synthesis(side_dir, mods)
    formal = side.formal(side_dir, mods)
    mutation = side.mutation(side_dir, mods)
    # spikedv.assertions reads coverage.dat in the folders it is given (or one level
    # down): the merged file of this report, rather than every run merged a second time
    assertions = side.assertions([cov_dir] if points else found.folders, side_dir,
                                 _user_points(points))
    performance = side.performance(side_dir)

    # status and verdict
    statuses = status.plan_statuses(plans, cases)
    group_pct = {g["name"]: g["percent"] for fig in cov_designs.values()
                 for g in fig["functional"]["groups"]}
    for plan_st in statuses.values():
        for st in plan_st.values():
            st["covergroup_status"] = {cg: group_pct.get(cg) for cg in st["covergroups"]}
    verdict = status.verdicts(plans, statuses, cov_designs, synthesis, formal, mutation)

    targets_v2 = {k: v for plan in plans.values()
                  for k, v in plan.targets.get("V2", {}).items()}
    made = plots.all_plots(performance, accuracy, modules, targets_v2)

    links = {name: _rel(out_dir / path, out_dir) for name, path in (
        ("junit", "junit.xml"), ("regression", "regression.md"), ("signoff", "signoff.json"),
        ("coverage_md", "coverage/coverage.md"), ("coverage_html", "coverage/html/index.html"),
        ("synth_md", "synth.md"), ("bench_rsnn_md", "bench_rsnn.md"),
        ("bench_qclif_md", "bench_qclif.md")) if (out_dir / path).is_file()
        or name == "signoff"}

    failures = []
    for c in cases:
        if c.outcome == "failed":
            logs = [_rel(Path(r) / "sim.log", out_dir) for r in c.runs
                    if (Path(r) / "sim.log").is_file()]
            failures.append({"id": c.id, "engine": c.engine, "replay": c.replay,
                             "seeds": c.seeds, "message": status.first_line(c.message),
                             "logs": logs})
    totals = {k: sum(1 for c in cases if c.outcome == k)
              for k in ("passed", "failed", "skipped", "not run")}
    signoff = {
        "schema": SCHEMA_ID,
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "results": [{"folder": str(f), "command": m.get("command", ""),
                     "wall_s": m.get("wall_s"), "exit_status": m.get("exit_status"),
                     "host": m.get("host", ""), "commit": m.get("commit", ""),
                     "written": m.get("written", "")}
                    for f, m in zip(found.folders, found.meta)],
        "wall_s": found.wall_s,
        "verdict": verdict,
        "tests": {"totals": totals, "files": _test_table(cases), "failures": failures,
                  "cases": [{"id": c.id, "file": c.file, "engine": c.engine,
                             "outcome": c.outcome, "seconds": round(c.seconds, 3),
                             "seeds": c.seeds, **({"replay": c.replay} if c.replay else {})}
                            for c in cases]},
        "testplans": {name: {"file": _shown(plan.path),
                             "desc": plan.desc, "top": plan.top, "imports": plan.imports,
                             "targets": plan.targets,
                             "testpoints": [statuses[tp.plan][tp.name]
                                            for tp in plan.testpoints],
                             "imported": [f"{tp.plan}.{tp.name}" for tp in plan.imported]}
                      for name, plan in plans.items()},
        "coverage": {"designs": cov_designs, "modules": modules,
                     "functional": _functional_rows(functional, cov_designs, plans),
                     "measured": bool(points), "html": links.get("coverage_html")},
        "waivers": {d: fig["waivers"] for d, fig in cov_designs.items()},
        "synthesis": synthesis,
        "formal": formal,
        "assertions": assertions,
        "mutation": mutation,
        "performance": performance,
        "accuracy": accuracy,
        "plots": [{"name": p["name"], "title": p["title"]} for p in made],
        "links": links,
    }
    (out_dir / "signoff.json").write_text(json.dumps(signoff, indent=1, default=str) + "\n")
    index = out_dir / "index.html"
    index.write_text(render_page(signoff, made))

    result = {**summary, "wall_s": found.wall_s, "coverage": coverage,
              "results": [str(f) for f in found.folders], "verdict": verdict,
              "index": str(index), "signoff": str(out_dir / "signoff.json")}
    (out_dir / "regression.json").write_text(json.dumps(
        {k: v for k, v in result.items() if k != "verdict"}, indent=2, default=str))
    if not quiet:     # the caller prints where the report is and the verdict, last
        print(text)
    return result


# ---- spikedv report ---------------------------------------------------------------

def add_arguments(p) -> None:
    """``spikedv report RESULTS_DIR... [--out DIR]``."""
    from spikedv.cli_args import add_out, path_arg
    from verif.sources import PROJECT_ROOT

    p.add_argument("results", nargs="+", type=path_arg, metavar="RESULTS_DIR",
                   help="results folders of `spikedv regress` (or its shards)")
    add_out(p, "report folder (default reports/)", default=PROJECT_ROOT / "reports")
    p.add_argument("--side", type=path_arg, default=None, metavar="DIR",
                   help="where synth.json, formal.json, mutation.json and bench_*.json are "
                        "read (default: the --out folder)")
    p.add_argument("--screenshot", action="store_true",
                   help="check the page in headless Chromium and save index.png beside it")


def run(args) -> int:
    from spikedv.cli_args import quiet

    out = Path(args.out)
    result = build(args.results, out, quiet=quiet(args), side_dir=args.side)
    if getattr(args, "screenshot", False):
        from spikedv.report.browser import check_page

        checked = check_page(Path(result["index"]), out / "index.png")
        for problem in checked["problems"]:
            print(f"report: browser: {problem}")
        if not quiet(args):
            print(f"report: screenshot {out / 'index.png'}")
    from spikedv.report.status import print_outcome

    print_outcome(result)
    return 0
