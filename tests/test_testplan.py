"""The testplan (verif/testplan/*.hjson) against the tests that exist.

The pytest node ids are collected in a subprocess (``pytest --collect-only -q --long``,
both simulators) and checked against every testpoint: a pattern that matches no test is
an error (unless its test file was skipped whole at collection, e.g. the torch tests
without the train extra), and so is a test that belongs to no testpoint. The covergroups a
testplan names must be the ``CoverPoint``/``CoverCross`` names of verif/*/*_fcov.py, and
every cover point must be in its design's plan. verif/testplan.md must equal a fresh
generation from the plans.
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from spikedv.report.testplan import (DESIGNS, MARKDOWN, every_testpoint, load_all,
                                     matching, render_markdown)

ROOT = Path(__file__).resolve().parent.parent
_SKIPPED_MODULE = re.compile(r"^SKIPPED \[\d+\] ([^:\s]+\.py)(?::\d+)?: ")


@pytest.fixture(scope="module")
def collected() -> tuple[list[str], set[str]]:
    """(node ids, test files skipped whole at collection) of the whole suite."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "--long", "--sim", "all",
         "-rs", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode in (0, 5), proc.stdout[-3000:] + proc.stderr[-3000:]
    ids = [line.strip() for line in proc.stdout.splitlines()
           if "::" in line and not line.startswith(("SKIPPED", "ERROR", "FAILED"))]
    skipped = {m.group(1) for line in proc.stdout.splitlines()
               if (m := _SKIPPED_MODULE.match(line.strip()))}
    assert len(ids) > 100, proc.stdout[-3000:]
    return ids, skipped


@pytest.fixture(scope="module")
def plans():
    return load_all()


def test_every_pattern_matches_a_test(collected, plans):
    ids, skipped = collected
    bad = []
    for tp in every_testpoint(plans):
        for pattern in tp.tests:
            if matching([pattern], ids):
                continue
            if pattern.split("::")[0] in skipped:    # the module skipped itself here
                continue
            bad.append(f"{tp.plan}.{tp.name}: {pattern}")
    assert not bad, "patterns that match no collected test:\n" + "\n".join(bad)


def test_every_test_belongs_to_a_testpoint(collected, plans):
    ids, _ = collected
    owned = set()
    for tp in every_testpoint(plans):
        owned.update(matching(tp.tests, ids))
    orphans = [i for i in ids if i not in owned]
    assert not orphans, ("tests in no testpoint (add them to verif/testplan/*.hjson):\n"
                         + "\n".join(orphans[:50]))


def test_this_file_is_collected(collected):
    ids, _ = collected
    assert "tests/test_testplan.py::test_every_test_belongs_to_a_testpoint" in ids
    assert any(i.startswith("verif/rsnn/test_rsnn_lif.py::test_rsnn_lif[icarus") for i in ids)
    assert any(i.startswith("verif/rsnn/test_rsnn_lif.py::test_rsnn_lif[verilator") for i in ids)


def cover_names(design: str) -> set[str]:
    """The CoverPoint/CoverCross names declared in verif/<design>/*_fcov.py (read, not
    imported)."""
    names = set()
    for path in sorted((ROOT / "verif" / design).glob("*_fcov.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                    node.func, "attr", None)) in ("CoverPoint", "CoverCross"):
                if node.args and isinstance(node.args[0], ast.Constant):
                    names.add(node.args[0].value)
    return names


def test_covergroups_named_in_the_testplan_exist(plans):
    known = set().union(*(cover_names(d) for d in DESIGNS))
    assert len(known) > 20
    bad = [f"{tp.plan}.{tp.name}: {cg}" for tp in every_testpoint(plans)
           for cg in tp.covergroups if cg not in known]
    bad += [f"{name} covergroups: {cg}" for name, plan in plans.items()
            for cg in plan.covergroup_names() if cg not in known]
    assert not bad, "covergroups that no fcov module declares:\n" + "\n".join(bad)


def test_every_cover_point_is_in_its_plan_and_a_testpoint(plans):
    for design in DESIGNS:
        declared = cover_names(design)
        listed = set(plans[design].covergroup_names())
        assert declared == listed, (design, declared ^ listed)
        measured = {cg for tp in plans[design].all_testpoints for cg in tp.covergroups}
        assert not declared - measured, f"{design}: in no testpoint: {declared - measured}"


def test_design_plans_import_the_shared_testpoints_not_the_tooling(plans):
    common = plans["common"]
    shared = {tp.name for tp in common.testpoints if not tp.tooling}
    assert {"sram_sp", "axil_regs", "axis_skid", "lint", "synthesis"} <= shared
    for design in DESIGNS:
        plan = plans[design]
        assert plan.imports == ["common"] and plan.top
        assert {tp.name for tp in plan.imported} == shared
        assert {"V1", "V2", "V3"} <= set(plan.targets)


def test_markdown_testplan_is_generated_from_the_hjson(plans):
    assert MARKDOWN.read_text() == render_markdown(plans), \
        "verif/testplan.md is stale: python -m spikedv.report.testplan --write"
