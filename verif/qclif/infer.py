"""``spikedv qclif infer``: run one sample through the qclif network on an engine.

    from verif.qclif.infer import infer
    out = infer("weights/qclif", inputs, engine="verilator")   # inputs (bins, 200) 0/1

Engines: "model" (model/qclif.py + model/qclif_schedule.py), "verilator", "icarus" (the
RTL top level qclif_network driven by the cocotb test ``infer_sample`` of this module,
which reads its paths from the environment and writes an npz). Every engine returns the
same keys: scores (11,) int64, pred int, spikes (bins, N) uint8, cycles (bins,) int64,
synops (bins,) int64, spikes_per_bin (bins,) int64. The simulator engines report what the
hardware produced (stream and counter registers), not the model.
"""
from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

import cocotb
import numpy as np

from model import qclif
from model.qclif_memory import check_np, load_weights_dir
from model.qclif_schedule import run_counters

ENGINES = ("model", "verilator", "icarus")
KEYS = ("scores", "pred", "spikes", "cycles", "synops", "spikes_per_bin")
DEFAULT_NP = 20


def default_np(n: int) -> int:
    """The largest divisor of N not above the RTL's default NP (20)."""
    return max(d for d in range(1, min(n, DEFAULT_NP) + 1) if n % d == 0)


def infer(weights_dir, inputs, engine: str = "model", np_units: int | None = None) -> dict:
    """One sample (bins, 200) through ``engine``; see the module docstring."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    weights, regs, _ = load_weights_dir(weights_dir)
    x = qclif.check_inputs(inputs)
    if x.ndim != 2:
        raise ValueError(f"inputs must be one sample (bins, 200), got shape {x.shape}")
    np_units = default_np(weights.n) if np_units is None else np_units
    check_np(weights.n, np_units)
    if engine == "model":
        return _infer_model(weights, regs, x, np_units)
    return _infer_sim(engine, Path(weights_dir), weights, x, np_units)


def _infer_model(weights, regs, x, np_units: int) -> dict:
    result = qclif.run(weights, regs, x)
    cnt = run_counters(result, x, np_units)
    return {"scores": np.asarray(result.scores, np.int64), "pred": int(result.pred),
            "spikes": np.asarray(result.spikes, np.uint8),
            "cycles": np.asarray(cnt["cycles"], np.int64),
            "synops": np.asarray(cnt["synops"], np.int64),
            "spikes_per_bin": np.asarray(cnt["spikes"], np.int64)}


def _infer_sim(simulator: str, weights_dir: Path, weights, x, np_units: int) -> dict:
    from verif.qclif.qclif_tb import SOURCES, write_bank_images
    from verif.sim import SIM_BUILD, rtl_sources, run

    # A fixed bank folder per (simulator, N, NP) keeps one cached build; the lock keeps
    # two runs from rewriting it under each other.
    banks = SIM_BUILD / "data" / f"qclif_infer_{simulator}_n{weights.n}_np{np_units}"
    lock_path = SIM_BUILD / "locks" / f"{banks.name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock, tempfile.TemporaryDirectory() as tmp:
        fcntl.flock(lock, fcntl.LOCK_EX)
        write_bank_images(banks, weights, np_units)
        np.save(Path(tmp) / "inputs.npy", x)
        out = Path(tmp) / "out.npz"
        run(simulator, "qclif_network", rtl_sources(*SOURCES), __name__,
            parameters={"N": weights.n, "NP": np_units, "WEIGHTS_DIR": f'"{banks}"'},
            testcase="infer_sample", run_name=f"qclif_infer_{simulator}",
            extra_env={"QCLIF_INFER_WEIGHTS": str(weights_dir),
                       "QCLIF_INFER_INPUTS": str(Path(tmp) / "inputs.npy"),
                       "QCLIF_INFER_OUT": str(out)})
        data = np.load(out)
        return {"scores": data["scores"].astype(np.int64), "pred": int(data["pred"]),
                "spikes": data["spikes"].astype(np.uint8),
                "cycles": data["cycles"].astype(np.int64),
                "synops": data["synops"].astype(np.int64),
                "spikes_per_bin": data["spikes_per_bin"].astype(np.int64)}


# ---- cocotb side -------------------------------------------------------------------
@cocotb.test(timeout_time=10_000, timeout_unit="ms")
async def infer_sample(dut):
    """Send the sample bin by bin with SPIKE_OUT; record each bin's spike vector and
    counter registers, then the scores and class. Writes $QCLIF_INFER_OUT."""
    from verif.qclif.qclif_tb import CYCLES, SPIKES, SYNOPS, QclifTb

    weights, regs, _ = load_weights_dir(os.environ["QCLIF_INFER_WEIGHTS"])
    x = np.load(os.environ["QCLIF_INFER_INPUTS"])
    tb = QclifTb(dut, weights)
    await tb.start(regs, spike_out=True)
    bins = len(x)
    spikes = np.zeros((bins, tb.n), np.uint8)
    counters = {"cycles": [], "synops": [], "spikes_per_bin": []}
    for t in range(bins):
        tb.drv.send(x[t], t == bins - 1)
        frame = await tb.sink.recv()
        bits = np.unpackbits(np.frombuffer(bytes(frame.tdata), np.uint8), bitorder="little")
        spikes[t] = bits[:tb.n]
        for key, addr in (("cycles", CYCLES), ("synops", SYNOPS), ("spikes_per_bin", SPIKES)):
            counters[key].append(await tb.read(addr))
    scores, pred = np.zeros(qclif.N_CLASSES, np.int64), 0   # the model's argmax of zeros
    if bins:
        words = np.frombuffer(bytes((await tb.sink.recv()).tdata), "<i4").astype(np.int64)
        scores, pred = words[:qclif.N_CLASSES], int(words[qclif.N_CLASSES])
    np.savez(os.environ["QCLIF_INFER_OUT"], scores=scores, pred=pred, spikes=spikes,
             **{k: np.asarray(v, np.int64) for k, v in counters.items()})


def build_parser(parser=None):
    """Arguments of ``spikedv qclif infer``."""
    import argparse

    p = parser or argparse.ArgumentParser(
        prog="spikedv qclif infer",
        description="Run one sample on the qclif model or RTL and save scores, "
                    "prediction, spikes and counters (.npz).")
    p.add_argument("--weights", required=True, help="weights folder (manifest.json + .hex)")
    p.add_argument("--input", required=True, help="(bins, 200) 0/1 .npy")
    p.add_argument("--engine", choices=ENGINES, default="model")
    p.add_argument("--out", required=True, help="output .npz")
    p.add_argument("--np", dest="np_units", type=int, default=None,
                   help="physical neuron units (default: largest divisor of N up to 20)")
    return p


def run_cli(args) -> int:
    """The command behind ``spikedv qclif infer``."""
    res = infer(args.weights, np.load(args.input), engine=args.engine, np_units=args.np_units)
    np.savez(args.out, **res)
    print(f"{args.engine}: {len(res['cycles'])} bins, class {res['pred']}, "
          f"{int(np.sum(res['cycles']))} cycles; wrote {args.out}")
    return 0
