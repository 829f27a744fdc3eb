"""A whole rsnn training run (docs/training_rsnn.md "Training procedure"): dense phase,
pruning, fine-tuning, L1 renumbering, decoder choice, evaluation, export and samples;
and the fine-tuning of an exported network at another T."""
from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch

from ml.paths import RSNN_CKPT, RSNN_CKPT_T1, RSNN_WEIGHTS, SPEECH_DATA, for_manifest, in_repo
from ml.speech.prepare import load_prepared
from ml.train.common import (
    Progress, load_checkpoint, save_checkpoint, seed_everything, set_threads,
)
from ml.train.rsnn.data import ensure_data, split_validation, utterances
from ml.train.rsnn.evaluate import (
    evaluate, mean_cycles, model_size, pick_decoder, sparsity_report, strip,
)
from ml.train.rsnn.export import export, load_exported, write_sample_files
from ml.train.rsnn.loop import TrainConfig, calibrate_s_in, train_epochs
from ml.train.rsnn.net import RsnnNet
from ml.train.rsnn.prune import (
    l1_union_activity, neuron_importance, parity_permutation, permute_l1, prune_fc,
    prune_neurons,
)
from model.rsnn import N_FEATURES, N_NEURONS, RsnnConfig

PAPER_MB = (2.79, 0.1)        # paper: model size before -> after pruning + quantization


def run_training(cfg: TrainConfig, data_dir=SPEECH_DATA, out_dir=RSNN_WEIGHTS,
                 ckpt_dir=RSNN_CKPT, samples_dir=None, write_samples: bool = True,
                 resume_dense=None, quiet: bool = False) -> dict:
    """Dense training at ``cfg.hidden``, structured pruning to 128 + FC pruning,
    fine-tuning, decoder choice on the validation speakers, test evaluation, export.

    ``cfg.float_train``: the float baseline (same graph without weight rounding and
    floors, same epochs and pruning); nothing is exported to the hardware format, the
    figures go to ``out_dir/float_baseline.json``. ``resume_dense``: a checkpoint of the
    dense phase (``<ckpt>/dense.pt``) to start from instead of training it again.
    ``quiet``: no progress lines or bars."""
    set_threads(cfg.threads)
    gen = seed_everything(cfg.seed)
    prog = Progress(enabled=not quiet)
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
    net = prune_neurons(net, N_NEURONS, imp0, imp1)
    prune_fc(net, cfg.fc_prune)
    pruned = evaluate(net, te, emode)
    prog.line(f"pruned to {N_NEURONS} (+FC {cfg.fc_prune:.0%}): {emode} acc "
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

    data_facts = {"dir": for_manifest(data_dir), "train_utterances": len(tr),
                  "train_frames": int(sum(len(i[0]) for i in tr)),
                  "validation_utterances": len(val),
                  "validation_speakers": sorted({train_set.names[i].split("_")[0]
                                                 for i in val_idx}),
                  "test_utterances": len(te),
                  "test_frames": int(sum(len(i[0]) for i in te)),
                  "source": "synthetic TIMIT-format corpus (ml.speech.synth), 240 train / "
                            "60 test speakers; validation = training speakers held out"}
    save_kw = dict(hidden=net.hidden, regs=net.regs.as_dict())
    if cfg.float_train:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        facts = {"kind": "float baseline (separately trained, no quantization)",
                 "config": dataclasses.asdict(cfg), "data": data_facts,
                 "epochs": {"dense_256": cfg.epochs_dense,
                            "finetune_128": cfg.epochs_finetune},
                 "test_dense_256": strip(dense_eval), "test_pruned_before_finetune":
                 strip(pruned), "test": strip(final), "decoder": choice,
                 "history": hist, "wall_seconds": wall,
                 "checkpoint": for_manifest(ckpt_dir / "final.pt")}
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
        "test_dense_256": {"int4": strip(dense_eval), "float": strip(dense_other)},
        "test_pruned_before_finetune": strip(pruned),
        "test": {"int4": strip(final),
                 "float_latent": {**strip(final_float),
                                  "note": "the QAT network's latent weights run in float "
                                          "mode (not a separately trained float net; see "
                                          "float_baseline)"}},
        "cycles_test": {f"T{cfg.T}": {k: v for k, v in cyc.items()}},
        "layer_sparsity": {"l0": final["sparsity_l0"], "l1": final["sparsity_l1"]},
        "l1_parity_balance": parity,
        "weight_zero_fraction": wsp,
        "model_size_mb": {
            "before": model_size(cfg.hidden, 32),
            "after_dense_4bit": model_size(N_NEURONS, 4),
            "after_nonzero_4bit": model_size(N_NEURONS, 4, nonzero),
            "paper_before": PAPER_MB[0], "paper_after": PAPER_MB[1],
            "note": "before: float32, hidden 256; after: 4-bit, hidden 128, dense memory "
                    "image / counting only nonzero weights",
        },
        "history": hist, "wall_seconds": wall, "threads": cfg.threads,
        "checkpoint": for_manifest(ckpt_dir / "final.pt"),
    }
    if resume_dense is not None:
        training["resumed_dense_from"] = for_manifest(resume_dense)
    save_checkpoint(ckpt_dir / "final.pt", net, None, training=training, **save_kw)
    export(out_dir, net, training, data_dir)
    if write_samples:
        write_sample_files(out_dir, data_dir, test_set, samples_dir)
    prog.line(f"exported to {out_dir} ({wall:.0f} s training)")
    return training


def run_finetune(src_dir, out_dir, T: int, epochs: int, cfg: TrainConfig | None = None,
                 data_dir=SPEECH_DATA, ckpt_dir=RSNN_CKPT_T1, quiet: bool = False) -> dict:
    """Fine-tune an exported 128-neuron network (its float checkpoint when present) at
    another T, same registers and FC mask, and export it to ``out_dir``."""
    cfg = cfg or TrainConfig()
    cfg = dataclasses.replace(cfg, T=T, epochs_dense=0, epochs_finetune=epochs)
    set_threads(cfg.threads)
    gen = seed_everything(cfg.seed)
    prog = Progress(enabled=not quiet)
    t_start = time.perf_counter()
    data_dir = ensure_data(data_dir)
    net, manifest = load_exported(src_dir)
    net.regs = dataclasses.replace(net.regs, T=T)
    ck = manifest.get("training", {}).get("checkpoint")
    if ck and in_repo(ck).is_file():
        blob = load_checkpoint(in_repo(ck))
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
        "T": T, "finetuned_from": for_manifest(src_dir), "config": dataclasses.asdict(cfg),
        "epochs": {"finetune_from_T%d" % manifest["registers"]["T"]: epochs},
        "decoder": choice,
        "test_before_finetune": before,
        "test": {"int4": strip(final_int),
                 "float_latent": {**strip(final_float),
                                  "note": "the QAT network's latent weights run in float "
                                          "mode"}},
        "cycles_test": {f"T{T}": dict(cyc)},
        "layer_sparsity": {"l0": final_int["sparsity_l0"], "l1": final_int["sparsity_l1"]},
        "weight_zero_fraction": sparsity_report(net.rsnn_weights()),
        "history": hist, "wall_seconds": wall,
        "checkpoint": for_manifest(Path(ckpt_dir) / "final.pt"),
    })
    save_checkpoint(Path(ckpt_dir) / "final.pt", net, None, hidden=net.hidden,
                    regs=net.regs.as_dict(), training=training)
    export(out_dir, net, training, data_dir)
    prog.line(f"exported to {out_dir} ({wall:.0f} s)")
    return training
