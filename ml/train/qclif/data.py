"""Data of the qclif training: the synthetic DVS Gesture corpus and its prepared splits,
cached under ``build/dvs`` in the checkout (``ml.paths.DVS_DATA``), and the training
set's augmentations (extra windows, block shifts)."""
from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path

import numpy as np
import torch

from ml.dvs.binning import BinningParams
from ml.dvs.layout import CLASS_NAMES, DATASET_DIR, cut_samples, iter_trials
from ml.dvs.prepare import DEFAULT_BINNING, PreparedSplit, load_prepared, prepare
from ml.dvs.synth import synthesize_dataset
from ml.files import read_json
from ml.paths import DVS_DATA
from model.errors import InputError
from model.qclif import N_INPUTS
from verif.console import Progress as Bar


def synth_info(data_dir) -> dict | None:
    """The generator's synth.json of the corpus under ``data_dir`` (None if absent)."""
    path = Path(data_dir) / DATASET_DIR / "synth.json"
    return read_json(path) if path.is_file() else None


def ensure_data(data_dir=DVS_DATA, samples: int = 1100, seed: int = 0, workers: int = 2,
                log=print, quiet: bool = False) -> tuple[PreparedSplit, PreparedSplit, dict]:
    """Synthetic DVS Gesture corpus and its prepared splits, cached under ``data_dir``:
    ``data_dir/DvsGesture/`` (ml.dvs.synth) and ``data_dir/prepared/`` (ml.dvs.
    prepare with DEFAULT_BINNING). A corpus of the same seed with at least ``samples``
    gestures is reused; otherwise it is generated again. Returns (train, test, info).
    The generation shows a progress bar (``quiet``: none)."""
    data_dir = Path(data_dir)
    info = synth_info(data_dir)
    want = {"seed": seed, "samples": samples}
    if info is not None and (info.get("seed") != seed
                             or info.get("requested_samples", 0) < samples):
        log(f"corpus in {data_dir} has seed {info.get('seed')} and "
            f"{info.get('requested_samples')} samples; want {want}: generating again")
        shutil.rmtree(data_dir / DATASET_DIR)
        shutil.rmtree(data_dir / "prepared", ignore_errors=True)
        info = None
    if info is None:
        if (data_dir / DATASET_DIR).exists():
            raise InputError(data_dir / DATASET_DIR, "exists without synth.json: not a "
                             "synthetic corpus of ours, not touching it")
        log(f"synthesizing {samples} samples (seed {seed}, {workers} workers) "
            f"into {data_dir}")
        t0 = time.perf_counter()
        trials = math.ceil(samples / len(CLASS_NAMES))
        with Bar(trials, "dvs synth (trials)", quiet=quiet, min_interval_s=30.0) as bar:
            synthesize_dataset(data_dir, samples, seed, workers=workers,
                               progress=lambda _: bar.advance())
        log(f"synthesized in {time.perf_counter() - t0:.1f} s")
        info = synth_info(data_dir)
    prep = data_dir / "prepared"
    source = {"seed": info["seed"], "requested_samples": info["requested_samples"],
              "binning": DEFAULT_BINNING.to_dict()}
    src_file = prep / "source.json"
    recorded = read_json(src_file) if src_file.is_file() else {}
    if any(recorded.get(k) != v for k, v in source.items()):
        log(f"binning into {prep}")
        t0 = time.perf_counter()
        prepare(data_dir, prep, DEFAULT_BINNING)
        source_out = {**source, "prepare_wall_s": round(time.perf_counter() - t0, 1)}
        src_file.write_text(json.dumps(source_out, indent=1) + "\n")
        source = source_out
    else:
        source = recorded
    train = load_prepared(prep / "train.npz")
    test = load_prepared(prep / "test.npz")
    users = lambda split: sorted({int(t[4:6]) for t in split.trials})   # userNN_...
    facts = {"corpus": "synthetic DVS Gesture (ml.dvs.synth)", "seed": info["seed"],
             "requested_samples": info["requested_samples"],
             "synth_wall_s": info["summary"]["wall_s"],
             "synth_workers": info["summary"]["workers"],
             "prepare_wall_s": source.get("prepare_wall_s"),
             "train_samples": len(train), "test_samples": len(test),
             "train_users": users(train), "test_users": users(test),
             "input_density_train": round(train.density, 5),
             "input_density_test": round(test.density, 5)}
    return train, test, facts


def window_views(data_dir, step_us: int, max_views: int = 8,
                 params: BinningParams = DEFAULT_BINNING, split: str = "train",
                 log=print) -> tuple[np.ndarray, np.ndarray]:
    """More training windows from the same gestures (augmentation): every labelled
    gesture of ``split`` binned again with its window starting ``k * step_us`` after
    the label's start (k = 1 .. max_views-1) as long as the window stays inside the
    gesture. The k = 0 windows are the prepared split itself and are not repeated.
    Cached in ``data_dir/prepared/<split>_views_<step_us>_<max_views>.npz``.
    Returns (inputs (M, bins, 200) uint8, labels (M,))."""
    cache = Path(data_dir) / "prepared" / f"{split}_views_{step_us}_{max_views}.npz"
    if cache.is_file():
        with np.load(cache) as z:
            return z["inputs"], z["labels"]
    t0 = time.perf_counter()
    xs, ys = [], []
    for trial in iter_trials(data_dir, split):
        for seg, (cls, events) in zip(trial.labels.segments,
                                      cut_samples(trial.events, trial.labels)):
            for k in range(1, max_views):
                off = k * step_us
                if off + params.window_us > seg.end_us - seg.start_us:
                    break
                xs.append(params.bin_sample(events, seg.start_us + off))
                ys.append(cls)
    x = np.stack(xs) if xs else np.zeros((0, params.n_bins, N_INPUTS), np.uint8)
    y = np.asarray(ys, np.int64)
    np.savez_compressed(cache, inputs=x, labels=y)
    log(f"{len(y)} extra {split} windows (step {step_us} us) in "
        f"{time.perf_counter() - t0:.1f} s -> {cache}")
    return x, y


def shift_blocks(x: torch.Tensor, gen: torch.Generator, max_shift: int = 1) -> torch.Tensor:
    """Augmentation: move each sample's input by a random whole number of pooled blocks
    (-max_shift..max_shift in x and in y, the same for both polarities and all bins),
    zero-filled (channel c = p*100 + yb*10 + xb, ml.dvs.binning)."""
    if max_shift <= 0:
        return x
    b, t, _ = x.shape
    grid = x.reshape(b, t, 2, 10, 10)
    out = torch.zeros_like(grid)
    d = torch.randint(-max_shift, max_shift + 1, (b, 2), generator=gen).tolist()
    for i, (dy, dx) in enumerate(d):
        ys, yd = slice(max(0, -dy), 10 - max(0, dy)), slice(max(0, dy), 10 - max(0, -dy))
        xs, xd = slice(max(0, -dx), 10 - max(0, dx)), slice(max(0, dx), 10 - max(0, -dx))
        out[i, :, :, yd, xd] = grid[i, :, :, ys, xs]
    return out.reshape(b, t, N_INPUTS)
