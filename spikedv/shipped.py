"""What the shipped weights do on the shipped samples, by the numpy model (the tests
check that the RTL equals the model on them). Printed at the end of the main job."""
from __future__ import annotations

import json

import numpy as np

from verif.sources import PROJECT_ROOT as REPO_ROOT

WEIGHTS = REPO_ROOT / "weights"


def rsnn_rows() -> list[str]:
    from model import rsnn
    from model.rsnn_memory import load_weights_dir
    from model.rsnn_schedule import run_counters

    folder = WEIGHTS / "rsnn"
    weights, config, _ = load_weights_dir(folder)
    index = json.loads((folder / "samples" / "samples.json").read_text())["samples"]
    rows = ["| sample | source | frames | frame accuracy | mean cycles/frame |", "|---|---|---|---|---|"]
    for s in index:
        x = np.load(folder / "samples" / s["features"])
        labels = np.load(folder / "samples" / s["labels"])
        res = rsnn.run(weights, config, x)
        cycles = run_counters(res, x, config.T)["cyc_total"]
        known = labels != 255
        acc = f"{np.mean(res.pred[known] == labels[known]):.3f}" if known.any() else "-"
        rows.append(f"| {s['name']} | {s['source']} | {len(x)} | {acc} | {np.mean(cycles):.1f} |")
    return [f"rsnn, `weights/rsnn` (T = {config.T}):", "", *rows]


def qclif_rows() -> list[str]:
    from model import qclif
    from model.qclif_memory import load_weights_dir
    from model.qclif_schedule import run_counters
    from spikedv.engines.qclif import default_np

    folder = WEIGHTS / "qclif"
    weights, regs, _ = load_weights_dir(folder)
    index = json.loads((folder / "samples" / "samples.json").read_text())["samples"]
    x = np.stack([np.load(folder / "samples" / s["input"]) for s in index])
    res = qclif.run(weights, regs, x)
    cycles = run_counters(res, x, default_np(weights.n))["cycles"]
    labels = np.array([s["label"] for s in index])
    return [f"qclif, `weights/qclif` (N = {weights.n}, NP = {default_np(weights.n)}): "
            f"{int(np.sum(res.pred == labels))} of {len(index)} held-out samples correct, "
            f"mean spikes per bin {float(np.mean(res.spikes.sum(-1))):.1f}, "
            f"cycles per sample {float(np.mean(cycles.sum(-1))):.0f}"]


def render() -> str:
    lines = ["## Shipped weights on the shipped samples (numpy model = RTL, see tests)", ""]
    for part in (rsnn_rows, qclif_rows):
        try:
            lines += part() + [""]
        except (OSError, ValueError, KeyError) as exc:  # a missing or bad file is reported
            lines += [f"{part.__name__}: cannot evaluate: {exc}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
