"""pytest options shared by every test: simulator choice, seeds, waves, coverage, long runs.

    --sim icarus|verilator|all   which simulators RTL tests run on (default: all)
    --seed N                     replay a failing RTL test with the seed it printed
    --waves                      dump waves (FST) into the test's run folder
    --coverage                   Verilator line/toggle coverage (coverage.dat per run)
    --long                       also run tests marked `long` (the full regression)
    --seed-range A:B             run every randomized RTL test (those using cocotb_run) once
                                 per seed A..B-1 (a seed sweep, docs/regressions.md)
"""
from __future__ import annotations

import os
import re
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
    group.addoption("--seed-range", default=None, metavar="A:B", type=_seed_range,
                    help="seed sweep: run each randomized RTL test once per seed A..B-1")


def _seed_range(text: str) -> range:
    a, sep, b = text.partition(":")
    try:
        seeds = range(int(a), int(b)) if sep else range(int(a), int(a) + 1)
    except ValueError:
        raise pytest.UsageError(f"--seed-range {text!r}: expected A:B (seeds A..B-1)") from None
    if not seeds or seeds.start < 0:
        raise pytest.UsageError(f"--seed-range {text!r}: empty or negative")
    return seeds


# The id of a sweep's seed parameter (``test_x[icarus-seed5]``); a replay drops it and
# passes ``--seed 5`` instead, so it runs without --seed-range.
SWEEP_ID = re.compile(r"-seed\d+(?=[-\]])|(?<=\[)seed\d+-|\[seed\d+\]")


def base_node_id(nodeid: str) -> str:
    """The node id without a seed sweep's parameter."""
    return SWEEP_ID.sub("", nodeid)


def pytest_configure(config):
    if getattr(config.option, "maxschedchunk", "absent") is None:
        # pytest-xdist hands a worker a quarter of its share at once, in collection
        # order: with the longest tests first (_longest_first) one worker would get them
        # all. One or two at a time, as workers free up, is longest-first scheduling.
        config.option.maxschedchunk = 1
    config.addinivalue_line("markers", "long: long regression, run with --long")
    config.addinivalue_line("markers", "rtl: runs a simulator")
    config.addinivalue_line("markers", "slurm: starts a single-node Slurm (scripts/slurm/start.sh, "
                            "needs root) and runs jobs through it")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _longest_first(items)
    if config.getoption("--long"):
        return
    skip = pytest.mark.skip(reason="long regression: run with --long")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def _longest_first(items) -> None:
    """Under pytest-xdist, the tests that took longest in earlier runs
    (verif/durations.json) go first, so that no worker is left running a long test while
    the others idle at the end (longest-processing-time-first, with pytest_configure's
    --maxschedchunk 1; every worker sorts the same way, as xdist requires)."""
    from spikedv.jobs import Durations

    seconds = dict(zip((it.nodeid for it in items),
                       Durations.load().per_test([it.nodeid for it in items])))
    items.sort(key=lambda it: -seconds[it.nodeid])


def pytest_generate_tests(metafunc):
    if "simulator" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--sim")
        sims = SIMULATORS if chosen == "all" else (chosen,)
        metafunc.parametrize("simulator", sims, ids=list(sims))
    seeds = metafunc.config.getoption("--seed-range")
    if seeds is not None and "sweep_seed" in metafunc.fixturenames:
        metafunc.parametrize("sweep_seed", list(seeds), ids=[f"seed{s}" for s in seeds])


@pytest.fixture
def sweep_seed():
    """The seed of this test in a seed sweep (--seed-range); None outside one."""
    return None


@pytest.fixture
def sim_options(request, sweep_seed) -> SimOptions:
    cfg = request.config
    return SimOptions(
        waves=cfg.getoption("--waves"),
        coverage=cfg.getoption("--coverage"),
        seed=cfg.getoption("--seed") if sweep_seed is None else sweep_seed,
    )


@pytest.fixture
def cocotb_run(request, simulator, sim_options):
    """Run a cocotb module on this test's simulator; failures print a replay line."""
    request.node.add_marker(pytest.mark.rtl)
    replay = f"python -m pytest {shlex.quote(base_node_id(request.node.nodeid))}"
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
