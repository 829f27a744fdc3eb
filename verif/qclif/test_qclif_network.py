"""qclif_network top level against model/qclif.py and model/qclif_schedule.py: random
weights and inputs for NP = 1, a middle value and NP = N (N = 20) and the default N = 200;
samples back to back, lockstep (counters per bin) and streaming; TVALID gaps and TREADY
stalls; rst_n and CTRL.SAMPLE_RESET in the middle of a sample; g0 = 0 with no context;
illegal registers; the weight memories written and read back over the bus.

Weights come from the pytest side: deterministic per configuration (seeded by its name,
so ``--seed`` replays exactly), written as a weights directory (manifest + logical hex,
read by the cocotb side) and as per-unit bank images (the RTL's $readmemh preload,
WEIGHTS_DIR). One folder per configuration and simulator keeps the build cached and two
pytest workers apart.
"""
from __future__ import annotations

import os
import zlib
from pathlib import Path

import cocotb
import numpy as np
import pytest
from cocotb.triggers import ClockCycles, SimTimeoutError, with_timeout

from model.qclif import QclifRegs, QclifWeights
from model.qclif_memory import load_weights_dir, write_weights_dir
from verif.common.tb import simulator_name
from verif.qclif.qclif_fcov import sample_error
from verif.qclif.qclif_tb import (CTRL, ERR, ERR_BIT, ID, ID_VALUE, N_NEURONS, NP_UNITS,
                                  REG_ADDR, STATUS, WMEM_CMD, WMEM_NEURON, WMEM_SEL,
                                  SOURCES, QclifTb, random_inputs, random_regs, write_bank_images)
from verif.sim import SIM_BUILD, rtl_sources



def _icarus() -> bool:
    return simulator_name() == "icarus"


def _weights() -> QclifWeights:
    weights, _, _ = load_weights_dir(os.environ["QCLIF_WEIGHTS_DIR"])
    return weights


def _scale() -> int:
    """Work per test: 2 (Icarus), 4 (Verilator), 12 (long regression)."""
    if os.environ.get("QCLIF_LONG", "0") == "1":
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
    assert await tb.read(ID) == ID_VALUE
    assert await tb.read(N_NEURONS) == tb.n and await tb.read(NP_UNITS) == tb.np_units
    bins = int(os.environ.get("QCLIF_BINS", "6"))
    for _ in range(k):
        await tb.configure(random_regs(tb.rng))
        await _guard(tb, tb.run_sample(random_inputs(tb.rng, bins)), 100)
    await tb.configure(random_regs(tb.rng))
    samples = [random_inputs(tb.rng, int(tb.rng.integers(1, bins + 1))) for _ in range(1 + k)]
    await _guard(tb, tb.run_batch(samples), 100)
    # without SPIKE_OUT only the scores come out; counters still per bin
    await tb.set_ctrl(spike_out=False)
    await _guard(tb, tb.run_sample(random_inputs(tb.rng, 3)), 50)
    assert tb.model_spikes > 0, "the stimulus never made the network fire"
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
    """rst_n in the middle of a sample (bins in flight), then CTRL.SAMPLE_RESET after
    some bins of another; each followed by a clean sample that must match a fresh run."""
    tb = QclifTb(dut, _weights())
    regs = random_regs(tb.rng)
    await tb.start(regs)
    for x in range(2):
        for t in range(4):
            tb.drv.send(random_inputs(tb.rng, 1)[0], t == 3)
        await ClockCycles(tb.clk, int(tb.rng.integers(1, 40)))
        await tb.pulse_reset()
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
    assert all(not e["spikes"].any() for e in exp), "the model fired with g0 = 0"
    tb.finish(min_compared=10)


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def illegal_registers(dut):
    """Illegal values set their ERR bit and leave the register; ERR is RW1C; unmapped
    and read-only addresses answer SLVERR; WMEM_CMD out of range or while busy."""
    tb = QclifTb(dut, _weights())
    regs = random_regs(tb.rng)
    await tb.start(regs)
    illegal = {"la": [256, 1000, 0xFFFFFFFF], "ls": [256, 0x80000000], "g0": [256, 511],
               "theta": [0, 256, 0xFFFF], "si": [16, 255], "sa": [16, 0x10000],
               "sd": [16, 31]}
    for name, values in illegal.items():
        for v in values:
            await tb.write(REG_ADDR[name], v)
            err = await tb.read(ERR)
            if tb.sb.check(f"ERR after {name} = {v:#x}", 1 << ERR_BIT[name], err):
                sample_error(name)
            tb.sb.check(f"{name} after illegal {v:#x}", getattr(regs, name),
                        await tb.read(REG_ADDR[name]))
            await tb.write(ERR, err)                       # RW1C
            tb.sb.check(f"ERR cleared after {name}", 0, await tb.read(ERR))
    for name, addr in REG_ADDR.items():                    # the extremes are legal
        lo, hi = (1, 255) if name == "theta" else (0, 15 if name[0] == "s" else 255)
        for v in (lo, hi):
            await tb.write(addr, v)
            tb.sb.check(f"{name} = {v}", v, await tb.read(addr))
    tb.sb.check("ERR after legal writes", 0, await tb.read(ERR))
    await tb.write(0x0FC, 1, expect_error=True)            # unmapped
    await tb.read(0x0FC, expect_error=True)
    await tb.write(STATUS, 1, expect_error=True)           # read-only
    await tb.write(WMEM_SEL, 3)
    await tb.write(WMEM_NEURON, 0)
    await tb.write(WMEM_CMD, 2)
    if tb.sb.check("ERR after WMEM_SEL = 3", 1 << ERR_BIT["WMEM_ADDR"], await tb.read(ERR)):
        sample_error("WMEM_ADDR")
    await tb.write(ERR, 0x3FF)
    await tb.write(WMEM_SEL, 0)
    await tb.write(WMEM_NEURON, tb.n)
    await tb.write(WMEM_CMD, 1)
    tb.sb.check("ERR after WMEM_NEURON = N", 1 << ERR_BIT["WMEM_ADDR"], await tb.read(ERR))
    await tb.write(ERR, 0x3FF)
    # a weight access while a bin computes is refused (and the weights stay)
    await tb.configure(regs)
    tb.stalls(0.0, 1.0)                                    # output stalled: stays busy
    tb.drv.send(random_inputs(tb.rng, 1)[0], True)
    while not await tb.read(STATUS) & 1:
        pass
    await tb.write(WMEM_NEURON, 0)
    await tb.write(WMEM_CMD, 1)
    if tb.sb.check("ERR after WMEM_CMD while busy", 1 << ERR_BIT["WMEM_BUSY"],
                   await tb.read(ERR)):
        sample_error("WMEM_BUSY")
    tb.sb.check("STATUS while busy", 1, await tb.read(STATUS))
    tb.stalls()
    await tb.wait_bins(1)
    while tb.sink.count() < 2:
        await ClockCycles(tb.clk, 10)
    tb.sink.clear()
    tb.sb.check("STATUS idle", 2, await tb.read(STATUS))
    await tb.check_readback(neurons=[0])
    tb.finish(min_compared=40)


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
    """ERR.SAMPLE_LEN: clear after 65,535 bins of one sample, set by the 65,536th."""
    tb = QclifTb(dut, _weights())
    await tb.start(QclifRegs(), spike_out=False)
    zero = np.zeros(200, np.uint8)
    for _ in range(65535):
        tb.drv.send(zero, False)
    while tb.drv.sent < 65535:
        await ClockCycles(tb.clk, 2000)
    await tb.wait_bins(65535)
    tb.sb.check("ERR after 65535 bins", 0, await tb.read(ERR))
    tb.drv.send(zero, False)
    await tb.wait_bins(65536)
    if tb.sb.check("ERR after 65536 bins", 1 << ERR_BIT["SAMPLE_LEN"], await tb.read(ERR)):
        sample_error("SAMPLE_LEN")
    tb.finish(min_compared=2)


# ---- pytest ------------------------------------------------------------------------
CONFIGS = {   # name: (N, NP, bins per lockstep sample)
    "n20_np1": (20, 1, 12),
    "n20_np4": (20, 4, 12),
    "n20_np20": (20, 20, 12),
    "n200_np20": (200, 20, 6),
}


def _weights_dir(name: str, simulator: str, n: int, np_units: int, preload: bool) -> Path:
    """Deterministic weights of a configuration: weights dir + bank images."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    weights = QclifWeights.random(rng, n, density=float(rng.uniform(0.3, 0.7)))
    folder = SIM_BUILD / "data" / f"qclif_{name}_{simulator}"
    write_weights_dir(folder, weights, QclifRegs())
    if preload:
        write_bank_images(folder, weights, np_units)
    return folder


def _run(cocotb_run, simulator, name, testcases, preload=True, long=False):
    n, np_units, bins = CONFIGS[name]
    folder = _weights_dir(name + ("" if preload else "_bus"), simulator, n, np_units, preload)
    params = {"N": n, "NP": np_units}
    if preload:
        params["WEIGHTS_DIR"] = f'"{folder}"'
    cocotb_run("qclif_network", rtl_sources(*SOURCES), __name__, parameters=params,
               testcase=testcases,
               extra_env={"QCLIF_WEIGHTS_DIR": str(folder), "QCLIF_BINS": str(bins),
                          "QCLIF_LONG": "1" if long else "0"})


SMALL_TESTS = ["end_to_end", "backpressure", "reset_mid_sample", "g0_zero_never_fires"]


@pytest.mark.parametrize("name", ["n20_np1", "n20_np4", "n20_np20"])
def test_qclif_network(cocotb_run, simulator, name):
    _run(cocotb_run, simulator, name, SMALL_TESTS)


def test_qclif_network_n200(cocotb_run, simulator):
    _run(cocotb_run, simulator, "n200_np20", ["end_to_end"])


def test_qclif_network_registers(cocotb_run, simulator):
    _run(cocotb_run, simulator, "n20_np4", ["illegal_registers"])
    _run(cocotb_run, simulator, "n20_np4", ["weights_over_bus"], preload=False)


@pytest.mark.long
@pytest.mark.parametrize("name", list(CONFIGS))
def test_qclif_network_long(cocotb_run, simulator, name):
    _run(cocotb_run, simulator, name, SMALL_TESTS, long=True)


@pytest.mark.long
def test_qclif_network_sample_len(cocotb_run, simulator):
    if simulator != "verilator":
        pytest.skip("65,536 bins: Verilator only")
    _run(cocotb_run, simulator, "n20_np20", ["sample_len"])
