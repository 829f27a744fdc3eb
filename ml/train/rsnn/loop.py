"""The rsnn training loop: configuration, schedules (cosine learning rate, the ramped
spike-rate and cycle penalty) and the epochs themselves (docs/training_rsnn.md
"Training procedure")."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ml.train.common import Progress, save_checkpoint
from ml.train.rsnn.data import length_batches, pad_batch
from ml.train.rsnn.net import RsnnNet
from model.rsnn import REGISTER_RANGES, RsnnConfig


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
    """Smallest legal s_in (0..7) that brings the spread (std over neurons and frames)
    of ``A >>> s_in`` at or below ``target`` for the initial Win (the largest if none)."""
    lo, hi = REGISTER_RANGES["s_in"]
    x = torch.from_numpy(np.concatenate([it[0] for it in items[:64]]).astype(np.float64))
    with torch.no_grad():
        A = x @ net.effective_weights("int", torch.float64)["win"]
    for s in range(lo, hi + 1):
        if torch.floor(A / 2 ** s).std().item() <= target:
            return s
    return hi


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
    bar = prog.bar(epochs * batches_per_epoch, f"rsnn {tag}")
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
            bar.advance()
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
    bar.close()
    return history
