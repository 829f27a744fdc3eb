"""The report's plots, made with matplotlib (Agg) and embedded in the page as PNG data
URIs, so that index.html stays one file that opens from disk. Each function returns
``{"name", "title", "alt", "uri"}`` or None when there is nothing to draw."""
from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PHASES = (("in", "input (Type A)"), ("l0", "L0"), ("l1", "L1"), ("fc", "FC (merged)"))
COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")


def _uri(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _plot(name: str, title: str, alt: str, fig) -> dict:
    return {"name": name, "title": title, "alt": alt, "uri": _uri(fig)}


def cycles_by_phase(perf: dict) -> dict | None:
    """rsnn cycles per frame by phase (T and schedule), qclif cycles per bin against NP."""
    r, q = perf.get("rsnn", {}), perf.get("qclif", {})
    have_r = r.get("status") == "run" and r.get("configs")
    have_q = q.get("status") == "run" and q.get("cycles_vs_np")
    if not have_r and not have_q:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), gridspec_kw={"wspace": 0.55})
    ax = axes[0]
    if have_r:
        configs = r["configs"]
        labels = [c["config"].replace("_", " ") for c in configs]
        left = [0.0] * len(configs)
        for (key, label), color in zip(PHASES, COLORS):
            vals = [c["phases"].get(key) or 0.0 for c in configs]
            ax.barh(labels, vals, left=left, label=label, color=color)
            left = [a + b for a, b in zip(left, vals)]
        paper = (r.get("paper") or {}).get("cycles_single_step")
        if paper:
            ax.axvline(paper, color="k", ls="--", lw=1, label=f"paper 1: {paper} (one step)")
        ax.set_xlabel("mean cycles per frame")
        ax.set_title("rsnn: cycles per frame by phase")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.invert_yaxis()
    else:
        ax.text(0.5, 0.5, "rsnn benchmark not run", ha="center", va="center")
        ax.set_axis_off()
    ax = axes[1]
    if have_q:
        rows = q["cycles_vs_np"]
        ax.loglog([row["np"] for row in rows], [row["cycles_per_bin"] for row in rows],
                  "o-", color=COLORS[0])
        ax.axvline(q.get("np") or 20, color="k", ls=":", lw=1)
        ax.set_xlabel("physical neuron units NP")
        ax.set_ylabel("cycles per bin")
        ax.set_title(f"qclif: cycles per bin, N = {q.get('n')}")
        ax.grid(True, which="both", alpha=0.3)
    else:
        ax.text(0.5, 0.5, "qclif benchmark not run", ha="center", va="center")
        ax.set_axis_off()
    return _plot("cycles", "Cycles per frame by phase, cycles per bin",
                 "bar chart of rsnn cycles per frame split into input, L0, L1 and FC phases; "
                 "qclif cycles per bin against NP", fig)


def sparsity(perf: dict, accuracy: dict) -> dict | None:
    """Spike sparsity per layer (share of neuron-steps without a spike)."""
    bars = []
    r = accuracy.get("rsnn", {})
    if "sparsity" in r:
        bars += [("rsnn L0\nshipped", r["sparsity"]["l0"]), ("rsnn L1\nshipped", r["sparsity"]["l1"])]
    pr = perf.get("rsnn", {})
    t2 = next((c for c in pr.get("configs", []) if c["config"] == "T2"), None)
    if t2 and t2.get("sparsity"):
        bars += [("rsnn L0\nbench", t2["sparsity"]["l0"]), ("rsnn L1\nbench", t2["sparsity"]["l1"])]
    q = accuracy.get("qclif", {})
    if "sparsity" in q:
        bars.append(("qclif\nshipped", q["sparsity"]["layer"]))
    if not bars:
        return None
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.bar([b[0] for b in bars], [100 * b[1] for b in bars], color=COLORS[:len(bars)])
    ax.axhspan(60, 71, color="grey", alpha=0.2, label="paper 1: 60-71 %")
    ax.set_ylim(0, 100)
    ax.set_ylabel("spike sparsity, %")
    ax.set_title("Spike sparsity per layer")
    ax.legend(fontsize=8)
    for i, (_, v) in enumerate(bars):
        ax.text(i, 100 * v + 1, f"{100 * v:.1f}", ha="center", fontsize=8)
    return _plot("sparsity", "Spike sparsity per layer",
                 "bar chart of the share of neuron-steps without a spike, per layer", fig)


def coverage_per_module(modules: list[dict], targets: dict) -> dict | None:
    """Design-unit line, branch and toggle coverage per RTL file."""
    rows = [m for m in modules if m.get("measured")]
    if not rows:
        return None
    kinds = ("line", "branch", "toggle")
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.2))
    height = 0.27
    names = [m["file"].removeprefix("rtl/") for m in rows]
    for j, (kind, color) in enumerate(zip(kinds, COLORS)):
        vals = [(m["design_unit"].get(kind) or {}).get("percent") for m in rows]
        ys = [i + (j - 1) * height for i in range(len(rows))]
        ax.barh(ys, [v if v is not None else 0 for v in vals], height=height, color=color,
                label=kind)
    for kind, ls in (("toggle", ":"), ("line", "--")):
        if kind in targets:
            ax.axvline(targets[kind], color="k", ls=ls, lw=0.8,
                       label=f"V2 target {kind} {targets[kind]:g}%")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(names, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("percent of points hit (design-unit view, after waivers)")
    ax.set_title("Code coverage per module")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _plot("coverage", "Code coverage per module",
                 "horizontal bars of line, branch and toggle coverage per RTL file", fig)


def accuracy_per_class(accuracy: dict) -> dict | None:
    r, q = accuracy.get("rsnn", {}), accuracy.get("qclif", {})
    if "per_class" not in r and "per_class" not in q:
        return None
    fig, axes = plt.subplots(2, 1, figsize=(11, 5.6))
    ax = axes[0]
    if "per_class" in r:
        pc = r["per_class"]
        ax.bar([c["class"] for c in pc], [100 * c["accuracy"] for c in pc], color=COLORS[0])
        ax.set_ylabel("frame accuracy, %")
        ax.set_ylim(0, 100)
        ax.set_title(f"rsnn: frame accuracy per phone class on the shipped samples "
                     f"({r.get('frames')} frames, overall {100 * r['frame_accuracy']:.1f} %)")
        ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax = axes[1]
    if "per_class" in q:
        pc = q["per_class"]
        ax.bar([c["class"].replace("_", " ") for c in pc], [100 * c["accuracy"] for c in pc],
               color=COLORS[2])
        ax.set_ylim(0, 105)
        ax.set_ylabel("correct, %")
        ax.set_title(f"qclif: held-out samples per gesture class "
                     f"({q['correct']} of {q['samples']} correct)")
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    fig.tight_layout()
    return _plot("accuracy", "Accuracy per class",
                 "bar charts of rsnn frame accuracy per phone class and qclif accuracy per "
                 "gesture class", fig)


def all_plots(perf: dict, accuracy: dict, modules: list[dict], targets: dict) -> list[dict]:
    made = [cycles_by_phase(perf), sparsity(perf, accuracy),
            coverage_per_module(modules, targets), accuracy_per_class(accuracy)]
    return [p for p in made if p is not None]
