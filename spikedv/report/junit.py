"""Test results of a regression, read from its JUnit XML and run folders.

Each ``<testcase>`` becomes a :class:`Case`: the pytest node id (from the JUnit
classname, a dotted file path, and the name), the engine (``icarus``/``verilator`` from
the parametrization, ``python`` for tests that run no simulator), the outcome, the
replay command (an RTL failure's message holds ``replay: python -m pytest ... --seed N``,
verif/sim.py; any other test replays by its node id), and the seeds of its simulations
(``settings.json`` of its run folders, which are named after the node id).
"""
from __future__ import annotations

import json
import re
import shlex
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from verif.sim import SIMULATORS
from verif.sources import PROJECT_ROOT

PYTHON = "python"
ENGINES = (PYTHON, *SIMULATORS)
# conftest.py's reason for a long test skipped without --long: "not run", not "skipped".
LONG_SKIP = "long regression: run with --long"
_REPLAY = re.compile(r"replay: (python -m pytest .*?--seed \d+)")
_SEED = re.compile(r"\(seed (\d+)\)")


@dataclass
class Case:
    id: str                       # pytest node id
    file: str                     # the test file, relative to the checkout
    engine: str                   # python | icarus | verilator
    outcome: str                  # passed | failed | skipped | not run
    seconds: float = 0.0
    message: str = ""             # failure message, or the skip reason
    replay: str = ""              # the command that reruns exactly this
    seeds: list[int] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)   # its run folders (sim.log, waves)

    @property
    def rtl(self) -> bool:
        return self.engine != PYTHON


def engine_of(name: str) -> str:
    """The simulator named in the test's parametrization, else ``python``."""
    params = name.partition("[")[2].rstrip("]")
    for sim in SIMULATORS:
        if sim in params.split("-"):
            return sim
    return PYTHON


def node_id(classname: str, name: str, root: Path = PROJECT_ROOT) -> tuple[str, str]:
    """(node id, test file) of a JUnit testcase: the longest dotted prefix of the
    classname that is a file of the checkout is the module, the rest test classes; a
    whole module's entry (skipped at import) is ``<file>::<module>``."""
    parts = classname.split(".") if classname else []
    if not parts and name:
        # a module skipped (or failed) as a whole: pytest writes classname "" and the
        # module's dotted path as the name; its id matches the module's "file::*"
        module = "/".join(name.split(".")) + ".py"
        if (root / module).is_file():
            return f"{module}::<module>", module
    for cut in range(len(parts), 0, -1):
        file = "/".join(parts[:cut]) + ".py"
        if (root / file).is_file():
            return "::".join([file, *parts[cut:], name]), file
    file = "/".join(parts) + ".py" if parts else ""
    return (f"{file}::{name}" if file else name), file


def _outcome(case: ET.Element) -> tuple[str, str]:
    for tag in ("failure", "error"):
        el = case.find(tag)
        if el is not None:
            return "failed", ((el.get("message") or "") + "\n" + (el.text or "")).strip()
    el = case.find("skipped")
    if el is not None:
        reason = (el.get("message") or el.text or "").strip()
        return ("not run" if LONG_SKIP in reason else "skipped"), reason
    return "passed", ""


def read_junit(path: Path, root: Path = PROJECT_ROOT) -> list[Case]:
    cases = []
    for el in ET.parse(path).getroot().iter("testcase"):
        nid, file = node_id(el.get("classname", ""), el.get("name", ""), root)
        outcome, message = _outcome(el)
        replay = ""
        seeds: list[int] = []
        if outcome == "failed":
            m = _REPLAY.search(message)
            replay = m.group(1) if m else f"python -m pytest {shlex.quote(nid)}"
            seeds = [int(s) for s in _SEED.findall(message)[:1]]
        try:
            seconds = float(el.get("time") or 0.0)
        except ValueError:
            seconds = 0.0
        cases.append(Case(nid, file, engine_of(el.get("name", "")), outcome, seconds,
                          message, replay, seeds))
    return cases


def read_all(junits, root: Path = PROJECT_ROOT) -> list[Case]:
    return [c for j in junits for c in read_junit(Path(j), root)]


def merge_junit(junits, out: Path) -> Path:
    """One JUnit file holding every test suite of ``junits`` (shards of one run)."""
    top = ET.Element("testsuites")
    for j in junits:
        root = ET.parse(j).getroot()
        for suite in ([root] if root.tag == "testsuite" else root.iter("testsuite")):
            top.append(suite)
    out.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(top).write(out, encoding="utf-8", xml_declaration=True)
    return out


# ---- seeds from the run folders ----------------------------------------------------

def _safe(name: str) -> str:
    """The run-folder name of a node id (verif/sim.py names run folders so)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:120]


def run_seeds(run_dirs) -> dict[Path, tuple[str, int]]:
    """{run folder: (simulator, seed)} from each run's settings.json."""
    out = {}
    for run in run_dirs:
        settings = Path(run) / "settings.json"
        try:
            ctx = json.loads(settings.read_text()).get("context", {})
        except (OSError, ValueError):
            continue
        out[Path(run)] = (str(ctx.get("simulator", "")), int(ctx.get("seed", 0)))
    return out


def attach_seeds(cases: list[Case], run_dirs) -> None:
    """Fill each RTL case's seeds from the run folders whose name holds its node id
    (``<node id>[-runK]-<simulator>``, or an engine's ``<prefix>-<node id>-...``)."""
    seeds = run_seeds(run_dirs)
    by_key: dict[str, list[Case]] = {}
    for c in cases:
        by_key.setdefault(_safe(c.id), []).append(c)
    keys = sorted(by_key, key=len, reverse=True)
    for folder, (sim, seed) in seeds.items():
        for key in keys:
            if key and key in folder.name:
                for c in by_key[key]:
                    if c.engine in (sim, PYTHON):
                        if seed not in c.seeds:
                            c.seeds.append(seed)
                        c.runs.append(str(folder))
                break
