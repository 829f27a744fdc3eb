"""The shipped weights and samples: the manifests check out, and the RTL reproduces the
numpy model exactly on the shipped samples through the cocotb testbench (a few frames
here; every frame of every qclif sample in the long regression, which `make regress`
runs; every frame of every rsnn sample, with every counter, in
tests/test_rsnn_schedules.py on the bare Verilator driver)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from model.rsnn_memory import load_weights_dir as load_rsnn
from spikedv.engines.rsnn import KEYS as RSNN_KEYS
from spikedv.engines.rsnn import infer as rsnn_infer

ROOT = Path(__file__).resolve().parent.parent
RSNN_DIR = ROOT / "weights" / "rsnn"
RSNN_SAMPLES = RSNN_DIR / "samples"


def _rsnn_samples() -> list[dict]:
    return json.loads((RSNN_SAMPLES / "samples.json").read_text())["samples"]


def test_rsnn_weights_pass_the_loader_checks():
    weights, config, manifest = load_rsnn(RSNN_DIR)
    weights.validate()
    config.validate()
    assert manifest["classes"][0] == "sil" and len(manifest["classes"]) == 48
    assert np.mean(weights.wfc == 0) >= 0.40, "FC must be pruned to >= 40% zeros (SPEC 1.1)"


def _assert_engines_equal(model: dict, rtl: dict, where: str) -> None:
    for key in RSNN_KEYS:
        a, b = np.asarray(model[key]), np.asarray(rtl[key])
        assert a.shape == b.shape, f"{where} {key}: shape {a.shape} vs {b.shape}"
        if not np.array_equal(a, b):
            idx = np.argwhere(a != b)[0].tolist() if a.ndim else []
            pytest.fail(f"{where} {key}: first difference at {idx}: "
                        f"model {a[tuple(idx)] if idx else a} rtl {b[tuple(idx)] if idx else b}")


def _run_samples(simulator: str, frames: int | None, samples: list[dict]) -> None:
    for s in samples:
        x = np.load(RSNN_SAMPLES / s["features"])
        x = x if frames is None else x[:frames]
        model = rsnn_infer(RSNN_DIR, x, engine="model")
        rtl = rsnn_infer(RSNN_DIR, x, engine=simulator)
        _assert_engines_equal(model, rtl, f"rsnn {s['name']} on {simulator}")


def test_rsnn_rtl_equals_model_on_shipped_samples(simulator):
    """First frames of one synthetic and one real sample (CI)."""
    samples = _rsnn_samples()
    picked = [next(s for s in samples if "synthetic" in s["source"]),
              next(s for s in samples if "synthetic" not in s["source"])]
    _run_samples(simulator, frames=6 if simulator == "icarus" else 40, samples=picked)


# ---- qclif -------------------------------------------------------------------------
QCLIF_DIR = ROOT / "weights" / "qclif"
QCLIF_SAMPLES = QCLIF_DIR / "samples"


def _qclif_samples() -> list[dict]:
    return json.loads((QCLIF_SAMPLES / "samples.json").read_text())["samples"]


def test_qclif_weights_pass_the_loader_checks():
    from model.qclif_memory import load_weights_dir as load_qclif

    weights, regs, manifest = load_qclif(QCLIF_DIR)
    weights.validate()
    regs.validate()
    assert weights.n == 200 and sum(w.size for w in (weights.win, weights.wctx, weights.wout)) == 82_200


def test_qclif_model_classifies_shipped_samples():
    """The shipped network on its 11 held-out samples (one per class): a trained network
    gets most of them right; chance is 1 in 11."""
    from model import qclif
    from model.qclif_memory import load_weights_dir as load_qclif

    weights, regs, _ = load_qclif(QCLIF_DIR)
    samples = _qclif_samples()
    x = np.stack([np.load(QCLIF_SAMPLES / s["input"]) for s in samples])
    pred = qclif.run(weights, regs, x).pred
    correct = int(np.sum(pred == np.array([s["label"] for s in samples])))
    assert correct >= 7, f"only {correct} of 11 shipped samples classified correctly: {pred.tolist()}"


def _run_qclif_samples(simulator: str, samples: list[dict], bins: int | None) -> None:
    from spikedv.engines.qclif import KEYS as QCLIF_KEYS
    from spikedv.engines.qclif import infer as qclif_infer

    for s in samples:
        x = np.load(QCLIF_SAMPLES / s["input"])
        x = x if bins is None else x[:bins]
        model = qclif_infer(QCLIF_DIR, x, engine="model")
        rtl = qclif_infer(QCLIF_DIR, x, engine=simulator)
        for key in QCLIF_KEYS:
            a, b = np.asarray(model[key]), np.asarray(rtl[key])
            assert a.shape == b.shape and np.array_equal(a, b), (
                f"qclif {s['name']} on {simulator} {key}: model {a.tolist()} rtl {b.tolist()}")


def test_qclif_rtl_equals_model_on_shipped_samples(simulator):
    """First bins of two samples (CI)."""
    _run_qclif_samples(simulator, _qclif_samples()[:2], bins=8 if simulator == "icarus" else 60)


@pytest.mark.long
def test_qclif_rtl_equals_model_on_all_shipped_samples(simulator):
    if simulator == "icarus":
        pytest.skip("every sample runs on Verilator; Icarus runs the CI subset")
    _run_qclif_samples(simulator, _qclif_samples(), bins=None)
