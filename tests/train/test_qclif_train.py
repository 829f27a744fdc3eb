"""qclif training form (ml/train/qclif/): the integer mode equals the numpy model bit for
bit, the training mode has usable gradients, quantizers keep their ranges, and an export
reads back. Needs torch (the ``train`` extra); skipped without."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ml.train import TRAIN_EXTRA

torch = pytest.importorskip("torch", reason=TRAIN_EXTRA)

from ml.dvs.prepare import DEFAULT_BINNING, PreparedSplit  # noqa: E402
from ml.train.common import (  # noqa: E402
    clamp_ste, clamp_unsigned, floor_shift, int_range, load_checkpoint, quantize_int,
    save_checkpoint, saturate, seed_everything, spike_fn,
)
from ml.train.qclif.data import shift_blocks, window_views  # noqa: E402
from ml.train.qclif.export import export, load_exported  # noqa: E402
from ml.train.qclif.loop import post_training_quantize, smoke_config, train  # noqa: E402
from ml.train.qclif.net import QclifNet, assert_integer_equal, regs_for_bits  # noqa: E402
from model.qclif import QclifRegs, QclifWeights  # noqa: E402
from model.qclif_memory import load_weights_dir  # noqa: E402
from spikedv.cli import main as spikedv  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
EXPORTED = REPO / "weights" / "qclif"


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def random_inputs(rng, samples, bins, density):
    return (rng.random((samples, bins, 200)) < density).astype(np.uint8)


# ---- integer mode == model.qclif.run ---------------------------------------------
REG_CASES = {
    "default": QclifRegs(),
    "trained_regs": regs_for_bits(8),
    "4bit_regs": regs_for_bits(4),
    # shifts 0: Is, Ia saturate at both ends; big gain, theta 1: V saturates at 255
    "saturating": QclifRegs(la=0, ls=0, g0=255, theta=1, si=0, sa=0, sd=0),
    "saturating_theta_max": QclifRegs(la=0, ls=0, g0=200, theta=255, si=0, sa=0, sd=3),
    # g0 = 0: no context at the start -> no gain -> silent forever
    "g0_zero": QclifRegs(la=3, ls=2, g0=0, theta=40, si=1, sa=1, sd=4),
    "big_shifts": QclifRegs(la=255, ls=255, g0=7, theta=200, si=15, sa=15, sd=15),
    "strong_context": QclifRegs(la=1, ls=1, g0=2, theta=30, si=2, sa=0, sd=5),
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("case", sorted(REG_CASES))
def test_integer_mode_equals_numpy_model(case, seed):
    rng = np.random.default_rng(1000 * seed + len(case))
    n = [200, 37, 10][seed]
    weights = QclifWeights.random(rng, n=n, density=[0.5, 0.9, 0.2][seed])
    regs = REG_CASES[case]
    x = random_inputs(rng, 3, 12, [0.1, 0.5, 0.03][seed])
    net = QclifNet.from_qclif(weights, regs)
    got = assert_integer_equal(net, x)
    if case == "g0_zero":
        assert got["numpy"].spikes.sum() == 0
    if case == "saturating":
        # the regime is really exercised: currents hit both rails
        assert got["numpy"].is_.max() == 127 and got["numpy"].is_.min() == -128


def test_integer_mode_single_sample_and_extremes():
    rng = np.random.default_rng(5)
    x = np.ones((8, 200), np.uint8)            # every input on in every bin
    for fill in (127, -128):
        w = QclifWeights(win=np.full((200, 20), fill, np.int8),
                         wctx=np.full((20, 20), fill, np.int8),
                         wout=rng.integers(-128, 128, (20, 11)).astype(np.int8))
        assert_integer_equal(QclifNet.from_qclif(w, REG_CASES["saturating"]), x)


def test_integer_mode_catches_a_difference():
    rng = np.random.default_rng(3)
    net = QclifNet.from_qclif(QclifWeights.random(rng, n=20), QclifRegs(theta=20))
    x = random_inputs(rng, 2, 10, 0.3)
    assert_integer_equal(net, x)
    net.regs = QclifRegs(theta=21)     # torch runs theta 21 ...
    net_ref_regs = QclifRegs(theta=20)
    from model.qclif import run
    ref = run(net.qclif_weights(), net_ref_regs, x)
    ours = net(torch.from_numpy(x), mode="int")
    assert not np.array_equal(ours["spikes"].numpy(), ref.spikes)


@pytest.mark.parametrize("bits", [8, 4])
def test_qat_forward_equals_integer_forward(bits):
    """The training graph's forward values are the integer network's (float32 exact)."""
    seed_everything(bits)
    net = QclifNet(200, bits, init_std=(0.6, 0.3, 0.3))
    x = torch.from_numpy(random_inputs(np.random.default_rng(bits), 4, 30, 0.1))
    a, b = net(x, mode="int"), net(x, mode="qat")
    assert torch.equal(a["spikes"].float(), b["spikes"].detach())
    assert torch.equal(a["scores"].float(), b["scores"].detach())
    assert torch.equal(a["pred"], b["pred"])
    assert a["spikes"].sum() > 0


def test_four_bit_net_is_the_eight_bit_net_with_multiples_of_16():
    rng = np.random.default_rng(7)
    w4 = QclifWeights.random(rng, n=50, low=-8, high=7, density=0.7)
    w8 = QclifWeights(**{k: (getattr(w4, k).astype(np.int16) * 16).astype(np.int8)
                         for k in ("win", "wctx", "wout")})
    x = random_inputs(rng, 3, 20, 0.1)
    r4 = assert_integer_equal(QclifNet.from_qclif(w4, regs_for_bits(4), 4), x)["numpy"]
    r8 = assert_integer_equal(QclifNet.from_qclif(w8, regs_for_bits(8), 8), x)["numpy"]
    assert np.array_equal(r4.spikes, r8.spikes)
    assert np.array_equal(r4.scores * 16, r8.scores)


def test_post_training_quantize_range():
    seed_everything(0)
    net = QclifNet(30, 8, init_std=(1.0, 1.0, 1.0))
    small = post_training_quantize(net, 4).qclif_weights()
    for k in ("win", "wctx", "wout"):
        assert getattr(small, k).min() >= -8 and getattr(small, k).max() <= 7


# ---- gradients -------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["qat", "float"])
def test_gradients_flow_to_every_weight(mode):
    seed_everything(0)
    net = QclifNet(64, 8)
    x = torch.from_numpy(random_inputs(np.random.default_rng(0), 4, 15, 0.15))
    y = torch.tensor([0, 3, 5, 10])
    out = net(x, mode=mode)
    loss = torch.nn.functional.cross_entropy(net.logits(out["scores"]), y)
    loss.backward()
    for p in (net.win, net.wctx, net.wout):
        assert p.grad is not None
        assert torch.isfinite(p.grad).all()
        assert p.grad.abs().sum() > 0


def test_int_mode_has_no_graph():
    net = QclifNet(10, 8)
    out = net(torch.zeros(1, 3, 200, dtype=torch.uint8), mode="int")
    assert not out["scores"].requires_grad and out["scores"].dtype == torch.float64


# ---- quantizers and STE ------------------------------------------------------------
@pytest.mark.parametrize("bits", [8, 4, 2])
def test_quantize_int_range_and_ste(bits):
    lo, hi = int_range(bits)
    x = torch.linspace(-3 * 2 ** bits, 3 * 2 ** bits, 1001, requires_grad=True)
    q = quantize_int(x, bits)
    assert q.min() == lo and q.max() == hi
    assert torch.equal(q, torch.round(q))                           # integers
    inside = (x > lo) & (x < hi)
    assert torch.equal(q[inside], torch.round(x[inside]))
    q.sum().backward()
    assert torch.equal(x.grad, torch.ones_like(x))                 # straight through


def test_int_range():
    assert int_range(8) == (-128, 127) and int_range(4) == (-8, 7)
    assert int_range(8, signed=False) == (0, 255)


def test_floor_shift_floors_negatives_and_scales_gradient():
    x = torch.tensor([-5.0, -1.0, -4.0, 5.0, 25600.0, -25600.0], requires_grad=True)
    y = floor_shift(x, 1)
    assert y.tolist() == [-3, -1, -2, 2, 12800, -12800]
    y.sum().backward()
    assert torch.allclose(x.grad, torch.full_like(x, 0.5))
    assert floor_shift(torch.tensor([-1.0]), 15).item() == -1
    assert floor_shift(torch.tensor([-5.0]), 1, exact=False).item() == -2.5


def test_saturations_and_their_gradients():
    x = torch.tensor([-300.0, -128.0, 0.0, 127.0, 300.0], requires_grad=True)
    s = saturate(x, 8)
    assert s.tolist() == [-128, -128, 0, 127, 127]
    s.sum().backward()
    assert x.grad.tolist() == [0, 1, 1, 1, 0]                      # true derivative
    x.grad = None
    u = clamp_unsigned(x, 8)
    assert u.tolist() == [0, 0, 0, 127, 255]
    x.grad = None
    clamp_ste(x, 0, 10, straight=True).sum().backward()
    assert x.grad.tolist() == [1] * 5


def test_spike_surrogate():
    u = torch.tensor([-2.0, -0.01, 0.0, 0.5], requires_grad=True)
    s = spike_fn(u, slope=4.0, scale=0.5)
    assert s.tolist() == [0, 0, 1, 1]
    s.sum().backward()
    expect = 0.5 / (1 + 4 * u.detach().abs()) ** 2
    assert torch.allclose(u.grad, expect)


def test_regs_for_bits():
    assert regs_for_bits(8) == QclifRegs(la=4, ls=4, g0=16, theta=32, si=4, sa=4, sd=4)
    r4 = regs_for_bits(4)
    assert (r4.si, r4.sa, r4.sd) == (0, 0, 4)
    r2 = regs_for_bits(2)                                          # si below 0 -> from sd
    assert (r2.si, r2.sa, r2.sd) == (0, 0, 2)


# ---- augmentation ------------------------------------------------------------------
def test_shift_blocks_moves_whole_blocks():
    gen = torch.Generator().manual_seed(0)
    x = torch.zeros(64, 3, 200)
    x[:, :, 100 + 5 * 10 + 5] = 1          # ON polarity, yb = 5, xb = 5
    x[:, :, 0] = 1                         # OFF polarity, corner block (0, 0)
    y = shift_blocks(x, gen, 1)
    seen = set()
    for i in range(64):
        on = torch.nonzero(y[i, 0]).flatten().tolist()
        assert torch.equal(y[i, 0], y[i, 1]) and torch.equal(y[i, 0], y[i, 2])
        centre = [c for c in on if c >= 100]
        assert len(centre) == 1
        yb, xb = divmod(centre[0] - 100, 10)
        assert abs(yb - 5) <= 1 and abs(xb - 5) <= 1
        seen.add((yb - 5, xb - 5))
        corner = [c for c in on if c < 100]  # kept only when moved inside the grid
        dy, dx = yb - 5, xb - 5
        assert corner == ([dy * 10 + dx] if dy >= 0 and dx >= 0 else [])
    assert len(seen) == 9
    assert torch.equal(shift_blocks(x, gen, 0), x)


# ---- training loop, checkpoints, export ------------------------------------------
def fake_split(rng, samples, bins=10):
    labels = np.arange(samples) % 11
    x = random_inputs(rng, samples, bins, 0.02)
    for i, c in enumerate(labels):        # class c lights channels 10c..10c+9
        x[i, :, 10 * c:10 * c + 10] |= (rng.random((bins, 10)) < 0.8).astype(np.uint8)
    return PreparedSplit(x, labels.astype(np.int64), np.array(["user01_lab"] * samples),
                         np.zeros(samples, np.int64), DEFAULT_BINNING)


def test_smoke_training_runs_and_checkpoints(tmp_path):
    rng = np.random.default_rng(0)
    tr, te = fake_split(rng, 22), fake_split(rng, 11)
    cfg = smoke_config(n=32, train_limit=None, test_limit=None)
    ckpt = tmp_path / "ck.pt"
    res = train(cfg, tr, te, ckpt_path=ckpt)
    assert len(res["history"]) == cfg.epochs
    assert 0 <= res["result"]["test_accuracy"] <= 1
    blob = load_checkpoint(ckpt)
    assert blob["epoch"] == cfg.epochs
    # resuming a finished run does no more epochs and gives the same weights
    res2 = train(cfg, tr, te, ckpt_path=ckpt, resume=True)
    for k in ("win", "wctx", "wout"):
        assert np.array_equal(getattr(res["net"].qclif_weights(), k),
                              getattr(res2["net"].qclif_weights(), k))


def test_training_is_deterministic():
    rng = np.random.default_rng(1)
    tr, te = fake_split(rng, 16), fake_split(rng, 8)
    cfg = smoke_config(n=16, epochs=1, train_limit=None, test_limit=None)
    a = train(cfg, tr, te)["net"].qclif_weights()
    b = train(cfg, tr, te)["net"].qclif_weights()
    assert np.array_equal(a.win, b.win) and np.array_equal(a.wctx, b.wctx)


def test_checkpoint_round_trip(tmp_path):
    seed_everything(0)
    net = QclifNet(20, 8)
    save_checkpoint(tmp_path / "a.pt", net, epoch=3)
    other = QclifNet(20, 8)
    blob = load_checkpoint(tmp_path / "a.pt", other)
    assert blob["epoch"] == 3
    assert torch.equal(net.win, other.win)


@pytest.mark.parametrize("bits", [8, 4])
def test_export_load_round_trip(tmp_path, bits):
    seed_everything(bits)
    net = QclifNet(200, bits, init_std=(0.5, 0.5, 0.5))
    facts = {"epochs": 0, "seed": bits, "test_accuracy": {"8bit": 0.5}}
    path = export(tmp_path / "qclif", net, facts)
    manifest = json.loads(path.read_text())
    assert manifest["classes"][0] == "hand_clap" and len(manifest["classes"]) == 11
    assert manifest["binning"]["n_bins"] == DEFAULT_BINNING.n_bins
    assert manifest["n_neurons"] == 200 and manifest["weight_bits"] == bits
    assert manifest["registers"] == regs_for_bits(bits).as_dict()
    weights, regs, _ = load_weights_dir(tmp_path / "qclif")
    for k in ("win", "wctx", "wout"):
        assert np.array_equal(getattr(weights, k), getattr(net.qclif_weights(), k))
    lo, hi = int_range(bits)
    assert weights.win.min() >= lo and weights.win.max() <= hi
    loaded, _ = load_exported(tmp_path / "qclif")
    x = random_inputs(np.random.default_rng(0), 2, 15, 0.1)
    assert_integer_equal(loaded, x)
    assert torch.equal(loaded(torch.from_numpy(x), "int")["scores"],
                       net(torch.from_numpy(x), "int")["scores"])


@pytest.mark.skipif(not (EXPORTED / "manifest.json").is_file(),
                    reason="no exported weights/qclif/")
def test_exported_weights_equal_numpy_model():
    net, manifest = load_exported(EXPORTED)
    assert manifest["n_neurons"] == net.n == 200
    prepared = REPO / "build" / "dvs" / "prepared" / "test.npz"
    if prepared.is_file():
        from ml.dvs.prepare import load_prepared
        x = load_prepared(prepared).inputs[:3]
    else:
        x = random_inputs(np.random.default_rng(0), 3, DEFAULT_BINNING.n_bins, 0.07)
    assert_integer_equal(net, x)


def test_cli_smoke_end_to_end(tmp_path):
    """``spikedv qclif train --smoke``: synthesizes a 22-gesture corpus (2 trials), trains
    2 epochs, exports; ``spikedv qclif report`` on the result (no RTL samples)."""
    out, ckpt = tmp_path / "w", tmp_path / "ck"
    rc = spikedv(["qclif", "train", "--smoke", "--data", str(tmp_path / "dvs"), "--out", str(out),
                  "--ckpt-dir", str(ckpt), "--jobs", "1", "-q"])
    assert rc == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["training"]["smoke"] is True
    assert "8bit" in manifest["training"]["test_accuracy"]
    assert (ckpt / "results_8bit.json").is_file()
    # extra training windows from the same corpus: inside their gestures, cached
    x, y = window_views(tmp_path / "dvs", 500_000, 3, log=lambda *_: None)
    assert x.shape[1:] == (DEFAULT_BINNING.n_bins, 200) and x.dtype == np.uint8
    assert len(x) == len(y) and set(y.tolist()) <= set(range(11))
    assert (tmp_path / "dvs" / "prepared" / "train_views_500000_3.npz").is_file()
    x2, _ = window_views(tmp_path / "dvs", 500_000, 3)
    assert np.array_equal(x, x2)
    # the report of the exported weights (numpy model; RTL samples need Verilator)
    pytest.importorskip("matplotlib", reason=TRAIN_EXTRA)
    rc = spikedv(["qclif", "report", "--weights", str(out), "--data",
                  str(tmp_path / "dvs" / "prepared"), "--rtl-samples", "0", "--out",
                  str(tmp_path / "reports"), "-q"])
    assert rc == 0
    result = json.loads((tmp_path / "reports" / "qclif_report.json").read_text())
    assert result["8bit"]["samples"] == 11 and result["rtl"] == []
    assert (tmp_path / "reports" / "qclif_confusion.png").is_file()
