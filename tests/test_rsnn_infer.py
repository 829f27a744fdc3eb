"""`spikedv rsnn infer`: the model engine and both simulator engines return the same keys,
shapes and dtypes, and the RTL's scores, predictions, spikes and all 15 counters equal
the model's exactly (a few frames of random weights, T = 1 and T = 2)."""
from __future__ import annotations

import fcntl

import numpy as np
import pytest

from model.rsnn import RsnnConfig, RsnnWeights
from model.rsnn_memory import write_weights_dir
from verif.rsnn.infer import ENGINES, KEYS, infer, main
from verif.sim import SIM_BUILD

# One fixed preload folder per simulator keeps one cached build (WEIGHTS_DIR is a build
# parameter); the lock keeps two workers from rewriting it under each other.
CONFIG = RsnnConfig(T=2, s_in=3, b0=2, b1=2, theta0=40, theta1=20)


def _weights_and_features(seed: int, frames: int):
    rng = np.random.default_rng(seed)
    w = RsnnWeights.random(rng, density=0.5)
    x = rng.integers(0, 256, (frames, 40))
    x[rng.random(x.shape) < 0.3] = 0
    return w, x.astype(np.uint8)


@pytest.mark.parametrize("T", (1, 2))
def test_engines_agree(simulator, T):
    w, x = _weights_and_features(1000 + T, frames=3)
    folder = SIM_BUILD / "data" / f"rsnn_infer_weights_{simulator}"
    lock_path = SIM_BUILD / "locks" / f"rsnn_infer_weights_{simulator}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        write_weights_dir(folder, w, CONFIG)
        model = infer(folder, x, engine="model", T=T)
        rtl = infer(folder, x, engine=simulator, T=T)
    assert set(model) == set(rtl) == set(KEYS)
    assert int(model["T"]) == T
    for key in KEYS:
        assert model[key].shape == rtl[key].shape, f"{key}: shape {model[key].shape} vs {rtl[key].shape}"
        assert model[key].dtype == rtl[key].dtype, f"{key}: dtype {model[key].dtype} vs {rtl[key].dtype}"
    assert model["spikes0"].shape == (3, T, 128) and model["scores"].shape == (3, 48)
    for key in KEYS:
        bad = np.argwhere(model[key] != rtl[key]) if model[key].ndim else []
        assert np.array_equal(model[key], rtl[key]), (
            f"rsnn infer {simulator} T={T} {key}: first differing index {bad[0].tolist()}, "
            f"model {model[key][tuple(bad[0])]} rtl {rtl[key][tuple(bad[0])]}")


def test_model_engine_cli_writes_npz(tmp_path):
    w, x = _weights_and_features(7, frames=5)
    write_weights_dir(tmp_path / "w", w, CONFIG)
    np.save(tmp_path / "x.npy", x)
    assert main(["--weights", str(tmp_path / "w"), "--features", str(tmp_path / "x.npy"),
                 "--engine", "model", "--out", str(tmp_path / "o.npz"), "--T", "1"]) == 0
    with np.load(tmp_path / "o.npz") as data:
        assert set(data.files) == set(KEYS)
        assert data["spikes1"].shape == (5, 1, 128) and int(data["T"]) == 1
        assert np.array_equal(data["cycles"], data["cyc_total"])
    assert "model" in ENGINES
