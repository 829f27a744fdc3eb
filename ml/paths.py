"""Where the data pipelines and training read and write by default.

Every default lies in the checkout (``REPO``, the folder holding ``ml/``), so a command
finds the same files from any working directory; a path given on the command line is
taken relative to the caller's working directory instead (``spikedv.cli_args.path_arg``).

    build/timit_synth/     synthetic TIMIT-format corpus   (spikedv speech synth)
    build/speech/          prepared speech features         (spikedv speech prepare)
    build/dvs/             synthetic DVS Gesture corpus (DvsGesture/) and its prepared
                           splits (prepared/)               (spikedv dvs synth / prepare,
                                                             spikedv qclif train)
    build/train/           training checkpoints, results and logs (rsnn, rsnn_float, ...)
    weights/rsnn, weights/qclif     the exported weights the hardware runs
    reports/               report files (spikedv qclif report)

``build/`` is git-ignored and made on demand.
"""
from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build"
WEIGHTS = REPO / "weights"
REPORTS = REPO / "reports"
RSNN_WEIGHTS = WEIGHTS / "rsnn"
QCLIF_WEIGHTS = WEIGHTS / "qclif"

TIMIT_SYNTH = BUILD / "timit_synth"
SPEECH_DATA = BUILD / "speech"
DVS_DATA = BUILD / "dvs"
TRAIN = BUILD / "train"

# training runs: checkpoints, results and (smoke runs) their weights
RSNN_CKPT = TRAIN / "rsnn"               # dense.pt, finetune.pt, final.pt
RSNN_CKPT_T1 = TRAIN / "rsnn_T1"         # the fine-tuning at T = 1
RSNN_FLOAT = TRAIN / "rsnn_float"        # the float baseline: float_baseline.json, final.pt
RSNN_SMOKE = TRAIN / "rsnn_smoke"        # --smoke (weights in .../weights)
QCLIF_CKPT = TRAIN / "qclif"             # qclif_<tag>.pt, results_<tag>.json, history_<tag>.json
QCLIF_SMOKE = TRAIN / "qclif_smoke"      # --smoke (weights in .../weights)
QCLIF_WEIGHTS_4BIT = QCLIF_CKPT / "weights_4bit"


def in_repo(path) -> Path:
    """``path`` as given if absolute, else relative to the checkout (paths recorded in
    manifests, like the training checkpoint, are stored relative to it)."""
    path = Path(path)
    return path if path.is_absolute() else REPO / path


def for_manifest(path) -> str:
    """``path`` relative to the checkout when inside it (manifests stay portable),
    otherwise absolute."""
    path = Path(path).absolute()
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)
