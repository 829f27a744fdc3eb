"""``spikedv merge DIR... [--reports DIR]``: the report of any set of results folders.

The folders are shards of one regression (``spikedv regress --shard K/N``), the results of
a launcher (``--launcher local|slurm``), single jobs, or whole runs: their JUnit files,
Verilator code coverage (``verilator_coverage --write`` over every run's coverage.dat),
functional coverage (every run's fcov.yml) and the testplan status are merged by
``spikedv.report.build`` into the same report a single run gives (signoff.json,
index.html, junit.xml, regression.md, coverage/). Shards of an N-way split that are
missing are named; ``--steps`` runs the side results first (synthesis, formal,
benchmarks), as ``spikedv regress`` does after its tests.
"""
from __future__ import annotations

import json
from pathlib import Path

from spikedv.results import META, collect
from verif.sources import PROJECT_ROOT

REPORTS = PROJECT_ROOT / "reports"


def missing_shards(folders) -> list[str]:
    """``K/N`` of every shard of an N-way split that is not among ``folders``."""
    seen: dict[int, set[int]] = {}
    for folder in folders:
        try:
            shard = json.loads((Path(folder) / META).read_text()).get("shard")
        except (OSError, ValueError):
            continue
        if isinstance(shard, str) and "/" in shard:
            k, n = (int(x) for x in shard.split("/"))
            seen.setdefault(n, set()).add(k)
    return [f"{k}/{n}" for n, ks in sorted(seen.items()) for k in range(1, n + 1)
            if k not in ks]


def lost_jobs(folders) -> list[str]:
    out = []
    for folder in folders:
        try:
            out += json.loads((Path(folder) / META).read_text()).get("lost_jobs") or []
        except (OSError, ValueError):
            pass
    return out


def merge(folders, reports: Path, side: Path | None = None, quiet: bool = True) -> dict:
    """Build the report of ``folders`` into ``reports``; returns build's summary."""
    from spikedv.report import build

    collect(folders)          # every folder must be a results folder: one-line error if not
    return build([Path(f) for f in folders], Path(reports), quiet=quiet, side_dir=side)


def figures(reports: Path) -> dict:
    """The figures of a report that a sharded run must reproduce exactly: every test's
    outcome, every code-coverage point's count (merged coverage.dat), every functional
    bin's hits, and the testplan status of every testpoint."""
    reports = Path(reports)
    signoff = json.loads((reports / "signoff.json").read_text())
    tests = sorted((c["id"], c["engine"], c["outcome"]) for c in signoff["tests"]["cases"])
    code: dict[str, int] = {}
    dat = reports / "coverage" / "coverage.dat"
    if dat.is_file():
        for line in dat.read_text(errors="replace").splitlines():
            if line.startswith("C '"):
                body, _, count = line.rpartition("' ")
                code[body[3:]] = code.get(body[3:], 0) + int(count)
    functional = {}
    cov = reports / "coverage" / "coverage.json"
    if cov.is_file():
        functional = {name: g.get("bins", {}) for name, g in
                      json.loads(cov.read_text()).get("functional", {}).items()}
    status = {f"{plan}.{tp.get('name')}": tp.get("status")
              for plan, p in (signoff.get("testplans") or {}).items()
              for tp in p.get("testpoints", [])}
    return {"tests": tests, "code": code, "functional": functional, "testplan": status}


def differences(a: dict, b: dict, limit: int = 10) -> list[str]:
    """What differs between two :func:`figures` (empty when identical)."""
    out = []
    ta, tb = set(map(tuple, a["tests"])), set(map(tuple, b["tests"]))
    out += [f"test only in the first: {t}" for t in sorted(ta - tb)[:limit]]
    out += [f"test only in the second: {t}" for t in sorted(tb - ta)[:limit]]
    for k in sorted(set(a["code"]) | set(b["code"])):
        if a["code"].get(k) != b["code"].get(k):
            out.append(f"code point {k!r}: {a['code'].get(k)} != {b['code'].get(k)}")
            if len(out) > 2 * limit:
                break
    for k in sorted(set(a["functional"]) | set(b["functional"])):
        if a["functional"].get(k) != b["functional"].get(k):
            out.append(f"functional {k}: {a['functional'].get(k)} != {b['functional'].get(k)}")
    for k in sorted(set(a["testplan"]) | set(b["testplan"])):
        if a["testplan"].get(k) != b["testplan"].get(k):
            out.append(f"testpoint {k}: {a['testplan'].get(k)} != {b['testplan'].get(k)}")
    return out


def add_arguments(p) -> None:
    from spikedv.cli_args import add_jobs, path_arg

    p.add_argument("results", nargs="+", type=path_arg, metavar="RESULTS_DIR",
                   help="results folders: shards, launcher results, jobs, whole runs")
    p.add_argument("--reports", type=path_arg, default=REPORTS, metavar="DIR",
                   help="where the report goes (default reports/)")
    p.add_argument("--side", type=path_arg, default=None, metavar="DIR",
                   help="where synth.json, formal.json, mutation.json and bench_*.json are "
                        "read (default: the --reports folder)")
    p.add_argument("--steps", action="store_true",
                   help="first run the side results into --reports (spikedv synth, "
                        "formal, the benchmarks), as spikedv regress does")
    add_jobs(p)


def run(args) -> int:
    from spikedv.cli_args import quiet

    folders = list(args.results)
    gone = missing_shards(folders)
    for shard in gone:
        print(f"merge: shard {shard} is missing: its tests count as not run")
    reports = Path(args.reports)
    reports.mkdir(parents=True, exist_ok=True)
    if args.steps:
        from spikedv.regress import Steps, run_steps

        run_steps(reports, args.jobs, Steps(screenshot=False))
    result = merge(folders, reports, side=args.side, quiet=True)
    from spikedv.report.status import print_outcome

    failures = result.get("failures") or []
    sigs = result.get("signatures") or []
    lost = lost_jobs(folders)
    if not quiet(args):
        totals: dict[str, list[int]] = {}
        for cells in result["table"].values():
            for engine, c in cells.items():
                t = totals.setdefault(engine, [0, 0])
                t[0] += c["passed"]
                t[1] += c["passed"] + c["failed"]
        shown = ", ".join(f"{e} {p}/{n}" for e, (p, n) in sorted(totals.items()))
        print(f"merge: {len(folders)} results folder(s): passed {shown or 'nothing'}")
        if failures:
            print(f"merge: {len(failures)} failing test run(s), {len(sigs)} distinct "
                  "failure(s):")
            for sg in sigs:
                print(f"  {sg['count']} x {sg['test']}: {sg['line']}\n"
                      f"      seeds {', '.join(map(str, sg['seeds'][:8])) or '-'}; "
                      f"replay: {sg['replay']}")
        for name in lost:
            print(f"merge: job {name} was lost (its tests are missing)")
    print_outcome(result)
    return 1 if failures or lost or gone else 0


def main(argv=None) -> int:
    """``python -m spikedv.merge`` (the same as ``spikedv merge``)."""
    import argparse

    p = argparse.ArgumentParser(prog="spikedv merge", description=__doc__.split("\n")[0])
    p.add_argument("-q", "--quiet", action="store_true")
    add_arguments(p)
    return run(p.parse_args(argv))


if __name__ == "__main__":
    import sys

    sys.exit(main())
