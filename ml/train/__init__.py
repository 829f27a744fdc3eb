"""Torch training forms of the two networks and their export to ``weights/``.

Needs the ``train`` extra (``pip install -e .[train]``: torch 2.13.0, the CPU build, and
matplotlib); nothing in ``model/`` imports this package, so the numpy models run without
torch. Importing this package and the ``cli`` modules needs no torch: the command line
declares its arguments without it (``spikedv rsnn infer`` never loads torch) and only
running a training or report imports it.

- ``ml.train.common``: quantizers with straight-through estimators, the surrogate
  spike, seeding, progress lines, checkpoints (shared by both designs).
- ``ml.train.rsnn``: the rsnn training form, training run, export and report
  (docs/training_rsnn.md); ``spikedv rsnn train|report``.
- ``ml.train.qclif``: the qclif training form, training run, export and report
  (docs/training_qclif.md); ``spikedv qclif train|report``.
"""
from __future__ import annotations

import importlib

TRAIN_EXTRA = "needs the train extra: pip install -e .[train]"


def require_train_extra(*modules: str) -> None:
    """Exit with the one-line ``TRAIN_EXTRA`` error unless ``modules`` (default torch)
    import."""
    for name in modules or ("torch",):
        try:
            importlib.import_module(name)
        except ImportError:
            raise SystemExit(f"spikedv: error: {TRAIN_EXTRA} (no module {name})") from None
