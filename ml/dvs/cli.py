"""Command line of the DVS data: ``spikedv dvs synth`` and ``spikedv dvs prepare``.

    spikedv dvs synth --out build/dvs --samples 22          # synthetic DVS Gesture corpus
    spikedv dvs prepare --dataset build/dvs --out build/dvs/prepared

``python -m ml.dvs.synth`` and ``python -m ml.dvs.prepare`` run the same functions (and
still take their old positional arguments: ``OUT``, ``DVS OUT``).
"""
from __future__ import annotations

import argparse
import json
import math
import os

from spikedv.cli_args import add_jobs, add_out, add_seed, jobs_arg, path_arg, quiet, verbose

from ml.dvs.prepare import DEFAULT_BINNING
from ml.dvs.synth import N_CLASSES, SynthConfig

DEFAULT_SAMPLES = 1342            # the real DVS128 Gesture's 1,342 gestures
GESTURE_S = SynthConfig().gesture_s


def add_synth_arguments(p: argparse.ArgumentParser) -> None:
    add_out(p, "folder to write the corpus into (OUT/DvsGesture/)")
    p.add_argument("--samples", type=int, default=DEFAULT_SAMPLES, metavar="N",
                   help=f"gestures, rounded up to whole trials of 11 (default {DEFAULT_SAMPLES})")
    add_seed(p, default=0, help="corpus seed (default 0)")
    add_jobs(p, default="2")
    p.add_argument("--workers", dest="jobs", type=jobs_arg, help=argparse.SUPPRESS)
    p.add_argument("--gesture-s", type=float, nargs=2, default=GESTURE_S,
                   metavar=("LOW", "HIGH"),
                   help=f"gesture duration range in seconds (default {GESTURE_S[0]} "
                        f"{GESTURE_S[1]})")


def add_prepare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", type=path_arg, required=True, metavar="DIR",
                   help="DVS Gesture folder (DvsGesture/ itself or its parent)")
    add_out(p, "folder for train.npz, test.npz and binning.json")
    b = DEFAULT_BINNING
    p.add_argument("--bin-us", type=int, default=b.bin_us, metavar="US",
                   help=f"bin width (default {b.bin_us})")
    p.add_argument("--n-bins", type=int, default=b.n_bins, metavar="N",
                   help=f"bins per sample (default {b.n_bins})")
    p.add_argument("--k-min", type=int, default=b.k_min, metavar="K",
                   help=f"events a block needs in a bin to fire (default {b.k_min})")
    p.add_argument("--offset-us", type=int, default=b.offset_us, metavar="US",
                   help=f"window start after the label's start (default {b.offset_us})")


def jobs_count(text: str) -> int:
    """``--jobs`` as a number (``auto``: the CPU count)."""
    return (os.cpu_count() or 1) if text == "auto" else int(text)


def run_synth(args) -> int:
    from ml.dvs.synth import synthesize_dataset
    from verif.console import Progress

    trials = math.ceil(args.samples / N_CLASSES) if args.samples > 0 else 0
    with Progress(trials, "dvs synth (trials)", quiet=quiet(args),
                  min_interval_s=10.0) as bar:
        def show(r) -> None:
            bar.advance()
            if verbose(args):
                print(f"{r.name:24s} {r.split:5s} {r.duration_s:6.1f} s {r.events:9d} events "
                      f"{r.wall_s:6.1f} s wall {r.cpu_s:6.1f} s cpu", flush=True)
        rep = synthesize_dataset(args.out, args.samples, args.seed,
                                 workers=jobs_count(args.jobs),
                                 config=SynthConfig(gesture_s=tuple(args.gesture_s)),
                                 progress=show)
    print(json.dumps(rep.summary(), indent=1))
    return 0


def run_prepare(args) -> int:
    from ml.cli_util import counter
    from ml.dvs.binning import BinningParams
    from ml.dvs.prepare import prepare

    params = BinningParams(args.bin_us, args.n_bins, args.k_min, args.offset_us)
    bar, progress = counter("dvs prepare (trials)", quiet(args))
    with bar:
        summary = prepare(args.dataset, args.out, params, progress=progress)
    print(json.dumps(summary, indent=1))
    return 0
