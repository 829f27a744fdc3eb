"""cocotb module: run one sample through qclif_network and save what it produced.

Used by spikedv.engines.qclif (``spikedv qclif infer --engine icarus|verilator``); it
checks nothing itself (the caller compares with the model): QclifTb with ``check=False``
and a collector on the output monitor. Its inputs are an :class:`InferSettings`
(verif/settings.py); the per-unit bank images are preloaded at run time
(``+weights=DIR``). The sample goes in bin by bin with CTRL.SPIKE_OUT; each bin's spike
vector and counter registers are recorded, then the scores and the class.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cocotb
import numpy as np

from model import qclif
from model.errors import InputError
from model.qclif_memory import load_weights_dir
from verif.common.components import Collector
from verif.console import write_progress
from verif.qclif.checker import decode_scores, decode_spikes
from verif.qclif.qclif_tb import QclifTb
from verif.settings import context, load, record_input_error


@dataclass(frozen=True)
class InferSettings:
    weights_dir: Path    # manifest (registers) and logical images
    inputs: Path         # (bins, 200) 0/1 .npy
    out: Path            # .npz written at the end


@cocotb.test(timeout_time=10_000, timeout_unit="ms")
async def infer_sample(dut):
    """Send the sample bin by bin; write the settings' ``out``."""
    settings = load(InferSettings)
    try:
        weights, regs, _ = load_weights_dir(settings.weights_dir)
    except InputError as exc:
        record_input_error(exc)
        raise
    x = np.load(settings.inputs)
    run_dir = context().run_dir
    tb = QclifTb(dut, weights, check=False)
    packets = Collector(tb.out_mon)
    await tb.start(regs, spike_out=True)
    bins = len(x)
    spikes = np.zeros((bins, tb.n), np.uint8)
    counters = {"cycles": [], "synops": [], "spikes_per_bin": []}
    for t in range(bins):
        tb.driver.send(x[t], t == bins - 1)
        spikes[t] = decode_spikes((await packets.next()).data)[:tb.n]
        for key, reg in (("cycles", "CYCLES"), ("synops", "SYNOPS"),
                         ("spikes_per_bin", "SPIKES")):
            counters[key].append(await tb.regs.read(reg))
        if t % 10 == 9:
            write_progress(run_dir, t + 1, bins)
    scores, pred = np.zeros(qclif.N_CLASSES, np.int64), 0   # the model's argmax of zeros
    if bins:
        data = (await packets.next()).data
        decoded = decode_scores(data)
        if decoded is None:
            raise AssertionError(f"qclif_network: score packet of {len(data) // 4} beats, "
                                 "expected 12")
        scores, pred = decoded
    write_progress(run_dir, bins, bins)
    np.savez(settings.out, scores=scores, pred=pred, spikes=spikes,
             **{k: np.asarray(v, np.int64) for k, v in counters.items()})
