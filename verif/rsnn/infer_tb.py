"""cocotb module: run one whole utterance through rsnn_accel and save what it produced.

Used by the rsnn engines (spikedv.engines.rsnn, ``spikedv rsnn infer --engine
icarus|verilator``) and the benchmark; it checks nothing itself (the caller compares with
the model). Its inputs are an :class:`InferSettings` (verif/settings.py); the weights are
preloaded at run time from the same folder (``+weights=DIR``).

Counter modes: ``frame`` (default) reads the 15 counters over AXI-Lite after every frame
and sends the next frame only then (counters are latched per frame, so a queued frame
would overwrite them); ``none`` queues all frames back to back with no register reads
(the counter keys are then absent; used to time the stream alone).

The DUT is rsnn_accel inside verif/rsnn/hdl/rsnn_stream_harness.v: the harness's HDL moves
the ~12 + 49 + 2T stream beats of a frame, and RsnnTb's frame-level endpoints
(verif.common.stream) wake Python about three times per frame (plus the counter reads),
never per beat or per clock. The counter reads of a frame are issued together (the
AXI-Lite master pipelines them). Progress (frames done) goes to the run folder's
``progress.json`` (verif/console.py).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import SimTimeoutError, with_timeout
from cocotb.utils import get_sim_time

from model.errors import InputError
from model.rsnn_memory import load_weights_dir
from model.rsnn_schedule import COUNTER_NAMES
from verif.common.components import Collector
from verif.common.tb import CLOCK_PERIOD_NS
from verif.console import write_progress
from verif.rsnn.checker import decode_scores, decode_spikes
from verif.rsnn.rsnn_tb import RsnnTb
from verif.settings import context, load, record_input_error

N_SCORE_WORDS = 49
COUNTER_MODES = ("frame", "none")


@dataclass(frozen=True)
class InferSettings:
    weights_dir: Path          # manifest registers and the preloaded images
    features: Path             # (frames, 40|48) uint8 .npy
    out: Path                  # .npz written at the end
    T: int | None = None       # overrides the manifest's T
    counters: str = "frame"    # COUNTER_MODES
    stats: Path | None = None  # optional JSON: loop wall and CPU time, simulated cycles
    schedule: str = "paper"    # SCHEDULE register (docs/rsnn.md)


# A frame takes at most ~1600 cycles plus its transfers; a step of the run (one frame
# taken, or one frame's outputs) that needs more than this means the DUT is stuck.
STEP_LIMIT_NS = 10_000 * CLOCK_PERIOD_NS


async def _within(step, what: str, tb: RsnnTb):
    """Await ``step``; a stuck DUT fails the run here, naming the step, instead of
    simulating on until the test's overall time limit."""
    try:
        return await with_timeout(step, STEP_LIMIT_NS, "ns")
    except SimTimeoutError:
        tb.dump_state()
        raise AssertionError(f"rsnn_accel: {what} did not happen within "
                             f"{STEP_LIMIT_NS // CLOCK_PERIOD_NS} cycles") from None


async def _read_counters(tb: RsnnTb) -> list[int]:
    tasks = [cocotb.start_soon(tb.regs.read("COUNTERS", index=name)) for name in COUNTER_NAMES]
    return [await t for t in tasks]


def _inputs(settings: InferSettings):
    weights, config, _ = load_weights_dir(settings.weights_dir)
    if settings.T is not None:
        config.T = int(settings.T)
    if settings.counters not in COUNTER_MODES:
        raise ValueError(f"counters={settings.counters!r}, expected one of {COUNTER_MODES}")
    return weights, config, np.load(settings.features)


@cocotb.test(timeout_time=1000, timeout_unit="sec")
async def infer(dut):
    """Run the utterance of the settings' features and write their ``out``."""
    settings = load(InferSettings)
    try:
        weights, config, features = _inputs(settings)
    except InputError as exc:
        record_input_error(exc)
        raise
    mode = settings.counters
    n, T = len(features), config.T
    run_dir = context().run_dir

    tb = RsnnTb(dut, weights, harness=True, check=False)
    score_packets, spike_packets = Collector(tb.score_mon), Collector(tb.spike_mon)
    await tb.start(config, tap=True, schedule=settings.schedule)
    scores = np.zeros((n, 48), np.int32)
    pred = np.zeros(n, np.int64)
    spikes0 = np.zeros((n, T, 128), np.uint8)
    spikes1 = np.zeros((n, T, 128), np.uint8)
    counters = np.zeros((n, len(COUNTER_NAMES)), np.int64)

    async def collect(f: int) -> None:
        data = (await _within(score_packets.next(), f"frame {f} score packet", tb)).data
        decoded = decode_scores(data)
        if decoded is None:
            raise AssertionError(f"rsnn_accel frame {f}: score packet of {len(data) // 4} "
                                 f"words, expected 49")
        scores[f], pred[f] = decoded
        data = (await _within(spike_packets.next(), f"frame {f} spike-tap packet", tb)).data
        decoded = decode_spikes(data, T)
        if decoded is None:
            raise AssertionError(f"rsnn_accel frame {f}: spike-tap packet of "
                                 f"{len(data) // 16} beats, expected {2 * T}")
        spikes0[f], spikes1[f] = decoded

    t0_sim, t0_wall, t0_cpu = get_sim_time("ns"), time.perf_counter(), time.process_time()
    last_report = t0_wall
    if mode == "frame":
        for f, x in enumerate(features):
            await _within(tb.driver.send(x, first=(f == 0)), f"frame {f} input", tb)
            await collect(f)
            counters[f] = await _read_counters(tb)
            if time.perf_counter() - last_report > 0.5:
                write_progress(run_dir, f + 1, n)
                last_report = time.perf_counter()
    else:
        for f, x in enumerate(features):
            await _within(tb.driver.send(x, first=(f == 0)), f"frame {f} input", tb)
        for f in range(n):
            await collect(f)
    wall = time.perf_counter() - t0_wall
    cpu = time.process_time() - t0_cpu  # simulator + Python: one process, one thread
    sim_cycles = int(round((get_sim_time("ns") - t0_sim) / CLOCK_PERIOD_NS))
    write_progress(run_dir, n, n)

    out = {"scores": scores, "pred": pred, "spikes0": spikes0, "spikes1": spikes1}
    if mode == "frame":
        out.update({name: counters[:, i] for i, name in enumerate(COUNTER_NAMES)})
        out["cycles"] = counters[:, COUNTER_NAMES.index("cyc_total")]
    np.savez(settings.out, **out)
    if settings.stats is not None:
        Path(settings.stats).write_text(json.dumps(
            {"frames": n, "T": T, "counters": mode, "loop_wall_s": wall, "loop_cpu_s": cpu,
             "sim_cycles": sim_cycles}))
    tb.log.info("infer: %d frames T=%d in %.3f s wall, %d simulated cycles", n, T, wall,
                sim_cycles)
