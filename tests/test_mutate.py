"""spikedv mutate (spikedv/mutate.py, docs/mutation.md): the source override of
verif/sources.py, mutant listing and description, the report's shape (as the signoff report
reads it), and one small campaign on qclif_threshold (exhaustively tested, 8-bit): a
yosys mutant and a known-bad hand-written mutant are killed, a hand-written equivalent
mutant is proven equivalent by the miter, and a rerun reuses every finished mutant."""
from __future__ import annotations

import json
import shutil

import pytest

from model.errors import InputError
from spikedv import mutate
from spikedv.report import side
from verif.sources import PROJECT_ROOT, SOURCE_OVERRIDE_ENV, sources

needs_yosys = pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
THRESHOLD = PROJECT_ROOT / "rtl/qclif/qclif_threshold.v"


def test_source_override(monkeypatch, tmp_path):
    mutant = tmp_path / "lif.v"
    mutant.write_text("module rsnn_lif; endmodule\n")
    original = sources("rsnn_lif")
    monkeypatch.setenv(SOURCE_OVERRIDE_ENV, f"rsnn_lif={mutant}")
    got = sources("rsnn_lif")
    assert got[0] == mutant.resolve() and got[1:] == original[1:]
    assert sources("rsnn_sat") == [PROJECT_ROOT / "rtl/rsnn/rsnn_sat.v"]   # not defined there
    monkeypatch.setenv(SOURCE_OVERRIDE_ENV, "rsnn_lif")
    with pytest.raises(InputError, match="module=/path"):
        sources("rsnn_lif")


def test_source_candidates_and_yosys_description():
    cands = mutate.source_candidates(THRESHOLD)
    assert [(c["old"], c["new"], c["line"]) for c in cands] == [(">=", ">", 8), ("-", "+", 9)]
    line = ("mutate -mode inv -module rsnn_lif -cell $add$/x/rtl/rsnn/rsnn_lif.v:29$438 "
            "-port A -portbit 6 -wire lane[87].leaked -wirebit 6 "
            "-src /x/rtl/rsnn/rsnn_lif.v:28.40-28.46 -src /x/rtl/rsnn/rsnn_lif.v:29.49-30.71")
    file, number, desc = mutate.describe_yosys(line)
    assert (file.endswith("rsnn_lif.v"), number) == (True, 29)
    assert desc.startswith("inv: bit 6 of port A of $add cell inverted")
    assert all(m in mutate.BLOCKS for m in mutate.DATAPATH)
    for block in mutate.BLOCKS.values():
        for test in block.tests:
            assert (PROJECT_ROOT / test.split("::")[0]).is_file(), test


def _result(name, status, module="qclif_threshold"):
    return {"name": name, "module": module, "status": status, "file": "rtl/x.v", "line": 3,
            "mutation": "inv", "reason": "r", "command": "mutate ...", "tests": ["t.py"]}


def test_report_shape_and_signoff_reading(tmp_path):
    results = {"qclif_threshold": [_result("control", "pass"), _result("a", "killed"),
                                   _result("b", "killed"), _result("c", "equivalent"),
                                   _result("d", "survived")],
               "rsnn_lif": [_result("e", "killed", "rsnn_lif")]}
    previous = {"modules": [{"name": "qclif_soma", "design": "qclif", "mutants": 2,
                             "killed": 2, "survived": 0, "equivalent": 0,
                             "non_equivalent": 2, "score": 100.0}],
                "survivors": [{"module": "qclif_threshold", "file": "old"}]}
    data = mutate.report(results, seed=3, wall_s=1.0, previous=previous)
    assert set(data) >= {"modules", "designs", "survivors", "total", "seed", "wall_s"}
    th = next(e for e in data["modules"] if e["name"] == "qclif_threshold")
    assert {k: th[k] for k in ("mutants", "killed", "survived", "equivalent",
                               "non_equivalent", "score")} == {
        "mutants": 4, "killed": 2, "survived": 2, "equivalent": 1, "non_equivalent": 3,
        "score": 66.67}
    assert [e["name"] for e in data["modules"]] == ["qclif_soma", "qclif_threshold", "rsnn_lif"]
    assert data["designs"]["qclif"]["killed"] == 4 and data["designs"]["qclif"]["non_equivalent"] == 5
    assert data["survivors"] == [{"module": "qclif_threshold", "file": "rtl/x.v", "line": 3,
                                  "mutation": "inv", "reason": "r", "mutant": "d",
                                  "command": "mutate ..."}]
    assert data["total"]["score"] == round(100 * 5 / 6, 2)
    (tmp_path / "mutation.json").write_text(json.dumps(data))
    read = side.mutation(tmp_path, {"rsnn": {"rsnn_lif"}, "qclif": {"qclif_threshold"}})
    assert read["designs"]["rsnn"]["score"] == 100.0
    assert read["designs"]["qclif"]["score"] == pytest.approx(80.0)
    assert {m["module"]: m["score"] for m in read["modules"]}["qclif_threshold"] == \
        pytest.approx(200 / 3)


@needs_yosys
def test_campaign_kills_proves_equivalence_and_resumes(tmp_path):
    """~1-2 minutes: four Verilator builds of qclif_threshold (control, one yosys mutant,
    two hand-written mutants), two at a time."""
    text = THRESHOLD.read_text()
    bad = tmp_path / "bad.v"
    bad.write_text(text.replace("(v >= theta)", "(v > theta)"))
    equivalent = tmp_path / "equivalent.v"
    equivalent.write_text(text.replace("v - theta", "v + ~theta + 8'd1"))
    assert bad.read_text() != text and equivalent.read_text() != text
    work = tmp_path / "work"
    tests = mutate.BLOCKS["qclif_threshold"].tests
    hand = [mutate.Mutant(name, "qclif_threshold", "source", f"hand {name}",
                          "rtl/qclif/qclif_threshold.v", 8, name) for name in ("bad", "equivalent")]

    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:
        campaign = pool.submit(mutate.campaign, ["qclif_threshold"], sample=1, seed=1,
                               jobs=1, root=work, log=None)
        for m, f in zip(hand, (bad, equivalent)):
            pool.submit(mutate.run_mutant, m, work / "hand", tests, mutant_file=f).result()
        results = campaign.result()
    counts = results.pop("_counts")
    assert counts == {"run": 2, "reused": 0}
    rs = results["qclif_threshold"]
    assert [r["name"] for r in rs][0] == "control" and rs[0]["status"] == "pass", rs[0]
    assert rs[1]["status"] == "killed" and rs[1]["line"] in (8, 9), rs[1]
    bad_r = json.loads((work / "hand/bad/result.json").read_text())
    eq_r = json.loads((work / "hand/equivalent/result.json").read_text())
    assert bad_r["status"] == "killed" and "test failed" in bad_r["reason"], bad_r
    assert eq_r["status"] == "equivalent" and eq_r["equivalence"]["equivalent"] is True, eq_r
    assert not (work / "hand/bad/sim_build").exists()          # builds are removed

    again = mutate.campaign(["qclif_threshold"], sample=1, seed=1, jobs=1, root=work, log=None)
    assert again.pop("_counts") == {"run": 0, "reused": 2}
    assert [r["status"] for r in again["qclif_threshold"]] == [r["status"] for r in rs]


def test_unknown_module_is_a_one_line_error(capsys):
    from spikedv.cli import main

    assert main(["mutate", "no_such_block", "--list"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("spikedv: error: no mutation campaign for "
                                               "module no_such_block"), err
