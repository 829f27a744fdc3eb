"""The regression summary and the coverage report read their inputs correctly."""
from __future__ import annotations

from spikedv.coverage import merge_instances, parse_coverage_dat, render, summarize_code
from spikedv.regress import render as render_regression
from spikedv.regress import summarize

JUNIT = """<?xml version="1.0"?>
<testsuites><testsuite name="pytest">
 <testcase classname="verif.rsnn.test_rsnn_lif" name="test_lif[icarus]"/>
 <testcase classname="verif.rsnn.test_rsnn_lif" name="test_lif[verilator]"><failure message="x"/></testcase>
 <testcase classname="tests.model.test_rsnn_model" name="test_leak"/>
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
    assert "FAIL" in text and "verif.rsnn.test_rsnn_lif::test_lif[verilator]" in text


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
