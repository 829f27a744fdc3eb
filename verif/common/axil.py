"""AXI4-Lite helpers shared by the testbenches (thin wrappers around cocotbext-axi 0.1.28).

    master = make_axil_master(dut)                 # s_axil_* ports, dut.clk, dut.rst_n
    await write_reg(master, 0x10, 0xDEADBEEF)      # AssertionError unless BRESP = OKAY
    value = await read_reg(master, 0x10)           # AssertionError unless RRESP = OKAY
    await write_reg(master, 0x8000, 1, expect_error=True)   # asserts SLVERR instead
    set_axil_backpressure(master, tb.rng, 0.3)     # random stalls on all five channels

cocotbext-axi's own ``read_dword``/``write_dword`` ignore the response; these check it.
"""
from __future__ import annotations

import logging
import numpy as np
from cocotbext.axi import AxiLiteBus, AxiLiteMaster, AxiResp

from verif.common.pauses import clear_pauses, random_pauses

WORD_BYTES = 4


def make_axil_master(dut, prefix: str = "s_axil", clock=None, reset=None,
                     log_level: int = logging.WARNING) -> AxiLiteMaster:
    """An AxiLiteMaster on ``<prefix>_*``, clocked by dut.clk, held idle while the
    active-low dut.rst_n is low. cocotbext-axi logs every transaction at INFO; pass
    ``log_level=logging.INFO`` to see them."""
    clock = dut.clk if clock is None else clock
    reset = dut.rst_n if reset is None else reset
    master = AxiLiteMaster(AxiLiteBus.from_prefix(dut, prefix), clock, reset,
                           reset_active_level=False)
    for side in (master.write_if, master.read_if):
        side.log.setLevel(log_level)
    return master


def _check_resp(kind: str, addr: int, resp: AxiResp, expect_error: bool) -> None:
    expected = AxiResp.SLVERR if expect_error else AxiResp.OKAY
    if resp != expected:
        raise AssertionError(
            f"AXI-Lite {kind} of register 0x{addr:04x}: response {AxiResp(resp).name}, "
            f"expected {expected.name}"
        )


def _check_aligned(addr: int) -> None:
    if addr % WORD_BYTES:
        raise ValueError(f"register address 0x{addr:x} is not word aligned")


async def write_reg(master: AxiLiteMaster, addr: int, value: int, *,
                    expect_error: bool = False) -> None:
    """Write one 32-bit register (all four strobes); value is taken modulo 2**32."""
    _check_aligned(addr)
    data = (value & 0xFFFFFFFF).to_bytes(WORD_BYTES, "little")
    result = await master.write(addr, data)
    _check_resp("write", addr, result.resp, expect_error)


async def read_reg(master: AxiLiteMaster, addr: int, *, expect_error: bool = False) -> int:
    """Read one 32-bit register as an unsigned int (also returned on an expected error)."""
    _check_aligned(addr)
    result = await master.read(addr, WORD_BYTES)
    _check_resp("read", addr, result.resp, expect_error)
    return int.from_bytes(result.data, "little")


def set_axil_backpressure(master: AxiLiteMaster, rng: np.random.Generator,
                          probability: float) -> None:
    """Random stalls on AW, W, AR (master withholds valid) and B, R (master withholds
    ready); probability 0 removes them."""
    channels = (master.write_if.aw_channel, master.write_if.w_channel,
                master.write_if.b_channel, master.read_if.ar_channel,
                master.read_if.r_channel)
    for channel in channels:
        if probability > 0:
            channel.set_pause_generator(random_pauses(rng, probability))
        else:
            clear_pauses(channel)
