"""`spikedv rsnn infer`: the model engine and both simulator engines return the same keys,
shapes and dtypes, and the RTL's scores, predictions, spikes and all 15 counters equal
the model's exactly (a few frames of random weights, T = 1 and T = 2); the bare Verilator
engine too."""
from __future__ import annotations

import numpy as np
import pytest

from model.rsnn import RsnnConfig, RsnnWeights
from model.rsnn_memory import write_weights_dir
from spikedv.cli import main as spikedv
from spikedv.engines.rsnn import ENGINES, KEYS, infer

CONFIG = RsnnConfig(T=2, s_in=3, b0=2, b1=2, theta0=40, theta1=20)


def _weights_and_features(seed: int, frames: int):
    rng = np.random.default_rng(seed)
    w = RsnnWeights.random(rng, density=0.5)
    x = rng.integers(0, 256, (frames, 40))
    x[rng.random(x.shape) < 0.3] = 0
    return w, x.astype(np.uint8)


def _assert_equal(model: dict, rtl: dict, engine: str, T: int) -> None:
    assert set(model) == set(rtl) == set(KEYS)
    for key in KEYS:
        assert model[key].shape == rtl[key].shape, f"{key}: shape {model[key].shape} vs {rtl[key].shape}"
        assert model[key].dtype == rtl[key].dtype, f"{key}: dtype {model[key].dtype} vs {rtl[key].dtype}"
        bad = np.argwhere(model[key] != rtl[key]) if model[key].ndim else []
        assert np.array_equal(model[key], rtl[key]), (
            f"rsnn infer {engine} T={T} {key}: first differing index {bad[0].tolist()}, "
            f"model {model[key][tuple(bad[0])]} rtl {rtl[key][tuple(bad[0])]}")


@pytest.mark.parametrize("T", (1, 2))
def test_bare_engine_equals_model(T, tmp_path):
    w, x = _weights_and_features(2000 + T, frames=5)
    write_weights_dir(tmp_path / "w", w, CONFIG)
    _assert_equal(infer(tmp_path / "w", x, engine="model", T=T),
                  infer(tmp_path / "w", x, engine="bare", T=T), "bare", T)


@pytest.mark.parametrize("T", (1, 2))
def test_engines_agree(simulator, T, tmp_path):
    w, x = _weights_and_features(1000 + T, frames=3)
    folder = tmp_path / "weights"
    write_weights_dir(folder, w, CONFIG)
    model = infer(folder, x, engine="model", T=T)
    rtl = infer(folder, x, engine=simulator, T=T)
    assert int(model["T"]) == T
    assert model["spikes0"].shape == (3, T, 128) and model["scores"].shape == (3, 48)
    _assert_equal(model, rtl, simulator, T)


def test_model_engine_cli_writes_npz(tmp_path):
    w, x = _weights_and_features(7, frames=5)
    write_weights_dir(tmp_path / "w", w, CONFIG)
    np.save(tmp_path / "x.npy", x)
    assert spikedv(["rsnn", "infer", "--weights", str(tmp_path / "w"), "--features",
                    str(tmp_path / "x.npy"), "--engine", "model", "--out",
                    str(tmp_path / "o.npz"), "--T", "1"]) == 0
    with np.load(tmp_path / "o.npz") as data:
        assert set(data.files) == set(KEYS)
        assert data["spikes1"].shape == (5, 1, 128) and int(data["T"]) == 1
        assert np.array_equal(data["cycles"], data["cyc_total"])
    assert "model" in ENGINES
