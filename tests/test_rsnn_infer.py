"""`spikedv rsnn infer`: the model engine and both simulator engines return the same keys,
shapes and dtypes, and the RTL's scores, predictions, spikes and all 15 counters equal
the model's exactly (a few frames of random weights, T = 1 and T = 2); the bare Verilator
engine too, on both schedules (SCHEDULE paper and union). The union schedule gives the
paper schedule's outputs in fewer cycles, on random weights and on the shipped weights'
samples (tests/test_rsnn_schedules.py compares every counter of all samples)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.npy import load_npy
from model.rsnn import RsnnConfig, RsnnWeights
from model.rsnn_memory import write_weights_dir
from model.rsnn_schedule import SCHEDULES
from spikedv.cli import main as spikedv
from spikedv.engines.rsnn import ENGINES, KEYS, infer

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "weights" / "rsnn"
OUTPUT_KEYS = ("scores", "pred", "spikes0", "spikes1", "T")
# Counters that do not depend on the schedule.
SAME_COUNTERS = ("reads_win", "reads_wfc", "skips_win", "skips_wfc", "spikes_l0_k0",
                 "spikes_l0_k1", "spikes_l1_k0", "spikes_l1_k1")

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


@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("T", (1, 2))
def test_bare_engine_equals_model(T, schedule, tmp_path):
    w, x = _weights_and_features(2000 + T, frames=5)
    write_weights_dir(tmp_path / "w", w, CONFIG)
    _assert_equal(infer(tmp_path / "w", x, engine="model", T=T, schedule=schedule),
                  infer(tmp_path / "w", x, engine="bare", T=T, schedule=schedule),
                  f"bare {schedule}", T)


def _assert_union_is_paper_faster(paper: dict, union: dict, where: str) -> None:
    """Same outputs and schedule-independent counters; fewer cycles in total and in FC
    on every frame; IN, L0, L1 never slower (IN lower on average: a frame whose features
    have at most one set bit each takes as long); no more recurrent rows read."""
    for key in OUTPUT_KEYS + SAME_COUNTERS:
        assert np.array_equal(paper[key], union[key]), f"{where}: {key} differs"
    for key in ("cycles", "cyc_total", "cyc_fc"):
        assert (union[key] < paper[key]).all(), f"{where}: {key} not lower"
    for key in ("cyc_in", "cyc_l0", "cyc_l1", "reads_wrec"):
        assert (union[key] <= paper[key]).all(), f"{where}: {key} higher"
    assert union["cyc_in"].mean() < paper["cyc_in"].mean(), f"{where}: IN not lower"
    assert np.array_equal(union["skips_wrec"], 384 - union["reads_wrec"])


@pytest.mark.parametrize("T", (1, 2))
def test_union_schedule_same_outputs_fewer_cycles_random_weights(T, tmp_path):
    """On the bare RTL: paper and union give the same outputs, union in fewer cycles."""
    w, x = _weights_and_features(3000 + T, frames=6)
    write_weights_dir(tmp_path / "w", w, CONFIG)
    paper = infer(tmp_path / "w", x, engine="bare", T=T, schedule="paper")
    union = infer(tmp_path / "w", x, engine="bare", T=T, schedule="union")
    _assert_union_is_paper_faster(paper, union, f"bare T={T}")
    if T == 2:   # Type D reads all 384 rows, the union walk only those with a spike
        assert (paper["reads_wrec"] == 384).all() and (union["reads_wrec"] < 384).all()


@pytest.mark.parametrize("T", (1, 2))
def test_union_schedule_same_outputs_fewer_cycles_shipped_samples(T):
    """The model on every shipped sample, and the bare RTL on the first 40 frames of
    one: paper and union give the same outputs; union in fewer cycles."""
    samples = sorted(p for p in (SHIPPED / "samples").glob("*.npy")
                     if not p.name.endswith(".labels.npy"))
    assert len(samples) >= 10
    for path in samples:
        x = load_npy(path)
        paper = infer(SHIPPED, x, engine="model", T=T)
        union = infer(SHIPPED, x, engine="model", T=T, schedule="union")
        _assert_union_is_paper_faster(paper, union, f"model {path.name} T={T}")
    x = load_npy(samples[0])[:40]
    paper = infer(SHIPPED, x, engine="bare", T=T)
    union = infer(SHIPPED, x, engine="bare", T=T, schedule="union")
    _assert_union_is_paper_faster(paper, union, f"bare {samples[0].name} T={T}")
    _assert_equal(infer(SHIPPED, x, engine="model", T=T, schedule="union"), union,
                  "bare union", T)


@pytest.mark.parametrize("T, schedule", [(1, "paper"), (2, "paper"), (2, "union")])
def test_engines_agree(simulator, T, schedule, tmp_path):
    w, x = _weights_and_features(1000 + T, frames=3)
    folder = tmp_path / "weights"
    write_weights_dir(folder, w, CONFIG)
    model = infer(folder, x, engine="model", T=T, schedule=schedule)
    rtl = infer(folder, x, engine=simulator, T=T, schedule=schedule)
    assert int(model["T"]) == T
    assert model["spikes0"].shape == (3, T, 128) and model["scores"].shape == (3, 48)
    _assert_equal(model, rtl, f"{simulator} {schedule}", T)


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
        paper = {k: data[k] for k in data.files}
    assert "model" in ENGINES
    assert spikedv(["rsnn", "infer", "--weights", str(tmp_path / "w"), "--features",
                    str(tmp_path / "x.npy"), "--engine", "model", "--out",
                    str(tmp_path / "u.npz"), "--T", "1", "--schedule", "union"]) == 0
    with np.load(tmp_path / "u.npz") as data:
        union = {k: data[k] for k in data.files}
    _assert_union_is_paper_faster(paper, union, "cli model T=1")


def test_cli_schedule_errors(tmp_path, capsys):
    w, x = _weights_and_features(8, frames=1)
    write_weights_dir(tmp_path / "w", w, CONFIG)
    np.save(tmp_path / "x.npy", x)
    args = ["rsnn", "infer", "--weights", str(tmp_path / "w"), "--features",
            str(tmp_path / "x.npy"), "--out", str(tmp_path / "o.npz")]
    assert spikedv(args + ["--schedule", "fast"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("spikedv: error:") and "fast" in err[0]
