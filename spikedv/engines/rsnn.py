"""rsnn engines: run an utterance on the model, on the RTL under cocotb (Icarus,
Verilator) or on the bare Verilator driver.

    infer(weights_dir, features, engine="model"|"verilator"|"icarus"|"bare", T=None,
          out=None, schedule="paper"|"union")

returns (and writes to ``out`` as .npz) the same keys for every engine:

    scores   (frames, 48) int32     pred     (frames,) int64
    spikes0  (frames, T, 128) uint8 spikes1  (frames, T, 128) uint8
    cycles   (frames,) int64 (= cyc_total)
    the 15 counters of docs/rsnn.md "Counters" by name, (frames,) int64
    T        () int64

``schedule`` selects the SCHEDULE register (docs/rsnn.md): outputs are the same in both,
the cycle, read and skip counters differ. Model engine: ``model.rsnn.run`` +
``model.rsnn_schedule.run_counters(..., schedule)``. Simulator
engines: the stream harness around rsnn_accel (verif/rsnn/hdl), built once through
``verif.sim`` and preloaded at run time from ``weights_dir``, driven by the cocotb
module ``verif.rsnn.infer_tb``; the counters are the RTL's own, read over AXI-Lite after
every frame. Bare engine: spikedv/engines/rsnn_bare.cpp, the same reads in C++.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np

from model.errors import InputError
from model.rsnn import check_features, run
from model.rsnn_memory import load_weights_dir
from model.rsnn_schedule import COUNTER_NAMES, SCHEDULES, run_counters
from verif.console import Progress, follow_progress
from verif.rsnn.infer_tb import InferSettings
from verif.sim import SIMULATORS, build as sim_build, run as sim_run, run_dir_for
from verif.sources import sources

ENGINES = ("model", *SIMULATORS, "bare")
DTYPES = {"scores": np.int32, "pred": np.int64, "spikes0": np.uint8, "spikes1": np.uint8,
          "cycles": np.int64, "T": np.int64, **{k: np.int64 for k in COUNTER_NAMES}}
KEYS = tuple(DTYPES)
HARNESS_TOP = "rsnn_stream_harness"


def _normalize(result: dict, T: int) -> dict:
    out = {k: np.asarray(v).astype(DTYPES[k]) for k, v in result.items() if k in DTYPES}
    out["T"] = np.asarray(T, np.int64)
    return out


def infer_model(weights, config, features, schedule: str = "paper") -> dict:
    res = run(weights, config, features)
    cnt = run_counters(res, features, config.T, schedule)
    out = {"scores": res.scores, "pred": res.pred, "spikes0": res.spikes0,
           "spikes1": res.spikes1, "cycles": cnt["cyc_total"], **cnt}
    return _normalize(out, config.T)


def _run_name() -> str:
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", test)[-80:] if test else "cli"
    return f"rsnn_infer-{base}-{os.getpid()}"


def build(engine: str) -> None:
    """Build (or find cached) the simulator model of ``engine`` (one per simulator)."""
    sim_build(engine, HARNESS_TOP, sources(HARNESS_TOP))


def infer_sim(weights_dir, features, engine: str, T: int | None, counters: str = "frame",
              stats: dict | None = None, progress: Progress | None = None,
              schedule: str = "paper") -> dict:
    """Run the utterance on rsnn_accel in simulator ``engine``; ``stats`` (if given)
    receives the TB's timing (loop_wall_s, loop_cpu_s, sim_cycles) and the run's wall
    time; ``progress`` follows the frames done."""
    import time

    weights_dir = Path(weights_dir).resolve()
    name = _run_name()
    with tempfile.TemporaryDirectory(prefix="rsnn_infer_") as tmp:
        tmp = Path(tmp)
        np.save(tmp / "features.npy", np.asarray(features, np.uint8))
        settings = InferSettings(weights_dir=weights_dir, features=tmp / "features.npy",
                                 out=tmp / "out.npz", T=T, counters=counters,
                                 stats=tmp / "stats.json", schedule=schedule)
        t0 = time.perf_counter()
        with follow_progress(lambda: run_dir_for(name, engine), progress):
            sim_run(engine, HARNESS_TOP, sources(HARNESS_TOP), "verif.rsnn.infer_tb",
                    testcase="infer", settings=settings, weights_dir=weights_dir,
                    run_name=name)
        wall = time.perf_counter() - t0
        with np.load(tmp / "out.npz") as data:
            result = {k: data[k] for k in data.files}
        if stats is not None:
            stats.update(json.loads((tmp / "stats.json").read_text()))
            stats["run_wall_s"] = wall
    return result


def infer_bare(weights_dir, features, config, counters: str = "frame",
               stats: dict | None = None, schedule: str = "paper") -> dict:
    from spikedv.engines.bare import run_bare

    with tempfile.TemporaryDirectory(prefix="rsnn_bare_") as tmp:
        result, run_stats = run_bare(Path(weights_dir), np.asarray(features, np.uint8), config,
                                     Path(tmp), counters=counters, schedule=schedule)
    if stats is not None:
        stats.update(run_stats)
    return result


def infer(weights_dir, features, engine: str = "model", T: int | None = None,
          out=None, progress: Progress | None = None, schedule: str = "paper") -> dict:
    """Run ``features`` (frames, 40|48) u8, one utterance, with the weights and
    registers of ``weights_dir`` (T overrides the manifest's) on the ``schedule``
    ("paper" or "union"). Same keys for every engine (see the module docstring);
    written to ``out`` (.npz) when given."""
    if engine not in ENGINES:
        raise InputError(None, f"unknown engine {engine!r}, expected one of "
                         f"{', '.join(ENGINES)}", where="engine")
    if schedule not in SCHEDULES:
        raise InputError(None, f"unknown schedule {schedule!r}, expected one of "
                         f"{', '.join(SCHEDULES)}", where="schedule")
    weights_dir = Path(weights_dir).resolve()
    weights, config, _ = load_weights_dir(weights_dir)
    if T is not None:
        config.T = T
    config.validate()
    features = check_features(features)
    if features.ndim != 2:
        raise InputError(None, f"shape {features.shape}: one utterance is (frames, 40|48)",
                         where="features")
    if engine == "model":
        result = infer_model(weights, config, features, schedule)
    elif engine == "bare":
        result = _normalize(infer_bare(weights_dir, features, config, schedule=schedule),
                            config.T)
    else:
        raw = infer_sim(weights_dir, features, engine, config.T, progress=progress,
                        schedule=schedule)
        result = _normalize(raw, config.T)
    missing = sorted(set(KEYS) - set(result))
    if missing:
        raise RuntimeError(f"{engine} run returned no {missing}")
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        np.savez(out, **result)
    return result
