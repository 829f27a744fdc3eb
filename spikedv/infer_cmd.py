"""``spikedv rsnn infer`` and ``spikedv qclif infer``: the engines from the command line."""
from __future__ import annotations

import sys

import numpy as np

from model.npy import load_npy
from model.qclif import check_inputs
from model.rsnn import check_features
from spikedv.cli_args import add_engine, add_out, add_weights, path_arg, quiet
from spikedv.engines import qclif as qclif_engine
from spikedv.engines import rsnn as rsnn_engine
from verif.console import Progress


def add_rsnn_arguments(p) -> None:
    add_weights(p)
    p.add_argument("--features", type=path_arg, required=True, metavar="NPY",
                   help="one utterance: (frames, 40|48) uint8 .npy")
    add_engine(p, rsnn_engine.ENGINES)
    add_out(p, "output .npz (scores, pred, spikes0/1, cycles, counters, T)")
    p.add_argument("--T", type=int, choices=(1, 2), default=None,
                   help="time steps (default: the manifest's register)")


def run_rsnn(args) -> int:
    features = check_features(load_npy(args.features), args.features)
    progress = None if quiet(args) or args.engine == "model" else \
        Progress(len(features), f"rsnn {args.engine}")
    try:
        res = rsnn_engine.infer(args.weights, features, engine=args.engine, T=args.T,
                                out=args.out, progress=progress)
    finally:
        if progress:
            progress.close()
    n = len(res["pred"])
    print(f"{args.engine}: {n} frames, T={int(res['T'])}, mean cycles/frame "
          f"{float(np.mean(res['cycles'])) if n else 0:.1f}; wrote {args.out}")
    return 0


def add_qclif_arguments(p) -> None:
    add_weights(p)
    p.add_argument("--input", type=path_arg, required=True, metavar="NPY",
                   help="one sample: (bins, 200) 0/1 .npy")
    add_engine(p, qclif_engine.ENGINES)
    add_out(p, "output .npz (scores, pred, spikes, cycles, synops, spikes_per_bin)")
    p.add_argument("--np", dest="np_units", type=int, default=None,
                   help="physical neuron units (default: largest divisor of N up to 20)")


def run_qclif(args) -> int:
    x = check_inputs(load_npy(args.input), args.input)
    progress = None if quiet(args) or args.engine == "model" else \
        Progress(len(x), f"qclif {args.engine}")
    try:
        res = qclif_engine.infer(args.weights, x, engine=args.engine, np_units=args.np_units,
                                 out=args.out, progress=progress)
    finally:
        if progress:
            progress.close()
    print(f"{args.engine}: {len(res['cycles'])} bins, class {res['pred']}, "
          f"{int(np.sum(res['cycles']))} cycles; wrote {args.out}", file=sys.stdout)
    return 0
