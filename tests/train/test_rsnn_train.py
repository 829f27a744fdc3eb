"""rsnn training form (ml/train/rsnn/): integer mode == model.rsnn, bit for bit.

Fast tests use random weights and a few frames; the exported-weights tests run when
weights/rsnn/ exists; the smoke training runs use a tiny synthetic corpus made by the
``speech_data`` fixture (tests/train/conftest.py). Needs torch (the ``train`` extra);
skipped without.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from ml.train import TRAIN_EXTRA

torch = pytest.importorskip("torch", reason=TRAIN_EXTRA)

from ml.train.rsnn.data import load_samples_dir, split_validation  # noqa: E402
from ml.train.rsnn.export import attach_float_baseline, load_exported  # noqa: E402
from ml.train.rsnn.loop import smoke_config  # noqa: E402
from ml.train.rsnn.net import RsnnNet, assert_integer_equal, assert_integer_equal_all  # noqa: E402
from ml.train.rsnn.pipeline import run_training  # noqa: E402
from ml.train.rsnn.prune import (  # noqa: E402
    neuron_importance, parity_permutation, permute_l1, prune_fc, prune_neurons,
)
from ml.train.rsnn.report import report  # noqa: E402
from model.rsnn import N_NEURONS, RsnnConfig, RsnnWeights  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
WEIGHTS = REPO / "weights" / "rsnn"


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _random_case(seed: int, T: int, saturating: bool):
    rng = np.random.default_rng(seed)
    w = RsnnWeights.random(rng, density=0.9 if saturating else 0.5)
    if saturating:
        # strong positive input weights and small shifts/thresholds: A >>> s_in and the
        # membranes hit the 12-bit rails, the recurrent sums are large.
        w.win[:40] = np.abs(w.win[:40]) % 8
        cfg = RsnnConfig(T=T, s_in=int(rng.integers(0, 2)), b0=7, b1=int(rng.integers(5, 8)),
                         theta0=int(rng.integers(1500, 2048)), theta1=int(rng.integers(1, 40)))
    else:
        cfg = RsnnConfig(T=T, s_in=int(rng.integers(3, 8)), b0=int(rng.integers(1, 8)),
                         b1=int(rng.integers(1, 8)), theta0=int(rng.integers(1, 300)),
                         theta1=int(rng.integers(1, 100)))
    x = rng.integers(0, 256, size=(3, 10, 40))
    return w, cfg, x


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("T", [1, 2])
@pytest.mark.parametrize("saturating", [False, True])
def test_int_mode_equals_numpy_random(seed, T, saturating):
    w, cfg, x = _random_case(seed, T, saturating)
    net = RsnnNet.from_rsnn(w, cfg)
    ref = assert_integer_equal(net, x)
    if saturating:   # the regime really saturates
        assert np.abs(ref.iin).max() == 2047 or np.abs(ref.u0).max() >= 2047 or \
            np.abs(ref.i0).max() >= 2047


def test_weights_round_trip():
    w, cfg, _ = _random_case(5, 2, False)
    back = RsnnNet.from_rsnn(w, cfg).rsnn_weights()
    for k in RsnnNet.NAMES:
        assert np.array_equal(getattr(back, k), getattr(w, k)), k


@pytest.mark.parametrize("T", [1, 2])
def test_qat_forward_equals_int(T):
    """The training graph (float32, STE) computes the same values as the integer mode."""
    w, cfg, x = _random_case(7, T, False)
    net = RsnnNet.from_rsnn(w, cfg)
    xt = torch.from_numpy(x.astype(np.float32))
    q = net(xt, "qat")
    i = net(xt.double(), "int")
    for key in ("scores", "s0", "s1"):
        assert torch.equal(q[key].detach().double(), i[key]), key


def test_gradients_reach_every_weight():
    torch.manual_seed(0)
    net = RsnnNet(32, RsnnConfig(T=2, s_in=6, b0=2, b1=2, theta0=64, theta1=48))
    x = torch.randint(0, 256, (2, 6, 40)).float()
    out = net(x, "qat")
    loss = torch.nn.functional.cross_entropy(net.logits(out["scores"]).flatten(0, 1),
                                             torch.randint(0, 48, (12,)))
    loss = loss + out["s0"].mean() + out["s1"].mean()
    loss.backward()
    for name in RsnnNet.NAMES:
        g = getattr(net, name).grad
        assert g is not None and torch.isfinite(g).all() and g.abs().sum() > 0, name


def test_state_carry_equals_one_pass():
    """Truncated chunks with the state carried give the same forward as one pass."""
    w, cfg, x = _random_case(3, 2, False)
    net = RsnnNet.from_rsnn(w, cfg)
    xt = torch.from_numpy(x.astype(np.float64))
    full = net(xt, "int")
    a = net(xt[:, :4], "int")
    b = net(xt[:, 4:], "int", state=a["state"])
    assert torch.equal(torch.cat([a["scores"], b["scores"]], 1), full["scores"])


def test_pruning_shapes_and_fc_zeros():
    torch.manual_seed(1)
    net = RsnnNet(160, RsnnConfig(T=2, s_in=6, b0=2, b1=2, theta0=64, theta1=48))
    rng = np.random.default_rng(0)
    items = [(rng.integers(0, 256, (8, 40)).astype(np.uint8), np.zeros(8, np.int64), [])]
    imp0, imp1 = neuron_importance(net, items)
    small = prune_neurons(net, N_NEURONS, imp0, imp1)
    prune_fc(small, 0.5)
    w = small.rsnn_weights()
    assert w.wr0.shape == (128, 128) and w.wfc.shape == (128, 1920)
    assert np.mean(w.wfc == 0) >= 0.4
    assert_integer_equal(small, items[0][0])


def test_smoke_training_exports_exact_network(tmp_path, speech_data):
    cfg = smoke_config(train_limit=4, test_limit=2, hidden=144, chunk=30, batch=4)
    facts = run_training(cfg, speech_data, tmp_path / "w", tmp_path / "ck",
                         write_samples=False, quiet=True)
    net, manifest = load_exported(tmp_path / "w")
    assert manifest["classes"][0] == "sil" and len(manifest["classes"]) == 48
    assert manifest["quantizer"]["n_features"] == 40
    assert manifest["training"]["seed"] == cfg.seed == facts["seed"]
    assert np.mean(net.rsnn_weights().wfc == 0) >= 0.4
    from ml.speech.prepare import load_prepared
    f, _ = load_prepared(Path(speech_data) / "test.npz")[0]
    assert_integer_equal(net, f[:12])


def test_missing_corpus_is_an_input_error(tmp_path):
    from model.errors import InputError
    with pytest.raises(InputError, match="train.npz: not found: prepare the speech corpus"):
        run_training(smoke_config(), tmp_path / "none", tmp_path / "w", tmp_path / "ck",
                     quiet=True)


# ---- the exported network --------------------------------------------------------
needs_weights = pytest.mark.skipif(not (WEIGHTS / "manifest.json").is_file(),
                                   reason="weights/rsnn not exported yet")


@needs_weights
def test_exported_samples_small_and_well_formed():
    entries = load_samples_dir(WEIGHTS)
    assert any(e["name"].startswith("synth_") for e in entries)
    assert any(e["name"].startswith("real_") for e in entries)
    total = sum(p.stat().st_size for p in (WEIGHTS / "samples").iterdir())
    assert total < 1_000_000
    for e in entries:
        assert e["x"].dtype == np.uint8 and e["x"].shape == (e["frames"], 40)
        assert e["y"].shape == (e["frames"],)


@needs_weights
@pytest.mark.parametrize("T", [1, 2])
def test_exported_weights_equal_numpy_on_test_utterances(T):
    net, manifest = load_exported(WEIGHTS)
    assert net.hidden == 128
    synth = [e for e in load_samples_dir(WEIGHTS) if e["name"].startswith("synth_")][:2]
    real = [e for e in load_samples_dir(WEIGHTS) if e["name"].startswith("real_")][:1]
    for e in synth + real:
        assert_integer_equal(net, e["x"][:60], T=T)


@needs_weights
def test_exported_manifest_facts():
    _, manifest = load_exported(WEIGHTS)
    tr = manifest["training"]
    for key in ("seed", "T", "epochs", "data", "test", "layer_sparsity", "model_size_mb"):
        assert key in tr, key
    assert tr["test"]["int4"]["frame_acc"] > 1 / 48
    assert manifest["registers"]["T"] == tr["T"]


@needs_weights
def test_exported_manifest_issue4_facts():
    """Decoder chosen on validation speakers, decoded PER below the raw one, L1 sparsity in
    the paper's band and the T = 2 cycle margin, float baseline attached."""
    _, manifest = load_exported(WEIGHTS)
    tr = manifest["training"]
    dec = tr["decoder"]
    assert "validation" in dec["chosen_on"] and dec["k"] >= 1 and dec["m"] >= 1
    assert not set(tr["data"]["validation_speakers"]) & {"FDVK0", "MPQE0", "MQVF0", "MZMA0"}
    t = tr["test"]["int4"]
    assert t["decoder"] == {"k": dec["k"], "m": dec["m"]}
    assert t["per_decoded"] < t["per"]
    assert 0.60 <= tr["layer_sparsity"]["l0"] <= 0.71
    assert 0.60 <= tr["layer_sparsity"]["l1"] <= 0.71
    assert tr["cycles_test"]["T2"]["cyc_total"] <= 970
    assert tr["cycles_test"]["T2"]["frames"] == tr["data"]["test_frames"]
    fb = tr["float_baseline"]
    assert fb["config"]["float_train"] and fb["test"]["utterances"] == t["utterances"]
    assert fb["epochs"] == tr["epochs"]


# ---- FC parity balance, validation split, float baseline, batched equality ----------
def test_parity_permutation_balances_and_keeps_results():
    # neurons 0 and 2 always fire together, as do 1 and 3: in the identity order both of
    # a pair sit on the same parity (|n_even - n_odd| = 2 every frame); balanced: 0.
    H = 8
    active = np.zeros((40, H))
    active[:20, [0, 2]] = 1
    active[20:, [1, 3]] = 1
    perm = parity_permutation(active)
    assert sorted(perm.tolist()) == list(range(H))
    a = active[:, perm]
    assert np.abs(active[:, 0::2].sum(1) - active[:, 1::2].sum(1)).mean() == 2
    assert np.abs(a[:, 0::2].sum(1) - a[:, 1::2].sum(1)).mean() == 0
    # renumbering L1 changes no score, only the order of the L1 spikes
    w, cfg, x = _random_case(3, 2, False)
    net = RsnnNet.from_rsnn(w, cfg)
    before = net(torch.from_numpy(x.astype(np.float64)), "int")
    p = np.random.default_rng(0).permutation(128)
    permute_l1(net, p)
    after = net(torch.from_numpy(x.astype(np.float64)), "int")
    assert torch.equal(before["scores"], after["scores"])
    assert torch.equal(before["s1"][..., p], after["s1"])
    assert_integer_equal(net, x)


def test_split_validation_holds_out_whole_speakers():

    class Split:
        names = [f"SPK{i // 3}_SX{i}" for i in range(30)]     # 10 speakers x 3
    tr, val = split_validation(Split(), 0.2, seed=1)
    assert len(val) == 6 and len(tr) == 24 and not set(tr) & set(val)
    spk = lambda idx: {Split.names[i].split("_")[0] for i in idx}
    assert len(spk(val)) == 2 and not spk(val) & spk(tr)


def test_batched_equality_names_the_utterance():
    w, cfg, x = _random_case(4, 2, False)
    net = RsnnNet.from_rsnn(w, cfg)
    items = [(x[0, :7], np.zeros(7, np.int64), []), (x[1], np.zeros(10, np.int64), [])]
    assert assert_integer_equal_all(net, items, batch=2) == {"utterances": 2, "frames": 17}

    class Off(RsnnNet):                      # a training form one off in one score
        def forward(self, *a, **k):
            out = super().forward(*a, **k)
            out["scores"] = out["scores"].clone()
            out["scores"][1, 3, 5] += 1
            return out
    bad = Off.from_rsnn(w, cfg)
    with pytest.raises(AssertionError, match="utterance 1: scores differs at \\[3, 5\\]"):
        assert_integer_equal_all(bad, items, batch=2)


def test_smoke_float_baseline_and_attach(tmp_path, speech_data):
    data = speech_data
    cfg = smoke_config(train_limit=4, test_limit=2, hidden=136, chunk=30, batch=4)
    run_training(cfg, data, tmp_path / "w", tmp_path / "ck", write_samples=False, quiet=True)
    fcfg = dataclasses.replace(cfg, float_train=True)
    facts = run_training(fcfg, data, tmp_path / "f", tmp_path / "fck", write_samples=False,
                         quiet=True)
    assert facts["config"]["float_train"] and "per_decoded" in facts["test"]
    assert not (tmp_path / "f" / "manifest.json").exists()      # nothing exported
    got = attach_float_baseline(tmp_path / "w", tmp_path / "f" / "float_baseline.json")
    _, manifest = load_exported(tmp_path / "w")
    fb = manifest["training"]["float_baseline"]
    assert fb["test"]["frame_acc"] == facts["test"]["frame_acc"] == got["test"]["frame_acc"]
    dec = manifest["training"]["decoder"]
    assert dec["k"] >= 1 and dec["m"] >= 1 and "validation" in dec["chosen_on"]
    # the report evaluates int4, latent float and the separate float net, checks
    # torch-integer == numpy on every (here: 2) test utterance
    import io
    buf = io.StringIO()
    res = report(tmp_path / "w", data, test_limit=2, stream=buf, rtl=0,
                 float_baseline=tmp_path / "fck" / "final.pt", quiet=True)
    text = buf.getvalue()
    assert "PER dec" in text and "float-sep" in text and "float-latent" in text
    assert res["integer_equal"] == {"utterances": 2, "frames":
                                    res["sets"]["synthetic test"]["int4"]["frames"]}
