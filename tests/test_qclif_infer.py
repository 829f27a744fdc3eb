"""`spikedv qclif infer`: the model engine and both simulator engines return the same
keys, shapes and dtypes, and the RTL's scores, class, spikes and counters equal the
model's exactly (a small network, a few bins of random input)."""
from __future__ import annotations

import numpy as np

from model.qclif import QclifRegs, QclifWeights
from model.qclif_memory import write_weights_dir
from spikedv.cli import main as spikedv
from spikedv.engines.qclif import KEYS, infer

REGS = QclifRegs(la=2, ls=3, g0=16, theta=40, si=4, sa=4, sd=4)


def _weights_and_inputs(seed: int, n: int, bins: int):
    rng = np.random.default_rng(seed)
    w = QclifWeights.random(rng, n=n, density=0.5)
    x = (rng.random((bins, 200)) < 0.2).astype(np.uint8)
    return w, x


def test_engines_agree(simulator, tmp_path):
    w, x = _weights_and_inputs(2024, n=20, bins=6)
    folder = tmp_path / "weights"
    write_weights_dir(folder, w, REGS)
    model = infer(folder, x, engine="model", np_units=4)
    rtl = infer(folder, x, engine=simulator, np_units=4)
    assert set(model) == set(rtl) == set(KEYS)
    assert model["spikes"].shape == (6, 20) and model["scores"].shape == (11,)
    assert int(np.sum(model["spikes_per_bin"])) > 0, "stimulus must make the network spike"
    for key in KEYS:
        a, b = np.asarray(model[key]), np.asarray(rtl[key])
        assert a.shape == b.shape and a.dtype == b.dtype, f"{key}: {a.shape}/{a.dtype} vs {b.shape}/{b.dtype}"
        assert np.array_equal(a, b), (
            f"qclif infer {simulator} {key}: first differing index "
            f"{np.argwhere(a != b)[0].tolist() if a.ndim else '-'}: model {a} rtl {b}")


def test_model_engine_cli_writes_npz(tmp_path):
    w, x = _weights_and_inputs(5, n=10, bins=4)
    write_weights_dir(tmp_path / "w", w, REGS)
    np.save(tmp_path / "x.npy", x)
    assert spikedv(["qclif", "infer", "--weights", str(tmp_path / "w"), "--input",
                    str(tmp_path / "x.npy"), "--engine", "model", "--out",
                    str(tmp_path / "o.npz")]) == 0
    with np.load(tmp_path / "o.npz") as data:
        assert set(data.files) == set(KEYS)
        assert data["spikes"].shape == (4, 10)
        # P + 2 cycles per bin with NP = 10 (largest divisor of 10 up to 20), +1 argmax at the end
        assert data["cycles"].tolist() == [3, 3, 3, 4]
