"""Testbench of the rsnn accelerator top level (rtl/rsnn/rsnn_accel.v).

RsnnTb owns the clock, reset and the bus models (cocotbext-axi AxiLiteMaster for the
registers, AxiStreamSource for features, AxiStreamSink for scores and the spike tap),
loads weights over the bus or uses the $readmemh preload (WEIGHTS_DIR), drives frames
as whole packets (the stream models move the beats; no Python await per clock) and
scoreboards every frame against model/rsnn.py and model/rsnn_schedule.py: L0 and L1
spikes per step (tap), the 48 scores, the prediction and all 15 counters.

Weight scenarios are deterministic per name (seeded by the name), so a replay with
``--seed`` reproduces the preloaded weights exactly; the cocotb seed varies features,
registers and stream stalls.
"""
from __future__ import annotations

import itertools
import logging
import zlib
from dataclasses import dataclass

import numpy as np
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

from model.rsnn import N_FEATURES, N_INPUT_BUF, RsnnConfig, RsnnState, RsnnWeights, step_frame
from model.rsnn_memory import MEMORY_ROWS, pack, unpack
from model.rsnn_schedule import COUNTER_NAMES, frame_counters
from verif.common.axil import (clear_pauses, make_axil_master, random_pauses, read_reg,
                               write_reg)
from verif.common.fcov import export as export_coverage
from verif.common.scoreboard import Scoreboard
from verif.common.stream import HarnessFrameSource, HarnessPacketSink
from verif.common.tb import TbBase
from verif.rsnn.rsnn_fcov import sample_error, sample_frame

# ---- register map (docs/rsnn.md "Host interfaces") --------------------------------
ID, CTRL, STATUS, FRAMES = 0x000, 0x004, 0x008, 0x00C
REG_ADDR = {"T": 0x010, "s_in": 0x014, "b0": 0x018, "b1": 0x01C,
            "theta0": 0x020, "theta1": 0x024}
ERR = 0x028
COUNTERS = 0x040
WMEM_SEL, WMEM_ROW, WMEM_CMD, WMEM_DATA = 0x080, 0x084, 0x088, 0x100
CTRL_ENABLE, CTRL_UTT_RESET, CTRL_SPIKE_TAP = 1, 2, 4
ERR_BIT = {"T": 0, "s_in": 1, "b0": 2, "b1": 3, "theta0": 4, "theta1": 5,
           "PAD_NONZERO": 6, "PKT_LEN": 7, "WMEM_BUSY": 8, "WMEM_ADDR": 9}
ID_VALUE = 0x52534E4E
MEMORY_SEL = {"win": 0, "wrec_bank0": 1, "wrec_bank1": 2, "wfc_bank0": 3, "wfc_bank1": 4}


# ---- weight scenarios: spike density from silent to saturating ---------------------
def _uniform(rng, lo, hi, shape):
    return rng.integers(lo, hi, size=shape, endpoint=True).astype(np.int8)


@dataclass
class Scenario:
    weights: RsnnWeights
    config: RsnnConfig       # nominal registers; tests jitter them
    feature_max: int = 255


SCENARIO_NAMES = ("silent", "sparse", "medium", "dense", "saturating")


def scenario(name: str) -> Scenario:
    """Deterministic weights and nominal registers of a density scenario."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    if name in ("silent", "sparse", "medium"):
        w = RsnnWeights.random(rng, density=0.5)
        cfg = {"silent": RsnnConfig(s_in=7, b0=1, b1=1, theta0=2047, theta1=2047),
               "sparse": RsnnConfig(s_in=4, b0=2, b1=2, theta0=150, theta1=60),
               "medium": RsnnConfig(s_in=3, b0=2, b1=2, theta0=40, theta1=20)}[name]
        return Scenario(w, cfg)
    if name == "dense":
        lo = (-5, -6, -5, -6)
    elif name == "saturating":
        lo = (1, 0, 0, 0)   # only excitatory weights: every neuron fires every step
    else:
        raise ValueError(name)
    win = np.zeros((N_INPUT_BUF, 128), np.int8)
    win[:N_FEATURES] = _uniform(rng, lo[0], 7, (N_FEATURES, 128))
    w = RsnnWeights(win=win, wr0=_uniform(rng, lo[1], 7, (128, 128)),
                    wf1=_uniform(rng, lo[2], 7, (128, 128)),
                    wr1=_uniform(rng, lo[3], 7, (128, 128)),
                    wfc=_uniform(rng, -8, 7, (128, 1920)))
    cfg = (RsnnConfig(s_in=4, b0=1, b1=1, theta0=120, theta1=60) if name == "dense"
           else RsnnConfig(s_in=0, b0=1, b1=1, theta0=1, theta1=1))
    return Scenario(w, cfg)


def jitter_config(rng, nominal: RsnnConfig, T: int, name: str) -> RsnnConfig:
    """Registers near the scenario's nominal values (extremes kept where they matter)."""
    if name in ("silent", "saturating"):
        return RsnnConfig(T=T, s_in=nominal.s_in, b0=int(rng.integers(1, 8)),
                          b1=int(rng.integers(1, 8)), theta0=nominal.theta0,
                          theta1=nominal.theta1)
    def th(v):
        return int(np.clip(v * rng.uniform(0.6, 1.5), 1, 2047))
    return RsnnConfig(T=T, s_in=nominal.s_in, b0=int(rng.integers(1, 4)),
                      b1=int(rng.integers(1, 4)), theta0=th(nominal.theta0),
                      theta1=th(nominal.theta1))


# Per-frame share of zero features: mostly typical frames, some with every feature
# active, some nearly empty, some silent (covergroup rsnn.in.active_features).
_ZERO_SHARES = np.array([0.3, 0.0, 0.85, 1.0])
_ZERO_SHARE_WEIGHTS = np.array([0.6, 0.15, 0.15, 0.1])


def random_features(rng, frames: int, feature_max: int = 255, zero_prob: float | None = None):
    """(frames, 40) u8 features, some zero (Type A skips them), some full-scale. With
    zero_prob None each frame draws its share of zero features from _ZERO_SHARES."""
    x = rng.integers(1, max(feature_max, 1), size=(frames, N_FEATURES), endpoint=True)
    if zero_prob is None:
        share = rng.choice(_ZERO_SHARES, size=(frames, 1), p=_ZERO_SHARE_WEIGHTS)
    else:
        share = np.full((frames, 1), zero_prob)
    x[rng.random(x.shape) < share] = 0
    x[(rng.random(x.shape) < 0.05) & (x > 0)] = 255
    return x.astype(np.int64)


def _row_bits(row) -> int:
    value = 0
    for lane, v in enumerate(np.asarray(row, dtype=np.int64).tolist()):
        value |= (v & 0xF) << (4 * lane)
    return value


def _bits_row(value: int) -> np.ndarray:
    lanes = [(value >> (4 * n)) & 0xF for n in range(128)]
    return np.array([v - 16 if v >= 8 else v for v in lanes], np.int8)


def _spike_bits(data: bytes) -> np.ndarray:
    return np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little").astype(np.uint8)


# ---- stall patterns ----------------------------------------------------------------
def stall_pattern(rng, mode: str):
    """Pause generator for a stream model: None (never), 'random', or 'worst'
    (one transfer cycle in eight, plus long random stretches)."""
    if mode == "none":
        return None
    if mode == "random":
        return random_pauses(rng, float(rng.uniform(0.2, 0.7)))
    if mode == "worst":
        def gen():
            while True:
                for _ in range(int(rng.integers(1, 6))):
                    yield from [True] * 7 + [False]
                yield from itertools.repeat(True, int(rng.integers(20, 120)))
                yield False
        return gen()
    raise ValueError(mode)


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
        if addr == ERR:  # coverage: every ERR bit a test saw raised
            for name, bit in ERR_BIT.items():
                if value >> bit & 1:
                    sample_error(name)
        return value

    async def start(self, config: RsnnConfig, tap: bool = True) -> None:
        await self.reset()
        self.frames_done = 0
        await self.configure(config)
        await self.set_ctrl(tap=tap)

    async def configure(self, config: RsnnConfig) -> None:
        for name, addr in REG_ADDR.items():
            await self.write(addr, getattr(config, name))

    async def set_ctrl(self, tap: bool = True, enable: bool = True) -> None:
        self.ctrl = (CTRL_ENABLE if enable else 0) | (CTRL_SPIKE_TAP if tap else 0)
        await self.write(CTRL, self.ctrl)

    async def utt_reset(self) -> None:
        await self.write(CTRL, self.ctrl | CTRL_UTT_RESET)

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
        await self.write(WMEM_SEL, MEMORY_SEL[memory])
        await self.write(WMEM_ROW, row)
        await self.write(WMEM_CMD, 2)
        value = 0
        for w in range(16):
            value |= await self.read(WMEM_DATA + 4 * w) << (32 * w)
        return value

    async def wmem_write(self, memory: str, row: int, value: int) -> None:
        for w in range(16):
            await self.write(WMEM_DATA + 4 * w, (value >> (32 * w)) & 0xFFFFFFFF)
        await self.write(WMEM_SEL, MEMORY_SEL[memory])
        await self.write(WMEM_ROW, row)
        await self.write(WMEM_CMD, 1)

    async def load_rows(self, images: dict, rows: dict) -> None:
        """Write ``rows[memory]`` (row numbers) of the images over the bus and make them
        the reference weights."""
        current = pack(self.weights)
        for memory, row_list in rows.items():
            for row in row_list:
                await self.wmem_write(memory, int(row), _row_bits(images[memory][row]))
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
                        got = _spike_bits(sdata[16 * beat:16 * beat + 16])
                        self.sb.check(f"{where} layer {layer} step {k} neuron", ref[k], got)
        self.frames_done += 1
        if cnt is not None:
            for i, name in enumerate(COUNTER_NAMES):
                got = await self.read(COUNTERS + 4 * i)
                self.sb.check(f"{where} counter {name}", cnt[name], got)
            self.cycles[res.T].append(cnt["cyc_total"])

    async def wait_idle(self, limit: int = 20000) -> None:
        for _ in range(limit // 10):
            if (await self.read(STATUS)) & 2:
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
