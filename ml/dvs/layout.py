"""DVS128 Gesture folder layout.

::

    DvsGesture/
        trials_to_train.txt     one .aedat file name per line
        trials_to_test.txt
        userXX_<lighting>.aedat
        userXX_<lighting>_labels.csv

``root`` arguments may name the ``DvsGesture`` folder itself or its parent.
A trial is one .aedat file with its labels; a sample is one labelled gesture
cut from a trial: ``(class_index, events)`` with class_index = class - 1 in
0..10 and the events with ``start <= t < end`` (absolute timestamps kept).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Iterator

from ml.dvs.aedat import AedatStats, Events, read_aedat
from ml.dvs.labels import Labels, read_labels
from model.errors import InputError, at_line

# Index i is class i + 1 of the _labels.csv files.
CLASS_NAMES = (
    "hand_clap", "right_hand_wave", "left_hand_wave",
    "right_arm_clockwise", "right_arm_counter_clockwise",
    "left_arm_clockwise", "left_arm_counter_clockwise",
    "arm_roll", "air_drums", "air_guitar", "other_gestures",
)
LIGHTINGS = ("fluorescent", "fluorescent_led", "lab", "led", "natural")
SPLITS = ("train", "test")
DATASET_DIR = "DvsGesture"

_TRIAL_NAME = re.compile(r"user(\d+)_(" + "|".join(LIGHTINGS) + r")\.aedat")


@dataclass(eq=False)
class Trial:
    name: str            # e.g. "user01_fluorescent" (no extension)
    user: int
    lighting: str
    events: Events
    labels: Labels
    stats: AedatStats


def dataset_dir(root: str | PathLike) -> Path:
    """The DvsGesture folder: ``root`` itself or ``root/DvsGesture``."""
    root = Path(root)
    if (root / DATASET_DIR).is_dir():
        return root / DATASET_DIR
    if not root.is_dir():
        raise InputError(root, "no such directory")
    return root


def trial_paths(root: str | PathLike, name: str) -> tuple[Path, Path]:
    """(.aedat path, _labels.csv path) of trial ``name`` (with or without .aedat)."""
    stem = name[:-len(".aedat")] if name.endswith(".aedat") else name
    base = dataset_dir(root)
    return base / f"{stem}.aedat", base / f"{stem}_labels.csv"


def parse_trial_name(name: str, path=None, where=None) -> tuple[int, str]:
    """``userXX_<lighting>.aedat`` -> (user number, lighting)."""
    m = _TRIAL_NAME.fullmatch(name)
    if not m:
        raise InputError(path, f"{name!r} is not userXX_<lighting>.aedat with lighting in "
                         f"{', '.join(LIGHTINGS)}", where)
    return int(m.group(1)), m.group(2)


def list_trials(root: str | PathLike, split: str) -> list[str]:
    """.aedat file names listed in ``trials_to_<split>.txt`` (split: train or test)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    path = dataset_dir(root) / f"trials_to_{split}.txt"
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    names = []
    for n, line in enumerate(text.split("\n"), start=1):
        name = line.strip()
        if name:
            parse_trial_name(name, path, at_line(n))
            names.append(name)
    return names


def load_trial(root: str | PathLike, name: str, strict_labels: bool = False) -> Trial:
    """Read one trial's events and labels (InputError names any missing file)."""
    aedat_path, labels_path = trial_paths(root, name)
    user, lighting = parse_trial_name(aedat_path.name, aedat_path)
    labels = read_labels(labels_path, strict=strict_labels)
    rec = read_aedat(aedat_path)
    return Trial(aedat_path.stem, user, lighting, rec.events, labels, rec.stats)


def iter_trials(root: str | PathLike, split: str, strict_labels: bool = False) -> Iterator[Trial]:
    """Trials of a split, in list order, loaded one at a time."""
    for name in list_trials(root, split):
        yield load_trial(root, name, strict_labels)


def cut_samples(events: Events, labels: Labels) -> list[tuple[int, Events]]:
    """One ``(class_index 0..10, events in [start, end))`` per label segment, in file order."""
    return [(seg.class_index, events.time_slice(seg.start_us, seg.end_us))
            for seg in labels.segments]


def iter_samples(root: str | PathLike, split: str,
                 strict_labels: bool = False) -> Iterator[tuple[str, int, Events]]:
    """``(trial name, class_index, events)`` for every gesture of a split."""
    for trial in iter_trials(root, split, strict_labels):
        for class_index, events in cut_samples(trial.events, trial.labels):
            yield trial.name, class_index, events
