"""qclif_network corners that random stimulus does not reach, by construction, checked
against model/qclif.py and model/qclif_schedule.py like every other network test:

- ``saturated_and_dense_bins``: a bin in which every neuron spikes, then bins in which
  all but a few do (covergroups ``qclif.bin.spike_density`` and
  ``qclif.bin.context_density``, bins "saturated" and "dense", and their cross with NP),
  for NP = 1, a middle value and NP = N;
- ``weights_complemented``: every weight of every memory rewritten over the bus as its
  bitwise complement (int8 ``~w``), a sample checked, then the originals back and a
  sample checked: every stored bit is written both ways and read by the datapath both
  ways (the P = 1 builds, N = 2 and N = 20, whose one-row banks are otherwise written
  once at preload);
- ``register_extremes``: samples under the upper halves of the legal ranges of the
  leaks (la, ls 128..255) and shifts (si, sa 8..15), and under the maxima (255, 15),
  which random registers never draw (covergroups ``qclif.config.leak`` and
  ``qclif.config.shift``); every bin checked against the model;
- ``counters_wrap``: BINS and SAMPLE_CYCLES are 32-bit and wrap (docs/qclif.md
  "Clarifications"); reaching their upper bits would take 2^32 bins or cycles, so the
  controller's bin counter and sample accumulator are preloaded near the top through
  the simulator (QclifTb.preload_counters: the backdoor writes of the suite, which tell
  the predictor the same values), and the next bins are checked as usual: BINS wraps to 0, a sample's
  SAMPLE_CYCLES reads 0xFFFFFFxx, the next sample's reads small again;
- ``err_clear_race``: a write to ERR in the very cycle the 65,536th bin raises
  SAMPLE_LEN leaves the flag set (docs/registers_qclif.md, ERR is RW1C: a flag raised in
  the cycle of a clearing write stays set). The bin count is preloaded (backdoor) one
  short of the limit; with TVALID held high the bins start at a fixed cadence, and a
  write of 0 to ERR is issued at each offset from 6 cycles before to 6 after TVALID
  rises in turn, so one of them lands in the flag's cycle; ERR must read SAMPLE_LEN set
  after every one;
- ``sample_len``: a sample of 65,536 bins raises ERR.SAMPLE_LEN (covergroup
  ``qclif.regs.error``) in the default run: on a network of N = NP = 2 (P = 1, 4 cycles
  per bin, and the cheapest design to simulate per cycle) the bulk of the bins is
  streamed with TVALID held high and the input monitor paused (no Python await per
  bin; the predictor is told how many silent bins went by, QclifTb.stream_zero_bins),
  the last ones through the monitor and the predictor like any other bins: about 260k
  cycles, a few seconds on either simulator. The same check at N = 20, bin by bin,
  stays in test_qclif_network.py (long).

saturated_and_dense_bins uses the builds and preloaded weights of test_qclif_network.py's
configurations (no extra build); sample_len has its own small build.
"""
from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.triggers import ClockCycles

from model import qclif
from model.qclif import QclifRegs, QclifWeights
from verif.qclif.predictor import MAX_SAMPLE_BINS
from verif.qclif.qclif_tb import REGS, QclifTb
from verif.qclif.scenarios import (CONFIGS, NetworkSettings, random_inputs, settings_weights,
                                   write_config_weights)
from verif.settings import load


def _weights() -> QclifWeights:
    return settings_weights(load(NetworkSettings))


# ---- cocotb tests ------------------------------------------------------------------
async def _write_win_rows(tb: QclifTb, win: np.ndarray, neurons) -> None:
    """Win columns of ``neurons`` over the bus; they become the predictor's weights."""
    weights = tb.weights.copy()
    weights.win = win
    await tb.load_over_bus(weights, neurons=neurons, memories=("win",))


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def saturated_and_dense_bins(dut):
    """Every neuron spikes in a bin, then all but a few, by construction (docs/qclif.md
    "Neuron"). Every Win row is rewritten over the bus with excitatory weights 1..127:
    on a bin with all 200 inputs, si = 0 gives Is = 127 (sum >= 200); g0 = 255 gives
    g >= 255, and with sd <= 6, D >= 127 * 255 >> 6 = 506 > 255 + ls, so V' clamps to
    255 >= theta for any theta: the bin is "saturated", and the next bins read a
    saturated context. A second sample, after k = 1..6 of the 20 rows were rewritten
    inhibitory (-128..-1: Is < 0, so D < 0 and V stays 0), fires exactly the other
    neurons on every all-ones bin: density (20 - k) / 20, "dense". Spikes, scores,
    prediction and counters of every bin are checked."""
    tb = QclifTb(dut, _weights())
    regs = QclifRegs(la=int(tb.rng.integers(0, 16)), ls=int(tb.rng.integers(0, 16)), g0=255,
                     theta=int(tb.rng.integers(1, 256)), si=0,
                     sa=int(tb.rng.integers(0, 16)), sd=int(tb.rng.integers(0, 7)))
    await tb.start(regs)
    ones = np.ones(qclif.N_INPUTS, np.uint8)
    win = tb.rng.integers(1, 128, size=(qclif.N_INPUTS, tb.n)).astype(np.int8)
    await _write_win_rows(tb, win, range(tb.n))
    await tb.check_readback(neurons=[0, tb.n - 1])
    x = np.stack([ones, ones, random_inputs(tb.rng, 1, density=0.3)[0], ones])
    exp = await tb.run_sample(x)
    # The stimulus must reach its corner, or the coverage hole would silently return.
    assert all(exp[t].spikes.all() for t in (0, 1, 3)), \
        "the construction did not make every neuron fire on an all-ones bin"
    silenced = tb.rng.choice(tb.n, size=int(tb.rng.integers(1, 7)), replace=False)
    win[:, silenced] = tb.rng.integers(-128, 0, size=(qclif.N_INPUTS, len(silenced)))
    await _write_win_rows(tb, win, silenced)
    firing = np.ones(tb.n, np.uint8)
    firing[silenced] = 0
    exp = await tb.run_sample(np.stack([ones, ones, ones]))
    assert all(np.array_equal(e.spikes, firing) for e in exp), \
        f"the construction did not fire exactly the neurons other than {sorted(silenced)}"
    tb.finish(min_compared=7 * 4 + 8)


@cocotb.test(timeout_time=200, timeout_unit="ms")
async def weights_complemented(dut):
    """Every weight rewritten as ``~w`` over the bus and read back, a sample checked
    against the model on those weights, then the original weights again, read back and
    a sample checked (docs/qclif.md "Weight memories")."""
    tb = QclifTb(dut, _weights())
    original = tb.weights.copy()
    await tb.start(QclifRegs(la=1, ls=1, g0=64, theta=32, si=2, sa=2, sd=4))
    complement = QclifWeights(win=~original.win, wctx=~original.wctx, wout=~original.wout)
    for weights in (complement, original):
        await tb.load_over_bus(weights)
        await tb.check_readback()
        await tb.run_sample(random_inputs(tb.rng, 3, density=0.3))
    tb.finish(min_compared=2 * (3 + 3 * tb.n))


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def register_extremes(dut):
    """The leaks and shifts at the top of their legal ranges (docs/registers_qclif.md):
    first the maxima (la = ls = 255, si = sa = 15), then random values of the upper
    halves, then upper-half leaks with zero shifts and dense input so that the large
    leaks act on a membrane that is not empty; each sample's spikes, scores, prediction
    and counters checked bin by bin against the model."""
    tb = QclifTb(dut, _weights())
    top = QclifRegs(la=255, ls=255, g0=255, theta=1, si=15, sa=15, sd=0)
    await tb.start(top)
    await tb.run_sample(random_inputs(tb.rng, 3, density=1.0))
    for _ in range(2):
        await tb.configure(QclifRegs(
            la=int(tb.rng.integers(128, 256)), ls=int(tb.rng.integers(128, 256)),
            g0=int(tb.rng.integers(1, 256)), theta=int(tb.rng.integers(1, 64)),
            si=int(tb.rng.integers(8, 16)), sa=int(tb.rng.integers(8, 16)),
            sd=int(tb.rng.integers(0, 4))))
        await tb.run_sample(random_inputs(tb.rng, 3))
    await tb.configure(QclifRegs(la=int(tb.rng.integers(128, 256)),
                                 ls=int(tb.rng.integers(128, 256)), g0=255, theta=1,
                                 si=0, sa=0, sd=0))
    await tb.run_sample(random_inputs(tb.rng, 3, density=1.0))
    tb.finish(min_compared=12 * 3)


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def counters_wrap(dut):
    """BINS wraps from 2^32 - 1 to 0; SAMPLE_CYCLES holds the sample's cycles modulo
    2^32. The DUT's counters (qclif_ctrl's bins_done and sample_acc) and the predictor's
    are preloaded in the middle of a sample, between two bins; every later bin's
    counters are checked against the predictor's."""
    tb = QclifTb(dut, _weights())
    await tb.start(QclifRegs(la=1, ls=1, g0=64, theta=32, si=2, sa=2, sd=4))
    await tb.run_sample(random_inputs(tb.rng, 2, density=0.5), tlast=False)
    await tb.wait_idle()
    bins = (1 << 32) - 2
    await tb.preload_counters(bins=bins, sample_cycles_so_far=(1 << 32) - 0x100)
    tb.sb.check("BINS after the preload", bins, await tb.regs.read("BINS"))
    exp = await tb.run_sample(random_inputs(tb.rng, 4, density=0.5))
    tb.sb.check("the preloaded sample's SAMPLE_CYCLES has its upper 24 bits set", True,
                exp[-1].sample_cycles >> 8 == 0xFFFFFF)
    tb.sb.check("BINS wrapped", True, exp[-1].bins < 4)
    await tb.run_sample(random_inputs(tb.rng, 2, density=0.5))
    tb.sb.check("BINS after the next sample", tb.predictor.bins, await tb.regs.read("BINS"))
    tb.finish(min_compared=12)


async def _after(clk, cycles: int, action) -> None:
    if cycles:
        await ClockCycles(clk, cycles)
    await action


HOLD_AT = 6   # err_clear_race: cycle at which TVALID rises; the write goes 6 before .. 6 after


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def err_clear_race(dut):
    """ERR written (with 0: clearing nothing) at each cycle offset around the start of
    the 65,536th bin of a sample: SAMPLE_LEN reads set after every attempt, also when
    the write and the flag fall in one cycle."""
    tb = QclifTb(dut, _weights())
    await tb.start(QclifRegs(), spike_out=False)
    zero = np.zeros(qclif.N_INPUTS, np.uint8)
    for delay in range(2 * HOLD_AT + 1):
        await tb.run_sample(zero[None, :], tlast=False)   # a sample's first bin
        await tb.wait_idle()
        await tb.preload_counters(sample_bins=MAX_SAMPLE_BINS)   # 65,535 bins started
        writer = cocotb.start_soon(_after(tb.clk, delay, tb.regs.write("ERR", 0)))
        await ClockCycles(tb.clk, HOLD_AT)
        tb.in_mon.pause()
        tb.driver.hold(zero)            # the next bin, the 65,536th, starts at once
        await writer
        await ClockCycles(tb.clk, 8)
        await tb.driver.release()
        await tb.wait_idle()
        tb.in_mon.resume()
        tb.predictor.skip_zero_bins(await tb.regs.read("BINS") - tb.predictor.bins)
        tb.sb.check(f"ERR after a write of 0 issued {delay - HOLD_AT:+d} cycles from the "
                    "65,536th bin's TVALID", REGS.err_mask("SAMPLE_LEN"),
                    await tb.regs.read("ERR"))
        await tb.run_sample(zero[None, :])                 # ends the over-long sample
        await tb.regs.write("ERR", REGS.err_mask("SAMPLE_LEN"))
        tb.sb.check("ERR after its RW1C clear", 0, await tb.regs.read("ERR"))
    tb.finish(min_compared=26)


@cocotb.test(timeout_time=50, timeout_unit="ms")
async def sample_len(dut):
    """ERR.SAMPLE_LEN: clear after 65,535 bins of one sample, set by the 65,536th; the
    counters of the bins around the limit follow the schedule model; the sample's end
    (TLAST) still sends its 12 score beats (values not defined), and the next sample
    starts clean and matches the model."""
    tb = QclifTb(dut, _weights())
    await tb.start(QclifRegs(), spike_out=False)
    done = await tb.stream_zero_bins(MAX_SAMPLE_BINS - 48)
    tb.log.info("%d bins streamed with TVALID held high", done)
    tb.sb.check("streamed bins stay below the limit", True, 0 < done < MAX_SAMPLE_BINS)
    tb.sb.check(f"ERR after {done} bins", 0, await tb.regs.read("ERR"))
    zero = np.zeros((MAX_SAMPLE_BINS - done, qclif.N_INPUTS), np.uint8)
    # the last bins below the limit: streamed, the last one's counters checked
    await tb.run_sample(zero, lockstep=False, tlast=False)
    tb.sb.check(f"ERR after {MAX_SAMPLE_BINS} bins", 0, await tb.regs.read("ERR"))
    await tb.run_sample(zero[:1], tlast=False)            # the 65,536th: counters checked
    tb.sb.check(f"SAMPLE_LEN expected after {MAX_SAMPLE_BINS + 1} bins",
                REGS.err_mask("SAMPLE_LEN"), tb.predictor.expected_err())
    tb.sb.check(f"ERR after {MAX_SAMPLE_BINS + 1} bins", tb.predictor.expected_err(),
                await tb.regs.read("ERR"))
    # ends the over-long sample: 12 score beats, TUSER 0 (values not defined)
    await tb.run_sample(zero[:1])
    await tb.regs.write("ERR", REGS.err_mask("SAMPLE_LEN"))   # RW1C
    await tb.set_ctrl(spike_out=True)
    await tb.configure(QclifRegs(la=1, ls=1, g0=64, theta=32, si=2, sa=2, sd=4))
    await tb.run_sample(random_inputs(tb.rng, 3, density=0.5))
    tb.sb.check("ERR after a 3-bin sample that followed", tb.predictor.expected_err(),
                await tb.regs.read("ERR"))
    tb.finish(min_compared=20)


# ---- pytest ------------------------------------------------------------------------
def _run(cocotb_run, tmp_path, name, testcase):
    n, np_units, _ = CONFIGS[name]
    folder = write_config_weights(name, tmp_path / "weights")
    cocotb_run("qclif_network", __name__, parameters={"N": n, "NP": np_units},
               testcase=testcase, weights_dir=folder,
               settings=NetworkSettings(weights_dir=folder))


@pytest.mark.parametrize("name", ["n20_np1", "n20_np4", "n20_np20"])
def test_qclif_saturated_and_dense_bins(cocotb_run, simulator, tmp_path, name):
    _run(cocotb_run, tmp_path, name, "saturated_and_dense_bins")


@pytest.mark.parametrize("name", ["corners_n2_np2", "n20_np20"])
def test_qclif_weights_complemented(cocotb_run, simulator, tmp_path, name):
    _run(cocotb_run, tmp_path, name, "weights_complemented")


def test_qclif_register_extremes(cocotb_run, simulator, tmp_path):
    _run(cocotb_run, tmp_path, "n20_np4", "register_extremes")


def test_qclif_counters_wrap(cocotb_run, simulator, tmp_path):
    _run(cocotb_run, tmp_path, "corners_n2_np2", "counters_wrap")


def test_qclif_err_clear_race(cocotb_run, simulator, tmp_path):
    _run(cocotb_run, tmp_path, "corners_n2_np2", "err_clear_race")


def test_qclif_sample_len(cocotb_run, simulator, tmp_path):
    _run(cocotb_run, tmp_path, "corners_n2_np2", "sample_len")
