"""rsnn benchmark: both schedules' cycles, weight reads, floor, FC merge, MAC/s, and
simulation speed.

    python -m bench.rsnn_bench [--weights DIR] [--features NPY|DIR ... | --random N]
                               [--sim-frames N] [--no-sim] [--out reports/bench_rsnn.json]

Figures (docs/benchmarks.md says what each one means), for T = 1 and T = 2 and for both
schedules (SCHEDULE paper and union, docs/rsnn.md):

* cycles per frame (mean/min/max) with the per-phase breakdown, from the model's
  counters (model/rsnn_schedule.py); the RTL's own counters of the simulated frames are
  compared with them in the same run (and in tests/test_rsnn_infer.py and
  tests/test_rsnn_schedules.py);
* weight rows read per frame and memory, against the floor (rows whose input is nonzero
  in either step, which every schedule must read) and the floor of work cycles (two PE
  sets, one row per bank and cycle: model.rsnn_schedule.floor);
* recurrent weight-row reads: Type D at T = 2 vs a dense sequential schedule (both
  steps read every row) vs sequential per-step Type B skipping;
* FC cycles with merged spikes (the RTL) and without (one Type B pass per step);
* MAC/s at 100 frames/s, dense and effective, effective MACs per cycle, and the clock
  needed for 100 frames/s (mean and slowest frame); the paper's figures beside them;
* simulation speed (paper schedule): frames/s of the cocotb run on Verilator and Icarus
  for the same frames, and the cocotb Verilator run against a bare C++ Verilator driver
  (spikedv/engines/rsnn_bare.cpp) of the same frames, measured back to back; the union
  schedule on the bare driver, its counters checked against the model.

Without --weights: random weights (density 0.5) with thresholds tuned per T so that
each layer's spike sparsity (fraction of neuron-steps without a spike) is in 60-71 %;
without --features: random features whose bits are zero with probability 0.65. With
--features, each file is one utterance (a folder: its *.npy but *.labels.npy), each run
from the state at utterance start; simulation uses the first utterance.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from model.rsnn import RsnnConfig, RsnnWeights, check_features
from model.rsnn import run as rsnn_run
from model.rsnn_memory import load_weights_dir, write_weights_dir
from model.rsnn_schedule import (
    COUNTER_NAMES, DENSE_ROWS, OVERHEAD, SCHEDULES, run_counters, run_whatif,
)

REPO = Path(__file__).resolve().parent.parent
FPS = 100                        # frames per second of the application (10 ms hop)
SPARSITY_RANGE = (0.60, 0.71)
PAPER = {"cycles_single_step": 574, "fc_cycles_unmerged": 1224, "fc_cycles_merged": 895,
         "mmac_per_s": 13.86, "weight_reads": "halved by parallel time steps"}


# ---- inputs ----------------------------------------------------------------------
def random_features(rng, frames: int, zero_bit_prob: float = 0.65) -> np.ndarray:
    """(frames, 40) u8 whose bits are 0 with ``zero_bit_prob`` (input spike sparsity)."""
    bits = rng.random((frames, 40, 8)) >= zero_bit_prob
    return (bits * (1 << np.arange(8))).sum(axis=-1).astype(np.uint8)


def sparsity(res) -> dict:
    """Fraction of neuron-steps without a spike, per layer."""
    return {"l0": 1.0 - float(np.mean(res.spikes0)), "l1": 1.0 - float(np.mean(res.spikes1))}


def tune_thresholds(weights, features, T: int, s_in=3, b0=2, b1=2,
                    target: float = 0.655) -> RsnnConfig:
    """Bisect theta0 (L0 sparsity), then theta1 (L1), towards ``target``; sparsity
    rises with theta."""
    cfg = RsnnConfig(T=T, s_in=s_in, b0=b0, b1=b1, theta0=64, theta1=64)
    for layer in ("l0", "l1"):
        lo, hi = 1, 2047
        while lo < hi:
            mid = (lo + hi) // 2
            setattr(cfg, "theta0" if layer == "l0" else "theta1", mid)
            if sparsity(rsnn_run(weights, cfg, features))[layer] < target:
                lo = mid + 1
            else:
                hi = mid
        setattr(cfg, "theta0" if layer == "l0" else "theta1", lo)
    return cfg


# ---- model figures ---------------------------------------------------------------
def _stats(v) -> dict:
    v = np.asarray(v, dtype=np.float64)
    return {"mean": float(v.mean()), "min": float(v.min()), "max": float(v.max())}


def _per_frame(weights, cfg: RsnnConfig, utterances, schedule: str):
    """Counters and what-if figures of every frame of every utterance, concatenated,
    and the spike and input-bit statistics."""
    cnt, what, spikes0, spikes1 = [], [], [], []
    for x in utterances:
        res = rsnn_run(weights, cfg, x)
        cnt.append(run_counters(res, x, cfg.T, schedule))
        what.append(run_whatif(res, x, cfg.T))
        spikes0.append(res.spikes0.ravel())
        spikes1.append(res.spikes1.ravel())
    cat = lambda parts: {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}  # noqa: E731
    bits = np.unpackbits(np.concatenate([np.asarray(x, np.uint8)[:, :40].ravel()
                                         for x in utterances]))
    stats = {"sparsity": {"l0": 1.0 - float(np.concatenate(spikes0).mean()),
                          "l1": 1.0 - float(np.concatenate(spikes1).mean())},
             "input_zero_bits": 1.0 - float(bits.mean())}
    return cat(cnt), cat(what), stats


def model_figures(weights, cfg: RsnnConfig, utterances, schedule: str = "paper") -> dict:
    """The figures of one T and schedule over all frames of ``utterances`` (a list of
    (frames, 40|48) arrays, or one such array)."""
    if isinstance(utterances, np.ndarray) and utterances.ndim == 2:
        utterances = [utterances]
    cnt, what, stats = _per_frame(weights, cfg, utterances, schedule)
    T = cfg.T
    # Floor of the frame's cycles: the work floor of every phase plus this schedule's
    # fixed overheads (read latencies, LIF, Iin, closes, ARGMAX).
    overhead = (OVERHEAD["in"] + 2 * (OVERHEAD["layer_read"] + T * OVERHEAD["lif_per_step"])
                + OVERHEAD["argmax"])
    floor_cycles = (what["floor_work_in"] + what["floor_work_l0"] + what["floor_work_l1"]
                    + what["floor_work_fc"] + overhead + OVERHEAD["fc_tail"])
    fig = {"schedule": schedule, "frames": int(len(cnt["cyc_total"])),
           "registers": cfg.as_dict(), **stats,
           "cycles": {k: _stats(cnt[k]) for k in ("cyc_in", "cyc_l0", "cyc_l1", "cyc_fc",
                                                  "cyc_total")},
           "reads": {k: _stats(cnt[k]) for k in ("reads_win", "reads_wrec", "reads_wfc")},
           "floor_reads": {k: _stats(what[f"floor_{k}"])
                           for k in ("reads_win", "reads_wrec", "reads_wfc")},
           "floor_work": {k: _stats(what[f"floor_{k}"])
                          for k in ("work_in", "work_l0", "work_l1", "work_fc")},
           "floor_cycles": _stats(floor_cycles),
           "reads_wrec_dense_sequential": T * (DENSE_ROWS["l0"] + DENSE_ROWS["l1"]),
           "reads_wrec_seq_type_b": _stats(what["seq_reads_wrec"]),
           "cyc_fc_unmerged": _stats(what["unmerged_cyc_fc"]),
           "cyc_l_seq_type_b": _stats(what["seq_cyc_l0"] + what["seq_cyc_l1"]),
           "mac_per_s_dense": float(np.mean(what["dense_total"])) * FPS,
           "mac_per_s_effective": float(np.mean(what["eff_total"])) * FPS,
           "macs_per_cycle_effective": float(np.sum(what["eff_total"])
                                             / np.sum(cnt["cyc_total"])),
           "cycles_per_s_at_fps": float(np.mean(cnt["cyc_total"])) * FPS,
           "cycles_per_s_worst_frame": float(np.max(cnt["cyc_total"])) * FPS,
           "frames_over_1000": int((cnt["cyc_total"] > 1000).sum())}
    return fig


# ---- simulation speed ------------------------------------------------------------
def _compare(model: dict, got: dict, keys) -> list[str]:
    return [k for k in keys if k in got and not np.array_equal(model[k], got[k])]


def sim_speed(weights, cfg: RsnnConfig, features, engines=("verilator", "icarus"),
              repeats: int = 3, icarus_frames: int = 10) -> dict:
    """cocotb runs (counters read per frame; and frames streamed without register reads
    on Verilator) and the bare runs of the same frames (both modes), each checked against
    the model. The Verilator runs and the bare runs alternate ``repeats`` times and each
    keeps its fastest loop, in wall time and in process CPU time; the CPU-time ratio is
    the one that a busy machine (other jobs on the cores) does not distort. Icarus runs
    the first ``icarus_frames`` frames once."""
    import tempfile

    from spikedv.engines.bare import build_bare
    from spikedv.engines.rsnn import KEYS, build, infer_bare, infer_model, infer_sim

    tmp = tempfile.TemporaryDirectory(prefix="rsnn_bench_")
    folder = Path(tmp.name) / "weights"
    write_weights_dir(folder, weights, cfg)
    model = infer_model(weights, cfg, features)
    n = len(features)
    out = {"frames": n, "T": cfg.T, "repeats": repeats}
    subset = {"icarus": (features[:icarus_frames], infer_model(weights, cfg, features[:icarus_frames]))}
    for engine in engines:
        build(engine)
    build_bare()
    runs = [("verilator", "frame"), ("verilator", "none"), ("bare", "frame"), ("bare", "none")]
    if "icarus" in engines:
        runs.append(("icarus", "frame"))
    for rep in range(repeats):
        for engine, counters in runs:
            if engine != "bare" and engine not in engines:
                continue
            if engine == "icarus" and rep:
                continue  # Icarus is 100x slower: one run is enough
            name = f"bare_{counters}" if engine == "bare" else f"cocotb_{engine}_{counters}"
            stats: dict = {}
            x, ref = subset.get(engine, (features, model))
            if engine == "bare":
                got = infer_bare(folder, x, cfg, counters=counters, stats=stats)
                r = {"frames": stats["frames"], "cycles": stats["cycles"],
                     "wall_s": stats["wall_s"], "cpu_s": stats["cpu_s"]}
            else:
                got = infer_sim(folder, x, engine, cfg.T, counters=counters, stats=stats)
                r = {"frames": stats["frames"], "cycles": stats["sim_cycles"],
                     "wall_s": stats["loop_wall_s"], "cpu_s": stats["loop_cpu_s"]}
            r["mismatching"] = _compare(ref, got, KEYS)
            if counters == "frame":
                r["counters_equal_model"] = not _compare(ref, got, COUNTER_NAMES)
            r["frames_per_s"] = r["frames"] / r["wall_s"]
            r["cycles_per_s"] = r["cycles"] / r["wall_s"]
            best = out.get(name)
            if best is None:
                out[name] = r
            else:  # fastest of the repeats; a mismatch in any run is kept
                best["mismatching"] = sorted(set(best["mismatching"]) | set(r["mismatching"]))
                for key in ("wall_s", "cpu_s", "frames_per_s", "cycles_per_s"):
                    pick = min if key in ("wall_s", "cpu_s") else max
                    best[key] = pick(best[key], r[key])
    for tag in ("frame", "none"):
        name, bare = f"cocotb_verilator_{tag}", out[f"bare_{tag}"]
        label = "stream" if tag == "none" else "frame"
        if name in out:
            out[f"ratio_cocotb_{label}_to_bare"] = out[name]["wall_s"] / bare["wall_s"]
            out[f"cpu_ratio_cocotb_{label}_to_bare"] = out[name]["cpu_s"] / bare["cpu_s"]
    tmp.cleanup()
    return out


def bare_schedule_check(weights, cfg: RsnnConfig, features, schedule: str) -> dict:
    """The bare RTL with SCHEDULE = ``schedule``, counters read per frame: every output
    and counter against the model; frames/s of the loop."""
    import tempfile

    from spikedv.engines.rsnn import KEYS, infer_bare, infer_model

    with tempfile.TemporaryDirectory(prefix="rsnn_bench_") as tmp:
        folder = Path(tmp) / "weights"
        write_weights_dir(folder, weights, cfg)
        model = infer_model(weights, cfg, features, schedule)
        stats: dict = {}
        got = infer_bare(folder, features, cfg, counters="frame", stats=stats,
                         schedule=schedule)
    r = {"schedule": schedule, "frames": stats["frames"], "cycles": stats["cycles"],
         "wall_s": stats["wall_s"], "cpu_s": stats["cpu_s"],
         "mismatching": _compare(model, got, KEYS)}
    r["counters_equal_model"] = not _compare(model, got, COUNTER_NAMES)
    r["frames_per_s"] = r["frames"] / r["wall_s"]
    r["cycles_per_s"] = r["cycles"] / r["wall_s"]
    return r


# ---- report ----------------------------------------------------------------------
def _mmm(s: dict, fmt="{:.0f}") -> str:
    return f"{fmt.format(s['mean'])} ({fmt.format(s['min'])}..{fmt.format(s['max'])})"


def _regs(fig: dict) -> str:
    return ", ".join(str(fig["registers"][k]) for k in ("s_in", "b0", "b1", "theta0", "theta1"))


def markdown(report: dict) -> str:
    m = report["model"]
    cols = [(T, sch) for T in (1, 2) for sch in SCHEDULES]
    figs = [m[f"T{T}"] if sch == "paper" else m[f"T{T}_{sch}"] for T, sch in cols]
    head = " | ".join(f"T = {T} {sch}" for T, sch in cols)
    lines = [f"Inputs: {report['inputs']}", "",
             f"| figure | {head} | paper |", "|---|" + "---|" * len(cols) + "---|"]

    def row(label, cell, paper=""):
        lines.append(f"| {label} | " + " | ".join(cell(f) for f in figs) + f" | {paper} |")

    mean = lambda s: f"{s['mean']:.0f}"  # noqa: E731
    row("frames", lambda f: str(f["frames"]))
    row("registers (s_in, b0, b1, theta0, theta1)", _regs)
    row("input zero bits", lambda f: f"{f['input_zero_bits']:.1%}")
    row("spike sparsity L0 / L1", lambda f: f"{f['sparsity']['l0']:.1%} / "
        f"{f['sparsity']['l1']:.1%}", "60-71 %")
    row("**cycles per frame**, mean (min..max)", lambda f: _mmm(f["cycles"]["cyc_total"]),
        f"{PAPER['cycles_single_step']} (single step)")
    for k, label in (("cyc_in", "IN"), ("cyc_l0", "L0"), ("cyc_l1", "L1"), ("cyc_fc", "FC")):
        row(f"&nbsp; {label} cycles", lambda f, k=k: _mmm(f["cycles"][k]))
    row("&nbsp; floor: work floor + overheads (model.rsnn_schedule.floor)",
        lambda f: _mmm(f["floor_cycles"]))
    row("frames over 1000 cycles", lambda f: str(f["frames_over_1000"]))
    row("weight rows read per frame: win / wrec / wfc (mean)",
        lambda f: " / ".join(mean(f["reads"][k]) for k in ("reads_win", "reads_wrec",
                                                           "reads_wfc")))
    row("&nbsp; floor: rows with a nonzero input in either step",
        lambda f: " / ".join(mean(f["floor_reads"][k]) for k in ("reads_win", "reads_wrec",
                                                                 "reads_wfc")))
    row("&nbsp; recurrent rows, dense sequential steps",
        lambda f: str(f["reads_wrec_dense_sequential"]), PAPER["weight_reads"])
    row("&nbsp; recurrent rows, sequential steps with Type B skipping",
        lambda f: _mmm(f["reads_wrec_seq_type_b"]))
    row("L0+L1 cycles, sequential Type B steps", lambda f: _mmm(f["cyc_l_seq_type_b"]))
    row("FC cycles, per-step (unmerged) Type B", lambda f: _mmm(f["cyc_fc_unmerged"]),
        f"{PAPER['fc_cycles_unmerged']} -> {PAPER['fc_cycles_merged']} merged")
    row(f"MAC/s at {FPS} frames/s, dense", lambda f: f"{f['mac_per_s_dense'] / 1e6:.2f} M",
        f"{PAPER['mmac_per_s']} M (after skipping)")
    row(f"MAC/s at {FPS} frames/s, effective (nonzero inputs)",
        lambda f: f"{f['mac_per_s_effective'] / 1e6:.2f} M")
    row("effective MACs per cycle (of 256 PEs)",
        lambda f: f"{f['macs_per_cycle_effective']:.1f}")
    row(f"clock for {FPS} frames/s: mean cycles / slowest frame",
        lambda f: f"{f['cycles_per_s_at_fps'] / 1e3:.1f} / "
        f"{f['cycles_per_s_worst_frame'] / 1e3:.1f} kHz", "100 kHz")
    sims = report.get("sim", {})
    if sims:
        lines += ["", "| simulation speed (same frames; paper schedule unless named) | "
                  "T = 1 | T = 2 |", "|---|---|---|"]

        def row(line):   # rows of runs that did not happen (--no-cocotb) are left out
            cells = [c.strip() for c in line.strip("|").split("|")[1:]]
            if any(c not in ("-", "-, -") for c in cells):
                lines.append(line)
        def cell(T, key, fmt):
            s = sims.get(f"T{T}", {})
            return fmt(s[key]) if key in s else "-"
        for key, label in (("cocotb_verilator_frame", "cocotb Verilator, counters read per frame"),
                           ("cocotb_verilator_none", "cocotb Verilator, frames streamed"),
                           ("bare_none", "bare C++ Verilator, frames streamed"),
                           ("bare_frame", "bare C++ Verilator, counters read per frame"),
                           ("cocotb_icarus_frame", "cocotb Icarus, counters read per frame")):
            row(f"| {label}: frames/s (cycles/s) | "
                + " | ".join(cell(T, key, lambda r: f"{r['frames_per_s']:.2f} "
                                  f"({r['cycles_per_s']:,.0f})") for T in (1, 2)) + " |")
        for key, label in (("ratio_cocotb_stream_to_bare", "frames streamed"),
                           ("ratio_cocotb_frame_to_bare", "counters read per frame, both")):
            row(f"| ratio cocotb Verilator ({label}) / bare: wall, CPU | "
                + " | ".join(cell(T, key, lambda r: f"{r:.2f}x") + ", "
                             + cell(T, "cpu_" + key, lambda r: f"{r:.2f}x") for T in (1, 2))
                + " |")
        row("| bare C++ Verilator, union schedule, counters read per frame: frames/s "
            "(cycles/s) | " + " | ".join(cell(T, "bare_union_frame", lambda r: f"{r['frames_per_s']:.2f} "
                                              f"({r['cycles_per_s']:,.0f})") for T in (1, 2))
            + " |")
        row("| RTL equals model (scores, pred, spikes, 15 counters; both schedules) | "
            + " | ".join(cell(T, "rtl_equals_model", lambda r: "yes" if r else "NO")
                         for T in (1, 2)) + " |")
    return "\n".join(lines) + "\n"


def add_arguments(p) -> None:
    """Arguments of ``spikedv rsnn bench``."""
    from spikedv.cli_args import add_out, add_seed, add_weights, path_arg

    add_weights(p, required=False,
                help="trained weights folder (default: tuned random weights)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--features", type=path_arg, nargs="+", metavar="NPY|DIR",
                     help="utterances: (frames, 40|48) uint8 .npy files, or folders of "
                          "them (*.labels.npy skipped); e.g. weights/rsnn/samples")
    src.add_argument("--random", type=int, default=200, metavar="N",
                     help="N random frames (default 200)")
    p.add_argument("--sim-frames", type=int, default=200,
                   help="frames simulated on Verilator for the speed figures (default 200)")
    p.add_argument("--icarus-frames", type=int, default=10,
                   help="frames simulated on Icarus (default 10)")
    p.add_argument("--repeats", type=int, default=3,
                   help="Verilator and bare runs alternate this often; fastest kept (default 3)")
    p.add_argument("--no-icarus", action="store_true", help="skip the Icarus speed run")
    p.add_argument("--no-sim", action="store_true", help="model figures only")
    p.add_argument("--no-cocotb", action="store_true",
                   help="simulate on the bare driver only (both schedules checked)")
    add_seed(p, default=1, help="seed of the random weights and features (default 1)")
    add_out(p, "report .json (and .md beside it)", default=REPO / "reports" / "bench_rsnn.json")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.rsnn_bench",
                                description=__doc__.split("\n")[0])
    add_arguments(p)
    return run(p.parse_args(sys.argv[1:] if argv is None else argv))


def _utterance_files(paths) -> list[Path]:
    files = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files += sorted(f for f in path.glob("*.npy") if not f.name.endswith(".labels.npy"))
        else:
            files.append(path)
    if not files:
        from model.errors import InputError
        raise InputError(paths[0], "no .npy utterance there", where="features")
    return files


def run(args) -> int:
    from model.npy import load_npy

    rng = np.random.default_rng(args.seed)
    if args.features:
        files = _utterance_files(args.features)
        utterances = [check_features(load_npy(f), f).astype(np.uint8) for f in files]
        n = sum(len(u) for u in utterances)
        names = files[0].name if len(files) == 1 else \
            f"{len(files)} utterances in {', '.join(sorted({str(f.parent) for f in files}))}"
        feat_desc = f"features {names} ({n} frames)"
    else:
        utterances = [random_features(rng, args.random)]
        feat_desc = f"{args.random} random frames, bits zero with p = 0.65 (seed {args.seed})"
    features = utterances[0]
    if args.weights:
        weights, base, _ = load_weights_dir(args.weights)
        configs = {T: RsnnConfig(**{**base.as_dict(), "T": T}) for T in (1, 2)}
        w_desc = f"weights {args.weights} (manifest registers)"
    else:
        weights = RsnnWeights.random(rng, density=0.5)
        configs = {T: tune_thresholds(weights, features, T) for T in (1, 2)}
        w_desc = (f"random weights, density 0.5 (seed {args.seed}), thresholds tuned per T "
                  f"to {SPARSITY_RANGE[0]:.0%}-{SPARSITY_RANGE[1]:.0%} spike sparsity")
    model = {}
    for T in (1, 2):
        for schedule in SCHEDULES:
            key = f"T{T}" if schedule == "paper" else f"T{T}_{schedule}"
            model[key] = model_figures(weights, configs[T], utterances, schedule)
    report = {"inputs": f"{w_desc}; {feat_desc}", "paper": PAPER, "model": model}
    if not args.no_sim:
        sim_x = features[:args.sim_frames]
        report["sim"] = {}
        for T in (1, 2):
            s = {}
            if not args.no_cocotb:
                engines = ("verilator",) if args.no_icarus else ("verilator", "icarus")
                s = sim_speed(weights, configs[T], sim_x, engines, repeats=args.repeats,
                              icarus_frames=args.icarus_frames)
            else:
                s["bare_frame"] = bare_schedule_check(weights, configs[T], sim_x, "paper")
            s["bare_union_frame"] = bare_schedule_check(weights, configs[T], sim_x, "union")
            s["rtl_equals_model"] = all(
                not s[k]["mismatching"] for k in s if isinstance(s[k], dict))
            report["sim"][f"T{T}"] = s
    table = markdown(report)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".md").write_text("# rsnn benchmark\n\n" + table)
    print(table)
    print(f"wrote {out} and {out.with_suffix('.md')}")
    bad = [T for T, s in report.get("sim", {}).items() if not s["rtl_equals_model"]]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
