"""`spikedv rsnn infer`: run an utterance on the model or on the RTL (Icarus, Verilator).

    infer(weights_dir, features, engine="model"|"verilator"|"icarus", T=None, out=None)

returns (and writes to ``out`` as .npz) the same keys for every engine:

    scores   (frames, 48) int32     pred     (frames,) int64
    spikes0  (frames, T, 128) uint8 spikes1  (frames, T, 128) uint8
    cycles   (frames,) int64 (= cyc_total)
    the 15 counters of docs/rsnn.md "Counters" by name, (frames,) int64
    T        () int64

Model engine: ``model.rsnn.run`` + ``model.rsnn_schedule.run_counters``. Simulator
engines: rsnn_accel built through ``verif.sim`` with the weights preloaded
(WEIGHTS_DIR), driven by the cocotb module ``verif.rsnn.infer_tb``; the counters are the
RTL's own, read over AXI-Lite after every frame.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

from model.rsnn import check_features, run
from model.rsnn_memory import load_weights_dir
from model.rsnn_schedule import COUNTER_NAMES, run_counters

ENGINES = ("model", "verilator", "icarus")
DTYPES = {"scores": np.int32, "pred": np.int64, "spikes0": np.uint8, "spikes1": np.uint8,
          "cycles": np.int64, "T": np.int64, **{k: np.int64 for k in COUNTER_NAMES}}
KEYS = tuple(DTYPES)


HARNESS_TOP = "rsnn_stream_harness"
HARNESS_FILES = [Path(__file__).resolve().parent / "hdl" / name
                 for name in ("stream_packet_capture.v", "rsnn_stream_harness.v")]


def harness_sources():
    """rsnn_accel's sources and the stream harness that the inference runs drive."""
    return [*rtl_sources(), *HARNESS_FILES]


def rtl_sources():
    """rsnn_accel's source list, as its own top-level test keeps it (the RTL internals
    are being refactored; that list follows them)."""
    from verif.rsnn.test_rsnn_accel import SOURCES
    from verif.sim import rtl_sources as paths

    return paths(*SOURCES)


def _normalize(result: dict, T: int) -> dict:
    out = {k: np.asarray(v).astype(DTYPES[k]) for k, v in result.items() if k in DTYPES}
    out["T"] = np.asarray(T, np.int64)
    return out


def infer_model(weights, config, features) -> dict:
    res = run(weights, config, features)
    cnt = run_counters(res, features, config.T)
    out = {"scores": res.scores, "pred": res.pred, "spikes0": res.spikes0,
           "spikes1": res.spikes1, "cycles": cnt["cyc_total"], **cnt}
    return _normalize(out, config.T)


def _run_name(engine: str) -> str:
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", test)[-80:] if test else "cli"
    return f"rsnn_infer-{base}"


def infer_sim(weights_dir, features, engine: str, T: int | None, counters: str = "frame",
              stats: dict | None = None) -> dict:
    """Run the utterance on rsnn_accel in ``engine``; ``stats`` (if given) receives the
    TB's timing (loop_wall_s, sim_cycles) and the whole run's wall time."""
    import time

    from verif.sim import run as sim_run

    weights_dir = Path(weights_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="rsnn_infer_") as tmp:
        tmp = Path(tmp)
        np.save(tmp / "features.npy", np.asarray(features, np.uint8))
        env = {"RSNN_INFER_WEIGHTS": str(weights_dir),
               "RSNN_INFER_FEATURES": str(tmp / "features.npy"),
               "RSNN_INFER_OUT": str(tmp / "out.npz"),
               "RSNN_INFER_STATS": str(tmp / "stats.json"),
               "RSNN_INFER_COUNTERS": counters,
               "COCOTB_LOG_LEVEL": "WARNING"}
        if T is not None:
            env["RSNN_INFER_T"] = str(T)
        t0 = time.perf_counter()
        sim_run(engine, HARNESS_TOP, harness_sources(), "verif.rsnn.infer_tb",
                parameters={"WEIGHTS_DIR": f'"{weights_dir}"'}, testcase="infer",
                extra_env=env, run_name=_run_name(engine))
        wall = time.perf_counter() - t0
        with np.load(tmp / "out.npz") as data:
            result = {k: data[k] for k in data.files}
        if stats is not None:
            stats.update(json.loads((tmp / "stats.json").read_text()))
            stats["run_wall_s"] = wall
    return result


def build(engine: str, weights_dir) -> None:
    """Build (or find cached) rsnn_accel for ``engine`` with this preload folder."""
    from verif.sim import build as sim_build

    sim_build(engine, HARNESS_TOP, harness_sources(),
              parameters={"WEIGHTS_DIR": f'"{Path(weights_dir).resolve()}"'})


def infer(weights_dir, features, engine: str = "model", T: int | None = None,
          out=None) -> dict:
    """Run ``features`` (frames, 40|48) u8, one utterance, with the weights and
    registers of ``weights_dir`` (T overrides the manifest's). Same keys for every
    engine (see the module docstring); written to ``out`` (.npz) when given."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    weights, config, _ = load_weights_dir(weights_dir)
    if T is not None:
        config.T = int(T)
    config.validate()
    features = check_features(features)
    if features.ndim != 2:
        raise ValueError(f"features must be (frames, 40|48), got {features.shape}")
    if engine == "model":
        result = infer_model(weights, config, features)
    else:
        raw = infer_sim(weights_dir, features, engine, config.T)
        result = _normalize(raw, config.T)
        missing = sorted(set(KEYS) - set(result))
        if missing:
            raise RuntimeError(f"{engine} run returned no {missing}")
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        np.savez(out, **result)
    return result


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    p = parser or argparse.ArgumentParser(
        prog="spikedv rsnn infer",
        description="Run an utterance on the rsnn model or RTL and save scores, "
                    "predictions, spikes and counters (.npz).")
    p.add_argument("--weights", required=True, help="weights folder (manifest.json + .hex)")
    p.add_argument("--features", required=True, help="(frames, 40|48) uint8 .npy")
    p.add_argument("--engine", choices=ENGINES, default="model")
    p.add_argument("--out", required=True, help="output .npz")
    p.add_argument("--T", type=int, choices=(1, 2), default=None,
                   help="time steps (default: the manifest's register)")
    return p


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser().parse_args(sys.argv[1:] if argv is None else argv))


def run_cli(args: argparse.Namespace) -> int:
    """The command behind ``spikedv rsnn infer`` (arguments of :func:`build_parser`)."""
    features = np.load(args.features)
    res = infer(args.weights, features, engine=args.engine, T=args.T, out=args.out)
    n = len(res["pred"])
    print(f"{args.engine}: {n} frames, T={int(res['T'])}, mean cycles/frame "
          f"{float(np.mean(res['cycles'])) if n else 0:.1f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
