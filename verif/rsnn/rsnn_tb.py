"""Testbench of the rsnn accelerator top level (rtl/rsnn/rsnn_accel.v), built from
components (verif/common/components.py):

    RegisterAgent (AXI-Lite, register shadow) --------------------------+
    FrameDriver --> s_axis --> InputMonitor --> RsnnPredictor (model) --+--> RsnnChecker
                    m_axis, m_axis_spk --> PacketMonitor x 2 --------------> (in order)
                                                  RsnnCoverage <-- predictor, registers

RsnnTb owns the clock and reset (one reset helper, verif/common/tb.py) and wires the
components; test bodies choose stimulus (registers, frames, stalls) and call
``finish()``. ``harness=True`` runs on verif/rsnn/hdl/rsnn_stream_harness.v (the HDL
moves the beats; for long runs), else on rsnn_accel with cocotbext-axi models (stalls).
Test scenarios (weights, registers, features) live in verif/rsnn/scenarios.py.
"""
from __future__ import annotations

from cocotb.triggers import ClockCycles

from model.lanes import pack_lanes
from model.regmap import RSNN
from model.rsnn import RsnnConfig, RsnnWeights
from model.rsnn_memory import MEMORY_ROWS, pack, unpack
from model.rsnn_schedule import COUNTER_NAMES
from verif.common.axil import make_axil_master
from verif.common.fcov import export as export_coverage
from verif.common.regs import RegisterAgent
from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase
from verif.rsnn.agents import STALL_MODES, direct_agents, harness_agents
from verif.rsnn.checker import RsnnChecker
from verif.rsnn.predictor import RsnnPredictor
from verif.rsnn.rsnn_fcov import RsnnCoverage

REGS = RSNN
CTRL_ENABLE = REGS.field("CTRL", "ENABLE").mask
CTRL_UTT_RESET = REGS.field("CTRL", "UTT_RESET").mask
CTRL_SPIKE_TAP = REGS.field("CTRL", "SPIKE_TAP").mask
STATUS_IDLE = REGS.field("STATUS", "IDLE").mask
MEMORY_SEL = dict(REGS.field("WMEM_SEL").enum)     # memory name -> WMEM_SEL value
WMEM_CMD_CODE = dict(REGS.field("WMEM_CMD").enum)  # "write", "read" -> WMEM_CMD value
ROW_WORDS = REGS["WMEM_DATA"].count
SCHEDULE_CODE = dict(REGS.field("SCHEDULE").enum)   # "paper", "union" -> value


class RsnnTb(TbBase):
    def __init__(self, dut, weights: RsnnWeights, harness: bool = False, check: bool = True):
        """``check`` False: no predictor and checker (the inference program records what
        the monitors see instead)."""
        super().__init__(dut)
        self.harness = harness
        self.regs = RegisterAgent(make_axil_master(dut), REGS)
        agents = harness_agents(dut) if harness else direct_agents(dut, self.clk)
        self.driver, self.in_mon, self.score_mon, self.spike_mon = agents
        self.sb = Scoreboard("rsnn_accel", self.log)
        self.predictor = RsnnPredictor(self.regs, weights)
        self.checker = RsnnChecker(self.sb)
        self.coverage = RsnnCoverage(REGS)
        if check:
            self.in_mon.subscribe(self.predictor.on_input)
            self.predictor.subscribe(self.checker.expect)
            self.predictor.subscribe(self.coverage.on_frame)
            self.score_mon.subscribe(self.checker.on_output)
            self.spike_mon.subscribe(self.checker.on_output)
            self.regs.subscribe(self.coverage.on_register)
        for clear in (self.regs.reset_shadow, self.predictor.reset, self.checker.reset,
                      self.driver.clear, self.in_mon.clear, self.score_mon.clear,
                      self.spike_mon.clear):
            self.on_reset(clear)
        self.ctrl = CTRL_ENABLE | CTRL_SPIKE_TAP

    @property
    def weights(self) -> RsnnWeights:
        """The weights the predictor uses (what the memories hold)."""
        return self.predictor.weights

    # ---- registers ----
    async def start(self, config: RsnnConfig, tap: bool = True,
                    schedule: str | None = None) -> None:
        await self.reset()
        await self.configure(config)
        if schedule is not None:
            await self.set_schedule(schedule)
        await self.set_ctrl(tap=tap)

    async def set_schedule(self, schedule: str) -> None:
        """SCHEDULE register: "paper" or "union" (docs/rsnn.md); change it only while
        no frame is queued (it is sampled when a frame starts)."""
        await self.regs.write("SCHEDULE", SCHEDULE_CODE[schedule])

    async def configure(self, config: RsnnConfig) -> None:
        for name, addr in REGS.model_addrs().items():
            await self.regs.write(addr, getattr(config, name))

    async def set_ctrl(self, tap: bool = True, enable: bool = True) -> None:
        self.ctrl = (CTRL_ENABLE if enable else 0) | (CTRL_SPIKE_TAP if tap else 0)
        await self.regs.write("CTRL", self.ctrl)

    async def utt_reset(self) -> None:
        await self.regs.write("CTRL", self.ctrl | CTRL_UTT_RESET)

    async def read_counters(self) -> dict[str, int]:
        return {name: await self.regs.read("COUNTERS", index=name) for name in COUNTER_NAMES}

    async def wait_idle(self, limit: int = 20000) -> None:
        for _ in range(limit // 10):
            if await self.regs.read("STATUS") & STATUS_IDLE:
                return
            await ClockCycles(self.clk, 10)
        raise AssertionError("rsnn_accel did not become idle")

    # ---- streams ----
    def stalls(self, src: str = "none", out: str = "none", spk: str | None = None) -> None:
        """TVALID gaps on the input, TREADY stalls on the output and the spike tap."""
        modes = (src, out, spk or out)
        self.driver.stalls(self.rng, modes[0])
        self.score_mon.stalls(self.rng, modes[1])
        self.spike_mon.stalls(self.rng, modes[2])
        self.predictor.context["stalls"] = max(modes, key=STALL_MODES.index)

    async def send_utterance(self, features, start: str = "tuser", lockstep: bool = True) -> list:
        """Send one utterance (frames, 40|48); the checker checks every frame. start:
        'tuser' (first beat TUSER = 1) or 'ctrl' (CTRL.UTT_RESET before it, TUSER = 0).
        lockstep: each frame is sent once the previous one's outputs arrived and its
        counters were read and checked; otherwise the frames go back to back and the
        counters of the last one are checked. Returns the frames' expectations."""
        if start == "ctrl":
            await self.utt_reset()
        first_frame = len(self.predictor.history)
        for f, x in enumerate(features):
            await self.driver.send(x, first=(f == 0 and start == "tuser"))
            if lockstep:
                await self.check_frame_counters()
        if not lockstep:
            await self.check_frame_counters()
        return self.predictor.history[first_frame:]

    async def wait_outputs(self) -> None:
        """Until every frame accepted so far produced all its outputs."""
        await self.driver.wait_sent()
        await ClockCycles(self.clk, 2)   # the monitor publishes the last beat's packet
        await self.checker.wait_finished(len(self.checker.finished)
                                         + self.checker.pending_frames())

    async def check_frame_counters(self) -> None:
        """Wait for the outputs of every frame sent, then check the counters (latched
        per frame) against the last one's."""
        await self.wait_outputs()
        if self.checker.finished:
            self.checker.check_counters(self.checker.finished[-1], await self.read_counters())

    # ---- weights over the bus ----
    async def wmem_read(self, memory: str, row: int) -> int:
        await self.regs.write("WMEM_SEL", MEMORY_SEL[memory])
        await self.regs.write("WMEM_ROW", row)
        await self.regs.write("WMEM_CMD", WMEM_CMD_CODE["read"])
        value = 0
        for w in range(ROW_WORDS):
            value |= await self.regs.read("WMEM_DATA", index=w) << (32 * w)
        return value

    async def wmem_write(self, memory: str, row: int, value: int) -> None:
        for w in range(ROW_WORDS):
            await self.regs.write("WMEM_DATA", (value >> (32 * w)) & 0xFFFFFFFF, index=w)
        await self.regs.write("WMEM_SEL", MEMORY_SEL[memory])
        await self.regs.write("WMEM_ROW", row)
        await self.regs.write("WMEM_CMD", WMEM_CMD_CODE["write"])

    async def load_rows(self, images: dict, rows: dict) -> None:
        """Write ``rows[memory]`` (row numbers) of the images over the bus; the predictor
        then uses them."""
        current = pack(self.predictor.weights)
        for memory, row_list in rows.items():
            for row in row_list:
                await self.wmem_write(memory, int(row), pack_lanes(images[memory][row], 4))
                current[memory][row] = images[memory][row]
        self.predictor.weights = unpack(current)

    async def load_all_over_bus(self, weights: RsnnWeights) -> None:
        images = pack(weights)
        await self.load_rows(images, {m: range(n) for m, n in MEMORY_ROWS.items()})

    # ---- end of a test ----
    def finish(self, min_compared: int) -> None:
        """The scoreboard's verdict (every expected output seen, every one equal), then
        this run's functional coverage."""
        for line in self.checker.outstanding():
            self.sb.check(line, "output", "none")
        self.sb.finish(min_compared=min_compared)
        export_coverage()

    def dump_state(self) -> None:
        """Log the core's handshake state (for a hang)."""
        values = self.signal_values((
            "u_ctrl.state", "u_rx.beat", "u_rx.frame_valid", "u_rx.s_tready", "u_tx.active",
            "u_tx.oidx", "u_tx.sidx", "u_regs.enable", "m_axis_tvalid", "m_axis_tready",
            "m_axis_spk_tvalid", "m_axis_spk_tready", "s_axis_tvalid", "s_axis_tready"))
        self.log.error("state: %s; frames expected %d, finished %d, outstanding %s", values,
                       len(self.predictor.history), len(self.checker.finished),
                       self.checker.outstanding()[:4])

    def report_cycles(self) -> None:
        for T, c in self.checker.cycles.items():
            if c:
                self.log.info("cycles per frame T=%d: mean %.1f over %d frames (min %d max %d)",
                              T, sum(c) / len(c), len(c), min(c), max(c))
