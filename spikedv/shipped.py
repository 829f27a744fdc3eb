"""What the shipped weights do on the shipped samples, by the numpy model (the tests
check that the RTL equals the model on them): accuracy per sample and per class, spike
sparsity per layer, cycles. ``evaluate()`` gives the figures (the signoff report), and
``render()`` the markdown printed at the end of the main job."""
from __future__ import annotations

import json

import numpy as np

from verif.sources import PROJECT_ROOT as REPO_ROOT

WEIGHTS = REPO_ROOT / "weights"


def rsnn_figures(folder=WEIGHTS / "rsnn") -> dict:
    from ml.speech.phones import CLASSES48
    from model import rsnn
    from model.rsnn_memory import load_weights_dir
    from model.rsnn_schedule import run_counters

    weights, config, _ = load_weights_dir(folder)
    index = json.loads((folder / "samples" / "samples.json").read_text())["samples"]
    samples, preds, labels_all, s0, s1, cycles_all = [], [], [], [], [], []
    for s in index:
        x = np.load(folder / "samples" / s["features"])
        labels = np.load(folder / "samples" / s["labels"])
        res = rsnn.run(weights, config, x)
        cycles = run_counters(res, x, config.T)["cyc_total"]
        known = labels != 255
        acc = float(np.mean(res.pred[known] == labels[known])) if known.any() else None
        samples.append({"name": s["name"], "source": s["source"], "frames": int(len(x)),
                        "accuracy": acc, "cycles_mean": float(np.mean(cycles))})
        preds.append(res.pred[known])
        labels_all.append(labels[known])
        s0.append(np.asarray(res.spikes0).ravel())
        s1.append(np.asarray(res.spikes1).ravel())
        cycles_all.append(np.asarray(cycles))
    pred, lab = np.concatenate(preds), np.concatenate(labels_all)
    per_class = []
    for c in sorted(set(int(v) for v in lab)):
        sel = lab == c
        per_class.append({"class": CLASSES48[c] if c < len(CLASSES48) else str(c), "id": c,
                          "frames": int(sel.sum()),
                          "accuracy": float(np.mean(pred[sel] == c))})
    return {"weights": str(folder.relative_to(REPO_ROOT)) if folder.is_relative_to(REPO_ROOT)
            else str(folder), "T": int(config.T), "samples": samples,
            "frames": int(len(lab)),
            "frame_accuracy": float(np.mean(pred == lab)) if len(lab) else None,
            "per_class": per_class,
            "sparsity": {"l0": 1.0 - float(np.concatenate(s0).mean()),
                         "l1": 1.0 - float(np.concatenate(s1).mean())},
            "cycles_mean": float(np.mean(np.concatenate(cycles_all)))}


def qclif_figures(folder=WEIGHTS / "qclif") -> dict:
    from model import qclif
    from model.qclif_memory import load_weights_dir
    from model.qclif_schedule import run_counters
    from spikedv.engines.qclif import default_np

    weights, regs, _ = load_weights_dir(folder)
    index = json.loads((folder / "samples" / "samples.json").read_text())["samples"]
    x = np.stack([np.load(folder / "samples" / s["input"]) for s in index])
    res = qclif.run(weights, regs, x)
    np_units = default_np(weights.n)
    cycles = run_counters(res, x, np_units)["cycles"]
    labels = np.array([s["label"] for s in index])
    spikes = np.asarray(res.spikes)
    per_class = [{"class": s.get("class", str(s["label"])), "id": int(s["label"]),
                  "samples": 1, "pred": int(p), "accuracy": float(p == s["label"])}
                 for s, p in zip(index, res.pred)]
    return {"weights": str(folder.relative_to(REPO_ROOT)) if folder.is_relative_to(REPO_ROOT)
            else str(folder), "n": int(weights.n), "np": int(np_units),
            "samples": len(index), "correct": int(np.sum(res.pred == labels)),
            "accuracy": float(np.mean(res.pred == labels)), "per_class": per_class,
            "spikes_per_bin": float(np.mean(spikes.sum(-1))),
            "sparsity": {"layer": 1.0 - float(spikes.mean())},
            "cycles_per_sample": float(np.mean(np.asarray(cycles).sum(-1)))}


def evaluate() -> dict:
    """{design: figures} of both designs; a design whose files are missing or bad has
    {"error": what} instead."""
    out = {}
    for design, part in (("rsnn", rsnn_figures), ("qclif", qclif_figures)):
        try:
            out[design] = part()
        except (OSError, ValueError, KeyError) as exc:  # a missing or bad file is reported
            out[design] = {"error": f"cannot evaluate: {exc}"}
    return out


def render(figures: dict | None = None) -> str:
    figures = evaluate() if figures is None else figures
    lines = ["## Shipped weights on the shipped samples (numpy model = RTL, see tests)", ""]
    r = figures.get("rsnn", {})
    if "error" in r:
        lines += [f"rsnn_rows: {r['error']}", ""]
    else:
        lines += [f"rsnn, `{r['weights']}` (T = {r['T']}):", "",
                  "| sample | source | frames | frame accuracy | mean cycles/frame |",
                  "|---|---|---|---|---|"]
        for s in r["samples"]:
            acc = "-" if s["accuracy"] is None else f"{s['accuracy']:.3f}"
            lines.append(f"| {s['name']} | {s['source']} | {s['frames']} | {acc} | "
                         f"{s['cycles_mean']:.1f} |")
        lines.append("")
    q = figures.get("qclif", {})
    if "error" in q:
        lines += [f"qclif_rows: {q['error']}", ""]
    else:
        lines += [f"qclif, `{q['weights']}` (N = {q['n']}, NP = {q['np']}): "
                  f"{q['correct']} of {q['samples']} held-out samples correct, "
                  f"mean spikes per bin {q['spikes_per_bin']:.1f}, "
                  f"cycles per sample {q['cycles_per_sample']:.0f}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
