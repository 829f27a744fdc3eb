"""qclif_network top level against model/qclif.py and model/qclif_schedule.py: random
weights and inputs for NP = 1, a middle value and NP = N (N = 20) and the default N = 200;
samples back to back, lockstep (counters per bin) and streaming; TVALID gaps and TREADY
stalls; rst_n and CTRL.SAMPLE_RESET in the middle of a sample; g0 = 0 with no context;
illegal registers; byte-strobe writes; the weight memories written and read back over
the bus.

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

from model.qclif import REGISTER_RANGES, QclifRegs, QclifWeights
from model.qclif_memory import load_weights_dir, write_weights_dir
from model.registers import checked_write, merge_strobes
from verif.common.tb import simulator_name
from verif.qclif.qclif_fcov import sample_error, sample_strobe
from verif.qclif.qclif_tb import (CTRL, ERR, ERR_BIT, ID, ID_VALUE, N_NEURONS, NP_UNITS,
                                  REG_ADDR, STATUS, WMEM_CMD, WMEM_DATA, WMEM_NEURON,
                                  WMEM_SEL, SOURCES, QclifTb, random_inputs, random_regs,
                                  write_bank_images)
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


async def _strobed_write(tb: QclifTb, addr: int, data: int, strb: int) -> int:
    """One AXI-Lite write with any WSTRB (none and non-contiguous too, which
    AxiLiteMaster.write cannot issue), sent on the idle master's AW/W channels; returns
    BRESP."""
    wr = tb.axil.write_if
    aw = wr.aw_channel._transaction_obj()
    aw.awaddr, aw.awprot = addr, 0
    w = wr.w_channel._transaction_obj()
    w.wdata, w.wstrb = data, strb
    await wr.aw_channel.send(aw)
    await wr.w_channel.send(w)
    return int((await wr.b_channel.recv()).bresp)


@cocotb.test(timeout_time=100, timeout_unit="ms")
async def byte_strobes(dut):
    """Byte strobes (docs/bus.md, docs/qclif_network.md "Registers"): a write merges its
    strobed bytes into the register, the merged word is range-checked (illegal:
    unchanged, ERR bit), no strobe writes nothing and raises nothing, ERR clears only
    strobed bytes, WMEM_CMD takes unstrobed bytes as 0, CTRL acts on byte 0 only,
    WMEM_SEL/NEURON and the staging words merge bytewise. Expected values from
    model.registers (merge_strobes, checked_write)."""
    from cocotbext.axi import AxiResp
    okay, slverr = int(AxiResp.OKAY), int(AxiResp.SLVERR)
    tb = QclifTb(dut, _weights())
    regs = random_regs(tb.rng)
    await tb.start(regs)
    seen: set[str] = set()

    async def write(addr, data, strb, what, resp=okay):
        tb.sb.check(f"BRESP of {what} ({addr:#x} <- {data:#010x} strb {strb:04b})", resp,
                    await _strobed_write(tb, addr, data, strb))

    def covered(kind: str, passed: bool) -> None:
        if passed:
            sample_strobe(kind)
            seen.add(kind)

    # Range-checked registers: no strobe, each lane alone, a partial write that makes
    # the merged word illegal, random strobe patterns.
    for name, addr in REG_ADDR.items():
        lo, hi = REGISTER_RANGES[name]
        reg = getattr(regs, name)
        cases = [(0xFFFFFFFF, 0b0000)]                      # would be illegal if written
        cases += [(int(tb.rng.integers(0, 2**32)), 1 << lane) for lane in range(4)]
        cases += [(int(tb.rng.integers(1, 256)) << 8, 0b0010)]          # byte 1 != 0
        cases += [(int(tb.rng.integers(0, 2**32)), int(tb.rng.integers(1, 16)))
                  for _ in range(3)]
        for data, strb in cases:
            if strb & 1 and tb.rng.random() < 0.6:          # often a legal low byte
                data = (data & ~0xFF) | int(tb.rng.integers(lo, hi + 1))
            expected, err = checked_write(reg, data, strb, lo, hi)
            what = f"{name} = {reg:#x}, write {data:#010x} strb {strb:04b}"
            await write(addr, data, strb, what)
            ok = tb.sb.check(f"{what}: read back", expected, await tb.read(addr))
            ok &= tb.sb.check(f"{what}: ERR", (1 << ERR_BIT[name]) if err else 0,
                              await tb.read(ERR))
            kind = ("none" if strb == 0 else "partial_illegal" if err
                    else "partial_legal" if strb != 0b1111 else "")
            if kind:
                covered(kind, ok)
            if err:
                if ok:
                    sample_error(name)
                await tb.write(ERR, 0x3FF)
            reg = expected
    for kind in ("none", "partial_legal", "partial_illegal"):
        tb.sb.check(f"a range-checked write of kind {kind} was checked", True, kind in seen)

    # ERR is RW1C per strobed byte: raise bit 0 (la) and bit 9 (WMEM_ADDR).
    both = (1 << ERR_BIT["la"]) | (1 << ERR_BIT["WMEM_ADDR"])
    await tb.write(REG_ADDR["la"], 256)
    await tb.write(WMEM_SEL, 3)
    await tb.write(WMEM_CMD, 1)
    tb.sb.check("ERR with la and WMEM_ADDR raised", both, await tb.read(ERR))
    await write(ERR, 0x3FF, 0b0000, "ERR clear with no strobe")
    tb.sb.check("ERR after a clear with no strobe", both, await tb.read(ERR))
    await write(ERR, 0x3FF, 0b0010, "ERR clear of byte 1")
    covered("partial_err_clear", tb.sb.check("ERR after clearing byte 1 only",
                                             1 << ERR_BIT["la"], await tb.read(ERR)))
    await write(ERR, 0xFFFFFF01, 0b0001, "ERR clear of byte 0")
    tb.sb.check("ERR after clearing byte 0", 0, await tb.read(ERR))

    # WMEM_CMD takes unstrobed bytes as 0: with SEL = 3 a command raises WMEM_ADDR.
    for data, strb, is_cmd in ((0x00000101, 0b0010, False),   # merged 0x100: no command
                               (0x00000001, 0b0000, False),   # no strobe: no command
                               (0xFFFFFF01, 0b0001, True)):   # merged 1: a write command
        await write(WMEM_CMD, data, strb, "WMEM_CMD")
        tb.sb.check(f"ERR after WMEM_CMD <- {data:#010x} strb {strb:04b} with SEL = 3",
                    (1 << ERR_BIT["WMEM_ADDR"]) if is_cmd else 0, await tb.read(ERR))
        await tb.write(ERR, 0x3FF)

    # 32-bit registers and a staging word merge bytewise (no WMEM_CMD follows, so SEL
    # and NEURON may take any value).
    for addr in (WMEM_SEL, WMEM_NEURON, WMEM_DATA + 4 * int(tb.rng.integers(0, 50))):
        value = await tb.read(addr)
        for strb in [0b0000, *(1 << lane for lane in range(4)),
                     *(int(s) for s in tb.rng.integers(1, 16, 4))]:
            data = int(tb.rng.integers(0, 2**32))
            value = merge_strobes(value, data, strb)
            await write(addr, data, strb, "32-bit register")
            ok = tb.sb.check(f"register {addr:#x} after {data:#010x} strb {strb:04b}", value,
                             await tb.read(addr))
            covered("none" if strb == 0 else "partial_word", ok)

    # CTRL acts on byte 0 only (ENABLE, SAMPLE_RESET, SPIKE_OUT).
    await write(CTRL, 0xFFFFFF05, 0b0001, "CTRL byte 0")
    tb.sb.check("CTRL after byte 0 = 5", 5, await tb.read(CTRL))
    await write(CTRL, 0x0000FF00, 0b0010, "CTRL byte 1")
    await write(CTRL, 0x00000000, 0b0000, "CTRL with no strobe")
    tb.sb.check("CTRL after a byte-1 write and a write with no strobe", 5, await tb.read(CTRL))
    # Read-only and unmapped addresses answer SLVERR with no strobe too.
    await write(STATUS, 1, 0b0000, "STATUS with no strobe", resp=slverr)
    await write(0x0FC, 1, 0b0000, "unmapped with no strobe", resp=slverr)
    tb.sb.check("ERR at the end", 0, await tb.read(ERR))
    tb.finish(min_compared=150)


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
    _run(cocotb_run, simulator, "n20_np4", ["illegal_registers", "byte_strobes"])
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
