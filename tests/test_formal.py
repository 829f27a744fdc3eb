"""The formal proofs (spikedv/formal.py, formal/, docs/formal.md).

Every fast proof of the registry must hold (the default suite runs them, one test each);
the long ones (the 128-lane rsnn blocks, the 200-operand adder trees) run with --long.
The flow itself is checked the other way round: a wrong reference model in a harness, an
RTL block with a bug (a stand-in file) and a stream slice that loses beats must each give
a counterexample naming the assertion that fails.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from spikedv import formal

ROOT = Path(__file__).resolve().parent.parent
HOLDS = ("proved", "passed")

needs_tools = pytest.mark.skipif(
    shutil.which("yosys") is None or shutil.which("yosys-abc") is None,
    reason="yosys and yosys-abc not installed (scripts/setup.sh installs them)")


def _proof(name: str) -> formal.Proof:
    return next(p for p in formal.proofs() if p.name == name)


def test_registry_is_consistent():
    """Unique names; every harness, stand-in and checker exists; the parts of a
    compositional proof exist; bmc proofs state their depth."""
    proofs = formal.proofs()
    names = [p.name for p in proofs]
    assert len(names) == len(set(names)), "duplicate proof names"
    for p in proofs:
        for q in (p, *p.parts):
            assert (formal.FORMAL_ROOT / q.harness).is_file(), f"{q.name}: no {q.harness}"
            for s in q.stand_ins:
                assert (formal.FORMAL_ROOT / s).is_file(), f"{q.name}: no {s}"
            for c in q.checkers:
                assert formal.SVA[c].is_file(), f"{q.name}: no checker {c}"
            assert q.method in ("prove", "bmc") and (q.method != "bmc" or q.depth > 0), q.name
    assert {p.block for p in proofs} >= {
        "axis_skid", "strobe_merge", "axil_regs", "rsnn_lif", "rsnn_input_scale",
        "rsnn_current", "rsnn_pe_set", "qclif_apical", "qclif_mult", "qclif_soma",
        "qclif_threshold", "qclif_spike_weighting", "qclif_neuron_datapath"}


def test_select_by_block_name_and_glob():
    assert [p.name for p in formal.select(["strobe_merge"])] == ["strobe_merge.formula"]
    assert {p.block for p in formal.select(["qclif_*"], fast_only=True)} == {
        "qclif_apical", "qclif_mult", "qclif_soma", "qclif_threshold",
        "qclif_spike_weighting"}
    assert {p.block for p in formal.select(["qclif_*"])} >= {
        "qclif_neuron_datapath", "qclif_csa_tree"}
    assert all(p.fast for p in formal.select(None, fast_only=True))


@needs_tools
@pytest.mark.parametrize("name", [p.name for p in formal.proofs() if p.fast])
def test_fast_proof_holds(name):
    # through the answer cache (keyed by every input of the proof) that `spikedv formal`
    # and the main job's formal step read: a proof is run once per change of its inputs
    row = formal.run_proof(_proof(name), timeout_s=900, use_cache=True)
    assert row["result"] in HOLDS, f"{name}: {row['result']}: {row['detail']}"


@needs_tools
@pytest.mark.long
@pytest.mark.parametrize("name", [p.name for p in formal.proofs() if not p.fast])
def test_long_proof_holds(name):
    row = formal.run_proof(_proof(name), use_cache=True)
    assert row["result"] in HOLDS, f"{name}: {row['result']}: {row['detail']}"


# ---- the flow finds counterexamples ---------------------------------------------------
def _mutant(src: Path, dst: Path, old: str, new: str) -> Path:
    text = src.read_text()
    assert old in text, f"{src}: {old!r} not found (the mutation is stale)"
    dst.write_text(text.replace(old, new, 1))
    return dst


@needs_tools
def test_wrong_reference_gives_counterexample(tmp_path):
    """A harness whose reference clamps at 254 instead of 255: FV_V fails."""
    harness = _mutant(formal.FORMAL_ROOT / "qclif/qclif_soma_fv.sv", tmp_path / "soma_fv.sv",
                      "raw > 255 ? 255", "raw > 254 ? 254")
    proof = replace(_proof("qclif_soma.formula"), name="qclif_soma.wrong_reference",
                    harness=str(harness))
    row = formal.run_proof(proof, root=tmp_path / "work")
    assert row["result"] == "FAILED", row
    assert row["counterexample"] == ["FV_V"], row


@needs_tools
def test_rtl_bug_gives_counterexample(tmp_path):
    """strobe_merge with every byte following strobe 0 (a stand-in for the RTL file):
    the merged word fails, the written flag still holds."""
    mutant = _mutant(ROOT / "rtl/common/strobe_merge.v", tmp_path / "strobe_merge.v",
                     "strb[i] ? wdata", "strb[0] ? wdata")
    proof = replace(_proof("strobe_merge.formula"), name="strobe_merge.mutant",
                    stand_ins=(str(mutant),))
    row = formal.run_proof(proof, root=tmp_path / "work")
    assert row["result"] == "FAILED", row
    assert row["counterexample"] == ["FV_MERGED"], row


@needs_tools
def test_stream_slice_that_loses_beats_gives_counterexample(tmp_path):
    """axis_skid with TREADY always high (the skid register overwritten while full):
    beats are lost, and the proof says where."""
    mutant = _mutant(ROOT / "rtl/common/axis_skid.v", tmp_path / "axis_skid.v",
                     "assign s_axis_tready = !skid_valid;", "assign s_axis_tready = 1'b1;")
    proof = replace(_proof("axis_skid.stream"), name="axis_skid.mutant",
                    stand_ins=(str(mutant),), parameters=(("DATA_W", 4), ("USER_W", 1)))
    row = formal.run_proof(proof, root=tmp_path / "work")
    assert row["result"] == "FAILED", row
    assert row["counterexample"], row
    assert set(row["counterexample"]) <= {"FV_ORDER", "FV_COUNT", "FV_READY"}, row


@needs_tools
def test_answers_are_cached_by_content(tmp_path):
    """A definite answer is reused while the proof's inputs are unchanged; a changed RTL
    file (here a stand-in with a bug) is a new key and is proved afresh."""
    proof = _proof("strobe_merge.formula")
    first = formal.run_proof(proof, root=tmp_path / "work", use_cache=True)
    again = formal.run_proof(proof, root=tmp_path / "work", use_cache=True)
    assert (first["result"], first["cached"]) == ("proved", False)
    assert (again["result"], again["cached"]) == ("proved", True)
    assert again["seconds"] == first["seconds"]
    mutant = _mutant(ROOT / "rtl/common/strobe_merge.v", tmp_path / "strobe_merge.v",
                     "strb[i] ? wdata", "strb[0] ? wdata")
    changed = replace(proof, stand_ins=(str(mutant),))
    assert formal.cache_key(changed) != formal.cache_key(proof)
    row = formal.run_proof(changed, root=tmp_path / "work", use_cache=True)
    assert (row["result"], row["cached"]) == ("FAILED", False)


@needs_tools
def test_command_line_runs_and_reports(tmp_path):
    """``spikedv formal strobe_merge --out FILE``: one line per proof and a JSON report
    with method, depth and time; ``--list`` names every proof."""
    out = tmp_path / "formal.json"
    proc = subprocess.run([sys.executable, "-m", "spikedv.cli", "formal", "strobe_merge",
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "strobe_merge.formula" in proc.stdout and "proved" in proc.stdout
    rows = json.loads(out.read_text())["proofs"]
    assert [(r["name"], r["method"], r["result"]) for r in rows] == [
        ("strobe_merge.formula", "prove", "proved")]
    assert rows[0]["seconds"] >= 0
    listed = subprocess.run([sys.executable, "-m", "spikedv.cli", "formal", "--list"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0
    for p in formal.proofs():
        assert p.name in listed.stdout


def test_unknown_block_is_one_line_error():
    proc = subprocess.run([sys.executable, "-m", "spikedv.cli", "formal", "no_such_block"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "no proof matches no_such_block" in lines[0], proc.stderr


def test_testplan_links_name_real_proofs_and_assertions():
    """The ``proofs`` and ``assertions`` of verif/testplan/*.hjson name proofs of the
    registry and assertions (or checker modules) of rtl/*/sva/; every proof and every
    assertion is linked from some testpoint."""
    from spikedv.assertions import catalog
    from spikedv.report.testplan import every_testpoint, load_all

    proof_names = {p.name for p in formal.proofs()}
    rows = catalog()
    assertion_names = {r["name"] for r in rows} | {r["checker"] for r in rows}
    linked_proofs, linked_assertions = set(), set()
    bad = []
    for tp in every_testpoint(load_all()):
        bad += [f"{tp.plan}.{tp.name}: proof {p}" for p in tp.proofs if p not in proof_names]
        bad += [f"{tp.plan}.{tp.name}: assertion {a}" for a in tp.assertions
                if a not in assertion_names]
        linked_proofs.update(tp.proofs)
        linked_assertions.update(tp.assertions)
    assert not bad, "unknown names in the testplans:\n" + "\n".join(bad)
    assert proof_names <= linked_proofs, proof_names - linked_proofs
    unlinked = {r["name"] for r in rows} - linked_assertions
    assert not unlinked, f"assertions in no testpoint: {sorted(unlinked)}"
