"""``spikedv rsnn infer`` and ``spikedv qclif infer``: the engines from the command line."""
from __future__ import annotations

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
    p.add_argument("--schedule", choices=rsnn_engine.SCHEDULES, default="paper",
                   help="SCHEDULE register: the paper's schedule (default) or the union "
                        "schedule (same outputs, fewer cycles; docs/rsnn.md)")


def _with_progress(args, items: int, label: str, call):
    """``call(progress)`` with a progress bar on the simulator engines (not -q)."""
    progress = None if quiet(args) or args.engine == "model" else Progress(items, label)
    try:
        return call(progress)
    finally:
        if progress:
            progress.close()


def run_rsnn(args) -> int:
    features = check_features(load_npy(args.features), args.features)
    res = _with_progress(args, len(features), f"rsnn {args.engine}", lambda progress:
                         rsnn_engine.infer(args.weights, features, engine=args.engine,
                                           T=args.T, out=args.out, progress=progress,
                                           schedule=args.schedule))
    n = len(res["pred"])
    print(f"{args.engine}: {n} frames, T={int(res['T'])}, {args.schedule} schedule, "
          f"mean cycles/frame {float(np.mean(res['cycles'])) if n else 0:.1f}; "
          f"wrote {args.out}")
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
    res = _with_progress(args, len(x), f"qclif {args.engine}", lambda progress:
                         qclif_engine.infer(args.weights, x, engine=args.engine,
                                            np_units=args.np_units, out=args.out,
                                            progress=progress))
    print(f"{args.engine}: {len(res['cycles'])} bins, class {res['pred']}, "
          f"{int(np.sum(res['cycles']))} cycles; wrote {args.out}")
    return 0
