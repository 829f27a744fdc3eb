"""sram_sp: random writes and reads against a Python memory, and $readmemh preload."""
from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import RisingEdge

from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase

WIDTH = 512
DEPTH = 48


def _preload_rows(depth: int, width: int) -> list[int]:
    # A pattern whose every row differs and uses the whole width.
    return [(((r + 1) * 0x9E3779B97F4A7C15) ** 3) % (1 << width) for r in range(depth)]


async def _read(tb, addr: int) -> int:
    dut = tb.dut
    dut.en.value, dut.we.value, dut.addr.value = 1, 0, addr
    await RisingEdge(dut.clk)
    dut.en.value = 0
    await RisingEdge(dut.clk)
    return dut.rdata.value.to_unsigned()


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def random_access(dut):
    tb = TbBase(dut, reset_name=None)
    depth, width = int(dut.DEPTH.value), int(dut.WIDTH.value)
    ref: dict[int, int] = {}
    sb = Scoreboard("sram_sp", tb.log)
    dut.en.value = 0
    dut.we.value = 0
    await RisingEdge(dut.clk)
    for _ in range(400):
        addr = int(tb.rng.integers(depth))
        if tb.rng.random() < 0.5 or addr not in ref:
            data = int.from_bytes(tb.rng.bytes(width // 8), "little")
            dut.en.value, dut.we.value, dut.addr.value, dut.wdata.value = 1, 1, addr, data
            await RisingEdge(dut.clk)
            held = dut.rdata.value  # a write must not disturb the read register
            ref[addr] = data
            dut.en.value = 0
            await RisingEdge(dut.clk)
            sb.check("rdata held during write", str(held), str(dut.rdata.value))
        else:
            sb.check(f"row {addr}", ref[addr], await _read(tb, addr))
    sb.finish(min_compared=100)


@cocotb.test(timeout_time=1, timeout_unit="ms")
async def preload(dut):
    tb = TbBase(dut, reset_name=None)
    depth, width = int(dut.DEPTH.value), int(dut.WIDTH.value)
    sb = Scoreboard("sram_sp preload", tb.log)
    dut.en.value = 0
    await RisingEdge(dut.clk)
    for addr, expected in enumerate(_preload_rows(depth, width)):
        sb.check(f"row {addr}", expected, await _read(tb, addr))
    sb.finish(min_compared=depth)


@pytest.mark.parametrize("preload_image", [False, True], ids=["bus", "readmemh"])
def test_sram_sp(cocotb_run, simulator, preload_image, tmp_path):
    """The preload image's name is a parameter, its folder the run-time plusarg
    +weights=DIR; the same build serves both cases (no image is loaded without it)."""
    params = {"WIDTH": WIDTH, "DEPTH": DEPTH, "INIT_NAME": '"image.hex"'}
    weights_dir = None
    testcase = "random_access"
    if preload_image:
        digits = WIDTH // 4
        (tmp_path / "image.hex").write_text(
            "".join(f"{row:0{digits}x}\n" for row in _preload_rows(DEPTH, WIDTH)))
        weights_dir = tmp_path
        testcase = "preload"
    cocotb_run("sram_sp", __name__, parameters=params, testcase=testcase,
               weights_dir=weights_dir)
