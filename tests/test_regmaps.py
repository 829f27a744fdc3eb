"""Register maps as data (regs/*.hjson, regs/regtool.py, model/regmap): the generated
files equal a fresh generation, the schema checks reject bad maps (naming the place), the
register RTL has no bare address literal, and the model, the TBs, the coverage and the
bare driver use the names the maps define. No simulator."""
from __future__ import annotations

import argparse
import copy
import json
import re
from pathlib import Path

import hjson
import pytest

from model import qclif, rsnn
from model.errors import InputError
from model.regmap import QCLIF, RSNN, RegisterMap, regmap
from model.rsnn_schedule import COUNTER_NAMES
from regs import regtool

REPO = Path(__file__).resolve().parent.parent
REG_RTL = {"rsnn": ["rtl/rsnn/rsnn_regs.v", "rtl/rsnn/rsnn_reg_view.v"],
           "qclif": ["rtl/qclif/qclif_regs.v", "rtl/qclif/qclif_reg_view.v"]}


# ---- generated files ----------------------------------------------------------------
def test_generated_files_equal_a_fresh_generation():
    stale = [str(p.relative_to(REPO)) for p in regtool.stale()]
    assert not stale, f"run `spikedv regs --write`: {stale} differ from regs/*.hjson"


@pytest.mark.parametrize("design", regtool.DESIGNS)
def test_every_output_has_the_header(design):
    for kind, rel in regtool.OUTPUTS[design].items():
        head = (REPO / rel).read_text().splitlines()[0]
        assert regtool.header_text(design) in head, rel


def test_check_names_a_differing_file_and_write_fixes_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(regtool, "ROOT", tmp_path)
    assert regtool.check(("qclif",)) == 1                 # nothing generated there yet
    regtool.write(("qclif",))
    assert regtool.check(("qclif",)) == 0
    vh = tmp_path / regtool.OUTPUTS["qclif"]["verilog"]
    vh.write_text(vh.read_text().replace("12'h010", "12'h014"))
    capsys.readouterr()
    assert regtool.check(("qclif",)) == 1
    assert "rtl/qclif/qclif_regmap.vh" in capsys.readouterr().out
    assert regtool.write(("qclif",)) == [vh]
    assert regtool.check(("qclif",)) == 0


def test_command_arguments(tmp_path, monkeypatch, capsys):
    parser = argparse.ArgumentParser()
    regtool.add_arguments(parser)
    args = parser.parse_args([])
    assert regtool.run(args) == 0
    assert "match" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parser.parse_args(["--check", "--write"])
    monkeypatch.setattr(regtool, "ROOT", tmp_path)
    assert regtool.run(parser.parse_args(["--design", "rsnn"])) == 1
    assert regtool.run(parser.parse_args(["--write", "--design", "rsnn"])) == 0
    assert regtool.run(parser.parse_args(["--check", "--design", "rsnn"])) == 0


# ---- schema checks --------------------------------------------------------------------
def _rsnn_doc() -> dict:
    return json.loads(json.dumps(hjson.loads((REPO / "regs/rsnn.hjson").read_text())))


def _reg(doc, name):
    for r in doc["registers"]:
        body = r.get("multireg") or r.get("window") or r
        if body["name"] == name:
            return body
    raise KeyError(name)


def _field(doc, reg, name):
    for f in _reg(doc, reg)["fields"]:
        if f.get("name", reg) == name:
            return f
    raise KeyError(name)


def _set(path):
    def mutate(doc):
        *keys, last = path
        obj = doc
        for k in keys:
            obj = k(obj) if callable(k) else obj[k]
        obj[last[0]] = last[1]
    return mutate


BAD_MAPS = [
    # (id, mutation, where, message)
    ("unknown register key", lambda d: _reg(d, "CTRL").update(hwaccess="hro"),
     "CTRL", "unknown key 'hwaccess'"),
    ("unknown field key", lambda d: _field(d, "CTRL", "ENABLE").update(hwqe="true"),
     "CTRL.ENABLE", "unknown key 'hwqe'"),
    ("unknown top-level key", lambda d: d.update(bus_device="tlul"),
     "top level", "unknown key 'bus_device'"),
    ("missing offset", lambda d: _reg(d, "STATUS").pop("offset"),
     "STATUS", "missing key 'offset'"),
    ("overlapping offsets", lambda d: _reg(d, "B0").update(offset="0x014"),
     "B0", "overlaps S_IN"),
    ("register overlapping a multireg", lambda d: _reg(d, "WMEM_SEL").update(offset="0x070"),
     "WMEM_SEL", "overlaps COUNTERS"),
    ("unaligned offset", lambda d: _reg(d, "FRAMES").update(offset="0x00E"),
     "FRAMES", "not word aligned"),
    ("offset beyond addr_width", lambda d: _reg(d, "WMEM_DATA").update(offset="0xFFF0"),
     "WMEM_DATA", "beyond addr_width 16"),
    ("field outside regwidth", lambda d: _field(d, "CTRL", "SPIKE_TAP").update(bits="32"),
     "CTRL.SPIKE_TAP", "outside regwidth 32"),
    ("overlapping fields", lambda d: _field(d, "CTRL", "SPIKE_TAP").update(bits="2:1"),
     "CTRL.SPIKE_TAP", "overlap field UTT_RESET"),
    ("malformed bits", lambda d: _field(d, "CTRL", "ENABLE").update(bits="a:b"),
     "CTRL.ENABLE", "is not 'msb:lsb'"),
    ("malformed number", lambda d: _reg(d, "FRAMES").update(offset="0x0G"),
     "FRAMES", "is not a number"),
    ("unknown access", lambda d: _reg(d, "FRAMES").update(swaccess="r0w1c"),
     "FRAMES", "swaccess 'r0w1c' unknown"),
    ("resval outside legal", lambda d: _field(d, "T", "T").update(resval="3"),
     "T.T", "resval 3 outside legal 1..2"),
    ("resval wider than the field", lambda d: _field(d, "CTRL", "ENABLE").update(resval="2"),
     "CTRL.ENABLE", "does not fit 1 bits"),
    ("readable field without resval", lambda d: _field(d, "CTRL", "ENABLE").pop("resval"),
     "CTRL.ENABLE", "needs a resval"),
    ("legal range wider than the field", lambda d: _field(d, "T", "T").update(legal=[1, 4]),
     "T.T", "does not fit 2 bits"),
    ("legal range upside down", lambda d: _field(d, "B0", "B0").update(legal=[7, 1]),
     "B0.B0", "lo above hi"),
    ("legal range without its ERR bit", lambda d: _field(d, "ERR", "B1").update(name="B2"),
     "B1.B1", "no ERR bit"),
    ("legal range without model", lambda d: _field(d, "B1", "B1").pop("model"),
     "B1.B1", "needs `model`"),
    ("duplicate register name", lambda d: _reg(d, "B1").update(name="B0"),
     "B0", "duplicate register name"),
    ("duplicate field name", lambda d: _field(d, "CTRL", "SPIKE_TAP").update(name="ENABLE"),
     "CTRL.ENABLE", "duplicate field name"),
    ("enum value wider than the field",
     lambda d: _field(d, "CTRL", "ENABLE").update(enum=[{"value": "2", "name": "two"}]),
     "CTRL.ENABLE.two", "does not fit 1 bits"),
    ("multireg names and count differ", lambda d: _reg(d, "COUNTERS").update(count="14"),
     "COUNTERS", "15 names for count 14"),
    ("generated names clash",
     lambda d: d["registers"].append({"name": "CTRL_ENABLE", "offset": "0x0F0",
                                      "swaccess": "rw", "fields": [{"bits": "0", "resval": 0}]}),
     "CTRL_ENABLE.CTRL_ENABLE", "generated identifier CTRL_ENABLE_LSB"),
]


@pytest.mark.parametrize("mutate, where, message", [b[1:] for b in BAD_MAPS],
                         ids=[b[0] for b in BAD_MAPS])
def test_schema_rejects_a_bad_map(tmp_path, mutate, where, message):
    doc = _rsnn_doc()
    mutate(doc)
    path = tmp_path / "rsnn.hjson"
    path.write_text(hjson.dumps(doc))
    with pytest.raises(InputError) as info:
        regtool.load(path)
    assert info.value.path == str(path)
    assert info.value.where == where, str(info.value)
    assert message in info.value.what, str(info.value)


def test_schema_rejects_an_unknown_parameter_as_reset(tmp_path):
    doc = json.loads(json.dumps(hjson.loads((REPO / "regs/qclif.hjson").read_text())))
    _field(doc, "N_NEURONS", "N_NEURONS")["resval"] = "M"
    path = tmp_path / "qclif.hjson"
    path.write_text(hjson.dumps(doc))
    with pytest.raises(InputError, match="not a number nor a parameter") as info:
        regtool.load(path)
    assert info.value.where == "N_NEURONS.N_NEURONS"


def test_hjson_syntax_error_and_duplicate_key_name_the_file(tmp_path):
    path = tmp_path / "bad.hjson"
    path.write_text('{\n  name: "x"\n  registers: [\n  {\n}\n')
    with pytest.raises(InputError) as info:
        regtool.load(path)
    assert info.value.path == str(path) and info.value.where.startswith("line ")
    path.write_text('{ name: "x", name: "y" }')
    with pytest.raises(InputError, match="duplicate key 'name'"):
        regtool.load(path)


def test_the_shipped_maps_pass_the_checks_unchanged(tmp_path):
    for design in regtool.DESIGNS:
        data = regtool.load(REPO / f"regs/{design}.hjson")
        assert RegisterMap.from_dict(data) == regmap(design)
    doc = _rsnn_doc()
    path = tmp_path / "rsnn.hjson"
    path.write_text(hjson.dumps(copy.deepcopy(doc)))
    assert RegisterMap.from_dict(regtool.load(path)) == RSNN


# ---- the RTL ------------------------------------------------------------------------
SIZED_HEX = re.compile(r"\d+\s*'\s*[hH]\s*[0-9a-fA-F_]+")
ADDR_COMPARE = re.compile(r"\b(addr|wa|reg_rd_addr|reg_wr_addr)\s*(==|!=|>=|<=|<|>)\s*\d")
CASE_LABEL = re.compile(r"^\s*\d+\s*'\s*[hHdDbB]\s*[0-9a-fA-F_]+\s*[,:]", re.M)


def _code(path: Path) -> str:
    text = path.read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


@pytest.mark.parametrize("rel", [f for files in REG_RTL.values() for f in files])
def test_register_rtl_has_no_bare_address_literal(rel):
    code = _code(REPO / rel)
    for pattern in (SIZED_HEX, ADDR_COMPARE, CASE_LABEL):
        hits = pattern.findall(code)
        assert not hits, f"{rel}: literal(s) {hits} where the register map's names belong"
    design = rel.split("/")[1]
    assert f'`include "{design}_regmap.vh"' in code, f"{rel} does not include its map"


def test_the_literal_check_catches_an_address():
    assert SIZED_HEX.search("case (addr) 16'h010: value = t;")
    assert ADDR_COMPARE.search("wire x = addr >= 16'd256;")
    assert CASE_LABEL.search("            12'h004: value = 0;")
    assert not SIZED_HEX.search("localparam x = T_ADDR; value = 32'd0;")


# ---- users of the maps --------------------------------------------------------------
def test_model_register_ranges_are_the_maps_legal_ranges():
    assert rsnn.REGISTER_RANGES == RSNN.legal_ranges()
    assert qclif.REGISTER_RANGES == QCLIF.legal_ranges()
    fresh = {d: RegisterMap.from_dict(regtool.load(REPO / f"regs/{d}.hjson")).legal_ranges()
             for d in regtool.DESIGNS}
    assert rsnn.REGISTER_RANGES == fresh["rsnn"]
    assert qclif.REGISTER_RANGES == fresh["qclif"]
    assert rsnn.REGISTER_RANGES == {"T": (1, 2), "s_in": (0, 7), "b0": (1, 7), "b1": (1, 7),
                                    "theta0": (1, 2047), "theta1": (1, 2047)}


@pytest.mark.parametrize("m, cls", [(RSNN, rsnn.RsnnConfig), (QCLIF, qclif.QclifRegs)])
def test_model_register_dataclass_defaults_are_the_reset_values(m, cls):
    defaults = cls()
    for reg in m.checked():
        assert getattr(defaults, reg.legal_field.model) == reg.legal_field.resval, reg.name


def test_rsnn_counter_words_are_the_schedule_counters():
    assert RSNN["COUNTERS"].names == tuple(COUNTER_NAMES)


@pytest.mark.parametrize("design", regtool.DESIGNS)
def test_err_bits_are_the_coverage_bins(design):
    fcov = pytest.importorskip(f"verif.{design}.{design}_fcov")
    assert set(regmap(design).err_bits()) == set(fcov.ERROR_BINS)


def test_bare_driver_uses_only_defined_names():
    header = (REPO / "spikedv/engines/rsnn_regs.h").read_text()
    defined = set(re.findall(r"#define\s+(RSNN_\w+)", header))
    used = set(re.findall(r"\bRSNN_\w+", (REPO / "spikedv/engines/rsnn_bare.cpp").read_text()))
    assert used and used <= defined, f"undefined: {sorted(used - defined)}"


def test_api():
    assert RSNN.addr("THETA1") == 0x024 and QCLIF.addr("SD") == 0x028
    assert RSNN.addr("COUNTERS", "cyc_total") == 0x040 + 4 * 4
    assert RSNN.addr("WMEM_DATA", 15) == 0x13C
    with pytest.raises(IndexError):
        RSNN.addr("WMEM_DATA", 16)
    assert RSNN.err_bit("s_in") == RSNN.err_bit("S_IN") == 1
    assert QCLIF.err_mask("theta", "WMEM_ADDR") == (1 << 3) | (1 << 9)
    assert RSNN.field("CTRL", "SPIKE_TAP").mask == 4
    assert RSNN["CTRL"].read_mask == 0b101                 # UTT_RESET is write-only
    assert RSNN.field("WMEM_SEL").enum["wfc_bank1"] == 4
    assert QCLIF["N_NEURONS"].reset({"N": 20}) == 20
    assert QCLIF.resets({"N": 20, "NP": 4})[QCLIF.addr("NP_UNITS")] == 4
    assert RSNN["STATUS"].reset() == 2 and RSNN["WMEM_CMD"].reset() is None
    assert RSNN.at(0x07C) is None and RSNN.at(0x044) == (RSNN["COUNTERS"], 1)
    assert not RSNN["WMEM_CMD"].readable and not RSNN["ID"].writable
    with pytest.raises(KeyError):
        regmap("other")
