"""$readmemh files and manifest.json (SPEC section 4): round trips and every bad input."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from model.errors import InputError
from model.weights import load_weights, read_readmemh, write_manifest, write_readmemh


# ---- $readmemh ---------------------------------------------------------------------
def test_row_format_by_hand(tmp_path):
    path = tmp_path / "m.hex"
    # lanes [1, -1, 0, 7] at 4 bits, lane 0 least significant: digits 7, 0, f, 1.
    write_readmemh(path, np.array([[1, -1, 0, 7], [-8, 0, 0, 0]]), lane_bits=4)
    # second row: lane 0 = -8 = 0x8 -> "0008".
    assert path.read_text() == "70f1\n0008\n"
    assert read_readmemh(path, 2, 4, 4).tolist() == [[1, -1, 0, 7], [-8, 0, 0, 0]]


def test_row_format_8_bit_unsigned(tmp_path):
    path = tmp_path / "m.hex"
    # lanes [0x12, 0xff] -> "ff12" (fixed width: 4 digits even for a small value).
    write_readmemh(path, np.array([[0x12, 0xFF], [1, 0]]), lane_bits=8, signed=False)
    assert path.read_text() == "ff12\n0001\n"
    assert read_readmemh(path, 2, 2, 8, signed=False).tolist() == [[0x12, 0xFF], [1, 0]]


@pytest.mark.parametrize("lane_bits, signed", [(4, True), (8, True), (8, False), (12, True)])
def test_round_trip_random(tmp_path, lane_bits, signed):
    rng = np.random.default_rng(lane_bits)
    lo, hi = (-(1 << lane_bits - 1), (1 << lane_bits - 1) - 1) if signed else \
        (0, (1 << lane_bits) - 1)
    image = rng.integers(lo, hi, size=(17, 128), endpoint=True)
    path = write_readmemh(tmp_path / "r.hex", image, lane_bits, signed)
    assert np.array_equal(read_readmemh(path, 17, 128, lane_bits, signed), image)
    assert all(len(line) == 128 * lane_bits // 4 for line in path.read_text().splitlines())


def test_comments_and_blank_lines_allowed(tmp_path):
    path = tmp_path / "c.hex"
    path.write_text("// header\n70f1 // row 0\n\n   0008   \n// end\n")
    assert read_readmemh(path, 2, 4, 4).tolist() == [[1, -1, 0, 7], [-8, 0, 0, 0]]


def test_uppercase_hex_accepted(tmp_path):
    path = tmp_path / "u.hex"
    path.write_text("70F1\n")
    assert read_readmemh(path, 1, 4, 4).tolist() == [[1, -1, 0, 7]]


def expect_error(path, match, **kwargs):
    args = dict(rows=2, lanes=4, lane_bits=4)
    args.update(kwargs)
    with pytest.raises(InputError, match=match) as info:
        read_readmemh(path, **args)
    assert str(path) in str(info.value)
    return info.value


@pytest.mark.parametrize("text, line, what", [
    ("70f1\n", 1, "file ends after 1 rows, expected 2"),           # too few rows
    ("70f1\n0008\n0000\n", 3, "more than the 2 rows expected"),    # too many rows
    ("70f1\n00g8\n", 2, "bad hex digit 'g'"),
    ("70f1\n0x08\n", 2, "bad hex digit 'x'"),
    ("70f1\n00 08\n", 2, "bad hex digit ' '"),
    ("70f1\n008\n", 2, "line length 3, expected 4 hex digits"),
    ("70f10\n0008\n", 1, "line length 5, expected 4 hex digits"),
    ("@0\n70f1\n0008\n", 1, "address line '@0' not supported"),
    ("// c\n70f1\n@1 0008\n", 3, "address line"),
])
def test_bad_files_name_file_and_line(tmp_path, text, line, what):
    path = tmp_path / "bad.hex"
    path.write_text(text)
    err = expect_error(path, what)
    assert err.where == f"line {line}"
    assert f"bad.hex: line {line}: " in str(err)


def test_value_out_of_declared_range(tmp_path):
    path = tmp_path / "range.hex"
    # row 2 (line 2), lane 1 = 0x5 = 5 > 3.
    path.write_text("0000\n0050\n")
    err = expect_error(path, r"lane 1 value 5 outside -4..3", value_range=(-4, 3))
    assert err.where == "line 2"
    # Unsigned 8-bit lanes with a declared range 0..200: 0xc9 = 201 on line 1.
    path.write_text("00c9\n")
    err = expect_error(path, "lane 0 value 201 outside 0..200", rows=1, lanes=2,
                       lane_bits=8, signed=False, value_range=(0, 200))
    assert err.where == "line 1"


def test_non_ascii_and_missing_file(tmp_path):
    path = tmp_path / "bin.hex"
    path.write_bytes(b"70f1\n00\xff8\n")
    assert expect_error(path, "non-ASCII").where == "line 2"
    expect_error(tmp_path / "nope.hex", "file not found")


def test_write_rejects_values_that_do_not_fit(tmp_path):
    with pytest.raises(InputError, match="w.hex: row 1: lane 2 value 8 outside -8..7"):
        write_readmemh(tmp_path / "w.hex", np.array([[0, 0, 0], [0, 0, 8]]), lane_bits=4)


# ---- manifest ----------------------------------------------------------------------
def memories():
    rng = np.random.default_rng(0)
    return {"a": (rng.integers(-8, 7, (3, 8), endpoint=True), 4, (-8, 7)),
            "b": (rng.integers(0, 200, (2, 4), endpoint=True), 8, (0, 200))}


def write_demo(tmp_path):
    return write_manifest(tmp_path, "demo", memories(), {"T": 2, "s_in": np.int64(3)},
                          {"quantizer": {"bits": 8}, "classes": ["x", "y"],
                           "training": "unit test"})


def test_manifest_round_trip(tmp_path):
    path = write_demo(tmp_path)
    manifest = json.loads(path.read_text())
    a = manifest["memories"]["a"]
    assert a["file"] == "a.hex" and (a["rows"], a["lanes"], a["lane_bits"]) == (3, 8, 4)
    assert a["format"] == "int4" and a["range"] == [-8, 7]
    assert manifest["memories"]["b"]["format"] == "uint8"
    assert a["sha256"] == hashlib.sha256((tmp_path / "a.hex").read_bytes()).hexdigest()
    assert manifest["registers"] == {"T": 2, "s_in": 3}
    assert manifest["quantizer"] == {"bits": 8} and manifest["format_version"] == 1
    images, loaded = load_weights(tmp_path, "demo", required_keys=("quantizer", "classes"))
    for name, (image, _, _) in memories().items():
        assert np.array_equal(images[name], image)
    assert loaded == manifest


def edit_manifest(tmp_path, change):
    path = tmp_path / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize("change, where, what", [
    (lambda m: m.pop("memories"), "memories", "missing key 'memories'"),
    (lambda m: m.pop("registers"), "registers", "missing key 'registers'"),
    (lambda m: m.pop("format_version"), "format_version", "missing key"),
    (lambda m: m.update(format_version=2), "format_version", "format_version 2"),
    (lambda m: m.update(design="other"), "design", "design 'other', expected 'demo'"),
    (lambda m: m["memories"]["a"].pop("sha256"), "memories.a", "missing key 'sha256'"),
    (lambda m: m["memories"]["a"].update(rows="3"), "memories.a", "key 'rows' must be int"),
    (lambda m: m["memories"]["a"].update(lanes=0), "memories.a", "'lanes' must be positive"),
    (lambda m: m["memories"]["a"].update(format="int8"), "memories.a", "does not match"),
    (lambda m: m["memories"]["a"].update(format="float4"), "memories.a", "number format"),
    (lambda m: m["memories"]["a"].update(range=[-9, 7]), "memories.a", "range"),
    (lambda m: m["memories"]["a"].update(file="../a.hex"), "memories.a", "plain file name"),
    (lambda m: m["memories"]["b"].update(sha256="xyz"), "memories.b", "sha256 must be"),
    (lambda m: m["registers"].update(T="2"), "registers.T", "not an integer"),
])
def test_manifest_schema_errors_name_key(tmp_path, change, where, what):
    write_demo(tmp_path)
    edit_manifest(tmp_path, change)
    with pytest.raises(InputError, match=what) as info:
        load_weights(tmp_path, "demo")
    assert info.value.where == where
    assert str(tmp_path / "manifest.json") in str(info.value)


def test_manifest_required_extra_key(tmp_path):
    write_demo(tmp_path)
    with pytest.raises(InputError, match="missing key 'speaker'"):
        load_weights(tmp_path, "demo", required_keys=("speaker",))


def test_manifest_bad_json_names_line(tmp_path):
    (tmp_path / "manifest.json").write_text('{\n"design": "demo",\n}\n')
    with pytest.raises(InputError, match=r"manifest.json: line 3: invalid JSON"):
        load_weights(tmp_path, "demo")


def test_missing_manifest(tmp_path):
    with pytest.raises(InputError, match="manifest.json: file not found"):
        load_weights(tmp_path, "demo")


def test_sha256_mismatch_names_file(tmp_path):
    write_demo(tmp_path)
    hex_path = tmp_path / "b.hex"
    hex_path.write_text(hex_path.read_text().replace("\n", "\n// edited\n", 1))
    with pytest.raises(InputError, match="sha256") as info:
        load_weights(tmp_path, "demo")
    assert info.value.path == str(hex_path)


def test_missing_hex_file_named(tmp_path):
    write_demo(tmp_path)
    (tmp_path / "a.hex").unlink()
    with pytest.raises(InputError, match="file not found") as info:
        load_weights(tmp_path, "demo")
    assert info.value.path == str(tmp_path / "a.hex")


def test_bad_row_in_listed_file_names_file_and_line(tmp_path):
    write_demo(tmp_path)
    hex_path = tmp_path / "b.hex"
    # b is uint8 with range 0..200: make line 2, lane 0 = 0xff = 255, and fix the sha.
    lines = hex_path.read_text().splitlines()
    lines[1] = lines[1][:-2] + "ff"
    hex_path.write_text("\n".join(lines) + "\n")
    edit_manifest(tmp_path, lambda m: m["memories"]["b"].update(
        sha256=hashlib.sha256(hex_path.read_bytes()).hexdigest()))
    with pytest.raises(InputError, match="lane 0 value 255 outside 0..200") as info:
        load_weights(tmp_path, "demo")
    assert info.value.path == str(hex_path) and info.value.where == "line 2"


def test_extra_key_may_not_shadow_reserved(tmp_path):
    with pytest.raises(ValueError, match="reserved"):
        write_manifest(tmp_path, "demo", memories(), {}, {"memories": {}})
