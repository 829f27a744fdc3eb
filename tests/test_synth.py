"""The synthesis check (spikedv/synth.py, docs/synthesis.md): small blocks synthesize clean
with gates counted; deliberately bad modules fail with a line naming the module and the
signal (so a clean result is not vacuous); with --long every design module and both top
levels synthesize clean, with the SRAM bits of their black-box memories."""
from __future__ import annotations

import shutil

import pytest

from spikedv import synth

pytestmark = pytest.mark.skipif(shutil.which("yosys") is None,
                                reason="yosys not installed (apt-get install yosys)")

# Blocks that synthesize in seconds (the default suite); the rest run with --long.
FAST = ["rsnn_sat", "qclif_apical", "qclif_threshold", "axis_skid", "strobe_merge"]

# rows x width of every sram_sp instance (docs/rsnn_top.md, docs/qclif_network.md)
SRAM_BITS = {"rsnn_accel": 48 * 512 + 2 * 192 * 512 + 2 * 960 * 512,
             "qclif_network": 20 * (10 * 1600 + 10 * 1600 + 10 * 88)}


def _assert_clean(result: dict) -> None:
    assert result["ok"], "\n".join(result.get("problems", []))
    assert result["problems"] == []
    assert result["nand2"] > 0 and result["cells_total"] > 0
    assert not result["unweighted"], f"cell types without a weight: {result['unweighted']}"


@pytest.mark.parametrize("module", FAST)
def test_fast_block_is_clean(module):
    result = synth.synthesize(module)
    _assert_clean(result)
    assert result["sram_bits"] == 0


def test_cache_hit_is_instant(tmp_path):
    first = synth.synthesize("rsnn_sat", build_dir=tmp_path)
    second = synth.synthesize("rsnn_sat", build_dir=tmp_path)
    assert not first["cached"] and second["cached"]
    assert first["nand2"] == second["nand2"] and first["key"] == second["key"]


def test_sram_model_is_a_macro():
    result = synth.synthesize("sram_sp")
    assert result["ok"], result["problems"]
    assert result["macro"] and result["memories"] == {"count": 1, "bits": 48 * 512}
    assert result["sram_bits"] == 48 * 512


BAD = {
    "bad_latch": (("module bad_latch(input wire en, input wire d, output reg q);\n"
                  "  always @* if (en) q = d;\nendmodule\n"),
                  ["bad_latch: latch inferred for q"]),
    "bad_loop": (("module bad_loop(input wire a, input wire b, output wire y);\n"
                 "  wire l1, l2;\n  assign l1 = l2 ^ a;\n  assign l2 = l1 & b;\n"
                 "  assign y = l2;\nendmodule\n"),
                 ["bad_loop: combinational loop"]),
    "bad_drivers": (("module bad_drivers(input wire clk, input wire a, input wire b,\n"
                    "                   output reg q);\n"
                    "  always @(posedge clk) q <= a;\n  always @(posedge clk) q <= b;\n"
                    "endmodule\n"),
                    ["bad_drivers: multiple drivers on q"]),
    "bad_undriven": (("module bad_undriven(input wire a, output wire y);\n"
                     "  wire u;\n  assign y = a & u;\nendmodule\n"),
                     ["bad_undriven: wire u is used but has no driver"]),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_module_fails_naming_it(name, tmp_path):
    text, expected = BAD[name]
    src = tmp_path / f"{name}.v"
    src.write_text(text)
    result = synth.synthesize(name, files=[src], build_dir=tmp_path / "build")
    assert not result["ok"]
    for want in expected:
        assert any(p.startswith(want) for p in result["problems"]), result["problems"]


def test_bad_submodule_loop_across_boundary(tmp_path):
    """A loop closed through a submodule's ports is found (flattened check)."""
    src = tmp_path / "bad_top.v"
    src.write_text("module bad_inv(input wire a, output wire y);\n  assign y = ~a;\nendmodule\n"
                   "module bad_top(input wire b, output wire y);\n  wire w;\n"
                   "  bad_inv u (.a(w & b), .y(w));\n  assign y = w;\nendmodule\n")
    result = synth.synthesize("bad_top", files=[src], build_dir=tmp_path / "build")
    assert not result["ok"]
    assert any(p.startswith("bad_top: combinational loop") for p in result["problems"]), \
        result["problems"]


def test_weights_cover_the_gate_library():
    for cell in ("$_NOT_", "$_AND_", "$_NAND_", "$_OR_", "$_NOR_", "$_XOR_", "$_XNOR_",
                 "$_ANDNOT_", "$_ORNOT_", "$_MUX_"):
        assert synth.cell_weight(cell) > 0
    assert synth.cell_weight("$_NAND_") == 1.0
    assert synth.cell_weight("$_DFF_P_") == synth.FF_WEIGHT["dff"]
    assert synth.cell_weight("$_SDFFE_PN0P_") == pytest.approx(
        synth.FF_WEIGHT["dff"] + synth.FF_WEIGHT["enable"] + synth.FF_WEIGHT["sync"])
    assert synth.flop_kind("$_DFF_PN0_")["async"] == 1
    assert synth.flop_kind("$_DLATCH_P_")["latch"]
    assert synth.flop_kind("$_MUX_") is None


def test_design_modules_are_rtl_and_the_neuron():
    modules = synth.design_modules()
    assert {"rsnn_accel", "qclif_network", "qclif_neuron", "sram_sp"} <= set(modules)
    assert not {"rsnn_stream_harness", "stream_packet_capture"} & set(modules)


@pytest.mark.long
@pytest.mark.parametrize("module", [m for m in synth.design_modules() if m not in FAST])
def test_every_module_is_clean(module):
    result = synth.synthesize(module)
    if result.get("macro"):
        assert result["ok"], result["problems"]
        return
    _assert_clean(result)
    if module in SRAM_BITS:
        assert result["sram_bits"] == SRAM_BITS[module]
        assert result["ff_bits"] > 1000
