"""Evaluating the rsnn training form: frame accuracy, raw and decoded phone error rate,
spike sparsity, the decoder choice, cycles per frame of the schedule model, model size."""
from __future__ import annotations

import numpy as np
import torch

from ml.train.rsnn.data import length_batches, pad_batch
from ml.train.rsnn.net import RsnnNet
from model.rsnn import N_FC, N_FEATURES, RsnnWeights


def evaluate(net: RsnnNet, items, mode: str = "int", batch: int = 64,
             T: int | None = None, want_spikes: bool = False, decoder=None,
             want_scores: bool = False, bar=None) -> dict:
    """Frame accuracy, raw frame-wise PER ("per": argmax per frame, 39 folded, repeats
    collapsed), with ``decoder`` (ml.speech.decode.DecoderConfig) also the decoded PER
    ("per_decoded"), spike sparsity per layer; with ``want_spikes`` / ``want_scores``
    also the per-utterance predictions and spikes / scores (numpy). ``bar``
    (verif.console.Progress) advances by one per utterance."""
    from ml.speech.decode import decode
    from ml.speech.phones import per_counts
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
        if bar is not None:
            bar.advance(len(group))
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
    from ml.speech.decode import DecoderConfig, choose_decoder
    ev = evaluate(net, val_items, mode, want_scores=True)
    ch = choose_decoder(ev["scores"], [it[2] for it in val_items])
    ch.update(chosen_on=f"{len(val_items)} validation utterances of the training split "
                        f"(speakers held out from training), mode {mode}",
              per_raw=ev["per"])
    return DecoderConfig(ch["k"], ch["m"]), ch


def mean_cycles(net: RsnnNet, items, T: int, bar=None) -> dict:
    """Mean per-frame counters (model.rsnn_schedule) of the integer network at T."""
    from model.rsnn_schedule import counters, previous_frame
    ev = evaluate(net, items, "int", T=T, want_spikes=True, bar=bar)
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


def model_size(hidden: int, bits: float, nonzero: int | None = None) -> float:
    """MB (10^6 bytes) of the five weight matrices."""
    n = N_FEATURES * hidden + 3 * hidden * hidden + hidden * N_FC
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


def strip(d: dict) -> dict:
    """An evaluation without its per-utterance arrays (for the manifest)."""
    return {k: v for k, v in d.items() if k not in ("preds", "spikes", "scores")}
