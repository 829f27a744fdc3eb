"""Every RTL assertion fires when its rule is broken (docs/formal.md "Assertions").

The checkers of rtl/*/sva/ are bound beside the RTL in every Verilator build; this file
shows that each one can fail. ``sva_fire_harness`` (verif/common/hdl/) holds one instance
of every checker module with all its ports on the top level; the cocotb test below plays
a misbehaving design or bus master: it drives a legal prefix (the checkers stay quiet),
then breaks exactly one rule, and the run must stop with that assertion's message
(Verilator --assert: ``$error`` ends the simulation; verif.sim.SimulationFailed carries
the log). A run of the legal prefixes only must pass. One more run breaks a host-port
rule of the rsnn_accel top level (a misbehaving AXI4-Lite master) and sees the checker
bound in the real design build fire. The first assertion of each checker runs in the
default suite, every assertion with --long.

Verilator only: Icarus never compiles the checkers.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import cocotb
import pytest
from cocotb.triggers import ClockCycles, FallingEdge

from verif.common.tb import TbBase
from verif.sim import SimOptions, SimulationFailed, run
from verif.sources import PROJECT_ROOT, sources

HARNESS = Path(__file__).resolve().parent / "hdl" / "sva_fire_harness.sv"
CHECKERS = ["rtl/common/sva/axis_checker.sv", "rtl/common/sva/axil_checker.sv",
            "rtl/common/sva/reg_bus_checker.sv", "rtl/rsnn/sva/rsnn_accel_checker.sv",
            "rtl/rsnn/sva/rsnn_ctrl_checker.sv", "rtl/rsnn/sva/rsnn_in_rx_checker.sv",
            "rtl/rsnn/sva/rsnn_state_checker.sv", "rtl/qclif/sva/qclif_ctrl_checker.sv",
            "rtl/qclif/sva/qclif_unit_checker.sv"]
VIOLATION_ENV = "SPIKEDV_SVA_VIOLATION"

# Inputs that are not 0 when nothing happens (every other input is 0).
IDLE = {"rc_a_done": 1, "rc_b0_done": 1, "rc_b1_done": 1, "rc_d0_done": 1,
        "rc_d1_done": 1, "rc_c_done": 1, "rc_l_walk_done": 1,
        "st_lif_theta": 100, "qu_theta": 100}


def _lanes(values: list[int], width: int) -> int:
    """Lane 0 first, each value in ``width`` bits (two's complement)."""
    return sum((v & ((1 << width) - 1)) << (width * i) for i, v in enumerate(values))


# assertion -> cycles; each cycle: inputs set at the falling edge before it (they hold).
# The last cycle breaks the rule; the ones before it are legal.
SCENARIOS: dict[str, list[dict[str, int]]] = {
    # ---- AXI4-Stream (axis_checker) ----
    "AXIS_TVALID_HELD": [{"ax_tvalid": 1, "ax_tready": 0, "ax_tdata": 5},
                         {"ax_tvalid": 0}],
    "AXIS_PAYLOAD_STABLE": [{"ax_tvalid": 1, "ax_tready": 0, "ax_tdata": 5},
                            {"ax_tdata": 6}],
    "AXIS_TLAST_FRAMING": [{"ax_tvalid": 1, "ax_tready": 1},
                           {}, {"ax_tlast": 1}, {"ax_tlast": 0},   # one packet of 3 beats
                           {"ax_tlast": 1}],                       # then one of 2
    "AXIS_TUSER_PACKET": [{"ax_tvalid": 1, "ax_tready": 1, "ax_tuser": 0},
                          {"ax_tuser": 1}],
    # ---- AXI4-Lite (axil_checker) ----
    "AXIL_AW_HELD": [{"al_awvalid": 1, "al_awaddr": 0x10}, {"al_awvalid": 0}],
    "AXIL_W_HELD": [{"al_wvalid": 1, "al_wdata": 1}, {"al_wdata": 2}],
    "AXIL_AR_HELD": [{"al_arvalid": 1, "al_araddr": 0x10}, {"al_araddr": 0x14}],
    "AXIL_B_HELD": [{"al_awvalid": 1, "al_awready": 1, "al_wvalid": 1, "al_wready": 1},
                    {"al_awvalid": 0, "al_awready": 0, "al_wvalid": 0, "al_wready": 0},
                    {"al_bvalid": 1, "al_bready": 0}, {"al_bvalid": 0}],
    "AXIL_R_HELD": [{"al_arvalid": 1, "al_arready": 1}, {"al_arvalid": 0, "al_arready": 0},
                    {"al_rvalid": 1, "al_rdata": 5}, {"al_rdata": 6}],
    "AXIL_B_ONE_PER_REQUEST": [{"al_awvalid": 1, "al_awready": 1, "al_wvalid": 1,
                                "al_wready": 1},
                               {"al_awvalid": 0, "al_awready": 0, "al_wvalid": 0,
                                "al_wready": 0, "al_bvalid": 1, "al_bready": 1},
                               {}],                         # a second B for one write
    "AXIL_R_ONE_PER_REQUEST": [{"al_rvalid": 1, "al_rready": 1}],   # R without AR
    # ---- register-side handshake (reg_bus_checker) ----
    "REGBUS_WR_HELD": [{"rb_wr_req": 1, "rb_wr_addr": 4}, {"rb_wr_addr": 8}],
    "REGBUS_WR_ONE_ACK": [{"rb_wr_req": 1}, {"rb_wr_ack": 1}, {"rb_wr_ack": 0}],
    "REGBUS_RD_HELD": [{"rb_rd_req": 1, "rb_rd_addr": 4}, {"rb_rd_req": 0}],
    "REGBUS_RD_ONE_ACK": [{"rb_rd_req": 1}, {"rb_rd_ack": 1}, {"rb_rd_ack": 0}],
    # ---- rsnn top level (rsnn_accel_checker) ----
    "RSNN_TX_IN_SEND": [{"ra_busy": 1, "ra_compute": 1, "ra_ctrl_state": 3},
                        {"ra_tx_active": 1}],
    "RSNN_IDLE_QUIET": [{"ra_busy": 1, "ra_compute": 1}, {"ra_busy": 0}],
    # ---- rsnn controller (rsnn_ctrl_checker) ----
    "RSNN_CTRL_STATE_LEGAL": [{"rc_state": 10}, {"rc_state": 11}],
    "RSNN_CTRL_IDLE_QUIET": [{"rc_state": 3, "rc_compute": 1, "rc_mem_reads": 1},
                             {"rc_state": 10, "rc_compute": 0}],
    "RSNN_CTRL_WAIT_UNITS_DONE": [{"rc_state": 1, "rc_a_done": 0},
                                  {"rc_state": 0}],
    "RSNN_CTRL_ONE_WALK": [{"rc_state": 2, "rc_compute": 1, "rc_a_done": 0},
                           {"rc_c_done": 0}],
    "RSNN_CTRL_LIF_AFTER_WALK": [{"rc_state": 4, "rc_compute": 1, "rc_lif_en": 1},
                                 {"rc_l_walk_done": 0}],
    "RSNN_CTRL_STEP1_AT_T2": [{"rc_state": 4, "rc_compute": 1, "rc_lif_en": 1, "rc_t2": 1,
                               "rc_step": 1},
                              {"rc_t2": 0}],
    "RSNN_CTRL_CYCLES_BOUNDED": [{"rc_state": 2, "rc_compute": 1, "rc_c_in": 322},
                                 {"rc_c_in": 323}],
    "RSNN_CTRL_READS_BOUNDED": [{"rc_state": 2, "rc_compute": 1, "rc_r_win": 40},
                                {"rc_r_win": 41}],
    "RSNN_CTRL_UTT_RESET_KEPT": [{"rc_utt_reset": 1}, {"rc_utt_reset": 0, "rc_utt_pending": 1},
                                 {"rc_utt_reset": 1}, {"rc_utt_reset": 0, "rc_utt_pending": 0}],
    # ---- rsnn input receiver (rsnn_in_rx_checker) ----
    "RSNN_RX_PACKET_LEN": [{"rx_s_tvalid": 1, "rx_s_tready": 1, "rx_s_tlast": 1,
                            "rx_beat": 11},                 # the 12th beat ...
                           {"rx_s_tvalid": 0, "rx_s_tready": 0, "rx_s_tlast": 0,
                            "rx_beat": 0}],                 # ... and no frame
    "RSNN_RX_HOLD": [{"rx_frame_valid": 1}, {"rx_s_tready": 1}],
    "RSNN_RX_FRAME_HELD": [{"rx_frame_valid": 1}, {"rx_frame_valid": 0}],
    # ---- rsnn lane datapath (rsnn_state_checker, 2 lanes) ----
    "RSNN_ACC0_NO_WRAP": [{"st_pe0_en": 1, "st_acc0": _lanes([131064, 0], 18),
                           "st_pe0_row": _lanes([7, 7], 4)},           # 131071 fits
                          {"st_acc0": _lanes([131065, 0], 18)}],       # 131072 wraps
    "RSNN_ACC1_NO_WRAP": [{"st_pe1_en": 1, "st_acc1": _lanes([0, -2040], 12),
                           "st_pe1_row": _lanes([0, -8], 4)},          # -2048 fits
                          {"st_pe1_row": _lanes([0, -8], 4), "st_pe1_shift": 1}],
    "RSNN_L1_CURRENT_RANGE": [{"st_lif_en": 1, "st_lif_layer": 1, "st_cur_use_acc0": 1,
                               "st_acc0": _lanes([1792, -2048], 18)},
                              {"st_acc0": _lanes([1793, 0], 18)}],
    "RSNN_FC_PARTIAL_RANGE": [{"st_cur_use_acc0": 1, "st_cur_use_acc1": 1,
                               "st_acc0": _lanes([1000, 0], 18),
                               "st_acc1": _lanes([792, 0], 12)},
                              {"st_acc1": _lanes([793, 0], 12)}],
    "RSNN_LIF_SATURATES": [{"st_lif_en": 1, "st_lif_theta": 2047, "st_lif_b": 7,
                            "st_u0": _lanes([1000, 0], 12), "st_current": _lanes([500, 0], 12),
                            "st_u_new": _lanes([1000 - 7 + 500, 0], 12)},
                           # 2000 - 15 + 2000 saturates to 2047 (a spike, U = 0); the
                           # wrapped 3985 - 4096 = -111 without a spike is wrong
                           {"st_u0": _lanes([2000, 0], 12), "st_current": _lanes([2000, 0], 12),
                            "st_u_new": _lanes([2000 - 15 + 2000 - 4096, 0], 12)}],
    "RSNN_MEMBRANE_BELOW_THETA": [{"st_lif_en": 1},
                                  {"st_lif_en": 0, "st_u0": _lanes([0, 100], 12)}],
    "RSNN_SPIKE_RESETS": [{"st_lif_en": 1},
                          {"st_lif_en": 0, "st_s0k0": 0b10, "st_u0": _lanes([0, 5], 12)}],
    # ---- qclif controller (qclif_ctrl_checker, P = 10) ----
    "QCLIF_CTRL_STATE_LEGAL": [{"qc_state": 4}, {"qc_state": 5}],
    "QCLIF_CTRL_PASS_BOUNDED": [{"qc_state": 1, "qc_k": 10}, {"qc_k": 11}],
    "QCLIF_CTRL_OUT_IDX_BOUNDED": [{"qc_state": 4, "qc_out_valid": 1, "qc_out_idx": 11},
                                   {"qc_out_idx": 12}],
    "QCLIF_CTRL_COUNTERS_BOUNDED": [{"qc_state": 1, "qc_cyc_cnt": 13},
                                    {"qc_cyc_cnt": 14}],
    "QCLIF_CTRL_IDLE_QUIET": [{"qc_state": 1, "qc_mem_en": 1}, {"qc_state": 0}],
    # ---- qclif neuron step (qclif_unit_checker) ----
    "QCLIF_VA_CLAMP": [{"qu_step": 1, "qu_va": 250, "qu_i_a": 5, "qu_va_next": 255},
                       {"qu_i_a": 20, "qu_va_next": (250 + 20) & 255}],   # wrapped, not 255
    "QCLIF_MULT_EXACT": [{"qu_step": 1, "qu_i_s": 10, "qu_g": 3, "qu_d": 30,
                          "qu_v_soma": 30, "qu_v_next": 30},
                         {"qu_d": 31, "qu_v_soma": 31, "qu_v_next": 31}],
    "QCLIF_V_CLAMP": [{"qu_step": 1, "qu_v": 250, "qu_i_s": 1, "qu_g": 5, "qu_d": 5,
                       "qu_v_soma": 255, "qu_theta": 255, "qu_spike": 1, "qu_v_next": 0},
                      {"qu_g": 6, "qu_d": 6, "qu_v_soma": 0, "qu_spike": 0}],  # 256 wrapped
    "QCLIF_THRESHOLD": [{"qu_step": 1, "qu_v": 150, "qu_v_soma": 150, "qu_spike": 1,
                         "qu_v_next": 50},
                        {"qu_spike": 0, "qu_v_next": 150}],
}


async def _play(dut, cycles: list[dict[str, int]]) -> None:
    for cycle in cycles:
        await FallingEdge(dut.clk)
        for name, value in cycle.items():
            getattr(dut, name).value = value


@cocotb.test(timeout_time=50, timeout_unit="us")
async def break_a_rule(dut):
    """Reset, idle, then the scenario of $SPIKEDV_SVA_VIOLATION (all legal prefixes when
    it is "none"); then idle cycles in which the checkers may answer."""
    tb = TbBase(dut)
    inputs = _inputs()
    for name in inputs:
        getattr(dut, name).value = IDLE.get(name, 0)
    await tb.reset()
    await ClockCycles(dut.clk, 3)
    which = os.environ[VIOLATION_ENV]
    if which == "none":
        for cycles in SCENARIOS.values():
            await _play(dut, cycles[:-1])
            await FallingEdge(dut.clk)   # back to idle; a reset clears the checkers' history
            for name in inputs:
                getattr(dut, name).value = IDLE.get(name, 0)
            await tb.reset()
            await ClockCycles(dut.clk, 3)
    else:
        await _play(dut, SCENARIOS[which])
    await ClockCycles(dut.clk, 4)
    dut._log.info("no assertion fired (%s)", which)


def _inputs() -> list[str]:
    text = HARNESS.read_text()
    return [m for m in re.findall(r"input wire(?:\s*\[[^\]]*\])?\s+(\w+)", text)
            if m not in ("clk", "rst_n")]


# ---- pytest ----------------------------------------------------------------------------
def _harness_sources() -> list[Path]:
    return [PROJECT_ROOT / f for f in CHECKERS] + [HARNESS]


@pytest.fixture
def verilator_only(request):
    if request.config.getoption("--sim") == "icarus":
        pytest.skip("assertions are compiled by Verilator only")


def _run(request, sim_options, violation: str) -> None:
    options = SimOptions(waves=sim_options.waves, coverage=False, seed=sim_options.seed,
                         extra_env={VIOLATION_ENV: violation})
    run("verilator", "sva_fire_harness", _harness_sources(), __name__,
        testcase="break_a_rule", options=options, run_name=request.node.nodeid,
        replay=f"python -m pytest '{request.node.nodeid}'")


def test_legal_prefixes_pass(request, sim_options, verilator_only):
    """The legal part of every scenario, one after another: no assertion fires."""
    _run(request, sim_options, "none")


def _first_per_checker() -> set[str]:
    """The first assertion of each checker module: these run in the default suite."""
    from spikedv.assertions import catalog

    first: dict[str, str] = {}
    for row in catalog():
        first.setdefault(row["checker"], row["name"])
    return set(first.values())


_DEFAULT = _first_per_checker()


@pytest.mark.parametrize("assertion", [
    a if a in _DEFAULT else pytest.param(a, marks=pytest.mark.long) for a in sorted(SCENARIOS)])
def test_assertion_fires(request, sim_options, verilator_only, assertion):
    """The scenario breaks the rule: the run stops with the assertion's message (one
    assertion per checker in the default suite, every one with --long)."""
    with pytest.raises(SimulationFailed) as failed:
        _run(request, sim_options, assertion)
    text = str(failed.value)
    assert f"{assertion}:" in text, f"{assertion} did not fire; the run said:\n{text}"


@cocotb.test(timeout_time=50, timeout_unit="us")
async def rsnn_host_aw_withdrawn(dut):
    """rsnn_accel's host port, a misbehaving AXI4-Lite master: a write address is taken,
    a second one waits (the first write has no data yet) and is withdrawn before
    AWREADY; the checker bound on the design top (u_sva_host_axil) must stop the run."""
    tb = TbBase(dut)
    dut.m_axis_tready.value = 1
    dut.m_axis_spk_tready.value = 1
    await tb.reset()
    await ClockCycles(dut.clk, 3)
    await _play(dut, [{"s_axil_awvalid": 1, "s_axil_awaddr": 0x0},   # taken
                      {"s_axil_awaddr": 0x4},                        # waits: AWREADY low
                      {"s_axil_awvalid": 0}])                        # withdrawn
    await ClockCycles(dut.clk, 4)


def test_rsnn_host_bus_rule_fires_in_the_design(request, sim_options, verilator_only):
    """The same rule, checked by the checker bound in the rsnn_accel build itself."""
    with pytest.raises(SimulationFailed) as failed:
        run("verilator", "rsnn_accel", sources("rsnn_accel"), __name__,
            testcase="rsnn_host_aw_withdrawn",
            options=SimOptions(waves=sim_options.waves, seed=sim_options.seed),
            run_name=request.node.nodeid)
    text = str(failed.value)
    assert "AXIL_AW_HELD:" in text and "u_sva_host_axil" in text, text


def test_every_assertion_has_a_scenario():
    """Each assertion of the catalog (rtl/*/sva/) is broken on purpose here."""
    from spikedv.assertions import catalog

    names = {row["name"] for row in catalog()}
    assert names - set(SCENARIOS) == set(), "assertions without a firing test"
    assert set(SCENARIOS) - names == set(), "scenarios of unknown assertions"
