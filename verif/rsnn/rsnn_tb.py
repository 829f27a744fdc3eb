"""Testbench of the rsnn accelerator top level (rtl/rsnn/rsnn_accel.v).

RsnnTb owns the clock, reset and the bus models (cocotbext-axi AxiLiteMaster for the
registers, AxiStreamSource for features, AxiStreamSink for scores and the spike tap),
loads weights over the bus or uses the $readmemh preload (``+weights=DIR``), drives frames
as whole packets (the stream models move the beats; no Python await per clock) and
scoreboards every frame against model/rsnn.py and model/rsnn_schedule.py: L0 and L1
spikes per step (tap), the 48 scores, the prediction and all 15 counters.

Test scenarios (weights, registers, features) live in verif/rsnn/scenarios.py.
"""
from __future__ import annotations

import logging

import numpy as np
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

from model.regmap import RSNN
from model.rsnn import N_INPUT_BUF, RsnnConfig, RsnnState, RsnnWeights, step_frame
from model.lanes import pack_lanes
from model.rsnn_memory import MEMORY_ROWS, pack, unpack
from model.rsnn_schedule import COUNTER_NAMES, frame_counters
from verif.common.axil import make_axil_master, read_reg, write_reg
from verif.common.pauses import clear_pauses, stall_pattern
from verif.common.fcov import export as export_coverage
from verif.common.scoreboard import Scoreboard
from verif.common.stream import HarnessFrameSource, HarnessPacketSink
from verif.common.tb import TbBase
from verif.rsnn.rsnn_fcov import sample_error, sample_frame

# ---- register map: regs/rsnn.hjson through model.regmap (docs/registers_rsnn.md) ----
REGS = RSNN
CTRL_ENABLE = REGS.field("CTRL", "ENABLE").mask
CTRL_UTT_RESET = REGS.field("CTRL", "UTT_RESET").mask
CTRL_SPIKE_TAP = REGS.field("CTRL", "SPIKE_TAP").mask
MEMORY_SEL = dict(REGS.field("WMEM_SEL").enum)     # memory name -> WMEM_SEL value
WMEM_CMD_CODE = dict(REGS.field("WMEM_CMD").enum)  # "write", "read" -> WMEM_CMD value


def spike_bits(data: bytes) -> np.ndarray:
    return np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little").astype(np.uint8)


class RsnnTb(TbBase):
    def __init__(self, dut, weights: RsnnWeights, harness: bool = False):
        """harness: ``dut`` is verif/rsnn/hdl/rsnn_stream_harness.v, whose HDL moves the
        stream beats, and the streams are verif.common.stream's frame-level endpoints
        (Python wakes ~3 times per frame; no stalls; for inference and benchmarks).
        Otherwise ``dut`` is rsnn_accel and the streams are cocotbext-axi models, which
        add TVALID gaps and TREADY stalls on request."""
        super().__init__(dut)
        self.axil = make_axil_master(dut)
        self.harness = harness
        if harness:
            self.src = HarnessFrameSource(dut.frame_data, dut.frame_first, dut.frame_req,
                                          dut.frame_ack)
            self.out = HarnessPacketSink(dut.score_words, dut.score_len, dut.scores_seen, 32)
            self.spk = HarnessPacketSink(dut.spike_beats, dut.spike_len, dut.spikes_seen, 128)
        else:
            rst = dict(reset=dut.rst_n, reset_active_level=False)
            self.src = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis"), dut.clk, **rst)
            self.out = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis"), dut.clk, **rst)
            self.spk = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis_spk"), dut.clk, **rst)
            for model in (self.src, self.out, self.spk):
                model.log.setLevel(logging.WARNING)
        for model in (self.axil.write_if, self.axil.read_if):
            model.log.setLevel(logging.WARNING)
        self.weights = weights.copy()
        self.sb = Scoreboard("rsnn_accel", self.log)
        self.ctrl = CTRL_ENABLE | CTRL_SPIKE_TAP
        self.stall_mode = "none"  # worst of the stream stalls now set (coverage)
        self.cycles: dict[int, list[int]] = {1: [], 2: []}
        self.frames_done = 0

    # ---- registers ----
    async def write(self, addr: int, value: int, **kw) -> None:
        await write_reg(self.axil, addr, value, **kw)

    def finish(self, min_compared: int) -> None:
        """End of a test: the scoreboard's verdict, then this run's functional coverage."""
        self.sb.finish(min_compared=min_compared)
        export_coverage()

    async def read(self, addr: int, **kw) -> int:
        value = await read_reg(self.axil, addr, **kw)
        if addr == REGS.addr("ERR"):  # coverage: every ERR bit a test saw raised
            for name, bit in REGS.err_bits().items():
                if value >> bit & 1:
                    sample_error(name)
        return value

    async def start(self, config: RsnnConfig, tap: bool = True) -> None:
        await self.reset()
        self.frames_done = 0
        await self.configure(config)
        await self.set_ctrl(tap=tap)

    async def configure(self, config: RsnnConfig) -> None:
        for name, addr in REGS.model_addrs().items():
            await self.write(addr, getattr(config, name))

    async def set_ctrl(self, tap: bool = True, enable: bool = True) -> None:
        self.ctrl = (CTRL_ENABLE if enable else 0) | (CTRL_SPIKE_TAP if tap else 0)
        await self.write(REGS.addr("CTRL"), self.ctrl)

    async def utt_reset(self) -> None:
        await self.write(REGS.addr("CTRL"), self.ctrl | CTRL_UTT_RESET)

    def stalls(self, src: str = "none", out: str = "none", spk: str | None = None) -> None:
        """TVALID gaps on the input, TREADY stalls on the output and the spike tap."""
        modes = (src, out, spk or out)
        if self.harness and any(m != "none" for m in modes):
            raise ValueError("stream stalls need RsnnTb(harness=False) on rsnn_accel")
        self.stall_mode = next((m for m in ("worst", "random") if m in modes), "none")
        for model, mode in zip((self.src, self.out, self.spk), modes):
            gen = stall_pattern(self.rng, mode)
            if gen is None:
                clear_pauses(model)
            else:
                model.set_pause_generator(gen)

    # ---- weights over the bus ----
    async def wmem_read(self, memory: str, row: int) -> int:
        await self.write(REGS.addr("WMEM_SEL"), MEMORY_SEL[memory])
        await self.write(REGS.addr("WMEM_ROW"), row)
        await self.write(REGS.addr("WMEM_CMD"), WMEM_CMD_CODE["read"])
        value = 0
        for w in range(REGS["WMEM_DATA"].count):
            value |= await self.read(REGS.addr("WMEM_DATA", w)) << (32 * w)
        return value

    async def wmem_write(self, memory: str, row: int, value: int) -> None:
        for w in range(REGS["WMEM_DATA"].count):
            await self.write(REGS.addr("WMEM_DATA", w), (value >> (32 * w)) & 0xFFFFFFFF)
        await self.write(REGS.addr("WMEM_SEL"), MEMORY_SEL[memory])
        await self.write(REGS.addr("WMEM_ROW"), row)
        await self.write(REGS.addr("WMEM_CMD"), WMEM_CMD_CODE["write"])

    async def load_rows(self, images: dict, rows: dict) -> None:
        """Write ``rows[memory]`` (row numbers) of the images over the bus and make them
        the reference weights."""
        current = pack(self.weights)
        for memory, row_list in rows.items():
            for row in row_list:
                await self.wmem_write(memory, int(row), pack_lanes(images[memory][row], 4))
                current[memory][row] = images[memory][row]
        self.weights = unpack(current)

    async def load_all_over_bus(self, weights: RsnnWeights) -> None:
        images = pack(weights)
        await self.load_rows(images, {m: range(n) for m, n in MEMORY_ROWS.items()})

    # ---- frames ----
    def frame_packet(self, x, first: bool) -> AxiStreamFrame:
        data = bytes(np.pad(np.asarray(x, np.uint8), (0, N_INPUT_BUF - len(x))))
        return AxiStreamFrame(data, tuser=1 if first else 0)

    async def run_utterance(self, features, config: RsnnConfig, utt: int,
                            start: str = "tuser", lockstep: bool = True,
                            tap: bool = True) -> list:
        """Send one utterance (frames, 40) and check every frame. start: 'tuser' (first
        beat TUSER = 1) or 'ctrl' (CTRL.UTT_RESET before it, TUSER = 0). lockstep: send a
        frame only after the previous one was checked (counters read per frame);
        otherwise all frames are queued back to back and only the last frame's counters
        are checked. Returns the model's FrameResults."""
        if start == "ctrl":
            await self.utt_reset()
        state = RsnnState.new()
        expected = []
        for f, x in enumerate(features):
            res = step_frame(state, x, self.weights, config)
            cnt = frame_counters(res.x, res.s0_prev, res.s1_prev, res.s0, res.s1, res.T)
            sample_frame(res, {"start": start if f == 0 else "none", "stalls": self.stall_mode})
            expected.append((f, res, cnt))
            await self.src.send(self.frame_packet(x, first=(f == 0 and start == "tuser")))
            if lockstep:
                await self.check_frame(utt, f, res, cnt, tap=tap)
        if not lockstep:
            for f, res, cnt in expected:
                await self.check_frame(utt, f, res, cnt if f == len(expected) - 1 else None,
                                       tap=tap)
        return [r for _, r, _ in expected]

    async def check_frame(self, utt: int, f: int, res, cnt: dict | None,
                          tap: bool = True) -> None:
        where = f"utt {utt} frame {f} T={res.T}"
        out = await self.out.recv()
        data = bytes(out.tdata)
        if not self.sb.check(f"{where} output beats", 49, len(data) // 4):
            self.log.error("output words: %s", [hex(v) for v in np.frombuffer(data, "<u4")])
            self.log.error("expected scores: %s pred %d", res.scores.tolist(), int(res.pred))
        if len(data) == 49 * 4:
            words = np.frombuffer(data, dtype="<i4").astype(np.int64)
            self.sb.check(f"{where} score of class", res.scores, words[:48])
            self.sb.check(f"{where} argmax", int(res.pred), int(words[48]))
        if tap:
            spk = await self.spk.recv()
            sdata = bytes(spk.tdata)
            self.sb.check(f"{where} spike tap beats", 2 * res.T, len(sdata) // 16)
            if len(sdata) == 2 * res.T * 16:
                for k in range(res.T):
                    for layer, ref in (("L0", res.s0), ("L1", res.s1)):
                        beat = 2 * k + (layer == "L1")
                        got = spike_bits(sdata[16 * beat:16 * beat + 16])
                        self.sb.check(f"{where} layer {layer} step {k} neuron", ref[k], got)
        self.frames_done += 1
        if cnt is not None:
            for name in COUNTER_NAMES:
                got = await self.read(REGS.addr("COUNTERS", name))
                self.sb.check(f"{where} counter {name}", cnt[name], got)
            self.cycles[res.T].append(cnt["cyc_total"])

    async def wait_idle(self, limit: int = 20000) -> None:
        for _ in range(limit // 10):
            if (await self.read(REGS.addr("STATUS"))) & REGS.field("STATUS", "IDLE").mask:
                return
            await ClockCycles(self.clk, 10)
        raise AssertionError("rsnn_accel did not become idle")

    def dump_state(self) -> None:
        """Log the core's handshake state (for a hang)."""
        values = self.signal_values((
            "u_ctrl.state", "u_rx.beat", "u_rx.frame_valid", "u_rx.s_tready", "u_tx.active",
            "u_tx.oidx", "u_tx.sidx", "u_regs.enable", "m_axis_tvalid", "m_axis_tready",
            "m_axis_spk_tvalid", "m_axis_spk_tready", "s_axis_tvalid", "s_axis_tready"))
        self.log.error("state: %s; out queued %d spk queued %d src queued %d", values,
                       self.out.count(), self.spk.count(), self.src.count())

    def report_cycles(self) -> None:
        for T, c in self.cycles.items():
            if c:
                self.log.info("cycles per frame T=%d: mean %.1f over %d frames (min %d max %d)",
                              T, float(np.mean(c)), len(c), min(c), max(c))

    async def pulse_reset(self, cycles: int = 3) -> None:
        self.rst_n.value = 0
        await ClockCycles(self.clk, cycles)
        self.rst_n.value = 1
        await RisingEdge(self.clk)
        self.out.clear()
        self.spk.clear()
