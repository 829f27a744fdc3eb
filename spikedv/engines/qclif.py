"""qclif engines: run one sample through the qclif network on the model or the RTL.

    from spikedv.engines.qclif import infer
    out = infer("weights/qclif", inputs, engine="verilator")   # inputs (bins, 200) 0/1

Engines: "model" (model/qclif.py + model/qclif_schedule.py), "verilator", "icarus" (the
RTL top level qclif_network, one build per (N, NP), its banks preloaded at run time,
driven by the cocotb module ``verif.qclif.infer_tb``). Every engine returns the same
keys: scores (11,) int64, pred int, spikes (bins, N) uint8, cycles (bins,) int64,
synops (bins,) int64, spikes_per_bin (bins,) int64. The simulator engines report what the
hardware produced (stream and counter registers), not the model.
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import numpy as np

from model import qclif
from model.errors import InputError
from model.qclif_memory import check_np, load_weights_dir
from model.qclif_schedule import run_counters
from verif.console import Progress, follow_progress
from verif.qclif.infer_tb import InferSettings
from verif.qclif.qclif_tb import write_bank_images
from verif.sim import SIMULATORS, run, run_dir_for
from verif.sources import sources

ENGINES = ("model", *SIMULATORS)
KEYS = ("scores", "pred", "spikes", "cycles", "synops", "spikes_per_bin")
DEFAULT_NP = 20


def default_np(n: int) -> int:
    """The largest divisor of N not above the RTL's default NP (20)."""
    return max(d for d in range(1, min(n, DEFAULT_NP) + 1) if n % d == 0)


def infer(weights_dir, inputs, engine: str = "model", np_units: int | None = None,
          out=None, progress: Progress | None = None) -> dict:
    """One sample (bins, 200) through ``engine``; see the module docstring. Written to
    ``out`` (.npz) when given."""
    if engine not in ENGINES:
        raise InputError(None, f"unknown engine {engine!r}, expected one of "
                         f"{', '.join(ENGINES)}", where="engine")
    weights_dir = Path(weights_dir).resolve()
    weights, regs, _ = load_weights_dir(weights_dir)
    x = qclif.check_inputs(inputs)
    if x.ndim != 2:
        raise InputError(None, f"shape {x.shape}: one sample is (bins, 200)", where="inputs")
    np_units = default_np(weights.n) if np_units is None else np_units
    check_np(weights.n, np_units)
    if engine == "model":
        result = _infer_model(weights, regs, x, np_units)
    else:
        result = _infer_sim(engine, weights_dir, weights, x, np_units, progress)
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        np.savez(out, **result)
    return result


def _infer_model(weights, regs, x, np_units: int) -> dict:
    result = qclif.run(weights, regs, x)
    cnt = run_counters(result, x, np_units)
    return {"scores": np.asarray(result.scores, np.int64), "pred": int(result.pred),
            "spikes": np.asarray(result.spikes, np.uint8),
            "cycles": np.asarray(cnt["cycles"], np.int64),
            "synops": np.asarray(cnt["synops"], np.int64),
            "spikes_per_bin": np.asarray(cnt["spikes"], np.int64)}


def _run_name() -> str:
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", test)[-80:] if test else "cli"
    return f"qclif_infer-{base}-{os.getpid()}"


def _infer_sim(simulator: str, weights_dir: Path, weights, x, np_units: int,
               progress: Progress | None) -> dict:
    name = _run_name()
    with tempfile.TemporaryDirectory(prefix="qclif_infer_") as tmp:
        tmp = Path(tmp)
        banks = write_bank_images(tmp / "banks", weights, np_units)
        np.save(tmp / "inputs.npy", x)
        settings = InferSettings(weights_dir=weights_dir, inputs=tmp / "inputs.npy",
                                 out=tmp / "out.npz")
        with follow_progress(lambda: run_dir_for(name, simulator), progress):
            run(simulator, "qclif_network", sources("qclif_network"), "verif.qclif.infer_tb",
                parameters={"N": weights.n, "NP": np_units}, testcase="infer_sample",
                settings=settings, weights_dir=banks, run_name=name)
        with np.load(tmp / "out.npz") as data:
            return {"scores": data["scores"].astype(np.int64), "pred": int(data["pred"]),
                    "spikes": data["spikes"].astype(np.uint8),
                    "cycles": data["cycles"].astype(np.int64),
                    "synops": data["synops"].astype(np.int64),
                    "spikes_per_bin": data["spikes_per_bin"].astype(np.int64)}
