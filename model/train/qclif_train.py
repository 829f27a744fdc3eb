"""qclif training form, training loop and export (docs/training_qclif.md).

``QclifNet`` is the integer network of docs/qclif.md written in torch:

- ``mode="int"``: float64 tensors holding integers, no autograd: exactly the integer
  network (asserted against ``model.qclif.run`` by ``assert_integer_equal``).
- ``mode="qat"``: the same forward values (float32 holds every intermediate exactly:
  |sums| <= 25,600, |Is * g| <= 65,280, scores < 2^24 for the 60-bin windows), with
  straight-through gradients for the weight rounding, the floor shifts and the
  saturations, and a fast-sigmoid surrogate gradient for the spike. So the training
  loss is computed on the very network the hardware runs.
- ``mode="float"``: the same graph without weight rounding and without floors (clamps
  and the spike step kept): a float baseline.

Weights are latent float parameters in units of the weight range (``w_int =
clamp(round(w * 2^(bits-1)))``); ``bits=4`` limits them to -8..7, stored in the same
int8 memories, with ``regs_for_bits(4)`` (input shifts 4 smaller).

Command line::

    python -m model.train.qclif_train --out weights/qclif --data build/dvs [--smoke] [--bits 8|4]
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from model.dvs.binning import BinningParams
from model.dvs.layout import CLASS_NAMES, DATASET_DIR
from model.dvs.prepare import DEFAULT_BINNING, PreparedSplit, load_prepared, prepare
from model.qclif import N_CLASSES, N_INPUTS, QclifRegs, QclifWeights, run as qclif_run
from model.qclif_memory import load_weights_dir, write_weights_dir
from model.train.common import (
    Progress, clamp_ste, clamp_unsigned, floor_shift, int_range, load_checkpoint,
    quantize_int, save_checkpoint, saturate, seed_everything, set_threads, spike_fn,
)

CURRENT_BITS = 8          # Is and Ia are sat_8
STATE_BITS = 8            # Va and V are clamp_u8

# Registers for 8-bit weights [ours]; docs/training_qclif.md explains each choice.
REGS_8BIT = QclifRegs(la=4, ls=4, g0=16, theta=32, si=4, sa=4, sd=4)

DEFAULT_DATA = "build/dvs"
DEFAULT_OUT = "weights/qclif"
DEFAULT_CKPT = "build/train/qclif"
SMOKE_CKPT = "build/train/qclif_smoke"


def regs_for_bits(bits: int, base: QclifRegs = REGS_8BIT) -> QclifRegs:
    """Registers for ``bits``-bit weights: a b-bit weight is worth 2^(8-b) int8 weights,
    so the input shifts ``si`` and ``sa`` are 8-b smaller. With the default registers
    (si = sa = 4) a 4-bit network is then *exactly* the 8-bit network whose weights are
    multiples of 16. A shift that would go below 0 is 0 and, for ``si``, the rest is
    taken from ``sd`` (same D); ``sa`` has no such partner, so Ia is smaller then."""
    if not 1 <= bits <= 8:
        raise ValueError(f"bits must be 1..8, got {bits}")
    k = 8 - bits
    si, sa, sd = base.si - k, base.sa - k, base.sd
    if si < 0:
        sd, si = max(0, sd + si), 0
    return dataclasses.replace(base, si=si, sa=max(0, sa), sd=sd).validate()


# ---- the training form -------------------------------------------------------------
class QclifNet(nn.Module):
    """qclif network of N neurons with ``bits``-bit weights (see the module docstring).

    forward(x, mode) with x (batch, bins, 200) 0/1 returns a dict: ``scores`` (batch, 11),
    ``pred`` (batch,), ``spikes`` (batch, bins, N) and, with ``record``, ``va`` and ``v``
    (batch, bins, N; V after the threshold) as in ``model.qclif.run``.
    """

    def __init__(self, n: int = 200, bits: int = 8, regs: QclifRegs | None = None, *,
                 surrogate_slope: float = 4.0, surrogate_width: float | None = None,
                 detach_reset: bool = True, temp_init: float = 0.05,
                 init_std: tuple[float, float, float] = (0.3, 0.15, 0.1)):
        super().__init__()
        if not 1 <= n <= 200:
            raise ValueError(f"n must be 1..200, got {n}")
        self.n, self.bits = int(n), int(bits)
        self.regs = (regs or regs_for_bits(bits)).validate()
        self.qmax = float(1 << (self.bits - 1))     # latent 1.0 = 2^(bits-1) integer units
        self.w_lo, self.w_hi = int_range(self.bits)
        self.surrogate_slope = float(surrogate_slope)
        self.surrogate_width = float(surrogate_width or self.regs.theta)
        self.detach_reset = bool(detach_reset)
        self.win = nn.Parameter(torch.empty(N_INPUTS, n))
        self.wctx = nn.Parameter(torch.empty(n, n))
        self.wout = nn.Parameter(torch.empty(n, N_CLASSES))
        # readout temperature for the loss only (argmax does not depend on it)
        self.log_temp = nn.Parameter(torch.tensor(math.log(temp_init)))
        self.init_std = init_std
        self.reset_parameters()

    WEIGHT_NAMES = ("win", "wctx", "wout")

    def reset_parameters(self) -> None:
        with torch.no_grad():
            for name, std in zip(self.WEIGHT_NAMES, self.init_std):
                getattr(self, name).normal_(0.0, std)
            self.clip_latent_()

    def clip_latent_(self) -> None:
        """Keep latent weights within half a step of the integer range (call after
        each optimizer step), so a weight pushed past the end can come back at once."""
        lo, hi = (self.w_lo - 0.5) / self.qmax, (self.w_hi + 0.49) / self.qmax
        with torch.no_grad():
            for name in self.WEIGHT_NAMES:
                getattr(self, name).clamp_(lo, hi)

    # ---- weights ----
    def effective_weights(self, mode: str = "qat", dtype=torch.float32) -> dict:
        """{name: weight in integer units}: rounded and clamped ("qat", "int") or only
        clamped ("float")."""
        out = {}
        for name in self.WEIGHT_NAMES:
            w = getattr(self, name).to(dtype) * self.qmax
            if mode == "float":
                out[name] = clamp_ste(w, self.w_lo, self.w_hi, straight=True)
            else:
                out[name] = quantize_int(w, self.bits)
        return out

    def qclif_weights(self) -> QclifWeights:
        """The integer weights as ``model.qclif.QclifWeights`` (int8 arrays)."""
        with torch.no_grad():
            w = self.effective_weights("int", torch.float64)
        return QclifWeights(**{k: v.numpy().astype(np.int8) for k, v in w.items()}).validate()

    def load_qclif_weights(self, weights: QclifWeights) -> "QclifNet":
        """Set the latent weights so that the integer weights are ``weights``."""
        weights.validate()
        if weights.n != self.n:
            raise ValueError(f"weights have N = {weights.n}, this net N = {self.n}")
        for name in self.WEIGHT_NAMES:
            w = np.asarray(getattr(weights, name), np.int64)
            if w.min() < self.w_lo or w.max() > self.w_hi:
                raise ValueError(f"{name} has values outside {self.w_lo}..{self.w_hi} "
                                 f"({self.bits}-bit weights)")
            with torch.no_grad():
                getattr(self, name).copy_(torch.from_numpy(w / self.qmax))
        return self

    @classmethod
    def from_qclif(cls, weights: QclifWeights, regs: QclifRegs, bits: int = 8,
                   **kwargs) -> "QclifNet":
        return cls(weights.n, bits, regs, **kwargs).load_qclif_weights(weights)

    # ---- the network ----
    def forward(self, x, mode: str = "qat", record: bool = False) -> dict:
        if mode not in ("qat", "int", "float"):
            raise ValueError(f"mode {mode!r}, expected 'qat', 'int' or 'float'")
        dtype = torch.float64 if mode == "int" else torch.float32
        x = torch.as_tensor(x).to(dtype)
        if x.ndim != 3 or x.shape[-1] != N_INPUTS:
            raise ValueError(f"inputs of shape {tuple(x.shape)}, expected (batch, bins, "
                             f"{N_INPUTS})")
        grad = torch.no_grad() if mode == "int" else contextlib.nullcontext()
        with grad:
            return self._run(x, mode, record, dtype)

    def _run(self, x, mode, record, dtype) -> dict:
        r, exact = self.regs, mode != "float"
        w = self.effective_weights(mode, dtype)
        batch, bins, _ = x.shape
        # The input does not depend on the recurrence: all bins in one matmul.
        i_s = saturate(floor_shift(x @ w["win"], r.si, exact), CURRENT_BITS)
        va = x.new_zeros(batch, self.n)
        v = x.new_zeros(batch, self.n)
        s = x.new_zeros(batch, self.n)
        theta, width = float(r.theta), self.surrogate_width
        spikes, vas, vs = [], [], []
        for t in range(bins):
            ia = saturate(floor_shift(s @ w["wctx"], r.sa, exact), CURRENT_BITS)
            va = clamp_unsigned(va - r.la + ia, STATE_BITS)
            g = va + r.g0
            d = floor_shift(i_s[:, t] * g, r.sd, exact)
            v_soma = clamp_unsigned(v - r.ls + d, STATE_BITS)
            s = spike_fn((v_soma - theta) / width, self.surrogate_slope, 1.0 / width)
            v = v_soma - theta * (s.detach() if self.detach_reset else s)
            spikes.append(s)
            if record:
                vas.append(va)
                vs.append(v)
        spikes = torch.stack(spikes, 1) if bins else x.new_zeros(batch, 0, self.n)
        # sum_t s[t] @ Wout == (sum_t s[t]) @ Wout exactly (integer counts)
        scores = spikes.sum(1) @ w["wout"]
        out = {"scores": scores, "pred": torch.argmax(scores, -1), "spikes": spikes}
        if record:
            empty = x.new_zeros(batch, 0, self.n)
            out["va"] = torch.stack(vas, 1) if bins else empty
            out["v"] = torch.stack(vs, 1) if bins else empty
        return out

    def logits(self, scores):
        """Scores scaled for the cross-entropy: ``scores * temp / 2^(bits-1)`` with a
        learned temperature ``temp`` (not exported: the argmax does not depend on it)."""
        return scores * (self.log_temp.exp() / self.qmax)


# ---- proof of equality -------------------------------------------------------------
def assert_integer_equal(net: QclifNet, inputs) -> dict:
    """Run ``net`` in integer mode and ``model.qclif.run`` on the same inputs
    ((samples, bins, 200) or (bins, 200)); AssertionError unless spikes, Va, V, scores
    and predictions are identical. Returns {"torch": ..., "numpy": QclifResult}."""
    x = np.asarray(inputs)
    batched = x.ndim == 3
    xb = x if batched else x[None]
    ours = net(torch.from_numpy(xb.astype(np.uint8)), mode="int", record=True)
    ref = qclif_run(net.qclif_weights(), net.regs, xb)
    pairs = {"spikes": "spikes", "va": "va", "v": "v", "scores": "scores", "pred": "pred"}
    for key, ref_key in pairs.items():
        a = ours[key].numpy().astype(np.int64)
        b = np.asarray(ref[ref_key]).astype(np.int64)
        if a.shape != b.shape:
            raise AssertionError(f"{key}: shape {a.shape} (torch) != {b.shape} (numpy)")
        bad = np.argwhere(a != b)
        if bad.size:
            i = tuple(int(v) for v in bad[0])
            raise AssertionError(f"{key} differs at {i}: torch {a[i]}, numpy {b[i]} "
                                 f"({len(bad)} differences)")
    return {"torch": ours, "numpy": ref}


# ---- data --------------------------------------------------------------------------
def synth_info(data_dir) -> dict | None:
    """The generator's synth.json of the corpus under ``data_dir`` (None if absent)."""
    path = Path(data_dir) / DATASET_DIR / "synth.json"
    return json.loads(path.read_text()) if path.is_file() else None


def ensure_data(data_dir=DEFAULT_DATA, samples: int = 1100, seed: int = 0, workers: int = 2,
                log=print) -> tuple[PreparedSplit, PreparedSplit, dict]:
    """Synthetic DVS Gesture corpus and its prepared splits, cached under ``data_dir``:
    ``data_dir/DvsGesture/`` (model.dvs.synth) and ``data_dir/prepared/`` (model.dvs.
    prepare with DEFAULT_BINNING). A corpus of the same seed with at least ``samples``
    gestures is reused; otherwise it is generated again. Returns (train, test, info)."""
    data_dir = Path(data_dir)
    info = synth_info(data_dir)
    want = {"seed": seed, "samples": samples}
    if info is not None and (info.get("seed") != seed
                             or info.get("requested_samples", 0) < samples):
        log(f"corpus in {data_dir} has seed {info.get('seed')} and "
            f"{info.get('requested_samples')} samples; want {want}: generating again")
        shutil.rmtree(data_dir / DATASET_DIR)
        shutil.rmtree(data_dir / "prepared", ignore_errors=True)
        info = None
    if info is None:
        if (data_dir / DATASET_DIR).exists():
            raise RuntimeError(f"{data_dir / DATASET_DIR} exists without synth.json; "
                               "not a synthetic corpus of ours, not touching it")
        from model.dvs.synth import synthesize_dataset
        log(f"synthesizing {samples} samples (seed {seed}, {workers} workers) "
            f"into {data_dir}")
        t0 = time.perf_counter()
        synthesize_dataset(data_dir, samples, seed, workers=workers)
        log(f"synthesized in {time.perf_counter() - t0:.1f} s")
        info = synth_info(data_dir)
    prep = data_dir / "prepared"
    source = {"seed": info["seed"], "requested_samples": info["requested_samples"],
              "binning": DEFAULT_BINNING.to_dict()}
    src_file = prep / "source.json"
    recorded = json.loads(src_file.read_text()) if src_file.is_file() else {}
    if any(recorded.get(k) != v for k, v in source.items()):
        log(f"binning into {prep}")
        t0 = time.perf_counter()
        prepare(data_dir, prep, DEFAULT_BINNING)
        source_out = {**source, "prepare_wall_s": round(time.perf_counter() - t0, 1)}
        src_file.write_text(json.dumps(source_out, indent=1) + "\n")
        source = source_out
    else:
        source = recorded
    train = load_prepared(prep / "train.npz")
    test = load_prepared(prep / "test.npz")
    users = lambda split: sorted({int(t[4:6]) for t in split.trials})   # userNN_...
    facts = {"corpus": "synthetic DVS Gesture (model.dvs.synth)", "seed": info["seed"],
             "requested_samples": info["requested_samples"],
             "synth_wall_s": info["summary"]["wall_s"],
             "synth_workers": info["summary"]["workers"],
             "prepare_wall_s": source.get("prepare_wall_s"),
             "train_samples": len(train), "test_samples": len(test),
             "train_users": users(train), "test_users": users(test),
             "input_density_train": round(train.density, 5),
             "input_density_test": round(test.density, 5)}
    return train, test, facts


def window_views(data_dir, step_us: int, max_views: int = 8,
                 params: BinningParams = DEFAULT_BINNING, split: str = "train",
                 log=print) -> tuple[np.ndarray, np.ndarray]:
    """More training windows from the same gestures (augmentation): every labelled
    gesture of ``split`` binned again with its window starting ``k * step_us`` after
    the label's start (k = 1 .. max_views-1) as long as the window stays inside the
    gesture. The k = 0 windows are the prepared split itself and are not repeated.
    Cached in ``data_dir/prepared/<split>_views_<step_us>_<max_views>.npz``.
    Returns (inputs (M, bins, 200) uint8, labels (M,))."""
    from model.dvs.layout import cut_samples, iter_trials
    cache = Path(data_dir) / "prepared" / f"{split}_views_{step_us}_{max_views}.npz"
    if cache.is_file():
        with np.load(cache) as z:
            return z["inputs"], z["labels"]
    t0 = time.perf_counter()
    xs, ys = [], []
    for trial in iter_trials(data_dir, split):
        for seg, (cls, events) in zip(trial.labels.segments,
                                      cut_samples(trial.events, trial.labels)):
            for k in range(1, max_views):
                off = k * step_us
                if off + params.window_us > seg.end_us - seg.start_us:
                    break
                xs.append(params.bin_sample(events, seg.start_us + off))
                ys.append(cls)
    x = np.stack(xs) if xs else np.zeros((0, params.n_bins, N_INPUTS), np.uint8)
    y = np.asarray(ys, np.int64)
    np.savez_compressed(cache, inputs=x, labels=y)
    log(f"{len(y)} extra {split} windows (step {step_us} us) in "
        f"{time.perf_counter() - t0:.1f} s -> {cache}")
    return x, y


def shift_blocks(x: torch.Tensor, gen: torch.Generator, max_shift: int = 1) -> torch.Tensor:
    """Augmentation: move each sample's input by a random whole number of pooled blocks
    (-max_shift..max_shift in x and in y, the same for both polarities and all bins),
    zero-filled (channel c = p*100 + yb*10 + xb, model.dvs.binning)."""
    if max_shift <= 0:
        return x
    b, t, _ = x.shape
    grid = x.reshape(b, t, 2, 10, 10)
    out = torch.zeros_like(grid)
    d = torch.randint(-max_shift, max_shift + 1, (b, 2), generator=gen).tolist()
    for i, (dy, dx) in enumerate(d):
        ys, yd = slice(max(0, -dy), 10 - max(0, dy)), slice(max(0, dy), 10 - max(0, -dy))
        xs, xd = slice(max(0, -dx), 10 - max(0, dx)), slice(max(0, dx), 10 - max(0, -dx))
        out[i, :, :, yd, xd] = grid[i, :, :, ys, xs]
    return out.reshape(b, t, N_INPUTS)


# ---- training ----------------------------------------------------------------------
@dataclass
class TrainConfig:
    bits: int = 8
    float_baseline: bool = False    # train mode="float" instead of QAT (no export)
    n: int = 200
    epochs: int = 60
    batch_size: int = 32
    lr: float = 3e-3
    lr_final_frac: float = 0.05     # cosine decay to lr * this
    seed: int = 0
    samples: int = 1100             # corpus size (whole trials of 11 gestures)
    data_seed: int = 0
    train_limit: int | None = None  # use a random subset (smoke)
    test_limit: int | None = None
    threads: int = 1
    surrogate_slope: float = 4.0
    detach_reset: bool = True
    temp_init: float = 0.05
    rate_reg: float = 0.0           # penalty on mean spikes per neuron-bin above rate_max
    rate_max: float = 0.2
    view_step_ms: int = 500         # > 0: extra training windows every this many ms
    max_views: int = 8              # windows per gesture at most (the first included)
    shift_blocks: int = 1           # random shift of the input by up to this many blocks
    input_dropout: float = 0.0      # drop each active input bit with this probability
    eval_every: int = 10
    regs: dict | None = None        # register override (default regs_for_bits(bits))

    @property
    def tag(self) -> str:
        return "float" if self.float_baseline else f"{self.bits}bit"

    def registers(self) -> QclifRegs:
        return QclifRegs(**self.regs).validate() if self.regs else regs_for_bits(self.bits)


def smoke_config(**kw) -> TrainConfig:
    """Seconds, not accuracy: 2 epochs on a few samples."""
    base = dict(epochs=2, samples=22, train_limit=16, test_limit=8, batch_size=8,
                eval_every=1, view_step_ms=0, shift_blocks=0, input_dropout=0.0)
    return TrainConfig(**{**base, **kw})


def build_net(cfg: TrainConfig) -> QclifNet:
    return QclifNet(cfg.n, cfg.bits, cfg.registers(), surrogate_slope=cfg.surrogate_slope,
                    detach_reset=cfg.detach_reset, temp_init=cfg.temp_init)


@torch.no_grad()
def evaluate(net: QclifNet, inputs, labels, mode: str = "int", batch: int = 128) -> dict:
    """Accuracy and spike activity; ``mode="int"`` is the hardware's integer network."""
    correct, spikes, n = 0, 0.0, len(labels)
    bins = inputs.shape[1] if n else 0
    per_class = np.zeros((N_CLASSES, 2), np.int64)
    for i in range(0, n, batch):
        x = torch.from_numpy(np.asarray(inputs[i:i + batch]))
        y = np.asarray(labels[i:i + batch])
        out = net(x, mode=mode)
        pred = out["pred"].numpy()
        correct += int((pred == y).sum())
        spikes += float(out["spikes"].sum())
        np.add.at(per_class, (y, 0), pred == y)
        np.add.at(per_class, (y, 1), 1)
    return {"accuracy": correct / n if n else float("nan"), "samples": n,
            "spikes_per_bin": spikes / (n * bins) if n and bins else 0.0,
            "spike_rate": spikes / (n * bins * net.n) if n and bins else 0.0,
            "per_class_accuracy": [round(float(c / t), 4) if t else None
                                   for c, t in per_class]}


def _subset(split: PreparedSplit, limit: int | None, seed: int):
    x, y = split.inputs, split.labels
    if limit is not None and limit < len(y):
        idx = np.sort(np.random.default_rng(seed).permutation(len(y))[:limit])
        x, y = x[idx], y[idx]
    return x, y


def train(cfg: TrainConfig, train_split: PreparedSplit, test_split: PreparedSplit,
          ckpt_path=None, resume: bool = False, progress: Progress | None = None,
          extra_train: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """Train a QclifNet (BPTT over the bins, Adam, cross-entropy on the scaled scores).

    ``extra_train`` (inputs, labels): more training windows (``window_views``), used
    for the updates only; train accuracy is reported on ``train_split``.

    Returns {"net", "history", "result"}; "result" has the final (last-epoch) test and
    train accuracy of the integer network, the spike activity and the wall time. No
    model selection on the test set: the last epoch is the result.
    """
    progress = progress or Progress()
    set_threads(cfg.threads)
    gen = seed_everything(cfg.seed)
    net = build_net(cfg)
    params = [net.win, net.wctx, net.wout, net.log_temp]
    opt = torch.optim.Adam(params, lr=cfg.lr)
    xtr, ytr = _subset(train_split, cfg.train_limit, cfg.seed)
    xte, yte = _subset(test_split, cfg.test_limit, cfg.seed + 1)
    xfit, yfit = xtr, ytr
    if extra_train is not None and len(extra_train[1]):
        xfit = np.concatenate([xtr, extra_train[0]])
        yfit = np.concatenate([ytr, extra_train[1]])
    steps_per_epoch = max(1, math.ceil(len(yfit) / cfg.batch_size))
    total = cfg.epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: cfg.lr_final_frac + (1 - cfg.lr_final_frac)
        * 0.5 * (1 + math.cos(math.pi * min(k, total) / total)))
    history, start, wall_before = [], 0, 0.0
    if resume and ckpt_path and Path(ckpt_path).is_file():
        blob = load_checkpoint(ckpt_path, net, opt)
        sched.load_state_dict(blob["scheduler"])
        gen.set_state(blob["generator"])
        start, history = blob["epoch"], blob["history"]
        wall_before = blob.get("train_wall_s", 0.0)
        progress.line(f"resumed {ckpt_path} at epoch {start}")
    mode = "float" if cfg.float_baseline else "qat"
    xfit_t, yfit_t = torch.from_numpy(xfit), torch.from_numpy(yfit)
    progress.line(f"train {cfg.tag}: {len(ytr)} train (+{len(yfit) - len(ytr)} extra "
                  f"windows) / {len(yte)} test samples, "
                  f"{xtr.shape[1]} bins, N = {net.n}, regs {net.regs.as_dict()}, "
                  f"{cfg.epochs} epochs x {steps_per_epoch} steps, {cfg.threads} thread(s)")
    t_start = time.perf_counter()
    for epoch in range(start, cfg.epochs):
        t_epoch = time.perf_counter()
        order = torch.randperm(len(yfit), generator=gen)
        loss_sum, correct, spikes = 0.0, 0, 0.0
        net.train()
        for k in range(steps_per_epoch):
            idx = order[k * cfg.batch_size:(k + 1) * cfg.batch_size]
            x, y = xfit_t[idx].float(), yfit_t[idx]
            x = shift_blocks(x, gen, cfg.shift_blocks)
            if cfg.input_dropout:
                x = x * (torch.rand(x.shape, generator=gen) >= cfg.input_dropout)
            out = net(x, mode=mode)
            loss = F.cross_entropy(net.logits(out["scores"]), y)
            rate = out["spikes"].mean()
            if cfg.rate_reg:
                loss = loss + cfg.rate_reg * F.relu(rate - cfg.rate_max) ** 2
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            net.clip_latent_()
            loss_sum += float(loss.detach()) * len(y)
            correct += int((out["pred"] == y).sum())
            spikes += float(out["spikes"].detach().sum())
        rec = {"epoch": epoch + 1, "loss": loss_sum / len(yfit),
               "fit_acc": correct / len(yfit),
               "spikes_per_bin": spikes / (len(yfit) * xfit.shape[1]),
               "lr": sched.get_last_lr()[0], "epoch_s": time.perf_counter() - t_epoch}
        last = epoch + 1 == cfg.epochs
        if cfg.eval_every and ((epoch + 1) % cfg.eval_every == 0 or last):
            ev = evaluate(net, xte, yte, "int" if mode == "qat" else "float")
            rec["test_acc"] = ev["accuracy"]
        history.append(rec)
        progress.line(f"epoch {epoch + 1:3d}/{cfg.epochs}  loss {rec['loss']:.4f}  "
                      f"fit acc {rec['fit_acc']:.3f}  spikes/bin {rec['spikes_per_bin']:6.1f}"
                      + (f"  test acc {rec['test_acc']:.3f}" if "test_acc" in rec else "")
                      + f"  ({rec['epoch_s']:.1f} s)")
        if ckpt_path:
            save_checkpoint(ckpt_path, net, opt, scheduler=sched.state_dict(),
                            generator=gen.get_state(), epoch=epoch + 1, history=history,
                            config=dataclasses.asdict(cfg),
                            train_wall_s=wall_before + time.perf_counter() - t_start)
    train_wall = wall_before + time.perf_counter() - t_start
    result = final_result(net, cfg, xtr, ytr, xte, yte)
    result["train_wall_s"] = round(train_wall, 1)
    progress.line(f"done {cfg.tag}: test acc {result['test_accuracy']:.4f}, train acc "
                  f"{result['train_accuracy']:.4f}, {result['test_spikes_per_bin']:.1f} "
                  f"spikes/bin, training {train_wall:.0f} s")
    return {"net": net, "history": history, "result": result}


def final_result(net: QclifNet, cfg: TrainConfig, xtr, ytr, xte, yte) -> dict:
    """Last-epoch evaluation: the integer network (or the float one for a baseline);
    for 8 bits also the 4-bit weights obtained by rounding (post-training, no QAT)."""
    mode = "float" if cfg.float_baseline else "int"
    te, tr = evaluate(net, xte, yte, mode), evaluate(net, xtr, ytr, mode)
    result = {"tag": cfg.tag, "bits": cfg.bits, "epochs": cfg.epochs, "seed": cfg.seed,
              "registers": net.regs.as_dict(), "test_accuracy": te["accuracy"],
              "train_accuracy": tr["accuracy"],
              "test_spikes_per_bin": round(te["spikes_per_bin"], 2),
              "test_spike_rate": round(te["spike_rate"], 4),
              "test_per_class_accuracy": te["per_class_accuracy"],
              "train_samples": len(ytr), "test_samples": len(yte)}
    if cfg.bits == 8 and not cfg.float_baseline:
        ptq = post_training_quantize(net, 4)
        result["test_accuracy_4bit_ptq"] = evaluate(ptq, xte, yte, "int")["accuracy"]
    return result


def post_training_quantize(net: QclifNet, bits: int) -> QclifNet:
    """The ``bits``-bit net whose weights are ``net``'s integer weights divided by
    2^(net.bits - bits) and rounded, with ``regs_for_bits(bits)``."""
    w = net.qclif_weights()
    k = 1 << (net.bits - bits)
    lo, hi = int_range(bits)
    small = QclifWeights(**{n: np.clip(np.round(getattr(w, n) / k), lo, hi).astype(np.int8)
                            for n in QclifNet.WEIGHT_NAMES})
    return QclifNet.from_qclif(small, regs_for_bits(bits), bits)


# ---- export ------------------------------------------------------------------------
def export(out_dir, net: QclifNet, training: dict,
           binning: BinningParams = DEFAULT_BINNING) -> Path:
    """Write ``out_dir`` (weights/qclif/) via ``model.qclif_memory.write_weights_dir``:
    win/wctx/wout.hex, the registers, and manifest keys ``binning``, ``classes``,
    ``n_neurons``, ``weight_bits`` and ``training`` (facts: epochs, seed, data, test
    accuracies, ...). Returns the manifest path."""
    extra = {"binning": binning.to_dict(), "classes": list(CLASS_NAMES),
             "n_neurons": net.n, "weight_bits": net.bits, "training": training}
    return write_weights_dir(out_dir, net.qclif_weights(), net.regs, extra)


def load_exported(out_dir) -> tuple[QclifNet, dict]:
    """A weights/qclif/ directory back as a QclifNet (integer weights and registers)."""
    weights, regs, manifest = load_weights_dir(
        out_dir, required_keys=("binning", "classes", "training"))
    bits = int(manifest.get("weight_bits", 8))
    return QclifNet.from_qclif(weights, regs, bits), manifest


def collect_accuracies(ckpt_dir, data_facts: dict) -> dict:
    """Test accuracies of every run recorded in ``ckpt_dir`` (results_<tag>.json) on
    the same corpus: {"8bit": ..., "4bit": ..., "float": ..., "4bit_ptq": ...}."""
    acc = {}
    for path in sorted(Path(ckpt_dir).glob("results_*.json")):
        rec = json.loads(path.read_text())
        same = all(rec.get("data", {}).get(k) == data_facts.get(k)
                   for k in ("seed", "requested_samples", "train_samples", "test_samples"))
        if not same:
            continue
        acc[rec["tag"]] = rec["test_accuracy"]
        if "test_accuracy_4bit_ptq" in rec:
            acc["4bit_ptq_of_8bit"] = rec["test_accuracy_4bit_ptq"]
    return acc


# ---- command line ------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m model.train.qclif_train",
        description="Train the qclif network on synthetic DVS Gesture and export it.")
    ap.add_argument("--out", default=None,
                    help=f"weights directory (default {DEFAULT_OUT}; with --smoke "
                         f"{SMOKE_CKPT}/weights)")
    ap.add_argument("--data", default=DEFAULT_DATA, help="corpus cache folder")
    ap.add_argument("--smoke", action="store_true", help="seconds-long smoke run")
    ap.add_argument("--bits", type=int, choices=(8, 4), default=8)
    ap.add_argument("--float", dest="float_baseline", action="store_true",
                    help="train the float baseline of the same graph (no export)")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--samples", type=int, help="corpus size (gestures)")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--data-seed", type=int)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--workers", type=int, default=2, help="corpus generation processes")
    ap.add_argument("--ckpt-dir", default=None,
                    help=f"checkpoints and results (default {DEFAULT_CKPT}, smoke "
                         f"{SMOKE_CKPT})")
    ap.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    ap.add_argument("--export-only", action="store_true",
                    help="load the finished checkpoint, evaluate and export")
    ap.add_argument("--no-export", action="store_true")
    a = ap.parse_args(argv)

    over = {k: v for k, v in (("epochs", a.epochs), ("samples", a.samples), ("seed", a.seed),
                              ("data_seed", a.data_seed), ("threads", a.threads)) if v is not None}
    over.update(bits=a.bits, float_baseline=a.float_baseline)
    cfg = smoke_config(**over) if a.smoke else TrainConfig(**over)
    ckpt_dir = Path(a.ckpt_dir or (SMOKE_CKPT if a.smoke else DEFAULT_CKPT))
    out_dir = Path(a.out or (Path(SMOKE_CKPT) / "weights" if a.smoke else DEFAULT_OUT))
    ckpt = ckpt_dir / f"qclif_{cfg.tag}.pt"
    prog = Progress()
    set_threads(cfg.threads)

    train_split, test_split, data = ensure_data(a.data, cfg.samples, cfg.data_seed,
                                                a.workers, log=prog.line)
    prog.line(f"data: {data['train_samples']} train (users {data['train_users']}), "
              f"{data['test_samples']} test (users {data['test_users']}); corpus "
              f"synthesized in {data['synth_wall_s']} s")
    extra = None
    if cfg.view_step_ms:
        extra = window_views(a.data, cfg.view_step_ms * 1000, cfg.max_views, log=prog.line)
        data["extra_train_windows"] = int(len(extra[1]))
    if a.export_only:
        net = build_net(cfg)
        blob = load_checkpoint(ckpt, net)
        xtr, ytr = _subset(train_split, cfg.train_limit, cfg.seed)
        xte, yte = _subset(test_split, cfg.test_limit, cfg.seed + 1)
        result = final_result(net, cfg, xtr, ytr, xte, yte)
        result["train_wall_s"] = round(blob.get("train_wall_s", float("nan")), 1)
        history = blob["history"]
    else:
        t0 = time.perf_counter()
        res = train(cfg, train_split, test_split, ckpt, a.resume, prog, extra)
        net, history, result = res["net"], res["history"], res["result"]
        result["run_wall_s"] = round(time.perf_counter() - t0, 1)
    result.update(data=data, threads=cfg.threads, smoke=a.smoke, config=dataclasses.asdict(cfg))
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    (ckpt_dir / f"results_{cfg.tag}.json").write_text(json.dumps(result, indent=1) + "\n")
    (ckpt_dir / f"history_{cfg.tag}.json").write_text(json.dumps(history, indent=1) + "\n")

    if cfg.float_baseline or a.no_export:
        return 0
    facts = {"trainer": "model.train.qclif_train", "smoke": a.smoke, "epochs": cfg.epochs,
             "seed": cfg.seed, "batch_size": cfg.batch_size, "lr": cfg.lr,
             "optimizer": "Adam, cosine decay", "loss": "cross-entropy on scaled scores",
             "weight_bits": cfg.bits, "data": data,
             "augmentation": {"view_step_ms": cfg.view_step_ms, "max_views": cfg.max_views,
                              "shift_blocks": cfg.shift_blocks,
                              "input_dropout": cfg.input_dropout},
             "surrogate": {"kind": "fast sigmoid", "slope": cfg.surrogate_slope,
                           "width": "theta", "detach_reset": cfg.detach_reset},
             "test_accuracy": collect_accuracies(ckpt_dir, data),
             "train_accuracy": result["train_accuracy"],
             "test_spikes_per_bin": result["test_spikes_per_bin"],
             "test_spike_rate": result["test_spike_rate"],
             "docs": "docs/training_qclif.md",
             "train_wall_s": result.get("train_wall_s"),
             "threads": cfg.threads}
    path = export(out_dir, net, facts)
    loaded, _ = load_exported(out_dir)
    assert_integer_equal(loaded, test_split.inputs[:4])
    prog.line(f"exported {path.parent} (re-loaded; integer torch == model.qclif.run on "
              f"4 test samples); test accuracies {facts['test_accuracy']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
