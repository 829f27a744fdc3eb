"""rsnn training form, training loop, export and report (docs/training_rsnn.md).

``RsnnNet`` is the integer network of docs/rsnn.md written in torch:

- ``mode="int"``: float64 tensors holding integers, no autograd: exactly the integer
  network (``assert_integer_equal`` checks it against ``model.rsnn.run``).
- ``mode="qat"``: the same forward values in float32 (every intermediate is an integer
  well below 2^24: |A| <= 81,600, currents and membranes 12-bit, class scores < 2^17),
  with straight-through gradients for the 4-bit weight rounding, the floor shifts
  (``A >>> s_in`` and the leak) and the saturations, and a fast-sigmoid surrogate
  gradient for the spike. The training loss is computed on the network the hardware runs.
- ``mode="float"``: the same graph without weight rounding and without floors (clamps,
  spike step and reset kept): the float baseline (``train --float`` trains it separately
  with the same schedule).

Weights are latent float parameters in units of the 4-bit range: ``w_int =
clamp(round(8 * w), -8, 7)``. The per-layer scale is fixed (8 for every layer) and is
folded into the integer registers: theta0/theta1, s_in and the leak shifts b0/b1 are
plain integers chosen before training (``s_in`` calibrated on data, see
``calibrate_s_in``) and never change, so the exported integers run unchanged.

The population readout ``score[c] = sum_{p<40} z[40c+p]`` equals ``m @ Wcls`` with
``Wcls[j][c] = sum_p Wfc[j][40c+p]`` (integer sums, exact), which is how it is computed.

Command line::

    python -m model.train.rsnn_train train  [--smoke] [--T 2] [--out weights/rsnn]
    python -m model.train.rsnn_train train  --float [--attach-to weights/rsnn]
    python -m model.train.rsnn_train report --weights weights/rsnn [--rtl 10|all|0]
    python -m model.train.rsnn_train finetune --from weights/rsnn --T 1 --epochs 3
    python -m model.train.rsnn_train samples --weights weights/rsnn

The phone decoder applied to the scores (host post-processing) is
``model.speech.decode``; its k and m are chosen on held-out training speakers.
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

from model.rsnn import N_CLASSES, N_FEATURES, N_INPUT_BUF, POPULATION, RsnnConfig, RsnnWeights
from model.rsnn import run as rsnn_run
from model.train.common import (
    Progress, floor_shift, load_checkpoint, quantize_int, save_checkpoint, saturate,
    seed_everything, set_threads, spike_fn,
)

ACC_BITS = 12
W_BITS = 4
W_SCALE = 8.0                 # w_int = round(8 * latent)
HW_HIDDEN = 128
N_FC_OUT = N_CLASSES * POPULATION

DEFAULT_DATA = "build/speech"
PREP_SOURCE = "/tmp/synth-3000-prep"
DEFAULT_OUT = "weights/rsnn"
DEFAULT_CKPT = "build/train/rsnn"
PAPER_MB = (2.79, 0.1)        # paper: model size before -> after pruning + quantization

MODES = ("int", "qat", "float")


# ---- the training form -----------------------------------------------------------
class RsnnNet(nn.Module):
    """Two recurrent LIF layers + merged-spike FC with population readout (docs/rsnn.md).

    ``hidden`` is 256 while training before pruning and 128 (the hardware size) after.
    ``fc_mask`` (hidden, 1920) holds the unstructured FC pruning (1 keep, 0 pruned).
    """

    def __init__(self, hidden: int, regs: RsnnConfig, *, slope: float = 4.0,
                 seed: int | None = None):
        super().__init__()
        self.hidden = hidden
        self.regs = regs
        self.slope = slope
        H = hidden
        self.win = nn.Parameter(torch.zeros(N_FEATURES, H))
        self.wr0 = nn.Parameter(torch.zeros(H, H))
        self.wf1 = nn.Parameter(torch.zeros(H, H))
        self.wr1 = nn.Parameter(torch.zeros(H, H))
        self.wfc = nn.Parameter(torch.zeros(H, N_FC_OUT))
        self.log_temp = nn.Parameter(torch.tensor(math.log(0.03)))   # logits = score * temp
        self.register_buffer("fc_mask", torch.ones(H, N_FC_OUT))
        self.reset_parameters()

    NAMES = ("win", "wr0", "wf1", "wr1", "wfc")

    def reset_parameters(self) -> None:
        """Integer-unit standard deviations at init: Win 3, Wr0 1, Wf1 3.5, Wr1 1,
        Wfc 2 (latent = integer / 8)."""
        std = {"win": 3.0, "wr0": 1.0, "wf1": 3.5, "wr1": 1.0, "wfc": 2.0}
        with torch.no_grad():
            for name, s in std.items():
                getattr(self, name).normal_(0.0, s / W_SCALE)
        self.clip_latent_()

    def clip_latent_(self) -> None:
        """Keep latent weights inside the 4-bit range (+ half a step)."""
        with torch.no_grad():
            for name in self.NAMES:
                getattr(self, name).clamp_(-8.5 / W_SCALE, 7.5 / W_SCALE)

    def effective_weights(self, mode: str, dtype=torch.float32) -> dict:
        """Weights in integer units as used by ``mode``."""
        out = {}
        for name in self.NAMES:
            w = getattr(self, name).to(dtype) * W_SCALE
            if name == "wfc":
                w = w * self.fc_mask.to(dtype)
            if mode == "qat":
                w = quantize_int(w, W_BITS)
            elif mode == "int":
                w = torch.clamp(torch.round(w), -8, 7)
            else:
                w = torch.clamp(w, -8.0, 7.0)
            out[name] = w
        return out

    # -- integer weights in and out --
    def rsnn_weights(self) -> RsnnWeights:
        if self.hidden != HW_HIDDEN:
            raise ValueError(f"hidden = {self.hidden}; prune to {HW_HIDDEN} before export")
        with torch.no_grad():
            w = {k: v.numpy().astype(np.int8) for k, v in
                 self.effective_weights("int", torch.float64).items()}
        win = np.zeros((N_INPUT_BUF, HW_HIDDEN), np.int8)
        win[:N_FEATURES] = w["win"]
        return RsnnWeights(win=win, wr0=w["wr0"], wf1=w["wf1"], wr1=w["wr1"], wfc=w["wfc"])

    @classmethod
    def from_rsnn(cls, weights: RsnnWeights, regs: RsnnConfig) -> "RsnnNet":
        weights.validate()
        if np.any(weights.win[N_FEATURES:]):
            raise ValueError("win rows 40..47 must be 0 (never read)")
        H = weights.wr0.shape[0]
        net = cls(H, regs)
        with torch.no_grad():
            for name in cls.NAMES:
                w = np.asarray(getattr(weights, name), np.float64)
                if name == "win":
                    w = w[:N_FEATURES]
                getattr(net, name).copy_(torch.from_numpy(w / W_SCALE))
        return net

    # -- forward --
    def initial_state(self, batch: int, T: int, dtype) -> tuple:
        z = torch.zeros(batch, self.hidden, dtype=dtype)
        s = torch.zeros(batch, T, self.hidden, dtype=dtype)
        return (z, z.clone(), s, s.clone())

    def _lif(self, u, i, b: int, theta: int, mode: str, exact: bool):
        """U = sat_12(leak(U) + I); S = U >= theta; reset to 0."""
        if exact:
            u = u - floor_shift(u, b, True)
        else:
            u = u * (1.0 - 2.0 ** -b)
        u = saturate(u + i, ACC_BITS)
        if mode == "int":
            s = (u >= theta).to(u.dtype)
        else:
            s = spike_fn((u - theta) / theta, self.slope, 1.0 / theta)
        u = u * (1.0 - s.detach())
        return u, s

    def forward(self, x, mode: str = "qat", state=None, T: int | None = None,
                weights: dict | None = None) -> dict:
        """x (B, F, 40) features 0..255. Returns scores (B, F, 48), spikes s0/s1
        (B, F, T, H) and the state after the last frame (carry it into the next chunk)."""
        if mode not in MODES:
            raise ValueError(f"mode {mode!r}, expected one of {MODES}")
        r = self.regs
        T = T or r.T
        dtype = torch.float64 if mode == "int" else torch.float32
        exact = mode != "float"
        ctx = torch.no_grad() if mode == "int" else contextlib.nullcontext()
        with ctx:
            w = weights if weights is not None else self.effective_weights(mode, dtype)
            x = torch.as_tensor(x).to(dtype)
            B, nF, _ = x.shape
            if state is None:
                state = self.initial_state(B, T, dtype)
            u0, u1, s0p, s1p = state
            A = x @ w["win"]                                             # exact
            iin = saturate(floor_shift(A, r.s_in, exact), ACC_BITS)
            S0, S1 = [], []
            for t in range(nF):
                i0 = saturate(iin[:, t, None, :] + s0p @ w["wr0"], ACC_BITS)  # (B, T, H)
                steps = []
                for k in range(T):
                    u0, s = self._lif(u0, i0[:, k], r.b0, r.theta0, mode, exact)
                    steps.append(s)
                s0 = torch.stack(steps, 1)
                i1 = s0 @ w["wf1"] + s1p @ w["wr1"]                      # fits 12 bits at H=128
                steps = []
                for k in range(T):
                    u1, s = self._lif(u1, i1[:, k], r.b1, r.theta1, mode, exact)
                    steps.append(s)
                s1 = torch.stack(steps, 1)
                S0.append(s0)
                S1.append(s1)
                s0p, s1p = s0, s1
            S0 = torch.stack(S0, 1)
            S1 = torch.stack(S1, 1)
            m = S1.sum(2)                                                 # (B, F, H) in 0..T
            wcls = w["wfc"].reshape(self.hidden, N_CLASSES, POPULATION).sum(-1)
            scores = m @ wcls
        return {"scores": scores, "s0": S0, "s1": S1, "m": m, "state": (u0, u1, s0p, s1p)}

    def logits(self, scores):
        return scores * self.log_temp.exp()


def assert_integer_equal(net: RsnnNet, features, T: int | None = None) -> dict:
    """Run ``features`` (U, F, 40|48) or (F, 40|48) through the torch integer mode and
    ``model.rsnn.run``; raise AssertionError unless spikes, scores and predictions are
    identical. Returns the numpy result."""
    f = np.asarray(features)
    single = f.ndim == 2
    if single:
        f = f[None]
    T = T or net.regs.T
    cfg = dataclasses.replace(net.regs, T=T)
    ref = rsnn_run(net.rsnn_weights(), cfg, f)
    out = net(torch.from_numpy(f[..., :N_FEATURES].astype(np.float64)), "int", T=T)
    got = {"spikes0": out["s0"].numpy(), "spikes1": out["s1"].numpy(),
           "scores": out["scores"].numpy(), "pred": out["scores"].argmax(-1).numpy()}
    for key, val in got.items():
        if not np.array_equal(val.astype(np.int64), np.asarray(ref[key]).astype(np.int64)):
            bad = np.argwhere(val.astype(np.int64) != np.asarray(ref[key]).astype(np.int64))
            raise AssertionError(f"{key} differs at {bad[0].tolist()} "
                                 f"({bad.shape[0]} entries)")
    return ref


def assert_integer_equal_all(net: RsnnNet, items, T: int | None = None,
                             batch: int = 64) -> dict:
    """``assert_integer_equal`` over every utterance of ``items`` (batched by length,
    padded at the end, compared on each utterance's own frames). Raises AssertionError
    naming the utterance index, the array and the first differing entry.
    Returns {"utterances", "frames"} checked."""
    T = T or net.regs.T
    cfg = dataclasses.replace(net.regs, T=T)
    weights = net.rsnn_weights()
    frames = 0
    for idx in length_batches(items, batch, None):
        group = [items[i] for i in idx]
        x, _ = pad_batch(group)
        xn = x.numpy().astype(np.int64)
        ref = rsnn_run(weights, cfg, xn)
        out = net(x.double(), "int", T=T)
        got = {"spikes0": out["s0"].numpy(), "spikes1": out["s1"].numpy(),
               "scores": out["scores"].numpy(), "pred": out["scores"].argmax(-1).numpy()}
        for b, it in enumerate(group):
            n = len(it[0])
            for key, val in got.items():
                a = val[b, :n].astype(np.int64)
                r = np.asarray(ref[key])[b, :n].astype(np.int64)
                if not np.array_equal(a, r):
                    bad = np.argwhere(a != r)
                    raise AssertionError(f"utterance {idx[b]}: {key} differs at "
                                         f"{bad[0].tolist()} ({bad.shape[0]} entries)")
            frames += n
    return {"utterances": len(items), "frames": frames}


# ---- data ------------------------------------------------------------------------
def ensure_data(data_dir=DEFAULT_DATA) -> Path:
    """Copy the prepared synthetic corpus into ``data_dir`` if it is not there."""
    data_dir = Path(data_dir)
    if not (data_dir / "train.npz").is_file():
        src = Path(PREP_SOURCE)
        if not (src / "train.npz").is_file():
            raise FileNotFoundError(f"no {data_dir}/train.npz and no {src}; run "
                                    "python -m model.speech.prepare first")
        data_dir.mkdir(parents=True, exist_ok=True)
        for name in ("train.npz", "test.npz", "quantizer.json"):
            shutil.copy(src / name, data_dir / name)
    return data_dir


def utterances(split, limit: int | None = None, seed: int = 0,
               indices=None) -> list[tuple]:
    """[(features uint8 (F, 40), labels int64 (F,) with -1 = no label, ref39)] of
    ``indices`` (default: all), ``limit`` of them drawn with ``seed``."""
    idx = np.arange(len(split)) if indices is None else np.asarray(indices)
    if limit is not None and limit < len(idx):
        idx = np.sort(np.random.default_rng(seed).choice(idx, limit, replace=False))
    out = []
    for i in idx:
        f, lab = split[int(i)]
        lab = lab.astype(np.int64)
        lab[lab >= N_CLASSES] = -1
        out.append((f, lab, split.ref39[int(i)]))
    return out


def pad_batch(items) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad to the longest utterance: features 0, labels -1 (padding is at the end, so
    it never changes an earlier frame's result)."""
    n = max(len(it[0]) for it in items)
    x = np.zeros((len(items), n, N_FEATURES), np.float32)
    y = np.full((len(items), n), -1, np.int64)
    for b, it in enumerate(items):
        x[b, :len(it[0])] = it[0]
        y[b, :len(it[1])] = it[1]
    return torch.from_numpy(x), torch.from_numpy(y)


def length_batches(items, batch: int, gen: torch.Generator | None) -> list[list[int]]:
    """Batches of similar length (sorted, chunked), batch order shuffled."""
    order = np.argsort([len(it[0]) for it in items], kind="stable")
    batches = [order[i:i + batch].tolist() for i in range(0, len(order), batch)]
    if gen is not None:
        perm = torch.randperm(len(batches), generator=gen).tolist()
        batches = [batches[p] for p in perm]
    return batches


# ---- configuration ---------------------------------------------------------------
@dataclass
class TrainConfig:
    T: int = 2
    seed: int = 1
    hidden: int = 256                 # before pruning
    epochs_dense: int = 5             # train 256
    epochs_finetune: int = 16         # after pruning to 128 (+ FC pruning)
    batch: int = 64
    chunk: int = 100                  # truncated BPTT length in frames
    lr: float = 5e-3
    lr_finetune: float = 1.5e-3
    train_limit: int | None = None    # utterances (None: all 2400)
    test_limit: int | None = None
    val_speakers: float = 0.1         # training speakers held out for the decoder choice
    fc_prune: float = 0.5             # fraction of FC weights zeroed
    # spike-rate bands per layer (rate = spikes / (frames * T * H); sparsity = 1 - rate)
    # and the union band (fraction of L1 neurons with m[j] != 0, which sets the FC cycles
    # of docs/rsnn.md: 15 groups x max(even, odd union count)). Squared hinge penalties.
    rate0_lo: float = 0.29
    rate0_hi: float = 0.38
    rate1_lo: float = 0.305
    rate1_hi: float = 0.38
    union_hi: float = 0.37
    rate_weight: float = 200.0        # fine-tune phase (ramped up from rate_weight_dense)
    rate_weight_dense: float = 20.0   # dense phase: a weak pull; pruning resets the rates
    float_train: bool = False         # float baseline: train/evaluate mode "float"
    threads: int = 1                  # 2 threads on the loaded 2-core host is ~20x slower
    # registers (fixed integers; s_in None = calibrate on data)
    s_in: int | None = None
    b0: int = 2
    b1: int = 2
    theta0: int = 64
    theta1: int = 48
    log_every: int = 5

    @property
    def mode(self) -> str:
        """Forward mode while training: "qat" (4-bit) or "float" (baseline)."""
        return "float" if self.float_train else "qat"

    @property
    def eval_mode(self) -> str:
        return "float" if self.float_train else "int"

    def registers(self, s_in: int) -> RsnnConfig:
        return RsnnConfig(T=self.T, s_in=s_in, b0=self.b0, b1=self.b1,
                          theta0=self.theta0, theta1=self.theta1).validate()


def smoke_config(**kw) -> TrainConfig:
    base = dict(hidden=160, epochs_dense=1, epochs_finetune=1, batch=8, chunk=20,
                train_limit=16, test_limit=4, val_speakers=0.25, threads=1, log_every=1)
    base.update(kw)
    return TrainConfig(**base)


def calibrate_s_in(net: RsnnNet, items, target: float) -> int:
    """Smallest s_in (0..7) that brings the spread (std over neurons and frames) of
    ``A >>> s_in`` at or below ``target`` for the initial Win."""
    x = torch.from_numpy(np.concatenate([it[0] for it in items[:64]]).astype(np.float64))
    with torch.no_grad():
        A = x @ net.effective_weights("int", torch.float64)["win"]
    for s in range(8):
        if torch.floor(A / 2 ** s).std().item() <= target:
            return s
    return 7


# ---- evaluation ------------------------------------------------------------------
def evaluate(net: RsnnNet, items, mode: str = "int", batch: int = 64,
             T: int | None = None, want_spikes: bool = False, decoder=None,
             want_scores: bool = False) -> dict:
    """Frame accuracy, raw frame-wise PER ("per": argmax per frame, 39 folded, repeats
    collapsed), with ``decoder`` (model.speech.decode.DecoderConfig) also the decoded PER
    ("per_decoded"), spike sparsity per layer; with ``want_spikes`` / ``want_scores``
    also the per-utterance predictions and spikes / scores (numpy)."""
    from model.speech.decode import decode
    from model.speech.phones import per_counts
    T = T or net.regs.T
    correct = total = err = nref = derr = 0
    spikes = [0.0, 0.0]
    slots = 0
    preds, sp = [None] * len(items), [None] * len(items)
    scores_out = [None] * len(items)
    for idx in length_batches(items, batch, None):
        group = [items[i] for i in idx]
        x, y = pad_batch(group)
        with torch.no_grad():
            out = net(x, mode, T=T)
        pred = out["scores"].argmax(-1).numpy()
        for b, it in enumerate(group):
            n = len(it[0])
            p = pred[b, :n]
            lab = it[1]
            ok = lab >= 0
            correct += int((p[ok] == lab[ok]).sum())
            total += int(ok.sum())
            sc = out["scores"][b, :n].numpy()
            if it[2]:
                e, r = per_counts(it[2], [int(v) for v in p])
                err += e
                nref += r
                if decoder is not None:
                    derr += per_counts(it[2], decode(sc, decoder))[0]
            s0 = out["s0"][b, :n].numpy()
            s1 = out["s1"][b, :n].numpy()
            spikes[0] += float(s0.sum())
            spikes[1] += float(s1.sum())
            slots += s0.size
            if want_spikes:
                preds[idx[b]] = p
                sp[idx[b]] = (s0.astype(np.uint8), s1.astype(np.uint8))
            if want_scores:
                scores_out[idx[b]] = sc.copy()
    res = {"frame_acc": correct / max(total, 1), "per": err / max(nref, 1),
           "frames": total, "ref_phones": nref, "utterances": len(items),
           "sparsity_l0": 1.0 - spikes[0] / max(slots, 1),
           "sparsity_l1": 1.0 - spikes[1] / max(slots, 1)}
    if decoder is not None:
        res["per_decoded"] = derr / max(nref, 1)
        res["decoder"] = decoder.as_dict()
    if want_spikes:
        res["preds"], res["spikes"] = preds, sp
    if want_scores:
        res["scores"] = scores_out
    return res


def pick_decoder(net: RsnnNet, val_items, mode: str = "int") -> tuple:
    """Choose the decoder's (k, m) on ``val_items`` (training-split speakers held out
    from training). Returns (DecoderConfig, {"k", "m", "per", "table", ...})."""
    from model.speech.decode import DecoderConfig, choose_decoder
    ev = evaluate(net, val_items, mode, want_scores=True)
    ch = choose_decoder(ev["scores"], [it[2] for it in val_items])
    ch.update(chosen_on=f"{len(val_items)} validation utterances of the training split "
                        f"(speakers held out from training), mode {mode}",
              per_raw=ev["per"])
    return DecoderConfig(ch["k"], ch["m"]), ch


def split_validation(split, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices) of a prepared split: ``fraction`` of its
    speakers (name prefix before "_"), drawn with ``seed``, are held out whole."""
    spk = np.array([n.split("_")[0] for n in split.names])
    uniq = np.unique(spk)
    n_val = int(round(fraction * len(uniq)))
    if fraction > 0 and n_val == 0:
        n_val = 1
    held = set(np.random.default_rng(seed).choice(uniq, n_val, replace=False).tolist()) \
        if n_val else set()
    val = np.array([s in held for s in spk])
    return np.flatnonzero(~val), np.flatnonzero(val)


def mean_cycles(net: RsnnNet, items, T: int) -> dict:
    """Mean per-frame counters (model.rsnn_schedule) of the integer network at T."""
    from model.rsnn_schedule import counters, previous_frame
    ev = evaluate(net, items, "int", T=T, want_spikes=True)
    sums, n = {}, 0
    for it, (s0, s1) in zip(items, ev["spikes"]):
        c = counters(it[0].astype(np.int64), previous_frame(s0), previous_frame(s1), s0, s1, T)
        for k, v in c.items():
            sums[k] = sums.get(k, 0) + float(np.sum(v))
        n += len(it[0])
    out = {k: v / n for k, v in sums.items()}
    out.update(frame_acc=ev["frame_acc"], per=ev["per"], sparsity_l0=ev["sparsity_l0"],
               sparsity_l1=ev["sparsity_l1"], frames=n)
    return out


# ---- training --------------------------------------------------------------------
def _rate_penalty(r, lo, hi):
    return F.relu(r - hi) ** 2 + F.relu(lo - r) ** 2


def train_epochs(net: RsnnNet, cfg: TrainConfig, items, epochs: int, lr: float,
                 gen: torch.Generator, prog: Progress, tag: str, ckpt_dir: Path,
                 start_epoch: int = 0, rate_weight: float | None = None,
                 ramp_from: float | None = None) -> list[dict]:
    """``epochs`` epochs of Adam with cosine lr decay to 10 %. Loss = cross-entropy +
    ``rate_weight`` x the spike-rate/union penalty; with ``ramp_from`` the weight rises
    linearly from that value to ``rate_weight`` over the first epoch (after pruning the
    rates start far outside the bands, and the full weight at once wrecks the CE)."""
    rate_weight = cfg.rate_weight if rate_weight is None else rate_weight
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    batches_per_epoch = len(length_batches(items, cfg.batch, None))
    total_steps = max(1, epochs * batches_per_epoch)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, total_steps) / total_steps)) * 0.9
        + 0.1)
    history = []
    for ep in range(epochs):
        net.train()
        t0 = time.perf_counter()
        stats = {"loss": 0.0, "ce": 0.0, "correct": 0, "frames": 0, "r0": 0.0, "r1": 0.0,
                 "union": 0.0}
        for bi, idx in enumerate(length_batches(items, cfg.batch, gen)):
            x, y = pad_batch([items[i] for i in idx])
            state = None
            for c0 in range(0, x.shape[1], cfg.chunk):
                xc, yc = x[:, c0:c0 + cfg.chunk], y[:, c0:c0 + cfg.chunk]
                out = net(xc, cfg.mode, state=state)
                state = tuple(s.detach() for s in out["state"])
                valid = yc >= 0
                if not valid.any():
                    continue
                logits = net.logits(out["scores"])
                ce = F.cross_entropy(logits[valid], yc[valid])
                fm = valid.unsqueeze(-1).unsqueeze(-1).to(out["s0"].dtype)   # (B,F,1,1)
                denom = fm.sum() * out["s0"].shape[2] * out["s0"].shape[3]
                r0 = (out["s0"] * fm).sum() / denom
                r1 = (out["s1"] * fm).sum() / denom
                silent = torch.prod(1.0 - out["s1"], dim=2)                  # (B,F,H)
                union = ((1.0 - silent) * fm[..., 0]).sum() / (denom / out["s0"].shape[2])
                reg = (_rate_penalty(r0, cfg.rate0_lo, cfg.rate0_hi)
                       + _rate_penalty(r1, cfg.rate1_lo, cfg.rate1_hi)
                       + F.relu(union - cfg.union_hi) ** 2)
                if ramp_from is not None and ep == 0:
                    frac = bi / max(batches_per_epoch, 1)
                    weight = ramp_from + (rate_weight - ramp_from) * frac
                else:
                    weight = rate_weight
                loss = ce + weight * reg
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                net.clip_latent_()
                with torch.no_grad():
                    nv = int(valid.sum())
                    stats["loss"] += float(loss) * nv
                    stats["ce"] += float(ce) * nv
                    stats["correct"] += int((logits.argmax(-1)[valid] == yc[valid]).sum())
                    stats["frames"] += nv
                    stats["r0"] += float(r0) * nv
                    stats["r1"] += float(r1) * nv
                    stats["union"] += float(union) * nv
            sched.step()
            if (bi + 1) % cfg.log_every == 0 or bi + 1 == batches_per_epoch:
                f = max(stats["frames"], 1)
                prog.line(f"{tag} epoch {start_epoch + ep + 1} batch {bi + 1}/"
                          f"{batches_per_epoch} loss {stats['loss'] / f:.3f} ce "
                          f"{stats['ce'] / f:.3f} acc {stats['correct'] / f:.3f} rate0 "
                          f"{stats['r0'] / f:.3f} rate1 {stats['r1'] / f:.3f} union1 "
                          f"{stats['union'] / f:.3f}")
        f = max(stats["frames"], 1)
        rec = {"phase": tag, "epoch": start_epoch + ep + 1, "loss": stats["loss"] / f,
               "train_acc_qat": stats["correct"] / f, "rate0": stats["r0"] / f,
               "rate1": stats["r1"] / f, "union1": stats["union"] / f,
               "seconds": time.perf_counter() - t0}
        history.append(rec)
        save_checkpoint(ckpt_dir / f"{tag}.pt", net, opt, epoch=start_epoch + ep + 1,
                        hidden=net.hidden, regs=net.regs.as_dict(), history=history)
    return history


@torch.no_grad()
def neuron_importance(net: RsnnNet, items, batch: int = 32,
                      mode: str = "int") -> tuple[np.ndarray, np.ndarray]:
    """Importance of each neuron = mean spike rate (``mode``, on ``items``) x L1 norm of
    its outgoing integer weights (L0: Wr0 and Wf1 rows; L1: Wr1 and Wfc rows): the
    expected size of the currents it feeds downstream."""
    rate0 = np.zeros(net.hidden)
    rate1 = np.zeros(net.hidden)
    n = 0
    for idx in length_batches(items, batch, None):
        group = [items[i] for i in idx]
        x, _ = pad_batch(group)
        out = net(x, mode)
        for b, it in enumerate(group):
            L = len(it[0])
            rate0 += out["s0"][b, :L].sum((0, 1)).numpy()
            rate1 += out["s1"][b, :L].sum((0, 1)).numpy()
            n += L * out["s0"].shape[2]
    w = net.effective_weights("float", torch.float64)
    out0 = (w["wr0"].abs().sum(1) + w["wf1"].abs().sum(1)).numpy()
    out1 = (w["wr1"].abs().sum(1) + w["wfc"].abs().sum(1) / POPULATION).numpy()
    return rate0 / n * out0, rate1 / n * out1


@torch.no_grad()
def prune_neurons(net: RsnnNet, keep: int, imp0, imp1) -> RsnnNet:
    """Structured pruning: keep the ``keep`` most important neurons of each layer."""
    k0 = np.sort(np.argsort(-imp0, kind="stable")[:keep])
    k1 = np.sort(np.argsort(-imp1, kind="stable")[:keep])
    k0t, k1t = torch.from_numpy(k0), torch.from_numpy(k1)
    new = RsnnNet(keep, net.regs, slope=net.slope)
    new.win.copy_(net.win[:, k0t])
    new.wr0.copy_(net.wr0[k0t][:, k0t])
    new.wf1.copy_(net.wf1[k0t][:, k1t])
    new.wr1.copy_(net.wr1[k1t][:, k1t])
    new.wfc.copy_(net.wfc[k1t])
    new.fc_mask.copy_(net.fc_mask[k1t])
    new.log_temp.copy_(net.log_temp)
    return new


@torch.no_grad()
def prune_fc(net: RsnnNet, fraction: float) -> None:
    """Unstructured magnitude pruning of the FC: zero the ``fraction`` smallest |w|."""
    w = (net.wfc * net.fc_mask).abs().flatten()
    k = int(round(fraction * w.numel()))
    if k <= 0:
        return
    thresh = torch.kthvalue(w, k).values
    mask = ((net.wfc.abs() > thresh) & (net.fc_mask > 0)).float()
    net.fc_mask.copy_(mask)


@torch.no_grad()
def l1_union_activity(net: RsnnNet, items, batch: int = 64) -> np.ndarray:
    """(frames, H) 0/1: which L1 neurons have m[j] != 0 (spike in any step) per frame."""
    ev = evaluate(net, items, "int", batch=batch, want_spikes=True)
    return np.concatenate([s1.any(axis=1) for _, s1 in ev["spikes"]]).astype(np.float64)


def parity_permutation(active: np.ndarray, sweeps: int = 20) -> np.ndarray:
    """Order of the L1 neurons that balances the active ones between even and odd
    positions.

    The FC phase walks the even and the odd j with m[j] != 0 in parallel (docs/rsnn.md),
    so each output group costs max(n_even, n_odd) = (n + |n_even - n_odd|) / 2 cycles.
    Renumbering the L1 neurons changes no integer result but moves the |n_even - n_odd|
    term. With sigma_j = +1 (even) / -1 (odd), 64 of each, n_even - n_odd = sigma . a_t
    for the frame's activity a_t; we minimize mean (sigma . a_t)^2 = sigma^T C sigma,
    C = mean a_t a_t^T, by pairwise swaps (one even, one odd neuron) until no swap helps.
    Returns ``perm``: new neuron i is old neuron perm[i]."""
    a = np.asarray(active, np.float64)
    H = a.shape[1]
    C = a.T @ a / max(len(a), 1)
    sigma = np.where(np.arange(H) % 2 == 0, 1.0, -1.0)
    g = C @ sigma                                      # g_j = (C sigma)_j
    for _ in range(sweeps):
        improved = False
        for i in range(H):
            if sigma[i] < 0:
                continue
            # swapping i (+1 -> -1) and j (-1 -> +1) changes sigma^T C sigma by
            # delta = -4 sigma_i g_i - 4 sigma_j g_j + 4 C_ii + 4 C_jj - 8 sigma_i sigma_j C_ij
            js = np.flatnonzero(sigma < 0)
            delta = (-4 * g[i] + 4 * g[js] + 4 * C[i, i] + 4 * C[js, js] + 8 * C[i, js])
            k = int(np.argmin(delta))
            if delta[k] < -1e-12:
                j = int(js[k])
                g += -2 * C[:, i] + 2 * C[:, j]
                sigma[i], sigma[j] = -1.0, 1.0
                improved = True
        if not improved:
            break
    even = np.flatnonzero(sigma > 0)
    odd = np.flatnonzero(sigma < 0)
    perm = np.empty(H, np.int64)
    perm[0::2] = even
    perm[1::2] = odd
    return perm


@torch.no_grad()
def permute_l1(net: RsnnNet, perm) -> None:
    """Renumber the L1 neurons (new i = old perm[i]): Wf1 columns, Wr1 rows and columns,
    Wfc rows and the FC mask. Every integer result is unchanged except the order of S1."""
    pt = torch.as_tensor(np.asarray(perm), dtype=torch.long)
    net.wf1.copy_(net.wf1[:, pt])
    net.wr1.copy_(net.wr1[pt][:, pt])
    net.wfc.copy_(net.wfc[pt])
    net.fc_mask.copy_(net.fc_mask[pt])


def model_size(hidden: int, bits: float, nonzero: int | None = None) -> float:
    """MB (10^6 bytes) of the five weight matrices."""
    n = N_FEATURES * hidden + 3 * hidden * hidden + hidden * N_FC_OUT
    if nonzero is not None:
        n = nonzero
    return n * bits / 8 / 1e6


def sparsity_report(weights: RsnnWeights) -> dict:
    out = {}
    for name in ("win", "wr0", "wf1", "wr1", "wfc"):
        w = getattr(weights, name)
        if name == "win":
            w = w[:N_FEATURES]
        out[name] = float(np.mean(w == 0))
    return out


DEFAULT_FLOAT_OUT = "build/train/rsnn_float"


def _strip(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("preds", "spikes", "scores")}


def run_training(cfg: TrainConfig, data_dir=DEFAULT_DATA, out_dir=DEFAULT_OUT,
                 ckpt_dir=DEFAULT_CKPT, samples_dir=None, write_samples: bool = True,
                 resume_dense=None) -> dict:
    """Dense training at ``cfg.hidden``, structured pruning to 128 + FC pruning,
    fine-tuning, decoder choice on the validation speakers, test evaluation, export.

    ``cfg.float_train``: the float baseline (same graph without weight rounding and
    floors, same epochs and pruning); nothing is exported to the hardware format, the
    figures go to ``out_dir/float_baseline.json``. ``resume_dense``: a checkpoint of the
    dense phase (``<ckpt>/dense.pt``) to start from instead of training it again."""
    from model.speech.prepare import load_prepared
    set_threads(cfg.threads)
    gen = seed_everything(cfg.seed)
    prog = Progress()
    t_start = time.perf_counter()
    data_dir = ensure_data(data_dir)
    ckpt_dir = Path(ckpt_dir)
    mode, emode = cfg.mode, cfg.eval_mode
    train_set = load_prepared(data_dir / "train.npz")
    test_set = load_prepared(data_dir / "test.npz")
    tr_idx, val_idx = split_validation(train_set, cfg.val_speakers, cfg.seed)
    tr = utterances(train_set, cfg.train_limit, cfg.seed, tr_idx)
    val = utterances(train_set, None if cfg.train_limit is None else
                     max(2, cfg.train_limit // 8), cfg.seed, val_idx)
    te = utterances(test_set, cfg.test_limit, cfg.seed + 1)
    prog.line(f"data: {len(tr)} train / {len(val)} validation / {len(te)} test utterances, "
              f"{sum(len(i[0]) for i in tr)} / {sum(len(i[0]) for i in val)} / "
              f"{sum(len(i[0]) for i in te)} frames; mode {mode}")

    regs0 = cfg.registers(0)
    net = RsnnNet(cfg.hidden, regs0)
    s_in = cfg.s_in if cfg.s_in is not None else calibrate_s_in(net, tr, cfg.theta0)
    net.regs = cfg.registers(s_in)
    prog.line(f"registers {net.regs.as_dict()} hidden {cfg.hidden}")

    if resume_dense is not None:
        blob = load_checkpoint(resume_dense)
        if blob["hidden"] != cfg.hidden:
            raise ValueError(f"{resume_dense}: hidden {blob['hidden']}, config {cfg.hidden}")
        net.load_state_dict(blob["model"])
        net.regs = RsnnConfig(**blob["regs"]).validate()
        hist = list(blob.get("history", []))
        prog.line(f"dense phase loaded from {resume_dense} ({len(hist)} epochs)")
    else:
        hist = train_epochs(net, cfg, tr, cfg.epochs_dense, cfg.lr, gen, prog, "dense",
                            ckpt_dir, rate_weight=cfg.rate_weight_dense)
    dense_eval = evaluate(net, te, emode)
    dense_other = evaluate(net, te, "float") if emode == "int" else None
    prog.line(f"dense {cfg.hidden}: {emode} acc {dense_eval['frame_acc']:.3f} PER "
              f"{dense_eval['per']:.3f}")

    imp0, imp1 = neuron_importance(net, tr[: min(len(tr), 256)], mode=emode)
    net = prune_neurons(net, HW_HIDDEN, imp0, imp1)
    prune_fc(net, cfg.fc_prune)
    pruned = evaluate(net, te, emode)
    prog.line(f"pruned to {HW_HIDDEN} (+FC {cfg.fc_prune:.0%}): {emode} acc "
              f"{pruned['frame_acc']:.3f} PER {pruned['per']:.3f}")
    hist += train_epochs(net, cfg, tr, cfg.epochs_finetune, cfg.lr_finetune, gen, prog,
                         "finetune", ckpt_dir, start_epoch=len(hist),
                         ramp_from=cfg.rate_weight_dense)
    parity = None
    if emode == "int":
        # renumber L1 so active neurons split evenly between the FC's even and odd walks
        active = l1_union_activity(net, tr[: min(len(tr), 200)])
        perm = parity_permutation(active)
        a = active[:, perm]
        imb = lambda x: float(np.mean(np.abs(x[:, 0::2].sum(1) - x[:, 1::2].sum(1))))
        parity = {"mean_abs_even_minus_odd_before": imb(active),
                  "mean_abs_even_minus_odd_after": imb(a),
                  "measured_on": f"{min(len(tr), 200)} training utterances"}
        permute_l1(net, perm)
        prog.line(f"L1 renumbered for even/odd balance: mean |n_even - n_odd| "
                  f"{parity['mean_abs_even_minus_odd_before']:.2f} -> "
                  f"{parity['mean_abs_even_minus_odd_after']:.2f}")
    decoder, choice = pick_decoder(net, val, emode)
    prog.line(f"decoder on {len(val)} validation utterances: k {decoder.k} m {decoder.m} "
              f"PER {choice['per']:.3f} (raw {choice['per_raw']:.3f})")
    final = evaluate(net, te, emode, decoder=decoder)
    prog.line(f"final ({emode}): acc {final['frame_acc']:.3f} PER raw {final['per']:.3f} "
              f"decoded {final['per_decoded']:.3f}; sparsity L0 {final['sparsity_l0']:.3f} "
              f"L1 {final['sparsity_l1']:.3f}")
    cyc = None
    if emode == "int":
        cyc = mean_cycles(net, te, cfg.T)
        prog.line(f"T = {cfg.T} mean cycles/frame on the test set {cyc['cyc_total']:.1f} "
                  f"(IN {cyc['cyc_in']:.1f}, L0 {cyc['cyc_l0']:.1f}, L1 {cyc['cyc_l1']:.1f}, "
                  f"FC {cyc['cyc_fc']:.1f})")
    wall = time.perf_counter() - t_start

    data_facts = {"dir": str(data_dir), "train_utterances": len(tr),
                  "train_frames": int(sum(len(i[0]) for i in tr)),
                  "validation_utterances": len(val),
                  "validation_speakers": sorted({train_set.names[i].split("_")[0]
                                                 for i in val_idx}),
                  "test_utterances": len(te),
                  "test_frames": int(sum(len(i[0]) for i in te)),
                  "source": "synthetic TIMIT-format corpus (model.speech.synth), 240 train / "
                            "60 test speakers; validation = training speakers held out"}
    save_kw = dict(hidden=net.hidden, regs=net.regs.as_dict())
    if cfg.float_train:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        facts = {"kind": "float baseline (separately trained, no quantization)",
                 "config": dataclasses.asdict(cfg), "data": data_facts,
                 "epochs": {"dense_256": cfg.epochs_dense,
                            "finetune_128": cfg.epochs_finetune},
                 "test_dense_256": _strip(dense_eval), "test_pruned_before_finetune":
                 _strip(pruned), "test": _strip(final), "decoder": choice,
                 "history": hist, "wall_seconds": wall,
                 "checkpoint": str(ckpt_dir / "final.pt")}
        save_checkpoint(ckpt_dir / "final.pt", net, None, training=facts, **save_kw)
        (out_dir / "float_baseline.json").write_text(json.dumps(facts, indent=1) + "\n")
        prog.line(f"float baseline written to {out_dir}/float_baseline.json "
                  f"({wall:.0f} s training)")
        return facts

    final_float = evaluate(net, te, "float", decoder=decoder)
    weights = net.rsnn_weights()
    wsp = sparsity_report(weights)
    nonzero = sum(int(np.count_nonzero(getattr(weights, k)[:N_FEATURES] if k == "win"
                                       else getattr(weights, k))) for k in RsnnNet.NAMES)
    training = {
        "seed": cfg.seed, "T": cfg.T, "config": dataclasses.asdict(cfg),
        "epochs": {"dense_256": cfg.epochs_dense, "finetune_128": cfg.epochs_finetune},
        "data": data_facts,
        "decoder": choice,
        "test_dense_256": {"int4": _strip(dense_eval), "float": _strip(dense_other)},
        "test_pruned_before_finetune": _strip(pruned),
        "test": {"int4": _strip(final),
                 "float_latent": {**_strip(final_float),
                                  "note": "the QAT network's latent weights run in float "
                                          "mode (not a separately trained float net; see "
                                          "float_baseline)"}},
        "cycles_test": {f"T{cfg.T}": {k: v for k, v in cyc.items()}},
        "layer_sparsity": {"l0": final["sparsity_l0"], "l1": final["sparsity_l1"]},
        "l1_parity_balance": parity,
        "weight_zero_fraction": wsp,
        "model_size_mb": {
            "before": model_size(cfg.hidden, 32),
            "after_dense_4bit": model_size(HW_HIDDEN, 4),
            "after_nonzero_4bit": model_size(HW_HIDDEN, 4, nonzero),
            "paper_before": PAPER_MB[0], "paper_after": PAPER_MB[1],
            "note": "before: float32, hidden 256; after: 4-bit, hidden 128, dense memory "
                    "image / counting only nonzero weights",
        },
        "history": hist, "wall_seconds": wall, "threads": cfg.threads,
        "checkpoint": str(ckpt_dir / "final.pt"),
    }
    if resume_dense is not None:
        training["resumed_dense_from"] = str(resume_dense)
    save_checkpoint(ckpt_dir / "final.pt", net, None, training=training, **save_kw)
    export(out_dir, net, training, data_dir)
    if write_samples:
        write_sample_files(out_dir, data_dir, test_set, samples_dir)
    prog.line(f"exported to {out_dir} ({wall:.0f} s training)")
    return training


def attach_float_baseline(weights_dir, baseline_json) -> dict:
    """Copy the separately trained float baseline's figures (``float_baseline.json``) into
    the manifest's training facts (``training.float_baseline``)."""
    mpath = Path(weights_dir) / "manifest.json"
    manifest = json.loads(mpath.read_text())
    facts = json.loads(Path(baseline_json).read_text())
    keep = ("kind", "config", "epochs", "test_dense_256", "test_pruned_before_finetune",
            "test", "decoder", "wall_seconds", "checkpoint")
    manifest.setdefault("training", {})["float_baseline"] = {
        "source": str(baseline_json), **{k: facts[k] for k in keep if k in facts}}
    mpath.write_text(json.dumps(manifest, indent=2) + "\n")
    load_exported(weights_dir)                 # the manifest still loads
    return manifest["training"]["float_baseline"]


def run_finetune(src_dir, out_dir, T: int, epochs: int, cfg: TrainConfig | None = None,
                 data_dir=DEFAULT_DATA, ckpt_dir=DEFAULT_CKPT + "_T1") -> dict:
    """Fine-tune an exported 128-neuron network (its float checkpoint when present) at
    another T, same registers and FC mask, and export it to ``out_dir``."""
    from model.speech.prepare import load_prepared
    cfg = cfg or TrainConfig()
    cfg = dataclasses.replace(cfg, T=T, epochs_dense=0, epochs_finetune=epochs)
    set_threads(cfg.threads)
    gen = seed_everything(cfg.seed)
    prog = Progress()
    t_start = time.perf_counter()
    data_dir = ensure_data(data_dir)
    net, manifest = load_exported(src_dir)
    net.regs = dataclasses.replace(net.regs, T=T)
    ck = manifest.get("training", {}).get("checkpoint")
    if ck and Path(ck).is_file():
        blob = load_checkpoint(ck)
        net.load_state_dict(blob["model"])
    else:
        with torch.no_grad():
            net.fc_mask.copy_((net.wfc != 0).float())
    train_set = load_prepared(data_dir / "train.npz")
    tr_idx, val_idx = split_validation(train_set, cfg.val_speakers, cfg.seed)
    tr = utterances(train_set, cfg.train_limit, cfg.seed, tr_idx)
    val = utterances(train_set, None if cfg.train_limit is None else
                     max(2, cfg.train_limit // 8), cfg.seed, val_idx)
    te = utterances(load_prepared(data_dir / "test.npz"), cfg.test_limit, cfg.seed + 1)
    before = evaluate(net, te, "int")
    prog.line(f"T = {T} before fine-tuning: int acc {before['frame_acc']:.3f} PER "
              f"{before['per']:.3f}")
    hist = train_epochs(net, cfg, tr, epochs, cfg.lr_finetune, gen, prog, "finetune_T%d" % T,
                        Path(ckpt_dir), ramp_from=cfg.rate_weight_dense)
    decoder, choice = pick_decoder(net, val, "int")
    final_int = evaluate(net, te, "int", decoder=decoder)
    final_float = evaluate(net, te, "float", decoder=decoder)
    cyc = mean_cycles(net, te, T)
    wall = time.perf_counter() - t_start
    prog.line(f"T = {T} final: int acc {final_int['frame_acc']:.3f} PER raw "
              f"{final_int['per']:.3f} decoded {final_int['per_decoded']:.3f} (k {decoder.k} "
              f"m {decoder.m}); sparsity L0 {final_int['sparsity_l0']:.3f} L1 "
              f"{final_int['sparsity_l1']:.3f}; mean cycles/frame {cyc['cyc_total']:.1f}")
    training = dict(manifest.get("training", {}))
    training.pop("float_baseline", None)
    training.pop("resumed_dense_from", None)
    training.update({
        "T": T, "finetuned_from": str(src_dir), "config": dataclasses.asdict(cfg),
        "epochs": {"finetune_from_T%d" % manifest["registers"]["T"]: epochs},
        "decoder": choice,
        "test_before_finetune": before,
        "test": {"int4": _strip(final_int),
                 "float_latent": {**_strip(final_float),
                                  "note": "the QAT network's latent weights run in float "
                                          "mode"}},
        "cycles_test": {f"T{T}": dict(cyc)},
        "layer_sparsity": {"l0": final_int["sparsity_l0"], "l1": final_int["sparsity_l1"]},
        "weight_zero_fraction": sparsity_report(net.rsnn_weights()),
        "history": hist, "wall_seconds": wall,
        "checkpoint": str(Path(ckpt_dir) / "final.pt"),
    })
    save_checkpoint(Path(ckpt_dir) / "final.pt", net, None, hidden=net.hidden,
                    regs=net.regs.as_dict(), training=training)
    export(out_dir, net, training, data_dir)
    prog.line(f"exported to {out_dir} ({wall:.0f} s)")
    return training


# ---- export and samples ----------------------------------------------------------
def export(out_dir, net: RsnnNet, training: dict, data_dir) -> Path:
    from model.rsnn_memory import write_weights_dir
    from model.speech.phones import CLASSES48
    quantizer = json.loads((Path(data_dir) / "quantizer.json").read_text())
    extra = {"quantizer": quantizer, "classes": list(CLASSES48), "training": training}
    return write_weights_dir(out_dir, net.rsnn_weights(), net.regs, extra)


def load_exported(weights_dir) -> tuple[RsnnNet, dict]:
    from model.rsnn_memory import load_weights_dir
    weights, regs, manifest = load_weights_dir(weights_dir)
    return RsnnNet.from_rsnn(weights, regs), manifest


def write_sample_files(out_dir, data_dir, test_set=None, samples_dir=None,
                       n_synth: int = 4) -> Path:
    """weights/rsnn/samples/: a few quantized synthetic TEST utterances and the real
    recordings' quantized features (frames x 40 uint8 .npy), their frame labels
    (<name>.labels.npy, uint8, 255 = no label) and samples.json."""
    from model.speech.prepare import load_prepared, prepare_samples
    out = Path(out_dir) / "samples"
    out.mkdir(parents=True, exist_ok=True)
    if test_set is None:
        test_set = load_prepared(Path(data_dir) / "test.npz")
    entries = []
    lengths = np.diff(test_set.offsets)
    # a handful of short test utterances from different speakers
    order = np.argsort(lengths, kind="stable")
    seen, picks = set(), []
    for i in order[len(order) // 8:]:
        spk = test_set.names[i].split("_")[0]
        if spk not in seen:
            seen.add(spk)
            picks.append(int(i))
        if len(picks) == n_synth:
            break
    for i in picks:
        f, lab = test_set[i]
        entries.append(_write_sample(out, f"synth_{test_set.names[i]}", f, lab,
                                     test_set.ref39[i], "synthetic test speaker"))
    real = Path(data_dir) / "samples.npz"
    prepare_samples(samples_dir, Path(data_dir) / "quantizer.json", real)
    rs = load_prepared(real)
    for i in range(len(rs)):
        f, lab = rs[i]
        entries.append(_write_sample(out, f"real_{rs.names[i]}", f, lab, rs.ref39[i],
                                     "real recording (../shared/data/speech-samples, "
                                     "ASR_train.json), held out"))
    meta = {"format": "features: <name>.npy uint8 (frames, 40); labels: <name>.labels.npy "
                      "uint8 (frames,), 48-class ids, 255 = no label; ref39: reference phones",
            "samples": entries}
    (out / "samples.json").write_text(json.dumps(meta, indent=1) + "\n")
    return out


def _write_sample(out: Path, name: str, f, lab, ref39, source: str) -> dict:
    np.save(out / f"{name}.npy", np.ascontiguousarray(f, np.uint8))
    np.save(out / f"{name}.labels.npy", np.ascontiguousarray(lab, np.uint8))
    return {"name": name, "features": f"{name}.npy", "labels": f"{name}.labels.npy",
            "frames": int(len(f)), "source": source, "ref39": list(ref39)}


def load_samples_dir(weights_dir) -> list[dict]:
    """samples.json entries with ``x`` (features) and ``y`` (labels) arrays loaded."""
    d = Path(weights_dir) / "samples"
    meta = json.loads((d / "samples.json").read_text())
    out = []
    for e in meta["samples"]:
        e = dict(e)
        e["x"] = np.load(d / e["features"])
        e["y"] = np.load(d / e["labels"])
        out.append(e)
    return out


def _as_items(entries) -> list[tuple]:
    items = []
    for e in entries:
        lab = e["y"].astype(np.int64)
        lab[lab >= N_CLASSES] = -1
        items.append((e["x"], lab, e["ref39"]))
    return items


# ---- report ----------------------------------------------------------------------
def _load_float_net(ckpt, regs: RsnnConfig, match: RsnnNet | None = None):
    """A training checkpoint as a float-mode network; with ``match``, None unless its
    4-bit image equals ``match``'s (the checkpoint belongs to the export)."""
    if not ck_exists(ckpt):
        return None
    blob = load_checkpoint(ckpt)
    net = RsnnNet(blob["hidden"], regs)
    net.load_state_dict(blob["model"])
    if match is not None and not np.array_equal(net.rsnn_weights().wfc,
                                                match.rsnn_weights().wfc):
        return None
    return net


def ck_exists(path) -> bool:
    return bool(path) and Path(path).is_file()


def rtl_check(net: RsnnNet, items, T: int, work=None) -> dict:
    """Run ``items`` through the RTL (bench/rsnn_bench.py bare Verilator driver, one run
    per utterance, so each starts from reset like the model) and compare scores and
    prediction per frame with the numpy model. Returns counts; raises on a mismatch."""
    import tempfile
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.rsnn_bench import build_bare, run_bare
    from model.rsnn_memory import write_weights_dir
    cfg = dataclasses.replace(net.regs, T=T)
    weights = net.rsnn_weights()
    tmp = Path(work or tempfile.mkdtemp(prefix="rsnn_report_rtl_"))
    folder = tmp / "weights"
    write_weights_dir(folder, weights, cfg)
    exe = build_bare(folder.resolve())
    frames = cycles = 0
    t0 = time.perf_counter()
    for i, it in enumerate(items):
        ref = rsnn_run(weights, cfg, it[0])
        r = run_bare(exe, it[0], {"scores": ref.scores, "pred": ref.pred}, cfg, tmp)
        if r["mismatches"] or r["frames"] != len(it[0]):
            raise AssertionError(f"RTL differs from the model on utterance {i}: {r}")
        frames += r["frames"]
        cycles += r["cycles"]
        if (i + 1) % 25 == 0 and i + 1 < len(items):   # progress for `--rtl all`
            print(f"  RTL: {i + 1}/{len(items)} utterances equal, {frames} frames, "
                  f"{time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    return {"utterances": len(items), "frames": frames, "cycles": cycles}


def report(weights_dir=DEFAULT_OUT, data_dir=DEFAULT_DATA, test_limit: int | None = None,
           stream=None, rtl: int = 0, check_all: bool = True,
           float_baseline=None) -> dict:
    """Print and return: frame accuracy, raw and decoded PER (int4, the QAT net's latent
    weights in float, the separately trained float baseline), mean cycles per frame at
    T = 1 and 2 on the test set, model size, weight zeros; torch-integer == numpy on
    every test utterance (``check_all``) and, with ``rtl`` N > 0, the RTL on N test
    utterances (-1: all)."""
    from model.speech.decode import DecoderConfig
    stream = stream or sys.stdout
    set_threads(None)
    net, manifest = load_exported(weights_dir)
    tr = manifest.get("training", {})
    p = lambda s="": print(s, file=stream, flush=True)
    dec = tr.get("decoder")
    decoder = DecoderConfig(dec["k"], dec["m"]) if dec else DecoderConfig(1, 1)
    nets = {"int4": (net, "int")}
    latent = _load_float_net(tr.get("checkpoint"), net.regs, match=net)
    if latent is not None:
        nets["float-latent"] = (latent, "float")
    fb = tr.get("float_baseline", {})
    fb_ck = float_baseline or fb.get("checkpoint")
    base = _load_float_net(fb_ck, net.regs)
    if base is not None:
        nets["float-sep"] = (base, "float")
    sets = {}
    test_npz = Path(data_dir) / "test.npz"
    if test_npz.is_file():
        from model.speech.prepare import load_prepared
        sets["synthetic test"] = utterances(load_prepared(test_npz), test_limit, 2)
    sdir = next((d for d in (Path(weights_dir), Path(weights_dir).parent)
                 if (d / "samples" / "samples.json").is_file()), None)   # t1/ uses the parent's
    entries = load_samples_dir(sdir) if sdir is not None else []
    real = [e for e in entries if e["name"].startswith("real_")]
    if real:
        sets["real recordings"] = _as_items(real)
    if "synthetic test" not in sets:
        sets["synthetic test (samples only)"] = _as_items(
            [e for e in entries if e["name"].startswith("synth_")])

    p(f"rsnn report: {weights_dir}  registers {net.regs.as_dict()}")
    p(f"decoder (model/speech/decode.py, chosen on training-split validation speakers): "
      f"moving average k = {decoder.k} frames, shortest segment m = {decoder.m} frames")
    p("modes: int4 = the exported integer network; float-latent = the QAT net's latent "
      "weights without rounding; float-sep = float baseline trained separately")
    res = {"registers": net.regs.as_dict(), "decoder": decoder.as_dict(), "sets": {}}
    p(f"{'set':24s} {'mode':12s} {'utts':>5s} {'frames':>7s} {'frame acc':>9s} "
      f"{'PER raw':>8s} {'PER dec':>8s} {'spars L0':>8s} {'spars L1':>8s}")
    for name, items in sets.items():
        r = {}
        for mode_name, (n, mode) in nets.items():
            v = evaluate(n, items, mode, decoder=decoder)
            r[mode_name] = v
            p(f"{name:24s} {mode_name:12s} {v['utterances']:5d} {v['frames']:7d} "
              f"{v['frame_acc']:9.3f} {v['per']:8.3f} {v['per_decoded']:8.3f} "
              f"{v['sparsity_l0']:8.3f} {v['sparsity_l1']:8.3f}")
        res["sets"][name] = r
    if base is None and fb.get("test"):
        f = fb["test"]
        p(f"(float baseline checkpoint not found; its training figures on the synthetic "
          f"test set: frame acc {f['frame_acc']:.3f} PER raw {f['per']:.3f} decoded "
          f"{f.get('per_decoded', float('nan')):.3f})")
    main_set = next(iter(sets.values()))
    cyc = {}
    for T in (1, 2):
        c = mean_cycles(net, main_set, T)
        cyc[T] = c
        p(f"T = {T}: mean cycles/frame {c['cyc_total']:.1f} (IN {c['cyc_in']:.1f}, L0 "
          f"{c['cyc_l0']:.1f}, L1 {c['cyc_l1']:.1f}, FC {c['cyc_fc']:.1f}); layer sparsity "
          f"L0 {c['sparsity_l0']:.3f} L1 {c['sparsity_l1']:.3f}; frame acc "
          f"{c['frame_acc']:.3f} PER raw {c['per']:.3f}  [{len(main_set)} utts, "
          f"{c['frames']} frames]")
    res["cycles"] = {T: dict(c) for T, c in cyc.items()}
    ms = tr.get("model_size_mb")
    if ms:
        hid = tr.get("config", {}).get("hidden", 256)
        p(f"model size: {ms['before']:.2f} MB (float32, hidden {hid}) -> "
          f"{ms['after_dense_4bit']:.3f} MB (4-bit, hidden 128, dense image) / "
          f"{ms['after_nonzero_4bit']:.3f} MB (nonzero weights only); paper "
          f"{ms['paper_before']} MB -> {ms['paper_after']} MB")
    wsp = sparsity_report(net.rsnn_weights())
    p("weight zeros: " + ", ".join(f"{k} {v:.1%}" for k, v in wsp.items()))
    res["weight_zero_fraction"] = wsp
    if check_all:
        t0 = time.perf_counter()
        eq = assert_integer_equal_all(net, main_set)
        p(f"torch integer mode == numpy model (spikes, scores, prediction) at T = "
          f"{net.regs.T} on all {eq['utterances']} utterances of {next(iter(sets))} "
          f"({eq['frames']} frames, {time.perf_counter() - t0:.0f} s)")
        res["integer_equal"] = eq
    if rtl:
        items = main_set if rtl < 0 else main_set[:rtl]
        t0 = time.perf_counter()
        r = rtl_check(net, items, net.regs.T)
        r["model_cyc_total"] = mean_cycles(net, items, net.regs.T)["cyc_total"]
        p(f"RTL (Verilator, bench/bare) == numpy model (scores, prediction per frame) at "
          f"T = {net.regs.T} on {r['utterances']} utterances ({r['frames']} frames, "
          f"{time.perf_counter() - t0:.0f} s); simulated clock cycles per frame of the "
          f"whole stream {r['cycles'] / max(r['frames'], 1):.1f} (frame input, score "
          f"output and spike tap included) vs the model's schedule "
          f"{r['model_cyc_total']:.1f} for the same frames")
        res["rtl_equal"] = r
    return res


# ---- command line ----------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m model.train.rsnn_train")
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="train, prune, export")
    t.add_argument("--smoke", action="store_true", help="tiny config (seconds)")
    t.add_argument("--T", type=int, default=2, choices=(1, 2))
    t.add_argument("--data", default=DEFAULT_DATA)
    t.add_argument("--out", default=None)
    t.add_argument("--ckpt", default=None)
    t.add_argument("--threads", type=int, default=None)
    t.add_argument("--epochs-dense", type=int, default=None)
    t.add_argument("--epochs-finetune", type=int, default=None)
    t.add_argument("--train-limit", type=int, default=None)
    t.add_argument("--seed", type=int, default=None)
    t.add_argument("--lr-finetune", type=float, default=None)
    t.add_argument("--rate-weight", type=float, default=None)
    t.add_argument("--rate1-lo", type=float, default=None)
    t.add_argument("--union-hi", type=float, default=None)
    t.add_argument("--no-samples", action="store_true")
    t.add_argument("--float", dest="float_train", action="store_true",
                   help="train the float baseline (no quantization); writes "
                        "float_baseline.json to --out (default " + DEFAULT_FLOAT_OUT + ")")
    t.add_argument("--attach-to", default=None,
                   help="with --float: copy the figures into this weights directory's "
                        "manifest (training.float_baseline)")
    t.add_argument("--resume-dense", default=None,
                   help="start from this dense-phase checkpoint (<ckpt>/dense.pt)")
    r = sub.add_parser("report", help="evaluate an exported weights directory")
    r.add_argument("--weights", default=DEFAULT_OUT)
    r.add_argument("--data", default=DEFAULT_DATA)
    r.add_argument("--test-limit", type=int, default=None)
    r.add_argument("--threads", type=int, default=None)
    r.add_argument("--rtl", default="10",
                   help="run the RTL (bare Verilator) on N test utterances, 'all', or 0")
    r.add_argument("--no-check-all", action="store_true",
                   help="skip torch-integer == numpy on every test utterance")
    r.add_argument("--float-baseline", default=None,
                   help="float baseline checkpoint (default: the manifest's)")
    f = sub.add_parser("finetune", help="fine-tune an exported network at another T")
    f.add_argument("--from", dest="src", default=DEFAULT_OUT)
    f.add_argument("--out", default=DEFAULT_OUT + "/t1")
    f.add_argument("--T", type=int, default=1, choices=(1, 2))
    f.add_argument("--epochs", type=int, default=3)
    f.add_argument("--data", default=DEFAULT_DATA)
    s = sub.add_parser("samples", help="(re)write weights/<dir>/samples/")
    s.add_argument("--weights", default=DEFAULT_OUT)
    s.add_argument("--data", default=DEFAULT_DATA)
    a = ap.parse_args(argv)
    if a.cmd == "train":
        cfg = smoke_config(T=a.T) if a.smoke else TrainConfig(T=a.T)
        for key in ("threads", "epochs_dense", "epochs_finetune", "train_limit", "seed",
                    "lr_finetune", "rate_weight", "rate1_lo", "union_hi"):
            v = getattr(a, key)
            if v is not None:
                setattr(cfg, key, v)
        cfg.float_train = a.float_train
        tag = "_float" if a.float_train else ""
        if a.smoke:
            out = a.out or f"build/train/rsnn_smoke{tag}/weights"
            ck = a.ckpt or f"build/train/rsnn_smoke{tag}"
        else:
            out = a.out or (DEFAULT_FLOAT_OUT if a.float_train else DEFAULT_OUT)
            ck = a.ckpt or (DEFAULT_FLOAT_OUT if a.float_train else DEFAULT_CKPT)
        run_training(cfg, a.data, out, ck, write_samples=not a.no_samples,
                     resume_dense=a.resume_dense)
        if a.float_train and a.attach_to:
            attach_float_baseline(a.attach_to, Path(out) / "float_baseline.json")
    elif a.cmd == "report":
        if a.threads:
            set_threads(a.threads)
        rtl = -1 if a.rtl == "all" else int(a.rtl)
        report(a.weights, a.data, a.test_limit, rtl=rtl, check_all=not a.no_check_all,
               float_baseline=a.float_baseline)
    elif a.cmd == "finetune":
        run_finetune(a.src, a.out, a.T, a.epochs, data_dir=a.data)
    else:
        write_sample_files(a.weights, ensure_data(a.data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
