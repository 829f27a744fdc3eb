"""Weight memory layout of docs/rsnn.md "Weight memories"."""
from __future__ import annotations

import numpy as np
import pytest

from model.errors import InputError
from model.rsnn import WEIGHT_SHAPES, RsnnConfig, RsnnWeights
from model.rsnn_memory import (
    MEMORY_ROWS, load_weights_dir, pack, unpack, wfc_location, wrec_location,
    write_weights_dir,
)


def same(a: RsnnWeights, b: RsnnWeights) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in WEIGHT_SHAPES)


def test_image_shapes():
    images = pack(RsnnWeights.zeros())
    assert {k: v.shape for k, v in images.items()} == {
        "win": (48, 128), "wrec_bank0": (192, 128), "wrec_bank1": (192, 128),
        "wfc_bank0": (960, 128), "wfc_bank1": (960, 128)}
    assert all(v.dtype == np.int8 for v in images.values())
    assert MEMORY_ROWS == {k: v.shape[0] for k, v in images.items()}


@pytest.mark.parametrize("field, index, value, memory, row, lane", [
    # Wf1 is matrix 1; j = 3 is odd -> bank 1, row 64*1 + (3 >> 1) = 65, lane 5.
    ("wf1", (3, 5), -7, "wrec_bank1", 65, 5),
    # Wfc[4][130]: j = 4 even -> bank 0; group 130 // 128 = 1; row 15*(4 >> 1) + 1 = 31;
    # lane 130 - 128 = 2.
    ("wfc", (4, 130), 6, "wfc_bank0", 31, 2),
    # Wr0[0][0]: bank 0, row 0, lane 0.
    ("wr0", (0, 0), 1, "wrec_bank0", 0, 0),
    # Wr1[127][127]: matrix 2, odd -> bank 1, row 128 + 63 = 191, lane 127.
    ("wr1", (127, 127), -8, "wrec_bank1", 191, 127),
    # Wr0[2][9]: bank 0, row 0 + 1 = 1, lane 9.
    ("wr0", (2, 9), 3, "wrec_bank0", 1, 9),
    # Wfc[127][1919]: bank 1, row 15*63 + 14 = 959, lane 1919 - 14*128 = 127.
    ("wfc", (127, 1919), 7, "wfc_bank1", 959, 127),
    # Wfc[1][0]: bank 1, row 0, lane 0.
    ("wfc", (1, 0), -1, "wfc_bank1", 0, 0),
    # Win[2][9]: row 2, lane 9.
    ("win", (2, 9), -2, "win", 2, 9),
])
def test_hand_placed_weight(field, index, value, memory, row, lane):
    w = RsnnWeights.zeros()
    getattr(w, field)[index] = value
    images = pack(w)
    assert images[memory][row, lane] == value
    assert sum(np.count_nonzero(v) for v in images.values()) == 1
    if field == "wfc":
        assert wfc_location(*index) == (memory, row, lane)
    elif field != "win":
        assert wrec_location(field, *index) == (memory, row, lane)
    assert same(unpack(images), w)


def test_round_trip_random():
    w = RsnnWeights.random(np.random.default_rng(3), density=0.7, input_rows=48)
    assert same(unpack(pack(w)), w)


def test_unpack_rejects_wrong_shape_naming_memory():
    images = pack(RsnnWeights.zeros())
    images["wfc_bank1"] = images["wfc_bank1"][:-1]
    with pytest.raises(InputError, match="wfc_bank1: shape"):
        unpack(images)
    del images["win"]
    with pytest.raises(InputError, match="win: memory image missing"):
        unpack(images)


def test_weights_dir_round_trip(tmp_path):
    w = RsnnWeights.random(np.random.default_rng(4), density=0.6)
    cfg = RsnnConfig(T=1, s_in=5, b0=2, b1=3, theta0=40, theta1=20)
    write_weights_dir(tmp_path, w, cfg, {"classes": ["sil"] + [f"c{i}" for i in range(47)]})
    assert len((tmp_path / "wfc_bank0.hex").read_text().splitlines()) == 960
    w2, cfg2, manifest = load_weights_dir(tmp_path, required_keys=("classes",))
    assert same(w, w2) and cfg2 == cfg
    assert manifest["memories"]["win"]["format"] == "int4"


def test_weights_dir_bad_register(tmp_path):
    write_weights_dir(tmp_path, RsnnWeights.zeros(), RsnnConfig())
    path = tmp_path / "manifest.json"
    path.write_text(path.read_text().replace('"T": 2', '"T": 3'))
    with pytest.raises(InputError, match=r"manifest.json: T: 3 outside 1..2"):
        load_weights_dir(tmp_path)
