"""The qclif training loop: configuration, evaluation, BPTT training with a cosine
learning rate, checkpoints and resume, the final evaluation, post-training quantization
(docs/training_qclif.md "Training loop")."""
from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ml.dvs.prepare import PreparedSplit
from ml.train.common import (
    Progress, int_range, load_checkpoint, save_checkpoint, seed_everything, set_threads,
)
from ml.train.qclif.data import shift_blocks
from ml.train.qclif.net import QclifNet, regs_for_bits
from model.qclif import N_CLASSES, QclifRegs, QclifWeights


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


def subset(split: PreparedSplit, limit: int | None, seed: int):
    """(inputs, labels) of ``split``, ``limit`` of them drawn with ``seed`` (sorted)."""
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
    xtr, ytr = subset(train_split, cfg.train_limit, cfg.seed)
    xte, yte = subset(test_split, cfg.test_limit, cfg.seed + 1)
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
    bar = progress.bar((cfg.epochs - start) * steps_per_epoch, f"qclif {cfg.tag}")
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
            bar.advance()
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
    bar.close()
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
