"""qclif_network top level against model/qclif.py and model/qclif_schedule.py: random
weights and inputs for NP = 1, a middle value and NP = N (N = 20) and the default N = 200;
samples back to back, lockstep (counters per bin) and streaming; TVALID gaps and TREADY
stalls; rst_n and CTRL.SAMPLE_RESET in the middle of a sample; g0 = 0 with no context;
weight-memory errors; the weight memories written and read back over the bus. The
register map itself (reset values, legal and illegal values, ERR, byte strobes, SLVERR)
is verified by the shared suite verif/common/test_registers.py.

Weights come from the pytest side: deterministic per configuration (seeded by its name,
so ``--seed`` replays exactly), written as a weights directory (manifest + logical hex,
read by the cocotb side) and as per-unit bank images (the RTL's $readmemh preload,
``+weights=DIR``, verif/qclif/scenarios.py). One build per (N, NP) serves every weight set.
"""
from __future__ import annotations

import cocotb
import numpy as np
import pytest
from cocotb.triggers import ClockCycles, SimTimeoutError, with_timeout

from model.qclif import QclifRegs, QclifWeights
from verif.common.tb import simulator_name
from verif.qclif.predictor import MAX_SAMPLE_BINS
from verif.qclif.qclif_tb import MEMORY_SEL, REGS, STATUS_BUSY, STATUS_IDLE, WMEM_CMD_CODE, QclifTb
from verif.qclif.scenarios import (CONFIGS, NetworkSettings, firing_stimulus, random_inputs,
                                   random_regs, settings_weights, write_config_weights)
from verif.settings import load


def _icarus() -> bool:
    return simulator_name() == "icarus"


def _weights() -> QclifWeights:
    return settings_weights(load(NetworkSettings))


def _scale() -> int:
    """Work per test: 2 (Icarus), 4 (Verilator), 12 (the long regression's own test,
    test_qclif_network_long; the default tests keep their size under --long)."""
    if load(NetworkSettings).long_run:
        return 12
    return 2 if _icarus() else 4


async def _guard(tb: QclifTb, coro, ms: float):
    try:
        return await with_timeout(coro, ms, "ms")
    except SimTimeoutError:
        tb.dump_state()
        raise


# ---- cocotb tests ------------------------------------------------------------------
@cocotb.test(timeout_time=200, timeout_unit="ms")
async def end_to_end(dut):
    """Samples lockstep (every counter per bin) then back to back (streaming), with
    random registers and input densities from silent to dense."""
    tb = QclifTb(dut, _weights())
    k = _scale()
    await tb.start(random_regs(tb.rng))
    tb.sb.check("ID", REGS.field("ID").resval, await tb.regs.read("ID"))
    tb.sb.check("N_NEURONS", tb.n, await tb.regs.read("N_NEURONS"))
    tb.sb.check("NP_UNITS", tb.np_units, await tb.regs.read("NP_UNITS"))
    bins = load(NetworkSettings).bins
    regs, x = firing_stimulus(tb.rng, tb.weights, bins)
    await tb.configure(regs)
    await _guard(tb, tb.run_sample(x), 100)
    for _ in range(k - 1):
        await tb.configure(random_regs(tb.rng))
        await _guard(tb, tb.run_sample(random_inputs(tb.rng, bins)), 100)
    await tb.configure(random_regs(tb.rng))
    samples = [random_inputs(tb.rng, int(tb.rng.integers(1, bins + 1))) for _ in range(1 + k)]
    await _guard(tb, tb.run_batch(samples), 100)
    # without SPIKE_OUT only the scores come out; counters still per bin
    await tb.set_ctrl(spike_out=False)
    await _guard(tb, tb.run_sample(random_inputs(tb.rng, 3)), 50)
    assert tb.model_spikes() > 0, "the stimulus never made the network fire"
    tb.finish(min_compared=20)


@cocotb.test(timeout_time=200, timeout_unit="ms")
async def backpressure(dut):
    """TVALID gaps and TREADY stalls (random and heavy), samples back to back."""
    tb = QclifTb(dut, _weights())
    await tb.start(random_regs(tb.rng))
    for gap, stall in ((0.5, 0.0), (0.0, 0.7), (0.3, 0.5), (0.8, 0.9)):
        tb.stalls(gap, stall)
        await tb.configure(random_regs(tb.rng))
        samples = [random_inputs(tb.rng, int(tb.rng.integers(1, 5))) for _ in range(2)]
        await _guard(tb, tb.run_batch(samples), 100)
    tb.stalls()
    tb.finish(min_compared=20)


@cocotb.test(timeout_time=200, timeout_unit="ms")
async def reset_mid_sample(dut):
    """rst_n in the middle of a sample (bins in flight; what came out before it is
    checked too), then CTRL.SAMPLE_RESET after some bins of another; each followed by a
    clean sample that must match a fresh run."""
    tb = QclifTb(dut, _weights())
    regs = random_regs(tb.rng)
    await tb.start(regs)
    for _ in range(2):
        tb.send(random_inputs(tb.rng, 4))
        await ClockCycles(tb.clk, int(tb.rng.integers(1, 40)))
        await tb.reset()
        await tb.configure(regs)            # registers are back at their reset values
        await tb.set_ctrl()
        await _guard(tb, tb.run_sample(random_inputs(tb.rng, 4)), 50)
    await _guard(tb, tb.run_sample(random_inputs(tb.rng, 3), tlast=False), 50)
    await tb.sample_reset()
    await _guard(tb, tb.run_sample(random_inputs(tb.rng, 4)), 50)
    tb.finish(min_compared=20)


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def g0_zero_never_fires(dut):
    """g0 = 0 and no context: no gain, so no neuron ever fires, whatever the input."""
    tb = QclifTb(dut, _weights())
    regs = QclifRegs(la=0, ls=0, g0=0, theta=1, si=0, sa=0, sd=0)
    await tb.start(regs)
    exp = await _guard(tb, tb.run_sample(random_inputs(tb.rng, 4, density=1.0)), 50)
    assert all(not e.spikes.any() for e in exp), "the model fired with g0 = 0"
    tb.finish(min_compared=10)


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def wmem_errors(dut):
    """qclif's weight-memory errors (the register map itself is verified by the shared
    suite verif/common/test_registers.py): WMEM_CMD with WMEM_SEL above 2 or
    WMEM_NEURON = N raises ERR.WMEM_ADDR, a merged WMEM_CMD word that is not a command
    (0x100: byte 1 strobed alone) does nothing, and a command while a bin computes raises
    ERR.WMEM_BUSY and leaves the weights as they were; that bin's outputs are checked
    once TREADY is released."""
    tb = QclifTb(dut, _weights())
    regs = random_regs(tb.rng)
    await tb.start(regs)
    await tb.regs.write("WMEM_SEL", 3)
    await tb.regs.write("WMEM_NEURON", 0)
    await tb.regs.write("WMEM_CMD", WMEM_CMD_CODE["read"])
    tb.sb.check("ERR after WMEM_SEL = 3", REGS.err_mask("WMEM_ADDR"), await tb.regs.read("ERR"))
    await tb.regs.write("ERR", 0x3FF)
    # byte 1 alone (the agent asserts BRESP = OKAY)
    await tb.regs.write("WMEM_CMD", WMEM_CMD_CODE["write"] << 8, strb=0b0010)
    tb.sb.check("ERR after WMEM_CMD <- 0x100 (not a command) with WMEM_SEL = 3", 0,
                await tb.regs.read("ERR"))
    await tb.regs.write("WMEM_SEL", MEMORY_SEL["win"])
    await tb.regs.write("WMEM_NEURON", tb.n)
    await tb.regs.write("WMEM_CMD", WMEM_CMD_CODE["write"])
    tb.sb.check("ERR after WMEM_NEURON = N", REGS.err_mask("WMEM_ADDR"), await tb.regs.read("ERR"))
    await tb.regs.write("ERR", 0x3FF)
    # a weight access while a bin computes is refused (and the weights stay)
    await tb.configure(regs)
    tb.out_mon.hold(True)                                  # output stalled: stays busy
    tb.send(random_inputs(tb.rng, 1))
    while not await tb.regs.read("STATUS") & STATUS_BUSY:
        pass
    await tb.regs.write("WMEM_NEURON", 0)
    await tb.regs.write("WMEM_CMD", WMEM_CMD_CODE["write"])
    tb.sb.check("ERR after WMEM_CMD while busy", REGS.err_mask("WMEM_BUSY"),
                await tb.regs.read("ERR"))
    tb.sb.check("STATUS while busy", STATUS_BUSY, await tb.regs.read("STATUS"))
    tb.out_mon.hold(False)
    await _guard(tb, tb.check_counters(), 10)              # spikes, scores, counters
    tb.sb.check("STATUS idle", STATUS_IDLE, await tb.regs.read("STATUS"))
    await tb.check_readback(neurons=[0])
    tb.finish(min_compared=8)


@cocotb.test(timeout_time=500, timeout_unit="ms")
async def weights_over_bus(dut):
    """Every row of the three memories written over the bus and read back, then samples
    run on the bus-loaded weights (the build has no preload)."""
    tb = QclifTb(dut, _weights())
    await tb.start(random_regs(tb.rng))
    new = QclifWeights.random(tb.rng, tb.n, density=float(tb.rng.uniform(0.2, 0.8)))
    await tb.load_over_bus(new)
    await tb.check_readback()
    await tb.configure(random_regs(tb.rng))
    await _guard(tb, tb.run_sample(random_inputs(tb.rng, 5)), 50)
    # rewrite a few rows between samples (idle) and run again
    picks = tb.rng.choice(tb.n, size=min(3, tb.n), replace=False)
    await tb.load_over_bus(QclifWeights.random(tb.rng, tb.n), neurons=picks)
    await tb.check_readback(neurons=picks)
    await _guard(tb, tb.run_sample(random_inputs(tb.rng, 4)), 50)
    tb.finish(min_compared=3 * tb.n + 10)


@cocotb.test(timeout_time=20_000, timeout_unit="ms")
async def sample_len(dut):
    """ERR.SAMPLE_LEN: clear after 65,535 bins of one sample, set by the 65,536th. The
    bins go in one by one through the driver and the input monitor; the predictor counts
    the silent ones without the model (``skip_silent``: all-zero bins on a silent state
    stay silent) and checks the bin that crosses the limit."""
    tb = QclifTb(dut, _weights())
    await tb.start(QclifRegs(), spike_out=False)
    zero = np.zeros((MAX_SAMPLE_BINS, 200), np.uint8)
    tb.predictor.skip_silent = True
    tb.send(zero, tlast=False)
    while tb.driver.sent < MAX_SAMPLE_BINS:
        await ClockCycles(tb.clk, 2000)
    await tb.wait_bins(MAX_SAMPLE_BINS)
    tb.predictor.skip_silent = False
    tb.sb.check(f"ERR after {MAX_SAMPLE_BINS} bins", tb.predictor.expected_err(),
                await tb.regs.read("ERR"))
    await tb.run_sample(zero[:1], tlast=False)              # counters checked
    tb.sb.check(f"ERR after {MAX_SAMPLE_BINS + 1} bins", REGS.err_mask("SAMPLE_LEN"),
                tb.predictor.expected_err())
    tb.sb.check(f"ERR after {MAX_SAMPLE_BINS + 1} bins", tb.predictor.expected_err(),
                await tb.regs.read("ERR"))
    tb.finish(min_compared=8)


# ---- pytest ------------------------------------------------------------------------
def _run(cocotb_run, tmp_path, name, testcases, preload=True, long_run=False):
    n, np_units, bins = CONFIGS[name]
    folder = write_config_weights(name, tmp_path / "weights", preload)
    cocotb_run("qclif_network", __name__, parameters={"N": n, "NP": np_units},
               testcase=testcases, weights_dir=folder if preload else None,
               settings=NetworkSettings(weights_dir=folder, bins=bins, long_run=long_run))


SMALL_TESTS = ["end_to_end", "backpressure", "reset_mid_sample", "g0_zero_never_fires"]


@pytest.mark.parametrize("name", ["n20_np1", "n20_np4", "n20_np20"])
def test_qclif_network(cocotb_run, simulator, tmp_path, name):
    _run(cocotb_run, tmp_path, name, SMALL_TESTS)


def test_qclif_network_n200(cocotb_run, simulator, tmp_path):
    _run(cocotb_run, tmp_path, "n200_np20", ["end_to_end"])


def test_qclif_network_registers(cocotb_run, simulator, tmp_path):
    _run(cocotb_run, tmp_path, "n20_np4", ["wmem_errors"])
    _run(cocotb_run, tmp_path / "bus", "n20_np4", ["weights_over_bus"], preload=False)


@pytest.mark.long
@pytest.mark.parametrize("name", ["n20_np1", "n20_np4", "n20_np20", "n200_np20"])
def test_qclif_network_long(cocotb_run, simulator, tmp_path, name):
    if simulator == "icarus":
        # Icarus runs the same checks at a fraction of the speed; the default tests
        # cover it there.
        pytest.skip("the long network regression runs on Verilator")
    _run(cocotb_run, tmp_path, name, SMALL_TESTS, long_run=True)


@pytest.mark.long
def test_qclif_network_sample_len(cocotb_run, simulator, tmp_path):
    if simulator != "verilator":
        pytest.skip("65,536 bins: Verilator only")
    _run(cocotb_run, tmp_path, "n20_np20", ["sample_len"])
