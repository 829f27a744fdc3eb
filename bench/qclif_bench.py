"""qclif benchmark: cycles per bin against NP, synaptic operations, simulation speed.

    python -m bench.qclif_bench [--weights weights/qclif] [--bins N] [--no-sim]
                                [--out reports/bench_qclif.json]

Figures (docs/benchmarks.md):

* cycles per bin and per sample for every NP dividing N (docs/qclif.md: P + 2 per bin,
  +1 on a sample's last bin), and the time they take at the paper's 100 MHz against the
  bin width of the input (the real-time margin);
* synaptic operations and spikes per bin of the shipped network on the shipped samples
  (model/qclif_schedule.py; the RTL's counters equal them, checked by the tests);
* simulation speed: bins per second of the cocotb run on Verilator and Icarus for the
  same sample (second run, build cached), with the RTL checked against the model.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from model import qclif
from model.qclif_memory import load_weights_dir
from model.qclif_schedule import bin_cycles, run_counters
from model.qclif import synapse_count

REPO = Path(__file__).resolve().parent.parent
CLOCK_HZ = 100e6
PAPER = {"clock_mhz": 100, "neurons": 200, "synapses": 82_200, "energy_pj_per_spike": 17.9,
         "area_mm2": 1.86, "neuron_area_um2": 900}


def load_samples(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    index = json.loads((folder / "samples" / "samples.json").read_text())["samples"]
    x = np.stack([np.load(folder / "samples" / s["input"]) for s in index])
    return x, np.array([s["label"] for s in index])


def cycles_vs_np(n: int, bins: int, bin_us: float) -> list[dict]:
    rows = []
    for np_units in (d for d in range(1, n + 1) if n % d == 0):
        per_bin = int(bin_cycles(n, np_units, last_bin=False))
        per_sample = per_bin * (bins - 1) + int(bin_cycles(n, np_units, last_bin=True))
        rows.append({"np": np_units, "passes": n // np_units, "cycles_per_bin": per_bin,
                     "cycles_per_sample": per_sample,
                     "us_per_bin_at_100mhz": per_bin / CLOCK_HZ * 1e6,
                     "realtime_margin": bin_us / (per_bin / CLOCK_HZ * 1e6)})
    return rows


def activity(weights, regs, x, np_units: int) -> dict:
    res = qclif.run(weights, regs, x)
    cnt = run_counters(res, x, np_units)
    synops, spikes = np.asarray(cnt["synops"]), np.asarray(cnt["spikes"])
    return {"synops_per_bin": {"mean": float(synops.mean()), "min": int(synops.min()),
                               "max": int(synops.max())},
            "spikes_per_bin": {"mean": float(spikes.mean()), "min": int(spikes.min()),
                               "max": int(spikes.max())},
            "input_density": float(np.mean(x)),
            "cycles_per_sample": float(np.mean(np.asarray(cnt["cycles"]).sum(-1)))}


def sim_speed(weights_dir: Path, x: np.ndarray, np_units: int) -> dict:
    from spikedv.engines.qclif import infer

    model = infer(weights_dir, x, engine="model", np_units=np_units)
    out = {}
    for engine in ("verilator", "icarus"):
        infer(weights_dir, x[:2], engine=engine, np_units=np_units)  # build once
        start = time.monotonic()
        rtl = infer(weights_dir, x, engine=engine, np_units=np_units)
        wall = time.monotonic() - start
        equal = all(np.array_equal(np.asarray(model[k]), np.asarray(rtl[k])) for k in model)
        out[engine] = {"bins": len(x), "wall_s": wall, "bins_per_s": len(x) / wall,
                       "cycles_per_s": float(np.sum(rtl["cycles"])) / wall,
                       "rtl_equals_model": bool(equal)}
    return out


def markdown(r: dict) -> str:
    lines = ["# qclif benchmark", "",
             f"N = {r['n']} neurons, {r['synapses']:,} synapses; bins of {r['bin_us']:.0f} us, "
             f"{r['bins']} bins per sample. Paper: 100 MHz, 200 neurons, 82k synapses, "
             "17.9 pJ/spike, 1.86 mm^2.", "",
             "| NP | passes per bin | cycles per bin | cycles per sample | us per bin at 100 MHz | real-time margin |",
             "|---|---|---|---|---|---|"]
    for row in r["cycles_vs_np"]:
        lines.append(f"| {row['np']} | {row['passes']} | {row['cycles_per_bin']} | "
                     f"{row['cycles_per_sample']} | {row['us_per_bin_at_100mhz']:.2f} | "
                     f"{row['realtime_margin']:.0f}x |")
    a = r["activity"]
    lines += ["", f"Shipped network on the {r['samples']} shipped samples (NP = {r['np']}): "
              f"synaptic operations per bin mean {a['synops_per_bin']['mean']:.0f} "
              f"(min {a['synops_per_bin']['min']}, max {a['synops_per_bin']['max']}); spikes per "
              f"bin mean {a['spikes_per_bin']['mean']:.1f}; input density {a['input_density']:.3f}; "
              f"{r['correct']} of {r['samples']} classified correctly."]
    if r.get("sim"):
        lines += ["", "| simulator | bins | wall s | bins/s | cycles/s | RTL = model |", "|---|---|---|---|---|---|"]
        for eng, s in r["sim"].items():
            lines.append(f"| {eng} | {s['bins']} | {s['wall_s']:.1f} | {s['bins_per_s']:.1f} | "
                         f"{s['cycles_per_s']:.0f} | {'yes' if s['rtl_equals_model'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def add_arguments(p) -> None:
    """Arguments of ``spikedv qclif bench``."""
    from spikedv.cli_args import add_out, add_weights

    add_weights(p, default=REPO / "weights" / "qclif",
                help="weights folder with samples/ (default: the shipped weights)")
    p.add_argument("--np", dest="np_units", type=int, default=20,
                   help="physical neuron units (default 20)")
    p.add_argument("--no-sim", action="store_true", help="skip the simulation-speed runs")
    add_out(p, "report .json (and .md beside it)",
            default=REPO / "reports" / "bench_qclif.json")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.qclif_bench", description=__doc__)
    add_arguments(p)
    return run(p.parse_args(argv))


def run(args) -> int:
    folder = Path(args.weights)
    weights, regs, manifest = load_weights_dir(folder)
    x, labels = load_samples(folder)
    bin_us = float(manifest.get("binning", {}).get("bin_us", 25_000))
    pred = qclif.run(weights, regs, x).pred
    report = {"n": weights.n, "synapses": synapse_count(weights.n), "bin_us": bin_us,
              "bins": int(x.shape[1]), "samples": len(x), "np": args.np_units,
              "correct": int(np.sum(pred == labels)), "paper": PAPER,
              "cycles_vs_np": cycles_vs_np(weights.n, int(x.shape[1]), bin_us),
              "activity": activity(weights, regs, x, args.np_units)}
    if not args.no_sim:
        report["sim"] = sim_speed(folder, x[0], args.np_units)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    text = markdown(report)
    out.with_suffix(".md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
