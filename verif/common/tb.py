"""Testbench base: clock, reset, a seeded random generator, timeouts."""
from __future__ import annotations

import os

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge

from verif.settings import context as run_context

CLOCK_PERIOD_NS = 10
# On Verilator the clock toggles in cocotb's C++ layer ("gpi"): a Python clock ("py")
# wakes the interpreter twice per cycle, which cost rsnn_accel a third of its speed.
# Icarus keeps the Python clock: there the C++ clock's first edge at 0 ns lands before
# the testbench's own writes at 0 ns (reset, bus idles), and the bus models sample Z/X.
# SPIKEDV_CLOCK_IMPL=gpi|py overrides the choice (benchmark comparison, debugging).
CLOCK_IMPL_ENV = "SPIKEDV_CLOCK_IMPL"


def clock_impl() -> str:
    default = "gpi" if simulator_name() == "verilator" else "py"
    impl = os.environ.get(CLOCK_IMPL_ENV, default)
    if impl not in ("gpi", "py"):
        raise ValueError(f"{CLOCK_IMPL_ENV}={impl!r}, expected 'gpi' or 'py'")
    return impl


def seeded_rng() -> np.random.Generator:
    """numpy generator seeded from cocotb's seed, so ``--seed`` replays a run exactly."""
    return np.random.default_rng(cocotb.RANDOM_SEED)


def simulator_name() -> str:
    """'icarus' or 'verilator' (this run's context, verif/settings.py), for tests that
    scale their length."""
    return run_context().simulator


class TbBase:
    """Owns the clock and the synchronous active-low reset of a DUT.

    ``reset()`` is the one reset helper, at the start of a test or in the middle of one:
    every component that keeps state (drivers, monitors, predictors, register shadows)
    registers a callback with ``on_reset`` and is cleared while rst_n is low.
    """

    def __init__(self, dut, clock_name: str = "clk", reset_name: str | None = "rst_n"):
        self.dut = dut
        self.log = dut._log
        self.clk = getattr(dut, clock_name)
        self.rst_n = getattr(dut, reset_name) if reset_name else None
        self.rng = seeded_rng()
        self._reset_callbacks: list = []
        cocotb.start_soon(Clock(self.clk, CLOCK_PERIOD_NS, unit="ns", impl=clock_impl()).start())

    def on_reset(self, callback) -> None:
        """Call ``callback()`` at every reset (while rst_n is low)."""
        self._reset_callbacks.append(callback)

    async def reset(self, cycles: int = 3) -> None:
        """Hold rst_n low for ``cycles`` clock cycles (synchronous, active low)."""
        if self.rst_n is None:
            return
        self.rst_n.value = 0
        for callback in self._reset_callbacks:
            callback()
        await ClockCycles(self.clk, cycles)
        self.rst_n.value = 1
        await RisingEdge(self.clk)

    async def cycles(self, n: int = 1) -> None:
        await ClockCycles(self.clk, n)

    def signal_values(self, names) -> dict[str, str]:
        """Current values of hierarchical signals ("u_ctrl.state"), "?" where absent;
        for logging a DUT's handshake state when a test hangs."""
        values = {}
        for name in names:
            handle = self.dut
            try:
                for part in name.split("."):
                    handle = getattr(handle, part)
                values[name] = str(handle.value)
            except AttributeError:
                values[name] = "?"
        return values
