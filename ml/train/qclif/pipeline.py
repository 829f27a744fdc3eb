"""A whole qclif training run: the corpus (made or reused), training (or the finished
checkpoint with ``export_only``), results and history beside the checkpoint, export of
the weights with the training facts, and the re-loaded export checked against
``model.qclif.run``."""
from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from ml.paths import DVS_DATA, QCLIF_CKPT, QCLIF_WEIGHTS
from ml.train.common import Progress, load_checkpoint, set_threads
from ml.train.qclif.data import ensure_data, window_views
from ml.train.qclif.export import collect_accuracies, export, load_exported
from ml.train.qclif.loop import TrainConfig, build_net, final_result, subset, train
from ml.train.qclif.net import assert_integer_equal
from model.errors import InputError



def run_training(cfg: TrainConfig, data_dir=DVS_DATA, out_dir=QCLIF_WEIGHTS,
                 ckpt_dir=QCLIF_CKPT, *, smoke: bool = False, workers: int = 2,
                 resume: bool = False, export_only: bool = False,
                 export_weights: bool = True, quiet: bool = False) -> dict:
    """Train (or, with ``export_only``, load the finished checkpoint of) ``cfg`` on the
    corpus in ``data_dir``, write ``results_<tag>.json`` and ``history_<tag>.json`` to
    ``ckpt_dir`` and, unless a float baseline or ``export_weights=False``, export to
    ``out_dir``. Returns the results. ``workers``: corpus generation processes."""
    ckpt_dir, out_dir = Path(ckpt_dir), Path(out_dir)
    ckpt = ckpt_dir / f"qclif_{cfg.tag}.pt"
    prog = Progress(enabled=not quiet)
    set_threads(cfg.threads)

    train_split, test_split, data = ensure_data(data_dir, cfg.samples, cfg.data_seed,
                                                workers, log=prog.line, quiet=quiet)
    prog.line(f"data: {data['train_samples']} train (users {data['train_users']}), "
              f"{data['test_samples']} test (users {data['test_users']}); corpus "
              f"synthesized in {data['synth_wall_s']} s")
    extra = None
    if cfg.view_step_ms:
        extra = window_views(data_dir, cfg.view_step_ms * 1000, cfg.max_views, log=prog.line)
        data["extra_train_windows"] = int(len(extra[1]))
    if export_only:
        if not ckpt.is_file():
            raise InputError(ckpt, "no checkpoint to export (train first)")
        net = build_net(cfg)
        blob = load_checkpoint(ckpt, net)
        xtr, ytr = subset(train_split, cfg.train_limit, cfg.seed)
        xte, yte = subset(test_split, cfg.test_limit, cfg.seed + 1)
        result = final_result(net, cfg, xtr, ytr, xte, yte)
        result["train_wall_s"] = round(blob.get("train_wall_s", float("nan")), 1)
        history = blob["history"]
    else:
        t0 = time.perf_counter()
        res = train(cfg, train_split, test_split, ckpt, resume, prog, extra)
        net, history, result = res["net"], res["history"], res["result"]
        result["run_wall_s"] = round(time.perf_counter() - t0, 1)
    result.update(data=data, threads=cfg.threads, smoke=smoke, config=dataclasses.asdict(cfg))
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    (ckpt_dir / f"results_{cfg.tag}.json").write_text(json.dumps(result, indent=1) + "\n")
    (ckpt_dir / f"history_{cfg.tag}.json").write_text(json.dumps(history, indent=1) + "\n")

    if cfg.float_baseline or not export_weights:
        return result
    facts = {"trainer": "ml.train.qclif", "smoke": smoke, "epochs": cfg.epochs,
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
