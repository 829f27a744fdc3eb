"""Testbench of the qclif network top level (rtl/qclif/qclif_network.v).

QclifTb owns the clock, reset and the bus models: cocotbext-axi AxiLiteMaster for the
registers, an input driver for s_axis (one beat per bin, TLAST only on a sample's last
bin, optional TVALID gaps; cocotbext's AxiStreamSource ends every frame with TLAST, so
it cannot send a sample bin by bin), AxiStreamSink for m_axis (TREADY stalls). Weights
are loaded over the bus (WMEM_*) or preloaded by $readmemh from per-unit bank images
(``write_bank_images``, folder given at run time). Expected values come from model/qclif.py (spikes, scores,
prediction) and model/qclif_schedule.py (counters) only.

Checking (Scoreboard "qclif_network"):
- every bin: the spike vector on m_axis (CTRL.SPIKE_OUT, TUSER = 1), padding bits 0;
- every sample: the 11 scores and the predicted class (TUSER = 0);
- counters, lockstep mode: after every bin CYCLES, SYNOPS, SPIKES, BINS, and after a
  sample's last bin SAMPLE_CYCLES; streaming mode (bins back to back): the counters of
  the last bin of the batch, its sample's SAMPLE_CYCLES and BINS, read once idle.
"""
from __future__ import annotations

import logging
from collections import deque
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import ClockCycles, Event, RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamSink

from model import qclif
from model.regmap import QCLIF
from model.qclif import QclifRegs, QclifState, QclifWeights, argmax_lowest, step_bin
from model.lanes import pack_lanes, unpack_lanes
from model.qclif_memory import bank_images, logical_images
from model.qclif_schedule import bin_counters
from model.weights import write_readmemh
from verif.common.axil import clear_pauses, make_axil_master, random_pauses, read_reg, write_reg
from verif.common.fcov import export as export_coverage
from verif.common.scoreboard import Scoreboard
from verif.qclif.qclif_fcov import sample_bin
from verif.common.tb import TbBase

# ---- register map: regs/qclif.hjson through model.regmap (docs/registers_qclif.md) --
REGS = QCLIF
CTRL_ENABLE = REGS.field("CTRL", "ENABLE").mask
CTRL_SAMPLE_RESET = REGS.field("CTRL", "SAMPLE_RESET").mask
CTRL_SPIKE_OUT = REGS.field("CTRL", "SPIKE_OUT").mask
MEMORY_SEL = dict(REGS.field("WMEM_SEL").enum)     # memory name -> WMEM_SEL value
WMEM_CMD_CODE = dict(REGS.field("WMEM_CMD").enum)  # "write", "read" -> WMEM_CMD value
N_SCORE_BEATS = qclif.N_CLASSES + 1


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


def _tuser_beats(frame, beats: int) -> list[int]:
    """TUSER per beat (cocotbext collapses a constant TUSER to one int)."""
    tuser = frame.tuser
    if tuser is None:
        return []
    if isinstance(tuser, int):
        return [tuser] * beats
    return [int(v) for v in tuser]


def _bits_to_int(bits) -> int:
    return int.from_bytes(np.packbits(np.asarray(bits, np.uint8), bitorder="little").tobytes(),
                          "little")


class InputDriver:
    """s_axis driver: one beat per queued bin, TLAST as given, optional TVALID gaps."""

    def __init__(self, dut, rng, clk):
        self.dut, self.rng, self.clk = dut, rng, clk
        self.queue: deque = deque()
        self.gap_prob = 0.0
        self.sent = 0
        self._wake = Event()
        self._task = None
        dut.s_axis_tvalid.value = 0
        dut.s_axis_tlast.value = 0
        dut.s_axis_tdata.value = 0

    def start(self) -> None:
        self._task = cocotb.start_soon(self._run())

    def kill(self) -> None:
        """Drop everything queued and idle the bus (for a reset)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.queue.clear()
        self.dut.s_axis_tvalid.value = 0

    def send(self, bits, last: bool) -> None:
        self.queue.append((_bits_to_int(bits), int(bool(last))))
        self._wake.set()

    def idle(self) -> bool:
        return not self.queue and not int(self.dut.s_axis_tvalid.value)

    async def _run(self) -> None:
        dut = self.dut
        while True:
            if not self.queue:
                self._wake.clear()
                await self._wake.wait()
                await RisingEdge(self.clk)   # drive on a clock boundary
            data, last = self.queue.popleft()
            while self.gap_prob and self.rng.random() < self.gap_prob:
                await RisingEdge(self.clk)
            dut.s_axis_tdata.value = data
            dut.s_axis_tlast.value = last
            dut.s_axis_tvalid.value = 1
            while True:
                await RisingEdge(self.clk)
                if int(dut.s_axis_tready.value):
                    break
            self.sent += 1
            dut.s_axis_tvalid.value = 0


class QclifTb(TbBase):
    def __init__(self, dut, weights: QclifWeights):
        super().__init__(dut)
        self.n = int(dut.N.value)
        self.np_units = int(dut.NP.value)
        self.axil = make_axil_master(dut)
        self.drv = InputDriver(dut, self.rng, self.clk)
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.clk,
                                  reset=dut.rst_n, reset_active_level=False)
        self.sink.log.setLevel(logging.WARNING)
        self.weights = weights.copy()
        self.regs = QclifRegs()
        self.sb = Scoreboard("qclif_network", self.log)
        self.ctrl = CTRL_ENABLE | CTRL_SPIKE_OUT
        self.bins_done = 0
        self.sample_no = 0
        self.model_spikes = 0   # spikes in the expected streams (stimulus activity)

    # ---- registers ----
    async def write(self, addr: int, value: int, **kw) -> None:
        await write_reg(self.axil, addr, value, **kw)

    async def read(self, addr: int, **kw) -> int:
        return await read_reg(self.axil, addr, **kw)

    async def start(self, regs: QclifRegs, spike_out: bool = True) -> None:
        await self.reset()
        self.drv.start()
        self.bins_done = 0
        await self.configure(regs)
        await self.set_ctrl(spike_out=spike_out)

    async def configure(self, regs: QclifRegs) -> None:
        regs.validate()
        for name, addr in REGS.model_addrs().items():
            await self.write(addr, getattr(regs, name))
        self.regs = QclifRegs(**regs.as_dict())

    async def set_ctrl(self, spike_out: bool = True, enable: bool = True) -> None:
        self.ctrl = (CTRL_ENABLE if enable else 0) | (CTRL_SPIKE_OUT if spike_out else 0)
        await self.write(REGS.addr("CTRL"), self.ctrl)

    async def sample_reset(self) -> None:
        await self.write(REGS.addr("CTRL"), self.ctrl | CTRL_SAMPLE_RESET)

    async def pulse_reset(self, cycles: int = 3) -> None:
        """rst_n low at any moment (mid-sample too); the stream models are emptied."""
        self.drv.kill()
        self.rst_n.value = 0
        await ClockCycles(self.clk, cycles)
        self.rst_n.value = 1
        await RisingEdge(self.clk)
        self.sink.clear()
        self.drv.start()
        self.bins_done = 0

    def stalls(self, gap_prob: float = 0.0, ready_stall: float = 0.0) -> None:
        """TVALID gaps on the input, TREADY stalls on the output."""
        self.drv.gap_prob = gap_prob
        if ready_stall > 0:
            self.sink.set_pause_generator(random_pauses(self.rng, ready_stall))
        else:
            clear_pauses(self.sink)
            self.sink.pause = False

    async def wait_bins(self, count: int, limit_cycles: int = 200000) -> None:
        """Poll BINS until it reaches ``count`` (bins completed since reset)."""
        for _ in range(limit_cycles // 8):
            if await self.read(REGS.addr("BINS")) >= count:
                return
            await ClockCycles(self.clk, 4)
        raise AssertionError(f"qclif_network: BINS did not reach {count}")

    # ---- weights over the bus ----
    async def wmem_write(self, memory: str, neuron: int, row) -> None:
        value = pack_lanes(row, 8)
        for w in range((len(row) * 8 + 31) // 32):
            await self.write(REGS.addr("WMEM_DATA", w), (value >> (32 * w)) & 0xFFFFFFFF)
        await self.write(REGS.addr("WMEM_SEL"), MEMORY_SEL[memory])
        await self.write(REGS.addr("WMEM_NEURON"), neuron)
        await self.write(REGS.addr("WMEM_CMD"), WMEM_CMD_CODE["write"])

    async def wmem_read(self, memory: str, neuron: int, lanes: int) -> np.ndarray:
        await self.write(REGS.addr("WMEM_SEL"), MEMORY_SEL[memory])
        await self.write(REGS.addr("WMEM_NEURON"), neuron)
        await self.write(REGS.addr("WMEM_CMD"), WMEM_CMD_CODE["read"])
        value = 0
        for w in range((lanes * 8 + 31) // 32):
            value |= await self.read(REGS.addr("WMEM_DATA", w)) << (32 * w)
        return unpack_lanes(value, lanes, 8)

    async def load_over_bus(self, weights: QclifWeights, neurons=None) -> None:
        """Write the rows of ``neurons`` (default all) and make them the reference."""
        images = logical_images(weights)
        ref = logical_images(self.weights)
        for n in (range(self.n) if neurons is None else neurons):
            for memory, image in images.items():
                await self.wmem_write(memory, int(n), image[n])
                ref[memory][n] = image[n]
        self.weights = QclifWeights(win=ref["win"].T.copy(), wctx=ref["wctx"].T.copy(),
                                    wout=ref["wout"].copy())

    async def check_readback(self, neurons=None) -> None:
        images = logical_images(self.weights)
        for n in (range(self.n) if neurons is None else neurons):
            for memory, image in images.items():
                got = await self.wmem_read(memory, int(n), image.shape[1])
                self.sb.check(f"readback {memory} neuron {n} lane", image[n], got)

    # ---- samples ----
    def expected_sample(self, x, tlast: bool = True) -> list[dict]:
        """Per bin: spikes, counters; on the last bin scores and pred (model only).
        tlast=False: the sample is cut off (no TLAST: no argmax cycle, no scores)."""
        state = QclifState.new(self.n)
        out = []
        for t in range(len(x)):
            last = tlast and t == len(x) - 1
            r = step_bin(state, x[t], self.weights, self.regs)
            cnt = bin_counters(x[t], r["s_prev"], r["spike"], self.n, self.np_units, last)
            sample_bin(r, {"n": self.n, "np_units": self.np_units, "g0": self.regs.g0,
                           "last": last})
            item = {"spikes": np.asarray(r["spike"], np.uint8),
                    "counters": {k: int(v) for k, v in cnt.items()}}
            if last:
                item["scores"] = np.asarray(state.scores, np.int64)
                item["pred"] = int(argmax_lowest(state.scores))
            out.append(item)
        spikes = int(sum(e["spikes"].sum() for e in out))
        self.model_spikes += spikes
        self.log.info("sample %d: %d bins, %d spikes (of %d), %s", self.sample_no, len(x),
                      spikes, len(x) * self.n, self.regs)
        return out

    async def _check_outputs(self, where: str, item: dict) -> None:
        if self.ctrl & CTRL_SPIKE_OUT:
            frame = await self.sink.recv()
            beats = (self.n + 31) // 32
            data = bytes(frame.tdata)
            self.sb.check(f"{where} spike beats", beats, len(data) // 4)
            self.sb.check(f"{where} spike TUSER", [1] * beats, _tuser_beats(frame, len(data) // 4))
            if len(data) == 4 * beats:
                bits = np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little")
                self.sb.check(f"{where} spike of neuron", item["spikes"], bits[:self.n])
                self.sb.check(f"{where} spike padding bits", np.zeros(32 * beats - self.n,
                              np.uint8), bits[self.n:])
        if "scores" in item:
            frame = await self.sink.recv()
            data = bytes(frame.tdata)
            self.sb.check(f"{where} score beats", N_SCORE_BEATS, len(data) // 4)
            self.sb.check(f"{where} score TUSER", [0] * N_SCORE_BEATS,
                          _tuser_beats(frame, len(data) // 4))
            if len(data) == 4 * N_SCORE_BEATS:
                words = np.frombuffer(data, "<i4").astype(np.int64)
                self.sb.check(f"{where} score of class", item["scores"], words[:11])
                self.sb.check(f"{where} predicted class", item["pred"], int(words[11]))

    async def _check_counters(self, where: str, item: dict, sample_cycles=None) -> None:
        cnt = item["counters"]
        self.sb.check(f"{where} BINS", self.bins_done, await self.read(REGS.addr("BINS")))
        for name in ("cycles", "synops", "spikes"):
            self.sb.check(f"{where} counter {name}", cnt[name] & 0xFFFFFFFF,
                          await self.read(REGS.addr(name.upper())))
        if sample_cycles is not None:
            self.sb.check(f"{where} SAMPLE_CYCLES", sample_cycles,
                          await self.read(REGS.addr("SAMPLE_CYCLES")))

    def finish(self, min_compared: int) -> None:
        """End of a test: the scoreboard's verdict, then this run's functional coverage."""
        self.sb.finish(min_compared=min_compared)
        export_coverage()

    async def run_sample(self, x, lockstep: bool = True, tlast: bool = True) -> list[dict]:
        """Send one sample (bins, 200) bin by bin and check every bin. lockstep: the
        next bin is sent once this one is checked (counters per bin). tlast=False sends
        the bins without TLAST (an unfinished sample: no scores expected)."""
        s = self.sample_no
        self.sample_no += 1
        exp = self.expected_sample(x, tlast)
        total_cycles = sum(e["counters"]["cycles"] for e in exp)
        for t, item in enumerate(exp):
            self.drv.send(x[t], tlast and t == len(x) - 1)
            if lockstep:
                where = f"sample {s} bin {t}"
                await self._check_outputs(where, item)
                self.bins_done += 1
                if not self.ctrl & CTRL_SPIKE_OUT and "scores" not in item:
                    await self.wait_bins(self.bins_done)
                last = tlast and t == len(x) - 1
                await self._check_counters(where, item, total_cycles if last else None)
        if not lockstep:
            for t, item in enumerate(exp):
                await self._check_outputs(f"sample {s} bin {t}", item)
            self.bins_done += len(exp)
            await self.wait_bins(self.bins_done)
            await self._check_counters(f"sample {s} bin {len(exp) - 1} (last of batch)",
                                       exp[-1], total_cycles if tlast else None)
        return exp

    async def run_batch(self, samples, streaming: bool = True) -> None:
        """Samples back to back: all bins queued at once (streaming) and checked in
        order by the monitor; counters of the batch's last bin checked at the end."""
        if not streaming:
            for x in samples:
                await self.run_sample(x, lockstep=True)
            return
        exps = []
        for x in samples:
            s = self.sample_no
            self.sample_no += 1
            exp = self.expected_sample(x)
            exps.append((s, exp))
            for t in range(len(x)):
                self.drv.send(x[t], t == len(x) - 1)
        for s, exp in exps:
            for t, item in enumerate(exp):
                await self._check_outputs(f"sample {s} bin {t}", item)
            self.bins_done += len(exp)
        await self.wait_bins(self.bins_done)
        s, exp = exps[-1]
        await self._check_counters(f"sample {s} bin {len(exp) - 1} (last of batch)", exp[-1],
                                   sum(e["counters"]["cycles"] for e in exp))

    def dump_state(self) -> None:
        """Log the core's handshake state (for a hang)."""
        values = self.signal_values(("u_ctrl.state", "u_ctrl.k", "u_ctrl.out_idx", "s_axis_tvalid",
                                     "s_axis_tready", "m_axis_tvalid", "m_axis_tready"))
        self.log.error("state: %s; sink holds %d frames", values, self.sink.count())


def random_inputs(rng, bins: int, density=None) -> np.ndarray:
    """(bins, 200) input bits, each bin's density drawn from a spread unless given."""
    dens = (np.full(bins, density) if density is not None
            else rng.choice([0.0, 0.02, 0.05, 0.1, 0.3, 0.6, 1.0], bins))
    return (rng.random((bins, qclif.N_INPUTS)) < dens[:, None]).astype(np.uint8)


def firing_stimulus(rng, weights: QclifWeights, bins: int, tries: int = 200):
    """Random registers and inputs under which the model's network spikes at least once
    (the stimulus is chosen with the model, so a test is never silent by chance)."""
    for _ in range(tries):
        regs, x = random_regs(rng), random_inputs(rng, bins)
        if np.any(qclif.run(weights, regs, x).spikes):
            return regs, x
    raise AssertionError(f"no random stimulus of {bins} bins made the network fire in "
                         f"{tries} tries")


def random_regs(rng) -> QclifRegs:
    """Registers under which a random network fires sometimes (g0 = 0 now and then)."""
    return QclifRegs(la=int(rng.integers(0, 9)), ls=int(rng.integers(0, 9)),
                     g0=int(rng.choice([0, int(rng.integers(1, 256))], p=[0.1, 0.9])),
                     theta=int(rng.integers(16, 200)), si=int(rng.integers(1, 6)),
                     sa=int(rng.integers(1, 6)), sd=int(rng.integers(3, 9)))
