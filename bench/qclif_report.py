"""qclif accuracy report: test accuracy, confusion matrix picture, spike activity per bin,
cycles per sample on the RTL.

    python -m bench.qclif_report [--weights weights/qclif] [--weights4 DIR]
                                 [--data build/dvs/prepared] [--rtl-samples 3]

The accuracy is the integer network's (numpy model; the RTL equals it, which this
command re-checks on ``--rtl-samples`` test samples on Verilator while measuring their
cycles). The test split is the prepared synthetic corpus of the training run
(``python -m model.train.qclif_train`` makes it); the 4-bit figure needs the 4-bit
weights (``--weights4``, default the training run's output). Writes
``reports/qclif_report.md``, ``.json``, ``qclif_confusion.png`` and
``qclif_activity.png``.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from model import qclif
from model.dvs.layout import CLASS_NAMES
from model.dvs.prepare import load_prepared
from model.qclif_memory import load_weights_dir

REPO = Path(__file__).resolve().parent.parent
REPORTS = REPO / "reports"


def confusion(labels, pred, classes: int = 11) -> np.ndarray:
    m = np.zeros((classes, classes), np.int64)
    np.add.at(m, (labels, pred), 1)
    return m


def evaluate(weights_dir: Path, split) -> dict:
    weights, regs, _ = load_weights_dir(weights_dir)
    res = qclif.run(weights, regs, split.inputs)
    spikes_per_bin = np.asarray(res.spikes).sum(-1)          # (samples, bins)
    return {"accuracy": float(np.mean(res.pred == split.labels)),
            "correct": int(np.sum(res.pred == split.labels)), "samples": len(split.labels),
            "confusion": confusion(split.labels, res.pred).tolist(),
            "spikes_per_bin_mean": spikes_per_bin.mean(0).tolist(),
            "spikes_per_bin_overall": float(spikes_per_bin.mean())}


def rtl_cycles(weights_dir: Path, split, count: int) -> list[dict]:
    from verif.qclif.infer import infer

    rows = []
    for i in range(min(count, len(split.labels))):
        x = split.inputs[i]
        model = infer(weights_dir, x, engine="model")
        rtl = infer(weights_dir, x, engine="verilator")
        rows.append({"sample": i, "cycles": int(np.sum(rtl["cycles"])),
                     "rtl_equals_model": all(np.array_equal(np.asarray(model[k]), np.asarray(rtl[k]))
                                             for k in model)})
    return rows


def plots(result: dict, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.array(result["confusion"])
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(11), CLASS_NAMES, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(11), CLASS_NAMES, fontsize=7)
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.qclif_report", description=__doc__)
    p.add_argument("--weights", default=str(REPO / "weights" / "qclif"))
    p.add_argument("--weights4", default=str(REPO / "build" / "train" / "qclif" / "weights_4bit"))
    p.add_argument("--data", default=str(REPO / "build" / "dvs" / "prepared"))
    p.add_argument("--rtl-samples", type=int, default=3)
    args = p.parse_args(argv)
    split = load_prepared(Path(args.data) / "test.npz")
    report = {"8bit": evaluate(Path(args.weights), split)}
    if (Path(args.weights4) / "manifest.json").is_file():
        report["4bit"] = evaluate(Path(args.weights4), split)
    report["rtl"] = rtl_cycles(Path(args.weights), split, args.rtl_samples)
    REPORTS.mkdir(exist_ok=True)
    pictures = plots(report["8bit"], REPORTS)
    lines = ["# qclif report", "",
             f"Test split: {len(split.labels)} samples of held-out users (synthetic DVS Gesture).", "",
             "| weights | test accuracy | spikes per bin (of 200) |", "|---|---|---|"]
    for bits in ("8bit", "4bit"):
        if bits in report:
            r = report[bits]
            lines.append(f"| {bits} | {100 * r['accuracy']:.1f}% ({r['correct']}/{r['samples']}) | "
                         f"{r['spikes_per_bin_overall']:.1f} |")
    lines += ["", "| RTL sample | cycles per sample | RTL = model |", "|---|---|---|"]
    lines += [f"| {r['sample']} | {r['cycles']} | {'yes' if r['rtl_equals_model'] else 'NO'} |"
              for r in report["rtl"]]
    lines += ["", *[f"![{p.stem}]({p.name})" for p in pictures]]
    text = "\n".join(lines) + "\n"
    (REPORTS / "qclif_report.md").write_text(text)
    (REPORTS / "qclif_report.json").write_text(json.dumps(report, indent=1))
    print(text)
    return 0 if all(r["rtl_equals_model"] for r in report["rtl"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
