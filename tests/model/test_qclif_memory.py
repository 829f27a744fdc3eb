"""qclif weight memories (docs/qclif.md "Weight memories"): logical images, NP banks,
weights/qclif/ files."""
from __future__ import annotations

import numpy as np
import pytest

from model.errors import InputError
from model.qclif import QclifRegs, QclifWeights
from model.qclif_memory import (
    bank_images, bank_location, from_banks, from_logical, load_weights_dir,
    logical_images, write_weights_dir,
)


def marked_weights(n=6):
    """Weights whose values encode their position, so a misplaced row shows."""
    w = QclifWeights.zeros(n)
    w.win[3, 4], w.win[199, 4] = -7, 9
    w.wctx[1, 4], w.wctx[4, 1] = 55, -55
    w.wout[4, 10], w.wout[0, 0] = 127, -128
    return w


def test_logical_images_row_is_neuron_column():
    w = marked_weights()
    img = logical_images(w)
    assert {k: v.shape for k, v in img.items()} == {"win": (6, 200), "wctx": (6, 6),
                                                    "wout": (6, 11)}
    # Row n = neuron n: win row 4 lane 3 = Win[3][4] = -7, lane 199 = Win[199][4] = 9.
    assert img["win"][4, 3] == -7 and img["win"][4, 199] == 9
    # wctx row 4 lane 1 = Wctx[1][4] = 55; row 1 lane 4 = Wctx[4][1] = -55.
    assert img["wctx"][4, 1] == 55 and img["wctx"][1, 4] == -55
    # wout row n lane c = Wout[n][c].
    assert img["wout"][4, 10] == 127 and img["wout"][0, 0] == -128
    assert all(v.dtype == np.int8 for v in img.values())


def test_logical_round_trip():
    w = QclifWeights.random(np.random.default_rng(0), n=200)
    back = from_logical(logical_images(w))
    for k in ("win", "wctx", "wout"):
        np.testing.assert_array_equal(getattr(back, k), getattr(w, k))


def test_bank_placement():
    w = marked_weights(6)
    banks = bank_images(w, np_units=3)
    # NP = 3, P = 2: neuron 4 -> unit 4 % 3 = 1, row 4 // 3 = 1.
    assert bank_location(4, 3) == (1, 1)
    assert len(banks["win"]) == 3 and banks["win"][0].shape == (2, 200)
    assert banks["win"][1][1, 3] == -7 and banks["win"][1][1, 199] == 9
    assert banks["wctx"][1][1, 1] == 55
    assert banks["wout"][1][1, 10] == 127
    # Neuron 1 -> unit 1 row 0 (Wctx[4][1] = -55 in lane 4); neuron 0 -> unit 0 row 0.
    assert banks["wctx"][1][0, 4] == -55
    assert banks["wout"][0][0, 0] == -128
    # Every neuron n sits in bank n % NP, row n // NP.
    img = logical_images(w)
    for n in range(6):
        u, p = n % 3, n // 3
        for name in img:
            np.testing.assert_array_equal(banks[name][u][p], img[name][n])


@pytest.mark.parametrize("np_units", [1, 2, 4, 5, 8, 20, 200])
def test_bank_round_trip(np_units):
    w = QclifWeights.random(np.random.default_rng(np_units), n=200)
    back = from_banks(bank_images(w, np_units))
    for k in ("win", "wctx", "wout"):
        np.testing.assert_array_equal(getattr(back, k), getattr(w, k))


def test_np_must_divide_n():
    with pytest.raises(InputError, match="NP = 4 does not divide N = 6") as e:
        bank_images(marked_weights(6), np_units=4)
    assert e.value.where == "np_units"
    with pytest.raises(InputError, match="np_units"):
        bank_images(marked_weights(6), np_units=0)


def test_from_logical_names_bad_image():
    img = logical_images(marked_weights(6))
    img["wctx"] = img["wctx"][:, :5]
    with pytest.raises(InputError) as e:
        from_logical(img)
    assert e.value.where == "wctx"
    img = {k: v.astype(np.int64) for k, v in logical_images(marked_weights(6)).items()}
    img["wout"][2, 1] = 200      # would wrap to -56 in int8: must be caught first
    with pytest.raises(InputError, match="row 2 lane 1 = 200") as e:
        from_logical(img)
    assert e.value.where == "wout"


def test_weights_dir_round_trip_and_line_layout(tmp_path):
    w = marked_weights(6)
    w.wout[0, 1] = 1
    regs = QclifRegs(la=1, ls=2, g0=3, theta=4, si=5, sa=6, sd=7)
    write_weights_dir(tmp_path, w, regs, extra={"classes": list(range(11))})
    lines = (tmp_path / "wout.hex").read_text().splitlines()
    # 6 lines (one per neuron), 11 lanes * 8 bits = 22 hex digits; lane 0 in the LSBs:
    # line 0 = Wout[0][0] = -128 -> 80, Wout[0][1] = 1 -> 01, so it ends in "0180".
    assert len(lines) == 6 and all(len(s) == 22 for s in lines)
    assert lines[0] == "0" * 18 + "0180"
    # line 4: lane 10 = 127 -> 7f in the top two digits.
    assert lines[4] == "7f" + "0" * 20
    win_lines = (tmp_path / "win.hex").read_text().splitlines()
    assert len(win_lines) == 6 and len(win_lines[4]) == 400
    # line 4 lane 3 = -7 -> f9 at digits counted from the right 6..8.
    assert win_lines[4][-8:-6] == "f9"
    back, regs_back, manifest = load_weights_dir(tmp_path)
    for k in ("win", "wctx", "wout"):
        np.testing.assert_array_equal(getattr(back, k), getattr(w, k))
    assert regs_back == regs and manifest["design"] == "qclif"
