"""Testbench of the qclif network top level (rtl/qclif/qclif_network.v), built from
components (verif/common/components.py):

    RegisterAgent (AXI-Lite, register shadow) -----------------------------+
    BinDriver --> s_axis --> BinMonitor --> QclifPredictor (model) --------+--> QclifChecker
                  m_axis --> PacketMonitor (its sink drives TREADY) ----------> (in order)
                                          QclifCoverage <-- predictor, registers

QclifTb owns the clock and reset (one reset helper, verif/common/tb.py) and wires the
components; test bodies choose stimulus (registers, bins, stalls) and call ``finish()``.
The weight memories are preloaded at run time from per-unit bank images
(``write_bank_images``, ``+weights=DIR``) or written over the bus (``load_over_bus``),
which also updates the predictor's weights. Test scenarios (configurations, weights,
stimulus) live in verif/qclif/scenarios.py.

Counters: in lockstep (``run_sample``; the next bin is sent once this one is checked)
BINS, CYCLES, SYNOPS, SPIKES and SAMPLE_CYCLES after every bin; streaming (``run_batch``,
``lockstep=False``: bins back to back) those of the last bin, once it is done.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from cocotb.triggers import ClockCycles, RisingEdge

from model.lanes import pack_lanes, unpack_lanes
from model.qclif import QclifRegs, QclifWeights, N_INPUTS
from model.qclif_memory import bank_images, logical_images
from model.qclif_schedule import bin_cycles
from model.regmap import QCLIF
from model.weights import write_readmemh
from verif.common.axil import make_axil_master
from verif.common.fcov import export as export_coverage
from verif.common.regs import RegisterAgent
from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase
from verif.qclif.agents import BinDriver, BinMonitor, PacketMonitor
from verif.qclif.checker import QclifChecker
from verif.qclif.predictor import QclifPredictor
from verif.qclif.qclif_fcov import QclifCoverage

# ---- register map: regs/qclif.hjson through model.regmap (docs/registers_qclif.md) --
REGS = QCLIF
CTRL_ENABLE = REGS.field("CTRL", "ENABLE").mask
CTRL_SAMPLE_RESET = REGS.field("CTRL", "SAMPLE_RESET").mask
CTRL_SPIKE_OUT = REGS.field("CTRL", "SPIKE_OUT").mask
STATUS_IDLE = REGS.field("STATUS", "IDLE").mask
STATUS_BUSY = REGS.field("STATUS", "BUSY").mask
MEMORY_SEL = dict(REGS.field("WMEM_SEL").enum)     # memory name -> WMEM_SEL value
WMEM_CMD_CODE = dict(REGS.field("WMEM_CMD").enum)  # "write", "read" -> WMEM_CMD value
COUNTER_REGS = ("BINS", "CYCLES", "SYNOPS", "SPIKES", "SAMPLE_CYCLES")


def bank_file_names(np_units: int) -> list[str]:
    """Files the RTL preloads from the run-time folder ``+weights=DIR`` (unit number in
    3 decimal digits; rtl/qclif/qclif_network.v)."""
    return [f"{m}_b{u:03d}.hex" for m in ("win", "wctx", "wout") for u in range(np_units)]


def write_bank_images(directory, weights: QclifWeights, np_units: int) -> Path:
    """Per-unit bank images (model/qclif_memory.bank_images) as $readmemh files."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, banks in bank_images(weights, np_units).items():
        for u, bank in enumerate(banks):
            write_readmemh(directory / f"{name}_b{u:03d}.hex", bank, 8)
    return directory


class QclifTb(TbBase):
    def __init__(self, dut, weights: QclifWeights, check: bool = True):
        """``check`` False: no predictor, checker or coverage subscribed (the inference
        program records what the monitors see instead)."""
        super().__init__(dut)
        self.n = int(dut.N.value)
        self.np_units = int(dut.NP.value)
        self.regs = RegisterAgent(make_axil_master(dut), REGS,
                                  params={"N": self.n, "NP": self.np_units})
        self.driver = BinDriver(dut, self.clk, self.rng)
        self.in_mon = BinMonitor(dut, self.clk)
        self.out_mon = PacketMonitor(dut, self.clk)
        self.sb = Scoreboard("qclif_network", self.log)
        self.predictor = QclifPredictor(self.regs, weights, self.n, self.np_units)
        self.checker = QclifChecker(self.sb, self.n)
        self.coverage = QclifCoverage(REGS, self.n, self.np_units)
        if check:
            self.in_mon.subscribe(self.predictor.on_bin)
            self.predictor.subscribe(self.checker.expect)
            self.predictor.subscribe(self.coverage.on_bin)
            self.out_mon.subscribe(self.checker.on_output)
            self.regs.subscribe(self.coverage.on_register)
        for clear in (self.regs.reset_shadow, self.predictor.reset, self.checker.reset,
                      self.driver.clear, self.in_mon.clear, self.out_mon.clear):
            self.on_reset(clear)
        self.ctrl = CTRL_ENABLE | CTRL_SPIKE_OUT

    @property
    def weights(self) -> QclifWeights:
        """The weights the predictor uses (what the memories hold)."""
        return self.predictor.weights

    @property
    def axil(self):
        """The AXI-Lite master (for the shared register suite's own bus accesses)."""
        return self.regs.master

    # ---- registers ----
    async def start(self, regs: QclifRegs, spike_out: bool = True) -> None:
        await self.reset()
        await self.configure(regs)
        await self.set_ctrl(spike_out=spike_out)

    async def configure(self, regs: QclifRegs) -> None:
        regs.validate()
        for name, addr in REGS.model_addrs().items():
            await self.regs.write(addr, getattr(regs, name))

    async def set_ctrl(self, spike_out: bool = True, enable: bool = True) -> None:
        self.ctrl = (CTRL_ENABLE if enable else 0) | (CTRL_SPIKE_OUT if spike_out else 0)
        await self.regs.write("CTRL", self.ctrl)

    async def sample_reset(self) -> None:
        await self.regs.write("CTRL", self.ctrl | CTRL_SAMPLE_RESET)

    async def read_counters(self) -> dict[str, int]:
        return {name: await self.regs.read(name) for name in COUNTER_REGS}

    async def wait_bins(self, count: int, limit_cycles: int = 200000) -> None:
        """Poll BINS until it reaches ``count`` (bins completed since reset)."""
        for _ in range(limit_cycles // 8):
            if await self.regs.read("BINS") >= count:
                return
            await ClockCycles(self.clk, 4)
        raise AssertionError(f"qclif_network: BINS did not reach {count}")

    async def wait_idle(self, limit: int = 1000) -> None:
        for _ in range(limit):
            if await self.regs.read("STATUS") & STATUS_IDLE:
                return
            await ClockCycles(self.clk, 4)
        raise AssertionError("qclif_network did not become idle")

    # ---- streams ----
    def stalls(self, gap_prob: float = 0.0, ready_stall: float = 0.0) -> None:
        """TVALID gaps on the input, TREADY stalls on the output (probability per cycle)."""
        self.driver.stalls(gap_prob)
        self.out_mon.stalls(self.rng, ready_stall)

    def send(self, x, tlast: bool = True) -> None:
        """Queue the bins of one sample (bins, 200); TLAST on the last unless ``tlast``
        is False (an unfinished sample)."""
        for t in range(len(x)):
            self.driver.send(x[t], tlast and t == len(x) - 1)

    async def wait_outputs(self) -> None:
        """Until every bin queued was taken and every packet expected so far came."""
        await self.driver.wait_sent()
        await ClockCycles(self.clk, 1)   # the monitor publishes the last beat it saw
        await self.checker.drained()

    async def check_counters(self) -> None:
        """Wait for the outputs of every bin sent, then check the counters (latched per
        bin) against the last bin's; a bin that sends nothing is waited for on BINS."""
        await self.wait_outputs()
        exp = self.predictor.last
        if exp is None:
            return
        if not exp.packets:
            await self.wait_bins(exp.bins)
        self.checker.check_counters(exp, await self.read_counters())

    async def run_sample(self, x, lockstep: bool = True, tlast: bool = True) -> list:
        """Send one sample (bins, 200) bin by bin; the checker checks every bin. lockstep:
        the next bin is sent once this one's outputs came and its counters were checked;
        otherwise the bins go back to back and the last one's counters are checked.
        tlast=False sends no TLAST (an unfinished sample: no scores). Returns the bins'
        expectations."""
        first = len(self.predictor.history)
        for t in range(len(x)):
            self.driver.send(x[t], tlast and t == len(x) - 1)
            if lockstep:
                await self.check_counters()
        if not lockstep:
            await self.check_counters()
        exp = self.predictor.history[first:]
        self._log_sample(exp)
        return exp

    async def run_batch(self, samples, streaming: bool = True) -> list:
        """Samples back to back: all bins queued at once (streaming) and checked in
        order, the counters of the batch's last bin at the end; or each in lockstep."""
        first = len(self.predictor.history)
        if not streaming:
            for x in samples:
                await self.run_sample(x, lockstep=True)
        else:
            for x in samples:
                self.send(x)
            await self.check_counters()
            self._log_sample(self.predictor.history[first:])
        return self.predictor.history[first:]

    def _log_sample(self, exp: list) -> None:
        if exp:
            spikes = int(sum(e.spikes.sum() for e in exp))
            self.log.info("samples %d..%d: %d bins, %d spikes (of %d), %s", exp[0].sample,
                          exp[-1].sample, len(exp), spikes, len(exp) * self.n, exp[-1].regs)

    def model_spikes(self) -> int:
        """Spikes in every bin expected so far (the stimulus's activity)."""
        return int(sum(e.spikes.sum() for e in self.predictor.history))

    async def preload_counters(self, bins: int | None = None,
                               sample_cycles_so_far: int | None = None,
                               sample_bins: int | None = None) -> None:
        """Write the controller's counters through the simulator (a backdoor: their upper
        bits, the wrap and the 65,536th bin are 2^16..2^32 bins or cycles away) and tell
        the predictor the same. Only while idle between two bins of a sample: BINS
        (``bins_done``), the sample's cycles so far (``sample_acc``) and bins started so
        far (``sample_bins``)."""
        ctrl = self.dut.u_ctrl
        for signal, value in (("bins_done", bins), ("sample_acc", sample_cycles_so_far),
                              ("sample_bins", sample_bins)):
            if value is not None:
                getattr(ctrl, signal).value = value
        self.predictor.preload(bins, sample_cycles_so_far, sample_bins)
        await RisingEdge(self.clk)

    async def stream_zero_bins(self, stop: int) -> int:
        """All-zero bins without TLAST with TVALID held high (no Python per bin) until
        ``stop`` bins are done; TVALID drops right after a handshake; returns BINS once
        idle. The input monitor is paused meanwhile and the predictor is told how many
        bins the DUT took (BINS; they start silent and stay silent, so nothing to check
        but their count). Each poll waits the bins still missing times the fewest cycles
        a bin takes (the schedule model's), so BINS passes ``stop`` by a few at most."""
        min_cycles = int(bin_cycles(self.n, self.np_units, False))
        await self.wait_outputs()
        self.in_mon.pause()
        self.driver.hold(np.zeros(N_INPUTS, np.uint8))
        while (done := await self.regs.read("BINS")) < stop:
            await ClockCycles(self.clk, max((stop - done) * min_cycles, 1))
        await self.driver.release()
        await self.wait_idle()
        done = await self.regs.read("BINS")
        self.in_mon.resume()
        self.predictor.skip_zero_bins(done - self.predictor.bins)
        return done

    # ---- weights over the bus ----
    async def wmem_write(self, memory: str, neuron: int, row) -> None:
        """One row (lanes of int8) to (memory, neuron); the predictor's weights are not
        changed (``load_over_bus`` does both)."""
        value = pack_lanes(row, 8)
        for w in range((len(row) * 8 + 31) // 32):
            await self.regs.write("WMEM_DATA", (value >> (32 * w)) & 0xFFFFFFFF, index=w)
        await self.regs.write("WMEM_SEL", MEMORY_SEL[memory])
        await self.regs.write("WMEM_NEURON", neuron)
        await self.regs.write("WMEM_CMD", WMEM_CMD_CODE["write"])

    async def wmem_read(self, memory: str, neuron: int, lanes: int) -> np.ndarray:
        await self.regs.write("WMEM_SEL", MEMORY_SEL[memory])
        await self.regs.write("WMEM_NEURON", neuron)
        await self.regs.write("WMEM_CMD", WMEM_CMD_CODE["read"])
        value = 0
        for w in range((lanes * 8 + 31) // 32):
            value |= await self.regs.read("WMEM_DATA", index=w) << (32 * w)
        return unpack_lanes(value, lanes, 8)

    async def load_over_bus(self, weights: QclifWeights, neurons=None, memories=None) -> None:
        """Write the rows of ``neurons`` (default all) of ``memories`` (default the three)
        and make them the predictor's."""
        images = logical_images(weights)
        ref = logical_images(self.predictor.weights)
        for n in (range(self.n) if neurons is None else neurons):
            for memory, image in images.items():
                if memories is None or memory in memories:
                    await self.wmem_write(memory, int(n), image[n])
                    ref[memory][n] = image[n]
        self.predictor.weights = QclifWeights(win=ref["win"].T.copy(), wctx=ref["wctx"].T.copy(),
                                              wout=ref["wout"].copy())

    async def check_readback(self, neurons=None) -> None:
        """Read back the rows of ``neurons`` (default all); compared with the predictor's
        weights."""
        images = logical_images(self.predictor.weights)
        for n in (range(self.n) if neurons is None else neurons):
            for memory, image in images.items():
                got = await self.wmem_read(memory, int(n), image.shape[1])
                self.sb.check(f"readback {memory} neuron {n} lane", image[n], got)

    # ---- end of a test ----
    def finish(self, min_compared: int) -> None:
        """The scoreboard's verdict (every expected packet seen, every one equal), then
        this run's functional coverage."""
        for line in self.checker.outstanding():
            self.sb.check(line, "packet", "none")
        self.sb.finish(min_compared=min_compared)
        export_coverage()

    def dump_state(self) -> None:
        """Log the core's handshake state (for a hang)."""
        values = self.signal_values(("u_ctrl.state", "u_ctrl.k", "u_ctrl.out_idx", "s_axis_tvalid",
                                     "s_axis_tready", "m_axis_tvalid", "m_axis_tready"))
        self.log.error("state: %s; bins expected %d, packets outstanding %s", values,
                       len(self.predictor.history), self.checker.outstanding()[:4])
