"""Torch training forms of the two networks and their export to ``weights/``.

Needs the ``train`` extra (``pip install torch==2.13.0``, the CPU build); nothing else
in ``model`` imports this package, so the numpy models run without torch.

- ``model.train.common``: quantizers with straight-through estimators, the surrogate
  spike, seeding, progress lines, checkpoints (shared by both designs).
- ``model.train.rsnn_train``: the rsnn training form (docs/training_rsnn.md).
- ``model.train.qclif_train``: the qclif training form, its training loop and export
  (docs/training_qclif.md).
"""
