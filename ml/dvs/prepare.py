"""Prepare qclif inputs from a DVS Gesture folder (SPEC 2.2).

``prepare(dvs_root, out_dir, params)`` cuts every labelled gesture from every
trial of each split (``trials_to_{train,test}.txt``), bins it with
``params.bin_sample`` (window starting ``offset_us`` after the label's start,
``n_bins`` bins of ``bin_us``, a channel is 1 in a bin iff it saw at least
``k_min`` events) and writes::

    out_dir/train.npz, out_dir/test.npz
        inputs    (samples, n_bins, 200) uint8, 0/1, channel order of
                  ml.dvs.binning (p*100 + yb*10 + xb)
        labels    (samples,) int64, class index 0..10 (labels.csv class - 1)
        trials    (samples,) str, trial name (userNN_<lighting>)
        starts_us (samples,) int64, the label's start time in its trial
    out_dir/binning.json   params.to_dict()

Samples keep the order of the trial lists and, within a trial, of the labels
file. A gesture shorter than the window leaves its trailing bins empty.
``load_prepared`` reads a split back and checks it against binning.json.

Default binning [ours]: 60 bins of 25 ms (a 1.5 s window from the gesture's
start: the shortest synthetic gesture, one to two periods of the slowest
gestures) with k_min = 3. A 12 x 12 block at 0.1-0.25 Hz of background
activity per pixel gets 0.2-0.45 noise events per polarity in 25 ms, so
k_min = 1 or 2 lets noise through (up to 36 % / 8 % of the channel-bins in the
noisiest, "lab", lighting); k_min = 3 keeps noise near 1 % while the gestures
drive about 7 % of the 200 channels per bin (about 14 active inputs per bin,
measured on 110 synthetic samples: 4 % for the one-arm waves, 10 % for clap
and arm roll).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Callable

import numpy as np

from ml.dvs.binning import N_CHANNELS, BinningParams
from ml.dvs.layout import CLASS_NAMES, SPLITS, cut_samples, iter_trials, list_trials
from model.errors import InputError

DEFAULT_BINNING = BinningParams(bin_us=25_000, n_bins=60, k_min=3, offset_us=0)
BINNING_FILE = "binning.json"
ARRAYS = ("inputs", "labels", "trials", "starts_us")


@dataclass(eq=False)
class PreparedSplit:
    inputs: np.ndarray           # (samples, n_bins, 200) uint8
    labels: np.ndarray           # (samples,) int64, 0..10
    trials: np.ndarray           # (samples,) str
    starts_us: np.ndarray        # (samples,) int64
    params: BinningParams

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def density(self) -> float:
        """Mean input spike density: fraction of (sample, bin, channel) that are 1."""
        return float(self.inputs.mean()) if self.inputs.size else 0.0


def bin_split(dvs_root: str | PathLike, split: str,
              params: BinningParams = DEFAULT_BINNING,
              tick: Callable[[], None] | None = None) -> PreparedSplit:
    """Bin every labelled gesture of one split (in memory); ``tick()`` after each trial."""
    inputs, labels, trials, starts = [], [], [], []
    for trial in iter_trials(dvs_root, split):
        # cut_samples is what layout.iter_samples yields; the label start is kept
        # here because the binning window is anchored on it
        for seg, (cls, events) in zip(trial.labels.segments,
                                      cut_samples(trial.events, trial.labels)):
            inputs.append(params.bin_sample(events, seg.start_us))
            labels.append(cls)
            trials.append(trial.name)
            starts.append(seg.start_us)
        if tick is not None:
            tick()
    n = len(labels)
    return PreparedSplit(
        np.stack(inputs) if n else np.zeros((0, params.n_bins, N_CHANNELS), np.uint8),
        np.asarray(labels, dtype=np.int64), np.asarray(trials, dtype=str),
        np.asarray(starts, dtype=np.int64), params)


def prepare(dvs_root: str | PathLike, out_dir: str | PathLike,
            params: BinningParams = DEFAULT_BINNING,
            splits: tuple[str, ...] = SPLITS,
            progress: Callable[[int, int], None] | None = None) -> dict:
    """Write ``{split}.npz`` and ``binning.json``; returns a summary per split
    (samples, per-class counts, mean input density, mean active channels per bin).
    ``progress(done, total)`` is called after each trial binned."""
    total = sum(len(list_trials(dvs_root, split)) for split in splits)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = {"binning": params.to_dict()}
    for split in splits:
        data = bin_split(dvs_root, split, params, tick)
        np.savez_compressed(out / f"{split}.npz", inputs=data.inputs, labels=data.labels,
                            trials=data.trials, starts_us=data.starts_us)
        summary[split] = {
            "samples": len(data),
            "per_class": np.bincount(data.labels, minlength=len(CLASS_NAMES)).tolist(),
            "density": round(data.density, 5),
            "active_channels_per_bin": round(data.density * N_CHANNELS, 2),
        }
    (out / BINNING_FILE).write_text(json.dumps(params.to_dict(), indent=1) + "\n",
                                    encoding="ascii")
    return summary


def load_prepared(path: str | PathLike, binning: str | PathLike | None = None) -> PreparedSplit:
    """Read a ``{split}.npz`` written by ``prepare``, checked against its
    ``binning.json`` (default: next to the .npz). Faults raise InputError."""
    path = Path(path)
    bpath = Path(binning) if binning is not None else path.parent / BINNING_FILE
    try:
        raw = json.loads(bpath.read_text(encoding="ascii"))
    except FileNotFoundError:
        raise InputError(bpath, "no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(bpath, f"cannot read: {e}") from None
    params = BinningParams.from_dict(raw, bpath)
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in ARRAYS if k not in z.files]
            if missing:
                raise InputError(path, "missing array", missing[0])
            arrays = {k: z[k] for k in ARRAYS}
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (OSError, ValueError) as e:
        if isinstance(e, InputError):
            raise
        raise InputError(path, f"cannot read: {e}") from None
    x, y, tr, st = (arrays[k] for k in ARRAYS)
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (params.n_bins, N_CHANNELS):
        raise InputError(path, f"{x.dtype} {x.shape}, expected uint8 (samples, "
                         f"{params.n_bins}, {N_CHANNELS}) per {bpath.name}", "inputs")
    if x.size and x.max() > 1:
        raise InputError(path, "values other than 0 and 1", "inputs")
    n = x.shape[0]
    for name, arr in (("labels", y), ("trials", tr), ("starts_us", st)):
        if arr.shape != (n,):
            raise InputError(path, f"shape {arr.shape}, expected ({n},)", name)
    if y.dtype.kind not in "iu" or (n and not (0 <= y.min() and y.max() < len(CLASS_NAMES))):
        raise InputError(path, f"class indices must be integers in 0..{len(CLASS_NAMES) - 1}",
                         "labels")
    if tr.dtype.kind != "U":
        raise InputError(path, f"dtype {tr.dtype}, expected str", "trials")
    return PreparedSplit(x, y.astype(np.int64), tr, st.astype(np.int64), params)


def main(argv: list[str] | None = None) -> int:
    """``python -m ml.dvs.prepare [DVS OUT] ...``: ``spikedv dvs prepare``
    (ml/dvs/cli.py)."""
    from ml.cli_util import module_main
    from ml.dvs.cli import add_prepare_arguments, run_prepare
    return module_main("python -m ml.dvs.prepare", "Bin a DVS Gesture folder into qclif inputs.",
                       add_prepare_arguments, run_prepare, argv,
                       positional=("--dataset", "--out"))


if __name__ == "__main__":
    raise SystemExit(main())
