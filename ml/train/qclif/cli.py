"""Command line of the qclif training: ``spikedv qclif train`` and ``spikedv qclif report``.

    spikedv qclif train --out weights/qclif --data build/dvs --bits 8     # 12.7 min
    spikedv qclif train --smoke                                            # seconds
    spikedv qclif report --weights weights/qclif

``python -m ml.train.qclif train|report`` runs the same functions. The ``add_*``
functions import neither torch nor the training modules; ``run_train`` needs torch,
``run_report`` only matplotlib (it runs the numpy model and Verilator).
"""
from __future__ import annotations

import argparse
import os

from ml.paths import (
    DVS_DATA, QCLIF_CKPT, QCLIF_SMOKE, QCLIF_WEIGHTS, QCLIF_WEIGHTS_4BIT, REPORTS,
)
from ml.train import require_train_extra
from spikedv.cli_args import (
    add_jobs, add_out, add_seed, add_weights, jobs_arg, path_arg, quiet,
)



def add_train_arguments(p: argparse.ArgumentParser) -> None:
    add_out(p, "weights folder to write (default weights/qclif; with --smoke "
               "build/train/qclif_smoke/weights)", required=False)
    p.add_argument("--data", type=path_arg, default=DVS_DATA, metavar="DIR",
                   help="corpus cache: DIR/DvsGesture (made if missing) and DIR/prepared "
                        "(default build/dvs in the checkout)")
    p.add_argument("--smoke", action="store_true",
                   help="seconds-long run: 2 epochs on 16 samples of a 22-gesture corpus")
    p.add_argument("--bits", type=int, choices=(8, 4), default=8, help="weight bits")
    p.add_argument("--float", dest="float_baseline", action="store_true",
                   help="train the float baseline of the same graph (no export)")
    p.add_argument("--epochs", type=int, metavar="N", help="epochs (default 60)")
    p.add_argument("--samples", type=int, metavar="N",
                   help="corpus size in gestures (default 1100)")
    add_seed(p, help="training seed (default 0)")
    p.add_argument("--data-seed", type=int, metavar="N", help="corpus seed (default 0)")
    p.add_argument("--threads", type=int, metavar="N", help="torch threads (default 1)")
    add_jobs(p, default="2")
    p.add_argument("--workers", dest="jobs", type=jobs_arg, help=argparse.SUPPRESS)   # the old name
    p.add_argument("--ckpt-dir", type=path_arg, default=None, metavar="DIR",
                   help="checkpoints and results (default build/train/qclif, with --smoke "
                        "build/train/qclif_smoke)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    p.add_argument("--export-only", action="store_true",
                   help="load the finished checkpoint, evaluate and export")
    p.add_argument("--no-export", action="store_true", help="train but export nothing")


def add_report_arguments(p: argparse.ArgumentParser) -> None:
    add_weights(p, default=QCLIF_WEIGHTS, help="8-bit weights folder (default weights/qclif)")
    p.add_argument("--weights4", type=path_arg, default=QCLIF_WEIGHTS_4BIT, metavar="DIR",
                   help="4-bit weights folder, reported when present "
                        "(default build/train/qclif/weights_4bit)")
    p.add_argument("--data", type=path_arg, default=DVS_DATA / "prepared", metavar="DIR",
                   help="prepared DVS splits (test.npz, binning.json; default "
                        "build/dvs/prepared)")
    p.add_argument("--rtl-samples", type=int, default=3, metavar="N",
                   help="test samples run on Verilator (default 3)")
    add_out(p, "folder for qclif_report.md/.json and the pictures (default reports/)",
            default=REPORTS)


def jobs_count(text: str) -> int:
    """``--jobs`` as a number (``auto``: the CPU count)."""
    return (os.cpu_count() or 1) if text == "auto" else int(text)


def run_train(args) -> int:
    require_train_extra("torch")
    from ml.train.qclif.loop import TrainConfig, smoke_config
    from ml.train.qclif.pipeline import run_training

    over = {k: v for k, v in (("epochs", args.epochs), ("samples", args.samples),
                              ("seed", args.seed), ("data_seed", args.data_seed),
                              ("threads", args.threads)) if v is not None}
    over.update(bits=args.bits, float_baseline=args.float_baseline)
    cfg = smoke_config(**over) if args.smoke else TrainConfig(**over)
    ckpt_dir = args.ckpt_dir or (QCLIF_SMOKE if args.smoke else QCLIF_CKPT)
    out_dir = args.out or (QCLIF_SMOKE / "weights" if args.smoke else QCLIF_WEIGHTS)
    run_training(cfg, args.data, out_dir, ckpt_dir, smoke=args.smoke,
                 workers=jobs_count(args.jobs), resume=args.resume,
                 export_only=args.export_only, export_weights=not args.no_export,
                 quiet=quiet(args))
    return 0


def run_report(args) -> int:
    require_train_extra("matplotlib")
    from ml.train.qclif.report import report

    result, text = report(args.weights, args.weights4, args.data, args.rtl_samples,
                          args.out, quiet=quiet(args))
    print(text)
    return 0 if all(r["rtl_equals_model"] for r in result["rtl"]) else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m ml.train.qclif train|report ...``"""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress")
    ap = argparse.ArgumentParser(prog="python -m ml.train.qclif",
                                 description="qclif training, export and report")
    sub = ap.add_subparsers(dest="cmd", required=True)
    add_train_arguments(sub.add_parser("train", parents=[common],
                                       help="train on synthetic DVS Gesture and export"))
    add_report_arguments(sub.add_parser("report", parents=[common],
                                        help="accuracy, confusion matrix, RTL cycles"))
    args = ap.parse_args(argv)
    return (run_train if args.cmd == "train" else run_report)(args)
