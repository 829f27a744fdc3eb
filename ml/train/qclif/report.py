"""``qclif report``: test accuracy, confusion matrix picture, spike activity per bin and
cycles per sample on the RTL of exported qclif weights.

The accuracy is the integer network's (numpy model; the RTL equals it, which the report
re-checks on ``rtl_samples`` test samples on Verilator while measuring their cycles).
The test split is the prepared synthetic corpus of the training run
(``spikedv qclif train`` makes it under build/dvs/prepared); the 4-bit figure needs the
4-bit weights (default: the training run's ``build/train/qclif/weights_4bit``). Writes
``qclif_report.md``, ``.json``, ``qclif_confusion.png`` and ``qclif_activity.png`` (to
``reports/`` by default). Needs matplotlib, not torch.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ml.dvs.layout import CLASS_NAMES
from ml.dvs.prepare import load_prepared
from model import qclif
from model.qclif_memory import load_weights_dir
from verif.console import Progress


def confusion(labels, pred, classes: int = len(CLASS_NAMES)) -> np.ndarray:
    m = np.zeros((classes, classes), np.int64)
    np.add.at(m, (labels, pred), 1)
    return m


def evaluate(weights_dir: Path, split) -> dict:
    """Accuracy, confusion matrix and spikes per bin of the weights on ``split``."""
    weights, regs, _ = load_weights_dir(weights_dir)
    res = qclif.run(weights, regs, split.inputs)
    spikes_per_bin = np.asarray(res.spikes).sum(-1)          # (samples, bins)
    return {"accuracy": float(np.mean(res.pred == split.labels)),
            "correct": int(np.sum(res.pred == split.labels)), "samples": len(split.labels),
            "confusion": confusion(split.labels, res.pred).tolist(),
            "spikes_per_bin_mean": spikes_per_bin.mean(0).tolist(),
            "spikes_per_bin_overall": float(spikes_per_bin.mean())}


def rtl_cycles(weights_dir: Path, split, count: int, bar=None) -> list[dict]:
    """The first ``count`` test samples on the model and on Verilator: cycles and
    equality. ``bar`` advances per sample."""
    from spikedv.engines.qclif import infer

    rows = []
    for i in range(min(count, len(split.labels))):
        x = split.inputs[i]
        model = infer(weights_dir, x, engine="model")
        rtl = infer(weights_dir, x, engine="verilator")
        rows.append({"sample": i, "cycles": int(np.sum(rtl["cycles"])),
                     "rtl_equals_model": all(np.array_equal(np.asarray(model[k]),
                                                            np.asarray(rtl[k]))
                                             for k in model)})
        if bar is not None:
            bar.advance()
    return rows


def plots(result: dict, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(CLASS_NAMES)
    cm = np.array(result["confusion"])
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(n), CLASS_NAMES, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(n), CLASS_NAMES, fontsize=7)
    for (i, j), v in np.ndenumerate(cm):
        if v:
            ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                    color="white" if v > cm.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"qclif 8-bit, held-out users: {100 * result['accuracy']:.1f}% "
                 f"({result['correct']}/{result['samples']})")
    fig.tight_layout()
    confusion_png = out_dir / "qclif_confusion.png"
    fig.savefig(confusion_png, dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(result["spikes_per_bin_mean"])
    ax.set_xlabel("bin")
    ax.set_ylabel("spikes per bin (of 200)")
    ax.set_title("mean spike activity over the test samples")
    fig.tight_layout()
    activity_png = out_dir / "qclif_activity.png"
    fig.savefig(activity_png, dpi=110)
    plt.close(fig)
    return [confusion_png, activity_png]


def report(weights: Path, weights4: Path | None, data: Path, rtl_samples: int,
           out_dir: Path, quiet: bool = False) -> tuple[dict, str]:
    """Evaluate, check the RTL, draw and write the report into ``out_dir``; returns the
    figures and the Markdown text. ``data``: the prepared folder (test.npz)."""
    split = load_prepared(Path(data) / "test.npz")
    result = {"8bit": evaluate(Path(weights), split)}
    if weights4 is not None and (Path(weights4) / "manifest.json").is_file():
        result["4bit"] = evaluate(Path(weights4), split)
    count = min(rtl_samples, len(split.labels))
    with Progress(count, "qclif RTL samples (Verilator)", quiet=quiet,
                  min_interval_s=10.0) as bar:
        result["rtl"] = rtl_cycles(Path(weights), split, count, bar)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pictures = plots(result["8bit"], out_dir)
    lines = ["# qclif report", "",
             f"Test split: {len(split.labels)} samples of held-out users "
             "(synthetic DVS Gesture).", "",
             "| weights | test accuracy | spikes per bin (of 200) |", "|---|---|---|"]
    for bits in ("8bit", "4bit"):
        if bits in result:
            r = result[bits]
            lines.append(f"| {bits} | {100 * r['accuracy']:.1f}% ({r['correct']}/"
                         f"{r['samples']}) | {r['spikes_per_bin_overall']:.1f} |")
    lines += ["", "| RTL sample | cycles per sample | RTL = model |", "|---|---|---|"]
    lines += [f"| {r['sample']} | {r['cycles']} | "
              f"{'yes' if r['rtl_equals_model'] else 'NO'} |" for r in result["rtl"]]
    lines += ["", *[f"![{p.stem}]({p.name})" for p in pictures]]
    text = "\n".join(lines) + "\n"
    (out_dir / "qclif_report.md").write_text(text)
    (out_dir / "qclif_report.json").write_text(json.dumps(result, indent=1))
    return result, text
