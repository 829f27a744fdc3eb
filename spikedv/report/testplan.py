"""The testplans as data: ``verif/testplan/{common,rsnn,qclif,tooling}.hjson`` (OpenTitan's
form). The designs (rsnn, qclif) import common; tooling stands alone.

Each plan has a ``name``, a ``desc``, ``testpoints`` and, for a design, its ``top``, the
plans it imports (``import_testplans``), its sign-off ``targets`` per stage and its
``covergroups``. A testpoint::

    {
      name: zero_skip_a                 # unique in its plan
      stage: V2                         # V1 | V2 | V3
      desc: '''the SPEC feature in one or two sentences'''
      tests: ["verif/rsnn/test_rsnn_zs_a.py::test_rsnn_zs_a[*]"]   # node ids or patterns
      covergroups: ["rsnn.in.active_features"]  # CoverPoint/CoverCross names (fcov.yml)
      assertions: []                    # SVA checker / cover names (optional)
      proofs: []                        # names of `spikedv formal` proofs (optional)
      tags: ["tooling"]                 # optional; "tooling" testpoints of an imported
    }                                   # plan do not count in the importing design

A pattern is a pytest node id in which ``*`` matches any text and ``?`` one character;
brackets are literal (``test_x[*]`` is every parametrization of ``test_x``), unlike
fnmatch. verif/testplan/README.md says the same for people; ``verif/testplan.md`` is
generated from the plans (``python -m spikedv.report.testplan --write``).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from model.errors import InputError
from verif.sources import PROJECT_ROOT

TESTPLAN_DIR = PROJECT_ROOT / "verif" / "testplan"
MARKDOWN = PROJECT_ROOT / "verif" / "testplan.md"
STAGES = ("V1", "V2", "V3")
PLANS = ("common", "rsnn", "qclif", "tooling")
DESIGNS = ("rsnn", "qclif")
TOOLING = "tooling"
# What a stage's targets may hold: percent of points or bins (code and functional
# coverage, mutation score) or true (evidence that must be present and clean).
PERCENT_TARGETS = ("line", "branch", "toggle", "functional", "mutation")
FLAG_TARGETS = ("synthesis", "formal")

_PLAN_KEYS = {"name", "desc", "top", "import_testplans", "targets", "testpoints",
              "covergroups"}
_POINT_KEYS = {"name", "stage", "desc", "tests", "covergroups", "assertions", "proofs",
               "tags"}


@dataclass
class Testpoint:
    name: str
    stage: str
    desc: str
    tests: list[str]
    covergroups: list[str] = field(default_factory=list)
    assertions: list[str] = field(default_factory=list)
    proofs: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    plan: str = ""          # the plan that declares it

    @property
    def tooling(self) -> bool:
        return TOOLING in self.tags

    @property
    def stage_index(self) -> int:
        return STAGES.index(self.stage)


@dataclass
class Testplan:
    name: str
    desc: str
    path: Path
    top: str | None = None
    testpoints: list[Testpoint] = field(default_factory=list)
    imported: list[Testpoint] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)
    targets: dict[str, dict] = field(default_factory=dict)
    covergroups: list[dict] = field(default_factory=list)

    @property
    def all_testpoints(self) -> list[Testpoint]:
        """Its own testpoints and those it imports (tooling ones left out)."""
        return [*self.testpoints, *self.imported]

    @property
    def is_design(self) -> bool:
        return self.top is not None

    def covergroup_names(self) -> list[str]:
        return [c["name"] for c in self.covergroups]


# ---- patterns --------------------------------------------------------------------

@lru_cache(maxsize=None)
def pattern_regex(pattern: str) -> re.Pattern:
    """``*`` any text, ``?`` one character, everything else literal."""
    out = []
    for ch in pattern:
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
    return re.compile("".join(out) + r"\Z", re.S)


def matches(pattern: str, node_id: str) -> bool:
    return pattern_regex(pattern).match(node_id) is not None


def matching(patterns, node_ids) -> list[str]:
    regs = [pattern_regex(p) for p in patterns]
    return [n for n in node_ids if any(r.match(n) for r in regs)]


# ---- loading ---------------------------------------------------------------------

def _strings(value, path: Path, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(path, "expected a list of strings", where)
    return list(value)


def _read(path: Path) -> dict:
    import hjson

    try:
        data = hjson.loads(path.read_text())
    except hjson.HjsonDecodeError as exc:
        raise InputError(path, f"Hjson syntax: {exc.msg}", f"line {exc.lineno}") from None
    if not isinstance(data, dict):
        raise InputError(path, "expected an object at the top")
    return data


def _targets(raw, path: Path) -> dict[str, dict]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(path, "expected an object of stages", "targets")
    out = {}
    for stage, figures in raw.items():
        if stage not in STAGES:
            raise InputError(path, f"unknown stage {stage!r} (one of {', '.join(STAGES)})",
                             "targets")
        if not isinstance(figures, dict):
            raise InputError(path, "expected an object", f"targets.{stage}")
        for key, value in figures.items():
            where = f"targets.{stage}.{key}"
            if key in PERCENT_TARGETS:
                if isinstance(value, bool) or not isinstance(value, (int, float)) \
                        or not 0 <= value <= 100:
                    raise InputError(path, "expected a percent, 0 to 100", where)
            elif key in FLAG_TARGETS:
                if not isinstance(value, bool):
                    raise InputError(path, "expected true or false", where)
            else:
                raise InputError(path, f"unknown target {key!r} (one of "
                                 f"{', '.join(PERCENT_TARGETS + FLAG_TARGETS)})", where)
        out[stage] = {k: (float(v) if k in PERCENT_TARGETS else v) for k, v in figures.items()}
    return out


def load(path: Path, _seen: tuple = ()) -> Testplan:
    """One plan (its imports resolved, relative to it); a bad plan is an InputError
    naming the file and the place."""
    path = Path(path)
    data = _read(path)
    unknown = sorted(set(data) - _PLAN_KEYS)
    if unknown:
        raise InputError(path, f"unknown key {unknown[0]!r}")
    for key in ("name", "desc"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError(path, "missing or empty", key)
    plan = Testplan(name=data["name"], desc=" ".join(data["desc"].split()), path=path,
                    top=data.get("top"), targets=_targets(data.get("targets"), path))
    seen = set()
    for i, raw in enumerate(data.get("testpoints") or []):
        where = f"testpoints[{i}]"
        if not isinstance(raw, dict):
            raise InputError(path, "expected an object", where)
        unknown = sorted(set(raw) - _POINT_KEYS)
        if unknown:
            raise InputError(path, f"unknown key {unknown[0]!r}", where)
        name = raw.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise InputError(path, f"bad or missing name {name!r} (lower_case)", where)
        where = f"testpoint {name}"
        if name in seen:
            raise InputError(path, "duplicate testpoint name", where)
        seen.add(name)
        if raw.get("stage") not in STAGES:
            raise InputError(path, f"stage {raw.get('stage')!r} is not one of "
                             f"{', '.join(STAGES)}", where)
        if not isinstance(raw.get("desc"), str) or not raw["desc"].strip():
            raise InputError(path, "missing desc", where)
        tests = _strings(raw.get("tests"), path, f"{where}: tests")
        if not tests:
            raise InputError(path, "no tests", where)
        plan.testpoints.append(Testpoint(
            name=name, stage=raw["stage"], desc=" ".join(raw["desc"].split()), tests=tests,
            covergroups=_strings(raw.get("covergroups"), path, f"{where}: covergroups"),
            assertions=_strings(raw.get("assertions"), path, f"{where}: assertions"),
            proofs=_strings(raw.get("proofs"), path, f"{where}: proofs"),
            tags=_strings(raw.get("tags"), path, f"{where}: tags"), plan=plan.name))
    for i, cg in enumerate(data.get("covergroups") or []):
        if not isinstance(cg, dict) or not isinstance(cg.get("name"), str):
            raise InputError(path, "expected {name, desc}", f"covergroups[{i}]")
        plan.covergroups.append({"name": cg["name"], "desc": str(cg.get("desc", ""))})
    for rel in _strings(data.get("import_testplans"), path, "import_testplans"):
        other = (path.parent / rel).resolve()
        if not other.is_file():
            raise InputError(path, f"imported testplan {rel} not found", "import_testplans")
        if other in _seen:
            raise InputError(path, f"import cycle through {rel}", "import_testplans")
        sub = load(other, (*_seen, path.resolve()))
        plan.imports.append(sub.name)
        plan.imported += [tp for tp in sub.all_testpoints if not tp.tooling]
    return plan


def load_all(folder: Path = TESTPLAN_DIR) -> dict[str, Testplan]:
    """The plans of ``folder`` by name: common, rsnn, qclif, tooling."""
    plans = {}
    for name in PLANS:
        path = Path(folder) / f"{name}.hjson"
        if not path.is_file():
            raise InputError(path, "testplan missing")
        plans[name] = load(path)
    return plans


def test_files(plans: dict[str, Testplan], tooling: bool = False) -> list[str]:
    """The test files the testpoints name (the file part of each pattern): those of the
    designs' plans and what they import, with ``tooling`` also those of tooling
    testpoints. What the design regression runs (spikedv/regress.py)."""
    files = {pattern.split("::")[0] for tp in every_testpoint(plans)
             if tooling or not tp.tooling for pattern in tp.tests}
    return sorted(files)


def every_testpoint(plans: dict[str, Testplan]) -> list[Testpoint]:
    """Each declared testpoint once (imports not repeated)."""
    return [tp for plan in plans.values() for tp in plan.testpoints]


def default_targets(plans: dict[str, Testplan] | None = None, stage: str = "V2") -> dict:
    """The strictest ``stage`` target of any design, per figure (for the plain coverage
    report, which is not per design)."""
    plans = plans or load_all()
    out: dict[str, float] = {}
    for plan in plans.values():
        for key, value in plan.targets.get(stage, {}).items():
            if key in PERCENT_TARGETS:
                out[key] = max(out.get(key, 0.0), value)
    return out


# ---- markdown --------------------------------------------------------------------

def _cell(items: list[str], empty: str = "-") -> str:
    return ", ".join(f"`{i}`" for i in items) if items else empty


def _targets_line(targets: dict) -> str:
    parts = []
    for key, value in targets.items():
        if key in PERCENT_TARGETS:
            parts.append(f"{key} {'>=' if value < 100 else '='} {value:g}%")
        elif value:
            parts.append(f"{key} evidence clean")
    return ", ".join(parts) or "-"


def render_markdown(plans: dict[str, Testplan]) -> str:
    lines = [
        "<!-- Generated from verif/testplan/*.hjson by "
        "`python -m spikedv.report.testplan --write`: edit the Hjson, not this file. -->",
        "# Testplan",
        "",
        "Every feature of the two designs maps to the tests that check it (pytest node ids; "
        "`*` matches any text) and to the covergroups that show it was exercised. The "
        "source is `verif/testplan/{common,rsnn,qclif,tooling}.hjson` (format: "
        "`verif/testplan/README.md`); `tests/test_testplan.py` checks it against the "
        "collected tests: a pattern that matches no test, a test in no testpoint, or a "
        "covergroup that does not exist fails. Each regression maps its results to the "
        "testpoints; `reports/index.html` shows their status and the verdict per stage "
        "(docs/signoff.md).",
        "",
        "Stages (cumulative: a stage is met when the one below it is): every testpoint of "
        "the stage and below passes on both simulators (tests that run no simulator count "
        "once), and the design's coverage targets of the stage hold, on the design-unit "
        "view after waivers (`verif/testplan/waivers_<design>.hjson`).",
        "",
    ]
    for plan in plans.values():
        lines += [f"## {plan.name}", "", plan.desc, ""]
        if plan.top:
            lines += [f"Top level `{plan.top}`; imports "
                      f"{', '.join(f'`{i}`' for i in plan.imports) or 'nothing'} "
                      "(its testpoints not tagged tooling count here too).", ""]
        if plan.targets:
            lines += ["| stage | targets |", "|---|---|"]
            for stage in STAGES:
                if stage in plan.targets:
                    lines.append(f"| {stage} | {_targets_line(plan.targets[stage])} |")
            lines.append("")
        lines += ["| testpoint | stage | feature | tests | covergroups |",
                  "|---|---|---|---|---|"]
        for tp in sorted(plan.testpoints, key=lambda t: t.stage_index):
            name = tp.name + (" (tooling)" if tp.tooling else "")
            desc = tp.desc.replace("|", "\\|")
            lines.append(f"| {name} | {tp.stage} | {desc} | {_cell(tp.tests)} | "
                         f"{_cell(tp.covergroups)} |")
        lines.append("")
        if plan.covergroups:
            lines += ["| covergroup | bins |", "|---|---|"]
            lines += [f"| `{c['name']}` | {c['desc']} |" for c in plan.covergroups]
            lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m spikedv.report.testplan",
                                description="check the testplans; write verif/testplan.md")
    p.add_argument("--write", action="store_true", help="regenerate verif/testplan.md")
    p.add_argument("--check", action="store_true",
                   help="fail when verif/testplan.md differs from a fresh generation")
    args = p.parse_args(argv)
    try:
        text = render_markdown(load_all())
    except InputError as exc:
        print(f"spikedv: error: {exc}", file=sys.stderr)
        return 2
    if args.write:
        MARKDOWN.write_text(text)
        print(f"wrote {MARKDOWN}")
    elif args.check:
        if not MARKDOWN.is_file() or MARKDOWN.read_text() != text:
            print(f"{MARKDOWN} is stale: python -m spikedv.report.testplan --write",
                  file=sys.stderr)
            return 1
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
