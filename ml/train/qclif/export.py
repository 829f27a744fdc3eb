"""Export of the qclif training form to a weights directory (``weights/qclif/``), reading
it back, and the accuracies of every run recorded beside the checkpoints."""
from __future__ import annotations

from pathlib import Path

from ml.dvs.binning import BinningParams
from ml.dvs.layout import CLASS_NAMES
from ml.dvs.prepare import DEFAULT_BINNING
from ml.files import read_json
from ml.train.qclif.net import QclifNet
from model.qclif_memory import load_weights_dir, write_weights_dir


def export(out_dir, net: QclifNet, training: dict,
           binning: BinningParams = DEFAULT_BINNING) -> Path:
    """Write ``out_dir`` (weights/qclif/) via ``model.qclif_memory.write_weights_dir``:
    win/wctx/wout.hex, the registers, and manifest keys ``binning``, ``classes``,
    ``n_neurons``, ``weight_bits`` and ``training`` (facts: epochs, seed, data, test
    accuracies, ...). Returns the manifest path."""
    extra = {"binning": binning.to_dict(), "classes": list(CLASS_NAMES),
             "n_neurons": net.n, "weight_bits": net.bits, "training": training}
    return write_weights_dir(out_dir, net.qclif_weights(), net.regs, extra)


def load_exported(out_dir) -> tuple[QclifNet, dict]:
    """A weights/qclif/ directory back as a QclifNet (integer weights and registers)."""
    weights, regs, manifest = load_weights_dir(
        out_dir, required_keys=("binning", "classes", "training"))
    bits = int(manifest.get("weight_bits", 8))
    return QclifNet.from_qclif(weights, regs, bits), manifest


def collect_accuracies(ckpt_dir, data_facts: dict) -> dict:
    """Test accuracies of every run recorded in ``ckpt_dir`` (results_<tag>.json) on
    the same corpus: {"8bit": ..., "4bit": ..., "float": ..., "4bit_ptq": ...}."""
    acc = {}
    for path in sorted(Path(ckpt_dir).glob("results_*.json")):
        rec = read_json(path)
        same = all(rec.get("data", {}).get(k) == data_facts.get(k)
                   for k in ("seed", "requested_samples", "train_samples", "test_samples"))
        if not same:
            continue
        acc[rec["tag"]] = rec["test_accuracy"]
        if "test_accuracy_4bit_ptq" in rec:
            acc["4bit_ptq_of_8bit"] = rec["test_accuracy_4bit_ptq"]
    return acc
