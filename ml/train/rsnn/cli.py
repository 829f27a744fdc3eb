"""Command line of the rsnn training: ``spikedv rsnn train`` and ``spikedv rsnn report``.

    spikedv rsnn train --data build/speech --out weights/rsnn       # the real run
    spikedv rsnn train --smoke --data build/speech                  # seconds
    spikedv rsnn train --float --attach-to weights/rsnn             # float baseline
    spikedv rsnn train --finetune-from weights/rsnn --T 1 --out weights/rsnn/t1
    spikedv rsnn train --samples-only --out weights/rsnn            # rewrite samples/
    spikedv rsnn report --weights weights/rsnn [--rtl 10|all|0]

``python -m ml.train.rsnn train|report|finetune|samples`` runs the same functions.
The ``add_*`` functions import neither torch nor the training modules, so declaring the
arguments (``--help``) works without the train extra; ``run_*`` import them.
"""
from __future__ import annotations

import argparse

from ml.paths import (
    RSNN_CKPT, RSNN_CKPT_T1, RSNN_FLOAT, RSNN_SMOKE, RSNN_WEIGHTS, SPEECH_DATA,
)
from ml.train import require_train_extra
from spikedv.cli_args import add_out, add_seed, add_weights, path_arg, quiet

FINETUNE_OUT = RSNN_WEIGHTS / "t1"
FINETUNE_EPOCHS = 3

# TrainConfig fields a flag may override (None: keep the configuration's value)
OVERRIDES = ("threads", "epochs_dense", "epochs_finetune", "train_limit", "seed",
             "lr_finetune", "rate_weight", "rate1_lo", "union_hi")


def add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=path_arg, default=SPEECH_DATA, metavar="DIR",
                   help="prepared speech corpus: train.npz, test.npz, quantizer.json "
                        "(spikedv speech prepare; default build/speech in the checkout)")


def add_threads(p: argparse.ArgumentParser) -> None:
    p.add_argument("--threads", type=int, default=None, metavar="N",
                   help="torch threads (default: 1 for training, torch's own for report)")


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    add_data(p)
    add_out(p, "weights folder to write (default weights/rsnn; with --smoke "
               "build/train/rsnn_smoke/weights; with --float build/train/rsnn_float; with "
               "--finetune-from weights/rsnn/t1)", required=False)
    p.add_argument("--ckpt", type=path_arg, default=None, metavar="DIR",
                   help="checkpoint folder (default build/train/rsnn, rsnn_smoke, "
                        "rsnn_float or rsnn_T1)")
    p.add_argument("--smoke", action="store_true", help="tiny configuration (seconds)")
    p.add_argument("--T", type=int, choices=(1, 2), default=None,
                   help="time steps per frame (default 2; with --finetune-from 1)")
    add_seed(p, help="training seed (default 1)")
    add_threads(p)
    p.add_argument("--epochs-dense", type=int, metavar="N", help="dense epochs (default 5)")
    p.add_argument("--epochs-finetune", type=int, metavar="N",
                   help="fine-tune epochs (default 16; with --finetune-from 3)")
    p.add_argument("--train-limit", type=int, metavar="N",
                   help="train on N utterances (default all)")
    p.add_argument("--lr-finetune", type=float, metavar="LR")
    p.add_argument("--rate-weight", type=float, metavar="W",
                   help="spike-rate/union penalty weight of the fine-tune phase")
    p.add_argument("--rate1-lo", type=float, metavar="R")
    p.add_argument("--union-hi", type=float, metavar="U")
    p.add_argument("--no-samples", action="store_true",
                   help="do not write OUT/samples/")
    p.add_argument("--float", dest="float_train", action="store_true",
                   help="train the float baseline (no quantization, nothing exported); "
                        "writes float_baseline.json to --out")
    p.add_argument("--attach-to", type=path_arg, default=None, metavar="DIR",
                   help="with --float: copy the figures into this weights folder's manifest "
                        "(training.float_baseline)")
    p.add_argument("--resume-dense", type=path_arg, default=None, metavar="CKPT",
                   help="start from this dense-phase checkpoint (<ckpt>/dense.pt)")
    p.add_argument("--finetune-from", type=path_arg, default=None, metavar="DIR",
                   help="fine-tune this exported network at --T instead of training anew")
    p.add_argument("--samples-only", action="store_true",
                   help="only (re)write OUT/samples/ from --data and the real recordings")


def add_report_arguments(p: argparse.ArgumentParser) -> None:
    add_weights(p, default=RSNN_WEIGHTS,
                help="exported weights folder (default weights/rsnn)")
    add_data(p)
    p.add_argument("--test-limit", type=int, default=None, metavar="N",
                   help="evaluate N test utterances (default all)")
    add_threads(p)
    p.add_argument("--rtl", type=rtl_count, default=10, metavar="N|all",
                   help="run the RTL (bare Verilator engine) on N test utterances, 'all', "
                        "or 0 (default 10)")
    p.add_argument("--no-check-all", action="store_true",
                   help="skip torch-integer == numpy on every test utterance")
    p.add_argument("--float-baseline", type=path_arg, default=None, metavar="CKPT",
                   help="float baseline checkpoint (default: the manifest's)")


def rtl_count(text: str) -> int:
    """``--rtl``: a number of utterances, or ``all`` (-1)."""
    if text == "all":
        return -1
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number or 'all'")
    return int(text)


def _config(args, finetune: bool = False):
    from ml.train.rsnn.loop import TrainConfig, smoke_config
    T = args.T or (1 if finetune else 2)
    cfg = smoke_config(T=T) if args.smoke else TrainConfig(T=T)
    for key in OVERRIDES:
        value = getattr(args, key, None)
        if value is not None:
            setattr(cfg, key, value)
    cfg.float_train = bool(getattr(args, "float_train", False))
    return cfg


def run_train(args) -> int:
    require_train_extra("torch")
    from ml.train.rsnn import pipeline
    from ml.train.rsnn.data import ensure_data
    from ml.train.rsnn.export import attach_float_baseline, write_sample_files

    if args.samples_only:
        write_sample_files(args.out or RSNN_WEIGHTS, ensure_data(args.data))
        return 0
    if args.finetune_from is not None:
        if args.float_train:
            raise SystemExit("spikedv: error: --finetune-from and --float exclude each other")
        cfg = _config(args, finetune=True)
        epochs = args.epochs_finetune or FINETUNE_EPOCHS
        pipeline.run_finetune(args.finetune_from, args.out or FINETUNE_OUT, cfg.T, epochs,
                              cfg, data_dir=args.data,
                              ckpt_dir=args.ckpt or RSNN_CKPT_T1,
                              quiet=quiet(args))
        return 0
    cfg = _config(args)
    tag = "_float" if cfg.float_train else ""
    if args.smoke:
        smoke = RSNN_SMOKE.with_name(RSNN_SMOKE.name + tag)
        out, ckpt = args.out or smoke / "weights", args.ckpt or smoke
    else:
        out = args.out or (RSNN_FLOAT if cfg.float_train else RSNN_WEIGHTS)
        ckpt = args.ckpt or (RSNN_FLOAT if cfg.float_train else RSNN_CKPT)
    pipeline.run_training(cfg, args.data, out, ckpt, write_samples=not args.no_samples,
                          resume_dense=args.resume_dense, quiet=quiet(args))
    if cfg.float_train and args.attach_to:
        attach_float_baseline(args.attach_to, out / "float_baseline.json")
    return 0


def run_report(args) -> int:
    require_train_extra("torch")
    from ml.train.common import set_threads
    from ml.train.rsnn.report import report

    if args.threads:
        set_threads(args.threads)
    report(args.weights, args.data, args.test_limit, rtl=args.rtl,
           check_all=not args.no_check_all, float_baseline=args.float_baseline,
           quiet=quiet(args))
    return 0


# ---- python -m ml.train.rsnn -------------------------------------------------------
def _finetune_compat(args) -> int:
    """``finetune --from DIR --T 1 --epochs 3 --out DIR`` (the old verb)."""
    ns = argparse.Namespace(**{k: None for k in OVERRIDES}, smoke=False, T=args.T,
                            float_train=False, samples_only=False, data=args.data,
                            out=args.out, ckpt=None, finetune_from=args.src,
                            quiet=args.quiet)
    ns.epochs_finetune = args.epochs
    return run_train(ns)


def _samples_compat(args) -> int:
    """``samples --weights DIR`` (the old verb)."""
    return run_train(argparse.Namespace(samples_only=True, out=args.weights, data=args.data))


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress")
    ap = argparse.ArgumentParser(prog="python -m ml.train.rsnn",
                                 description="rsnn training, export and report")
    sub = ap.add_subparsers(dest="cmd", required=True)
    add_train_arguments(sub.add_parser("train", parents=[common],
                                       help="train, prune, export"))
    add_report_arguments(sub.add_parser("report", parents=[common],
                                        help="evaluate an exported weights folder"))
    f = sub.add_parser("finetune", parents=[common],
                       help="fine-tune an exported network at another T")
    f.add_argument("--from", dest="src", type=path_arg, default=RSNN_WEIGHTS)
    add_out(f, "weights folder to write", default=FINETUNE_OUT)
    f.add_argument("--T", type=int, default=1, choices=(1, 2))
    f.add_argument("--epochs", type=int, default=FINETUNE_EPOCHS)
    add_data(f)
    s = sub.add_parser("samples", parents=[common], help="(re)write <weights>/samples/")
    add_weights(s, default=RSNN_WEIGHTS)
    add_data(s)
    args = ap.parse_args(argv)
    run = {"train": run_train, "report": run_report, "finetune": _finetune_compat,
           "samples": _samples_compat}[args.cmd]
    return run(args)
