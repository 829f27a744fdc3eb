"""The signoff report (spikedv/report): built from a small results folder made here (a
JUnit file with passing, failing and long-skipped RTL and Python tests, run folders with
seeds, a Verilator coverage.dat on real RTL files, functional coverage, a waiver, and
side results for synthesis, formal, mutation and the benchmarks), its JSON checked
against the documented schema, its page rendered in headless Chromium (no console error,
every local link resolves, every plot loads, the verdict shown is signoff.json's) with a
screenshot saved, and the ``spikedv report`` and ``spikedv regress`` ends that produce
it. A long test runs a real one-block regression through ``spikedv regress``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spikedv.report import SCHEMA_FILE, build
from spikedv.report import run as report_run
from spikedv.report.browser import available, check_page, verdict_mismatches
from spikedv.report.testplan import PLANS, TESTPLAN_DIR
from spikedv.results import JUNIT, RUNS, write_meta

ROOT = Path(__file__).resolve().parent.parent
SEED = 4242
REPLAY = ("python -m pytest 'verif/rsnn/test_rsnn_pe_set.py::test_rsnn_pe_set[verilator-12]'"
          f" --seed {SEED}")


def _case(classname, name, inner="", time=1.0):
    return f'<testcase classname="{classname}" name="{name}" time="{time}">{inner}</testcase>'


def _junit() -> str:
    message = (f"SimulationFailed: rsnn_pe_set on verilator: 1 of 1 cocotb tests failed "
               f"(seed {SEED})&#10;log: sim.log&#10;replay: {REPLAY}".replace("'", "&apos;"))
    cases = [
        _case("verif.rsnn.test_rsnn_lif", "test_rsnn_lif[icarus]"),
        _case("verif.rsnn.test_rsnn_lif", "test_rsnn_lif[verilator]"),
        _case("verif.rsnn.test_rsnn_pe_set", "test_rsnn_pe_set[icarus-12]"),
        _case("verif.rsnn.test_rsnn_pe_set", "test_rsnn_pe_set[verilator-12]",
              f'<failure message="{message}">MISMATCH pe_set lane 3</failure>'),
        _case("verif.rsnn.test_rsnn_accel", "test_rsnn_accel_full_bus_load[verilator]",
              '<skipped type="pytest.skip" message="long regression: run with --long"/>'),
        _case("verif.qclif.test_qclif_mult", "test_qclif_mult[icarus]"),
        _case("verif.qclif.test_qclif_mult", "test_qclif_mult[verilator]"),
        _case("tests.model.test_rsnn_model", "test_leak_of_negative_membrane_floors", time=0.01),
        _case("tests.test_lint", "test_rtl_exists", time=0.01),
    ]
    return ('<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="pytest">'
            + "".join(cases) + "</testsuite></testsuites>\n")


def _point(file: Path, line: int, kind: str, name: str, count: int, inst: str) -> str:
    fields = {"f": str(file), "l": line, "n": 4, "t": kind, "page": f"v_{kind}/{inst}",
              "o": name, "h": inst}
    return "C '" + "".join(f"\x01{k}\x02{v}" for k, v in fields.items()) + f"' {count}\n"


def _coverage_dat(points) -> str:
    return "# SystemC::Coverage-3\n" + "".join(_point(*p) for p in points)


LIF = ROOT / "rtl" / "rsnn" / "rsnn_lif.v"
MULT = ROOT / "rtl" / "qclif" / "qclif_mult.v"
LIF_POINTS = [(LIF, 10, "line", "block", 9, "rsnn_lif"), (LIF, 12, "line", "block", 0, "rsnn_lif"),
              (LIF, 14, "branch", "if", 5, "rsnn_lif"), (LIF, 14, "branch", "else", 3, "rsnn_lif"),
              (LIF, 5, "toggle", "clk:0->1", 9, "rsnn_lif"), (LIF, 5, "toggle", "clk:1->0", 9, "rsnn_lif"),
              (LIF, 6, "toggle", "b[2]:0->1", 0, "rsnn_lif"), (LIF, 6, "toggle", "b[2]:1->0", 0, "rsnn_lif")]
MULT_POINTS = [(MULT, 8, "line", "block", 4, "qclif_mult"),
               (MULT, 3, "toggle", "a[0]:0->1", 1, "qclif_mult"),
               (MULT, 3, "toggle", "a[0]:1->0", 0, "qclif_mult")]

FCOV = """\
rsnn.frame.T:
  at_least: 1
  bins:_hits:
    1: 3
    2: 0
  cover_percentage: 50.0
  coverage: 1
  size: 2
  type: <class 'cocotb_coverage.coverage.CoverPoint'>
  weight: 1
rsnn.frame.stalls:
  at_least: 1
  bins:_hits:
    none: 2
    random: 1
    worst: 0
  cover_percentage: 66.67
  coverage: 2
  size: 3
  type: <class 'cocotb_coverage.coverage.CoverPoint'>
  weight: 1
"""


def _run_folder(results: Path, name: str, sim: str, seed: int, dat=None, fcov=None) -> None:
    run = results / RUNS / name
    run.mkdir(parents=True)
    (run / "settings.json").write_text(json.dumps(
        {"context": {"simulator": sim, "seed": seed, "long": False, "run_dir": str(run)},
         "type": None, "settings": {}}))
    (run / "sim.log").write_text(f"seed {seed}\n")
    if dat:
        (run / "coverage.dat").write_text(_coverage_dat(dat))
    if fcov:
        (run / "fcov.yml").write_text(fcov)


def make_results(folder: Path) -> Path:
    """A small results folder as `spikedv regress` leaves it."""
    (folder / RUNS).mkdir(parents=True)
    (folder / JUNIT).write_text(_junit())
    _run_folder(folder, "verif_rsnn_test_rsnn_lif.py_test_rsnn_lif_verilator-verilator",
                "verilator", 101, LIF_POINTS, FCOV)
    _run_folder(folder, "verif_rsnn_test_rsnn_lif.py_test_rsnn_lif_icarus-icarus", "icarus", 102)
    _run_folder(folder, "verif_rsnn_test_rsnn_pe_set.py_test_rsnn_pe_set_verilator-12-verilator",
                "verilator", SEED)
    _run_folder(folder, "verif_qclif_test_qclif_mult.py_test_qclif_mult_verilator-verilator",
                "verilator", 103, MULT_POINTS)
    write_meta(folder, command="python -m pytest -q (fixture of tests/test_signoff_report.py)",
               wall_s=12.5, exit_status=1)
    return folder


def make_side(folder: Path) -> Path:
    """Side results shaped as spikedv synth, formal, mutate and the benches write them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "synth.json").write_text(json.dumps({"ok": True, "wall_s": 3.0, "modules": {
        "rsnn_lif": {"ok": True, "cells_total": 410, "ff_bits": 0, "memories": {"count": 0,
                     "bits": 0}, "sram_bits": 0, "nand2": 623, "seconds": 1.2, "problems": []},
        "qclif_mult": {"ok": True, "cells_total": 350, "ff_bits": 0, "sram_bits": 0,
                       "nand2": 809, "seconds": 0.9, "cached": True, "problems": []}}}))
    (folder / "formal.json").write_text(json.dumps({"proofs": [
        {"name": "rsnn_lif_formula", "module": "rsnn_lif", "method": "prove", "depth": None,
         "status": "PASS", "seconds": 2.5}]}))
    (folder / "mutation.json").write_text(json.dumps({"modules": [
        {"module": "rsnn_lif", "killed": 30, "survived": 1, "equivalent": 1}]}))
    phases = {f"cyc_{p}": {"mean": m, "min": m, "max": m}
              for p, m in (("in", 114.0), ("l0", 131.0), ("l1", 259.0), ("fc", 441.0))}
    phases["cyc_total"] = {"mean": 945.0, "min": 855.0, "max": 1029.0}
    fig = {"schedule": "paper", "frames": 20, "registers": {"T": 2},
           "sparsity": {"l0": 0.65, "l1": 0.66}, "cycles": phases,
           "cyc_fc_unmerged": {"mean": 774.0, "min": 700.0, "max": 800.0},
           "mac_per_s_dense": 5.9e7, "mac_per_s_effective": 1.35e7, "cycles_per_s_at_fps": 94500.0}
    (folder / "bench_rsnn.json").write_text(json.dumps({
        "inputs": "fixture", "paper": {"cycles_single_step": 574, "fc_cycles_unmerged": 1224,
                                       "fc_cycles_merged": 895, "mmac_per_s": 13.86},
        "model": {"T2": fig, "T1": {**fig, "registers": {"T": 1}}}}))
    (folder / "bench_qclif.json").write_text(json.dumps({
        "n": 200, "synapses": 82200, "bin_us": 25000.0, "bins": 60, "samples": 11, "np": 20,
        "correct": 11, "paper": {"clock_mhz": 100, "neurons": 200, "synapses": 82200},
        "cycles_vs_np": [{"np": n, "passes": 200 // n, "cycles_per_bin": 200 // n + 2,
                          "cycles_per_sample": 60 * (200 // n + 2) + 1,
                          "us_per_bin_at_100mhz": (200 // n + 2) / 100,
                          "realtime_margin": 25000 / ((200 // n + 2) / 100)}
                         for n in (1, 2, 20, 200)],
        "activity": {"synops_per_bin": {"mean": 13595.3, "min": 1044, "max": 21115}}}))
    return folder


def make_plans(folder: Path) -> Path:
    """The real testplans, with a waiver on the fixture's coverage."""
    shutil.copytree(TESTPLAN_DIR, folder)
    (folder / "waivers_rsnn.hjson").write_text(json.dumps({"design": "rsnn", "waivers": [
        {"kind": "toggle", "file": "rtl/rsnn/rsnn_lif.v", "line": 6, "name": "b[2]:*",
         "reason": "b is at most 7: bit 2 of the fixture's b never toggles", "who": "fixture",
         "when": "2025-06-01"}]}, indent=1))
    return folder


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("signoff")
    results = make_results(base / "results")
    side = make_side(base / "reports")
    plans = make_plans(base / "testplan")
    out = build([results], base / "reports", quiet=True, side_dir=side, plans_dir=plans)
    signoff = json.loads((base / "reports" / "signoff.json").read_text())
    return {"base": base, "results": results, "out": base / "reports", "plans": plans,
            "result": out, "signoff": signoff}


def test_report_writes_its_files(report):
    out = report["out"]
    for name in ("index.html", "signoff.json", "junit.xml", "regression.md",
                 "regression.json", "coverage/coverage.dat", "coverage/html/index.html"):
        assert (out / name).is_file(), name


def test_signoff_json_follows_the_documented_schema(report):
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(report["signoff"], schema)
    doc = (ROOT / "docs" / "signoff.md").read_text()
    for key in schema["required"]:             # every top-level key is documented
        assert f"`{key}`" in doc, key


def test_signoff_figures(report):
    s = report["signoff"]
    assert s["tests"]["totals"] == {"passed": 7, "failed": 1, "skipped": 0, "not run": 1}
    (fail,) = s["tests"]["failures"]
    assert fail["replay"] == REPLAY and fail["seeds"] == [SEED] and fail["logs"]
    lif = {c["id"]: c for c in s["tests"]["cases"]}["verif/rsnn/test_rsnn_lif.py::test_rsnn_lif[verilator]"]
    assert lif["seeds"] == [101]
    points = {tp["name"]: tp for tp in s["testplans"]["rsnn"]["testpoints"]}
    assert points["lif"]["status"] == "passing"
    assert points["pe_set"]["status"] == "failing"
    assert points["pe_set"]["failing"][0]["replay"] == REPLAY
    assert points["weight_memories_bus"]["status"] == "not run"
    assert points["network_bit_exact"]["covergroup_status"] == {
        "rsnn.l0.density": None, "rsnn.l1.density": None, "rsnn.out.pred_octet": None,
        "rsnn.l0.membrane_floor": None}
    assert points["time_steps"]["covergroup_status"]["rsnn.frame.T"] == 50.0
    rsnn = s["coverage"]["designs"]["rsnn"]
    assert rsnn["code"]["toggle"]["raw"] == {"hit": 2, "total": 4, "percent": 50.0}
    assert rsnn["code"]["toggle"]["percent"] == 100.0          # after the waiver
    (waiver,) = s["waivers"]["rsnn"]
    assert (waiver["points"], waiver["before"], waiver["after"]) == (2, 50.0, 100.0)
    assert "rtl/rsnn/rsnn_accel.v" in rsnn["files_missing"]
    lif_row = {m["file"]: m for m in s["coverage"]["modules"]}["rtl/rsnn/rsnn_lif.v"]
    assert lif_row["html"] and (report["out"] / lif_row["html"]).is_file()
    # nothing is signed off on this: every plan's verdict is "no stage met", with reasons
    for name in ("rsnn", "qclif"):
        v = s["verdict"][name]
        assert v["stage"] is None and v["design"] and not v["stages"]["V1"]["met"]
        assert any(r.startswith("testpoint ") for r in v["stages"]["V1"]["reasons"])
    assert "testpoint pe_set: failing" in s["verdict"]["rsnn"]["stages"]["V1"]["reasons"]
    assert s["synthesis"]["status"] == "clean"
    assert s["synthesis"]["designs"]["rsnn"]["status"] == "incomplete"
    assert s["formal"]["designs"]["rsnn"] == {"status": "passed", "proofs": 1, "failed": []}
    assert s["mutation"]["designs"]["rsnn"]["score"] == 100.0
    assert s["performance"]["rsnn"]["status"] == "run"
    assert {p["name"] for p in s["plots"]} == {"cycles", "sparsity", "coverage", "accuracy"}
    assert s["accuracy"]["qclif"]["samples"] == 11


def test_page_in_headless_chromium(report):
    why = available()
    if why:
        pytest.skip(why)
    shot = report["base"] / "index.png"
    found = check_page(report["out"] / "index.html", shot)
    assert found["problems"] == []
    assert not found["console"]
    assert len(found["images"]) == 4 and all(i["w"] > 0 for i in found["images"])
    local = [h for h in found["links"] if h.startswith("file:") and "#" not in h]
    assert any("coverage/html/" in h for h in local) and any(h.endswith("sim.log") for h in local)
    assert verdict_mismatches(found, report["signoff"]) == []
    assert {(v["plan"], v["stage"]) for v in found["verdicts"]} == \
        {(p, s) for p in PLANS for s in ("V1", "V2", "V3")}
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_verdict_mismatch_is_found(report):
    found = {"verdicts": [{"plan": "rsnn", "stage": "V1", "text": "met"}], "highest": []}
    problems = verdict_mismatches(found, report["signoff"])
    assert "rsnn V1: page shows 'met', signoff.json says 'not met'" in problems


def test_report_command_rebuilds_from_the_results(report, tmp_path, capsys):
    from spikedv.report import add_arguments

    p = argparse.ArgumentParser()
    add_arguments(p)
    out = tmp_path / "again"
    args = p.parse_args([str(report["results"]), "--out", str(out),
                         "--side", str(report["out"])])
    args.quiet = True
    assert report_run(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2].startswith(f"report: {out / 'index.html'}") and lines[-1].startswith("verdict: ")
    again = json.loads((out / "signoff.json").read_text())
    for key in ("totals", "files", "cases"):
        assert again["tests"][key] == report["signoff"]["tests"][key]
    assert [f["replay"] for f in again["tests"]["failures"]] == [REPLAY]
    # the plans differ (no fixture waiver here), so compare what does not depend on them
    assert again["verdict"]["rsnn"]["stage"] is None
    assert again["synthesis"] == report["signoff"]["synthesis"]


def test_regress_ends_with_the_report_and_the_verdict(report, tmp_path, monkeypatch, capsys):
    from spikedv import regress

    def fake_pytest(results, *args, **kwargs):
        shutil.copytree(report["results"], results)
        return 1

    monkeypatch.setattr(regress, "run_pytest", fake_pytest)
    reports = tmp_path / "reports"
    status = regress.main(results=tmp_path / "results", reports=reports,
                          steps=regress.Steps(synth=False, formal=False, bench=False,
                                              screenshot=False))
    assert status == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2].startswith(f"report: {reports / 'index.html'}")
    assert lines[-1].startswith("verdict: common: no stage met")
    assert "rsnn: no stage met" in lines[-1] and (reports / "signoff.json").is_file()


@pytest.mark.long
def test_a_real_regression_writes_the_report(tmp_path):
    """One block's test on Verilator with coverage through `spikedv regress`."""
    results, reports = tmp_path / "results", tmp_path / "reports"
    proc = subprocess.run(
        [sys.executable, "-m", "spikedv.cli", "regress", "--short", "--jobs", "1",
         "--no-synth", "--no-formal", "--no-bench", "--results", str(results),
         "--reports", str(reports), "--", "--sim", "verilator",
         "verif/rsnn/test_rsnn_input_scale.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    last = proc.stdout.strip().splitlines()[-2:]
    assert last[0].startswith(f"report: {reports / 'index.html'}") and last[1].startswith("verdict:")
    s = json.loads((reports / "signoff.json").read_text())
    assert s["tests"]["totals"]["passed"] == 1 and s["coverage"]["measured"]
    tp = {t["name"]: t for t in s["testplans"]["rsnn"]["testpoints"]}["input_scale"]
    assert tp["status"] == "partial" and "not run on icarus" in tp["notes"]
    assert s["coverage"]["designs"]["rsnn"]["code"]["toggle"]["total"] > 0
    assert s["verdict"]["rsnn"]["stage"] is None
    if available() is None:
        assert (reports / "index.png").is_file()


# ---- formal.json and mutation.json as their commands write them -----------------------

def _formal_json(folder: Path, monkeypatch) -> Path:
    """formal.json written by `spikedv formal` itself: one real fast proof (its work
    folder under tmp, not sim_build/formal), plus a copy of its row turned into a failure
    of another block, shaped as run_proof reports a counterexample."""
    import shutil as _shutil

    from spikedv import cli

    if any(_shutil.which(t) is None for t in ("yosys", "yosys-abc", "yosys-smtbmc", "z3")):
        pytest.skip("yosys, yosys-abc, yosys-smtbmc or z3 missing (scripts/setup.sh)")
    monkeypatch.setenv("SPIKEDV_SIM_BUILD", str(folder / "sim_build"))
    out = folder / "formal.json"
    assert cli.main(["formal", "strobe_merge.formula", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    (row,) = data["proofs"]
    assert row["result"] == "proved" and row["block"] == "strobe_merge"
    failed = {**row, "name": "qclif_mult.formula", "block": "qclif_mult", "result": "FAILED",
              "depth": 3, "detail": "counterexample in frame 3: d_ok",
              "counterexample": ["d_ok"]}
    data["proofs"].append(failed)
    out.write_text(json.dumps(data, indent=2))
    return out


MUTATION = {   # the form of spikedv mutate's mutation.json
    "modules": [
        {"name": "rsnn_lif", "mutants": 52, "killed": 50, "survived": 2, "equivalent": 1,
         "non_equivalent": 51, "score": 98.04},
        {"name": "qclif_mult", "mutants": 40, "killed": 30, "survived": 10, "equivalent": 0,
         "non_equivalent": 40, "score": 75.0}],
    "designs": {"rsnn": {"mutants": 52, "killed": 50, "survived": 2, "equivalent": 1,
                         "non_equivalent": 51, "score": 98.04},
                "qclif": {"mutants": 40, "killed": 30, "survived": 10, "equivalent": 0,
                          "non_equivalent": 40, "score": 75.0}},
    "survivors": [{"module": "rsnn_lif", "line": 31, "mutant": "'>=' -> '>'",
                   "status": "survived"}]}


def test_formal_and_mutation_files_of_their_commands(tmp_path, monkeypatch):
    """The report reads formal.json as spikedv/formal.py writes it (result, block,
    method, depth, detail, counterexample) and mutation.json in spikedv mutate's form,
    maps proofs and mutants onto the designs' modules, and shows both on the page."""
    import jsonschema

    side = tmp_path / "reports"
    side.mkdir()
    _formal_json(side, monkeypatch)
    (side / "mutation.json").write_text(json.dumps(MUTATION))
    results = make_results(tmp_path / "results")
    build([results], side, quiet=True, side_dir=side)
    s = json.loads((side / "signoff.json").read_text())
    jsonschema.validate(s, json.loads(SCHEMA_FILE.read_text()))
    fo = s["formal"]
    assert fo["status"] == "failed"
    proofs = {p["name"]: p for p in fo["proofs"]}
    ok, bad = proofs["strobe_merge.formula"], proofs["qclif_mult.formula"]
    assert (ok["module"], ok["method"], ok["passed"], ok["depth_text"]) == \
        ("strobe_merge", "prove", True, "unbounded")
    assert (bad["module"], bad["passed"], bad["depth_text"], bad["counterexample"]) == \
        ("qclif_mult", False, "cex at 3", ["d_ok"])
    # strobe_merge is in both designs' RTL (.f lists); qclif_mult in qclif's only
    assert fo["designs"]["rsnn"] == {"status": "passed", "proofs": 1, "failed": []}
    assert fo["designs"]["qclif"] == {"status": "failed", "proofs": 2,
                                      "failed": ["qclif_mult.formula"]}
    mu = s["mutation"]
    assert mu["designs"]["rsnn"]["score"] == pytest.approx(50 / 51 * 100)
    assert mu["designs"]["qclif"]["score"] == 75.0
    assert {m["module"]: m["mutants"] for m in mu["modules"]} == {"rsnn_lif": 52,
                                                                  "qclif_mult": 40}
    assert mu["survivors"][0]["mutant"] == "'>=' -> '>'"
    v3 = s["verdict"]["qclif"]["stages"]["V3"]["reasons"]
    assert "formal failed: qclif_mult.formula" in v3 and "mutation score 75.0% < 98%" in v3
    rsnn_v3 = s["verdict"]["rsnn"]["stages"]["V3"]["reasons"]
    assert not any(r.startswith(("formal", "mutation")) for r in rsnn_v3)
    page = (side / "index.html").read_text()
    assert "strobe_merge.formula" in page and "unbounded" in page and "cex at 3" in page
    assert "&#39;&gt;=&#39; -&gt; &#39;&gt;&#39;" in page     # the survivor, escaped
