"""Prepared speech for the rsnn training: utterance lists, batches, the validation split
and the sample files shipped beside the weights.

The prepared corpus is what ``spikedv speech prepare`` writes (``train.npz``,
``test.npz``, ``quantizer.json``; ml/speech/prepare.py); its default place is
``build/speech`` in the checkout (``ml.paths.SPEECH_DATA``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ml.files import read_json
from ml.paths import SPEECH_DATA
from model.errors import InputError
from model.npy import load_npy
from model.rsnn import N_CLASSES, N_FEATURES

PREPARED_FILES = ("train.npz", "test.npz", "quantizer.json")


def ensure_data(data_dir=SPEECH_DATA) -> Path:
    """``data_dir`` if it holds a prepared corpus; InputError naming the missing file
    (and the command that makes it) otherwise."""
    data_dir = Path(data_dir)
    for name in PREPARED_FILES:
        if not (data_dir / name).is_file():
            raise InputError(data_dir / name, "not found: prepare the speech corpus first "
                             f"(spikedv speech prepare --timit DIR --out {data_dir})")
    return data_dir


def utterances(split, limit: int | None = None, seed: int = 0,
               indices=None) -> list[tuple]:
    """[(features uint8 (F, 40), labels int64 (F,) with -1 = no label, ref39)] of
    ``indices`` (default: all), ``limit`` of them drawn with ``seed``."""
    idx = np.arange(len(split)) if indices is None else np.asarray(indices)
    if limit is not None and limit < len(idx):
        idx = np.sort(np.random.default_rng(seed).choice(idx, limit, replace=False))
    out = []
    for i in idx:
        f, lab = split[int(i)]
        lab = lab.astype(np.int64)
        lab[lab >= N_CLASSES] = -1
        out.append((f, lab, split.ref39[int(i)]))
    return out


def pad_batch(items) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad to the longest utterance: features 0, labels -1 (padding is at the end, so
    it never changes an earlier frame's result)."""
    n = max(len(it[0]) for it in items)
    x = np.zeros((len(items), n, N_FEATURES), np.float32)
    y = np.full((len(items), n), -1, np.int64)
    for b, it in enumerate(items):
        x[b, :len(it[0])] = it[0]
        y[b, :len(it[1])] = it[1]
    return torch.from_numpy(x), torch.from_numpy(y)


def length_batches(items, batch: int, gen: torch.Generator | None) -> list[list[int]]:
    """Batches of similar length (sorted, chunked), batch order shuffled."""
    order = np.argsort([len(it[0]) for it in items], kind="stable")
    batches = [order[i:i + batch].tolist() for i in range(0, len(order), batch)]
    if gen is not None:
        perm = torch.randperm(len(batches), generator=gen).tolist()
        batches = [batches[p] for p in perm]
    return batches


def split_validation(split, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices) of a prepared split: ``fraction`` of its
    speakers (name prefix before "_"), drawn with ``seed``, are held out whole."""
    spk = np.array([n.split("_")[0] for n in split.names])
    uniq = np.unique(spk)
    n_val = int(round(fraction * len(uniq)))
    if fraction > 0 and n_val == 0:
        n_val = 1
    held = set(np.random.default_rng(seed).choice(uniq, n_val, replace=False).tolist()) \
        if n_val else set()
    val = np.array([s in held for s in spk])
    return np.flatnonzero(~val), np.flatnonzero(val)


def load_samples_dir(weights_dir) -> list[dict]:
    """samples.json entries with ``x`` (features) and ``y`` (labels) arrays loaded."""
    d = Path(weights_dir) / "samples"
    meta = read_json(d / "samples.json")
    entries = meta.get("samples") if isinstance(meta, dict) else None
    if not isinstance(entries, list):
        raise InputError(d / "samples.json", "expected a list of samples", "samples")
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not all(k in e for k in ("name", "features", "labels")):
            raise InputError(d / "samples.json", "needs name, features and labels",
                             f"samples[{i}]")
        e = dict(e)
        e["x"] = load_npy(d / e["features"])
        e["y"] = load_npy(d / e["labels"])
        out.append(e)
    return out


def as_items(entries) -> list[tuple]:
    """``load_samples_dir`` entries as ``utterances`` items (labels >= 48 -> -1)."""
    items = []
    for e in entries:
        lab = e["y"].astype(np.int64)
        lab[lab >= N_CLASSES] = -1
        items.append((e["x"], lab, e["ref39"]))
    return items
