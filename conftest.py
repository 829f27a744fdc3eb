"""pytest options shared by every test: simulator choice, seeds, waves, coverage, long runs.

    --sim icarus|verilator|all   which simulators RTL tests run on (default: all)
    --seed N                     replay a failing RTL test with the seed it printed
    --waves                      dump waves (FST) into the test's run folder
    --coverage                   Verilator line/toggle coverage (coverage.dat per run)
    --long                       also run tests marked `long` (the full regression)
"""
from __future__ import annotations

import shlex

import pytest

from verif.sim import SIMULATORS, SimOptions, run
from verif.sources import sources


def pytest_addoption(parser):
    group = parser.getgroup("spikedv")
    group.addoption("--sim", default="all", choices=[*SIMULATORS, "all"],
                    help="simulator(s) for RTL tests (default: all)")
    group.addoption("--seed", type=int, default=None,
                    help="random seed for RTL tests (replays a failure)")
    group.addoption("--waves", action="store_true", help="dump waves of RTL tests")
    group.addoption("--coverage", action="store_true",
                    help="collect Verilator code coverage in RTL tests")
    group.addoption("--long", action="store_true", help="run tests marked long")


def pytest_configure(config):
    config.addinivalue_line("markers", "long: long regression, run with --long")
    config.addinivalue_line("markers", "rtl: runs a simulator")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="long regression: run with --long")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def pytest_generate_tests(metafunc):
    if "simulator" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--sim")
        sims = SIMULATORS if chosen == "all" else (chosen,)
        metafunc.parametrize("simulator", sims, ids=list(sims))


@pytest.fixture
def sim_options(request) -> SimOptions:
    cfg = request.config
    return SimOptions(
        waves=cfg.getoption("--waves"),
        coverage=cfg.getoption("--coverage"),
        seed=cfg.getoption("--seed"),
    )


@pytest.fixture
def cocotb_run(request, simulator, sim_options):
    """Run a cocotb module on this test's simulator; failures print a replay line."""
    request.node.add_marker(pytest.mark.rtl)
    replay = f"python -m pytest {shlex.quote(request.node.nodeid)}"
    # Coverage is Verilator's; Icarus runs of a coverage regression still check behaviour.
    options = sim_options
    if options.coverage and simulator != "verilator":
        options = SimOptions(waves=options.waves, coverage=False, seed=options.seed)

    calls = []

    def _run(toplevel, test_module, **kwargs):
        """Build ``toplevel`` from its .f file list and run cocotb ``test_module``;
        keyword arguments go to verif.sim.run (parameters, testcase, settings,
        weights_dir, ...)."""
        __tracebackhide__ = True
        # A test may run several simulations; each keeps its own run folder.
        calls.append(toplevel)
        name = request.node.nodeid + (f"-run{len(calls)}" if len(calls) > 1 else "")
        return run(simulator, toplevel, sources(toplevel), test_module, options=options,
                   replay=replay, run_name=name, long=request.config.getoption("--long"),
                   **kwargs)

    return _run
